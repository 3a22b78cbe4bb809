"""OpenAI Chat Completions and any OpenAI-compatible server (vLLM, llama.cpp, Ollama).

The request profile decides what is sent: ``stream_options: {include_usage:
true}`` (so the last chunk, with empty ``choices``, carries ``usage``) or
nothing (Mistral forbids the field and sends usage anyway); the temperature or
none; ``max_tokens`` or ``max_completion_tokens`` (plus the reasoning headroom
when the mode thinks). Servers that send no usage leave the token counts
unknown and the runner estimates them. A JSON answer is asked for with
``response_format: json_schema`` when the endpoint supports schemas, else
``json_object`` (JSON mode), else by instruction. A reply that is one JSON
body (a server that ignores ``stream: true``) is parsed as a whole.
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
    json_plan,
    mode_of,
    profile_of,
    token_limit,
    usage_count,
    with_instruction,
)
from advisor.providers.http import ProviderCallError
from advisor.providers.sse import ServerSentEvent

DEFAULT_BASE_URL = "https://api.openai.com/v1"


def _strict_ok(schema: Any) -> bool:
    """True when OpenAI's strict mode would accept the schema as written."""
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            props = schema.get("properties", {})
            if schema.get("additionalProperties") is not False:
                return False
            if sorted(schema.get("required", [])) != sorted(props):
                return False
        return all(_strict_ok(v) for v in schema.values())
    if isinstance(schema, list):
        return all(_strict_ok(v) for v in schema)
    return True


class OpenAIChat(WireFormat):
    name = "openai"

    def build(self, endpoint: Endpoint, req: ChatRequest, key: str | None) -> tuple[str, dict[str, str], dict[str, Any]]:
        base = (endpoint.base_url or DEFAULT_BASE_URL).rstrip("/")
        url = f"{base}/chat/completions"
        profile = profile_of(endpoint, self.name)
        mode = mode_of(endpoint)
        thinks = bool(mode and mode.thinks)
        headers = {"content-type": "application/json", "accept": "text/event-stream", **profile.headers}
        if key:
            headers["authorization"] = f"Bearer {key}"
        system = req.system
        body: dict[str, Any] = {"model": endpoint.model_id, "stream": True}
        if profile.stream_usage == "stream_options":
            body["stream_options"] = {"include_usage": True}
        temperature = profile.temperature_for(req.temperature, thinks)
        if temperature is not None:
            body["temperature"] = temperature
        body[profile.token_limit] = token_limit(profile, req.max_tokens, mode)
        plan = json_plan(endpoint, req, profile)
        if plan == "json_schema":
            assert req.json_schema is not None
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": req.json_schema, "strict": _strict_ok(req.json_schema)},
            }
        elif plan is not None:
            if plan == "json_mode":
                body["response_format"] = {"type": "json_object"}
            system = with_instruction(system, req.json_schema)
        messages = []
        if system:
            messages.append({"role": "system", "content": system})
        messages.extend({"role": m.role, "content": m.content} for m in req.messages)
        body["messages"] = messages
        if mode is not None:
            deep_merge(body, mode.request)
        return url, headers, body

    def whole(self, data: Any, state: StreamState) -> None:
        if not isinstance(data, dict):
            raise ProviderCallError("malformed", "JSON body is not an object", billed=True)
        if "error" in data:
            self.handle(ServerSentEvent(data=json.dumps(data)), state)
        choices = data.get("choices") or []
        chunk = {
            "choices": [
                {"delta": c.get("message") or {}, "finish_reason": c.get("finish_reason")} for c in choices if isinstance(c, dict)
            ],
            "usage": data.get("usage"),
        }
        self.handle(ServerSentEvent(data=json.dumps(chunk)), state)
        state.done = True

    def handle(self, event: ServerSentEvent, state: StreamState) -> None:
        if event.data.strip() == "[DONE]":
            state.done = True
            return
        data = _loads(event)
        if not isinstance(data, dict):
            raise ProviderCallError("malformed", "stream chunk is not a JSON object", billed=True)
        if "error" in data:
            err = data["error"]
            msg = err.get("message") if isinstance(err, dict) else str(err)
            raise ProviderCallError("provider_error", f"error event: {msg}", billed=True)
        choices = data.get("choices") or []
        if not isinstance(choices, list):
            raise ProviderCallError("malformed", "stream chunk 'choices' is not a list", billed=True)
        for choice in choices:
            if not isinstance(choice, dict):
                raise ProviderCallError("malformed", "stream chunk choice is not a JSON object", billed=True)
            delta = choice.get("delta") or {}
            if not isinstance(delta, dict):
                raise ProviderCallError("malformed", "stream chunk 'delta' is not a JSON object", billed=True)
            content = delta.get("content")
            if isinstance(content, str) and content:
                state.parts.append(content)
            if choice.get("finish_reason"):
                state.finish_reason = str(choice["finish_reason"])
        usage = data.get("usage")
        if isinstance(usage, dict):
            prompt = usage_count(usage, "prompt_tokens")
            completion = usage_count(usage, "completion_tokens")
            if prompt is not None:
                state.input_tokens = prompt
            if completion is not None:
                state.output_tokens = completion
            # both are parts of the totals above (OpenAI, and the servers that copy it)
            details = usage.get("prompt_tokens_details")
            cached = usage_count(details, "cached_tokens") if isinstance(details, dict) else None
            if cached is not None:
                state.cached_input_tokens = cached
            details = usage.get("completion_tokens_details")
            reasoning = usage_count(details, "reasoning_tokens") if isinstance(details, dict) else None
            if reasoning is not None:
                state.reasoning_tokens = reasoning

    def finished(self, state: StreamState) -> bool:
        # [DONE] is the terminator; some compatible servers close right after
        # the finish_reason chunk, which is also a complete answer.
        return state.done or state.finish_reason is not None
