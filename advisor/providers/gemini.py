"""Google Gemini ``streamGenerateContent?alt=sse``.

The key goes in the ``x-goog-api-key`` header, never in the URL, so it cannot
leak into logs or error text that quote the URL. Each event is a
GenerateContentResponse; ``usageMetadata`` carries the token counts
(``thoughtsTokenCount`` is billed as output). The stream is complete when a
candidate has a ``finishReason``. JSON answers use ``responseMimeType`` and,
as the profile says, ``responseSchema`` (the OpenAPI 3.0 subset: the case's JSON
Schema is converted by :func:`gemini_schema`) or ``responseJsonSchema`` (plain
JSON Schema, for the models that take it).
"""

from __future__ import annotations

import json
from typing import Any

from advisor.providers.base import (
    ChatRequest,
    Endpoint,
    StreamState,
    WireFormat,
    _loads,
    deep_merge,
    dig,
    json_plan,
    mode_of,
    profile_of,
    token_limit,
    usage_count,
    with_instruction,
)
from advisor.providers.http import ProviderCallError
from advisor.providers.sse import ServerSentEvent

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta"
_TYPES = {"string": "STRING", "number": "NUMBER", "integer": "INTEGER", "boolean": "BOOLEAN", "array": "ARRAY", "object": "OBJECT"}
_FORMATS = {"NUMBER": {"float", "double"}, "INTEGER": {"int32", "int64"}, "STRING": {"enum", "date-time"}}


