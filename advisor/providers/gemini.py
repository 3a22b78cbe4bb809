"""Google Gemini ``streamGenerateContent?alt=sse``.

The key goes in the ``x-goog-api-key`` header, never in the URL, so it cannot
leak into logs or error text that quote the URL. Each event is a
GenerateContentResponse; ``usageMetadata`` carries the token counts
(``thoughtsTokenCount`` is billed as output). The stream is complete when a
candidate has a ``finishReason``. JSON answers use ``responseMimeType`` and,
when supported, ``responseSchema`` (an OpenAPI subset, so keywords it does not
know are dropped).
"""

from __future__ import annotations

from typing import Any

from advisor.providers.base import ChatRequest, Endpoint, StreamState, WireFormat, _loads, json_instruction, usage_count
from advisor.providers.http import ProviderCallError
from advisor.providers.sse import ServerSentEvent

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta"
_SCHEMA_KEYS = {"type", "properties", "required", "enum", "items", "description", "nullable", "format"}


def gemini_schema(schema: Any) -> Any:
    """The subset of a JSON Schema that Gemini's responseSchema accepts."""
    if isinstance(schema, dict):
        out = {}
        for k, v in schema.items():
            if k not in _SCHEMA_KEYS:
                continue
            if k == "properties" and isinstance(v, dict):
                out[k] = {name: gemini_schema(sub) for name, sub in v.items()}
            elif k == "items":
                out[k] = gemini_schema(v)
            else:
                out[k] = v
        return out
    return schema


class GeminiGenerate(WireFormat):
    name = "gemini"

    def build(self, endpoint: Endpoint, req: ChatRequest, key: str | None) -> tuple[str, dict[str, str], dict[str, Any]]:
        base = (endpoint.base_url or DEFAULT_BASE_URL).rstrip("/")
        model = endpoint.model_id if endpoint.model_id.startswith("models/") else f"models/{endpoint.model_id}"
        url = f"{base}/{model}:streamGenerateContent?alt=sse"
        headers = {"content-type": "application/json", "accept": "text/event-stream"}
        if key:
            headers["x-goog-api-key"] = key
        config: dict[str, Any] = {"temperature": req.temperature, "maxOutputTokens": req.max_tokens}
        system = req.system
        if req.want_json:
            config["responseMimeType"] = "application/json"
            if req.json_schema is not None and endpoint.supports_json_schema:
                config["responseSchema"] = gemini_schema(req.json_schema)
            else:
                system = f"{system}\n\n{json_instruction(req.json_schema)}" if system else json_instruction(req.json_schema)
        body: dict[str, Any] = {
            "contents": [
                {"role": "model" if m.role == "assistant" else "user", "parts": [{"text": m.content}]}
                for m in req.messages
            ],
            "generationConfig": config,
        }
        if system:
            body["systemInstruction"] = {"parts": [{"text": system}]}
        return url, headers, body

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