def gemini_schema(schema: Any) -> Any:
    """A JSON Schema as Gemini's ``responseSchema`` takes it (an OpenAPI 3.0 subset).

    Types are upper case; a type list with ``"null"`` becomes the other type and
    ``nullable: true`` (several other types: ``anyOf``); ``const`` becomes a
    one-value enum; an enum is a list of strings of type STRING (an untyped or
    string enum keeps its values as strings; a numeric enum keeps its type and
    drops the enum, which the subset cannot say); keywords outside the subset are
    dropped, and ``required`` names only listed properties.
    """
    if not isinstance(schema, dict):
        return {"type": "STRING"}
    out: dict[str, Any] = {}
    raw = schema.get("type")
    types = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list) else []
    nullable = "null" in types or schema.get("nullable") is True
    types = [t for t in types if t != "null"]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            subs = [s for s in schema[key] if not (isinstance(s, dict) and s.get("type") == "null")]
            nullable = nullable or len(subs) < len(schema[key])
            if len(subs) == 1:
                merged = {**{k: v for k, v in schema.items() if k != key}, **subs[0]}
                inner = gemini_schema(merged)
                if nullable:
                    inner["nullable"] = True
                return inner
            out["anyOf"] = [gemini_schema(s) for s in subs]
    if len(types) > 1:
        out["anyOf"] = [gemini_schema({**schema, "type": t}) for t in types]
        if nullable:
            out["nullable"] = True
        return out
    enum = schema.get("enum")
    if "const" in schema:
        enum = [schema["const"]]
    gtype = _TYPES.get(types[0]) if types else None
    if isinstance(enum, list):
        values = [v for v in enum if v is not None]
        nullable = nullable or len(values) < len(enum)
        if gtype in (None, "STRING"):
            gtype = "STRING"
            out["enum"] = [v if isinstance(v, str) else json_text(v) for v in values]
            out["format"] = "enum"
    if gtype is None:
        gtype = "OBJECT" if "properties" in schema else "ARRAY" if "items" in schema else "STRING"
    if "anyOf" not in out:
        out["type"] = gtype
    if isinstance(schema.get("description"), str):
        out["description"] = schema["description"]
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS.get(gtype, set()) and "format" not in out:
        out["format"] = fmt
    if gtype == "OBJECT" and isinstance(schema.get("properties"), dict):
        props = {name: gemini_schema(sub) for name, sub in schema["properties"].items()}
        out["properties"] = props
        required = [r for r in schema.get("required", []) if r in props]
        if required:
            out["required"] = required
    if gtype == "ARRAY":
        out["items"] = gemini_schema(schema.get("items", {"type": "string"}))
        for key in ("minItems", "maxItems"):
            if isinstance(schema.get(key), int):
                out[key] = str(schema[key])  # int64 in the API: a decimal string in JSON
    if nullable:
        out["nullable"] = True
    return out


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class GeminiGenerate(WireFormat):
    name = "gemini"

    def build(self, endpoint: Endpoint, req: ChatRequest, key: str | None) -> tuple[str, dict[str, str], dict[str, Any]]:
        base = (endpoint.base_url or DEFAULT_BASE_URL).rstrip("/")
        model = endpoint.model_id if endpoint.model_id.startswith("models/") else f"models/{endpoint.model_id}"
        url = f"{base}/{model}:streamGenerateContent?alt=sse"
        profile = profile_of(endpoint, self.name)
        mode = mode_of(endpoint)
        thinks = bool(mode and mode.thinks)
        fragment = mode.request if mode is not None else {}
        headers = {"content-type": "application/json", "accept": "text/event-stream", **profile.headers}
        if key:
            headers["x-goog-api-key"] = key
        config: dict[str, Any] = {
            profile.token_limit: token_limit(profile, req.max_tokens, mode, self.thinking_budget(fragment))
        }
        temperature = profile.temperature_for(req.temperature, thinks)
        if temperature is not None:
            config["temperature"] = temperature
        system = req.system
        plan = json_plan(endpoint, req, profile)
        if plan == "gemini_schema":
            config["responseMimeType"] = "application/json"
            config["responseSchema"] = gemini_schema(req.json_schema)
        elif plan == "gemini_json_schema":
            config["responseMimeType"] = "application/json"
            config["responseJsonSchema"] = req.json_schema
        elif plan is not None:
            if plan == "json_mode":
                config["responseMimeType"] = "application/json"
            system = with_instruction(system, req.json_schema)
        body: dict[str, Any] = {
            "contents": [
                {"role": "model" if m.role == "assistant" else "user", "parts": [{"text": m.content}]}
                for m in req.messages
            ],
            "generationConfig": config,
        }
        if system:
            body["systemInstruction"] = {"parts": [{"text": system}]}
        deep_merge(body, fragment)
        return url, headers, body

    def thinking_budget(self, fragment: dict[str, Any]) -> int:
        budget = dig(fragment, "generationConfig", "thinkingConfig", "thinkingBudget")
        return budget if isinstance(budget, int) and budget > 0 else 0

    def whole(self, data: Any, state: StreamState) -> None:
        # streamGenerateContent without alt=sse answers a JSON array of responses
        for item in data if isinstance(data, list) else [data]:
            self.handle(ServerSentEvent(data=json_text(item)), state)
        state.done = state.done or bool(state.parts)

    def handle(self, event: ServerSentEvent, state: StreamState) -> None:
        data = _loads(event)
        if not isinstance(data, dict):
            raise ProviderCallError("malformed", "event data is not a JSON object", billed=True)
        if "error" in data:
            err = data["error"]
            msg = err.get("message") if isinstance(err, dict) else str(err)
            raise ProviderCallError("provider_error", f"error event: {msg}", billed=True)
        candidates = data.get("candidates") or []
        if not isinstance(candidates, list):
            raise ProviderCallError("malformed", "event 'candidates' is not a list", billed=True)
        for cand in candidates:
            if not isinstance(cand, dict):
                raise ProviderCallError("malformed", "event candidate is not a JSON object", billed=True)
            content = cand.get("content") or {}
            parts = (content.get("parts") or []) if isinstance(content, dict) else None
            if not isinstance(parts, list):
                raise ProviderCallError("malformed", "event candidate content has an unexpected shape", billed=True)
            for part in parts:
                if isinstance(part, dict) and isinstance(part.get("text"), str) and not part.get("thought"):
                    state.parts.append(part["text"])
            if cand.get("finishReason"):
                state.finish_reason = str(cand["finishReason"])
                state.done = True
        usage = data.get("usageMetadata")
        if isinstance(usage, dict):
            prompt = usage_count(usage, "promptTokenCount")
            if prompt is not None:
                state.input_tokens = prompt
            cached = usage_count(usage, "cachedContentTokenCount")  # part of promptTokenCount
            if cached is not None:
                state.cached_input_tokens = cached
            thoughts = usage_count(usage, "thoughtsTokenCount")
            if thoughts is not None:
                state.reasoning_tokens = thoughts
            out = 0
            seen = False
            for name in ("candidatesTokenCount", "thoughtsTokenCount"):
                n = usage_count(usage, name)
                if n is not None:
                    out += n
                    seen = True
            if seen:
                state.output_tokens = out
        feedback = data.get("promptFeedback")
        block = feedback.get("blockReason") if isinstance(feedback, dict) else None
        if block:
            raise ProviderCallError("provider_error", f"prompt blocked: {block}", billed=True)
