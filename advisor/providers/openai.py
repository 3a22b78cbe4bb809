"""OpenAI Chat Completions and any OpenAI-compatible server (vLLM, llama.cpp, Ollama).

Streams with ``stream_options: {include_usage: true}`` so the last chunk (with
empty ``choices``) carries ``usage``; servers that do not send it leave the
token counts unknown and the runner estimates them. A JSON answer is asked
for with ``response_format: json_schema`` when the endpoint supports it,
else ``json_object`` (JSON mode), else by instruction.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from advisor.providers.base import ChatRequest, Endpoint, StreamState, WireFormat, _loads, json_instruction, usage_count
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
        headers = {"content-type": "application/json", "accept": "text/event-stream"}
        if key:
            headers["authorization"] = f"Bearer {key}"
        system = req.system
        body: dict[str, Any] = {
            "model": endpoint.model_id,
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": req.temperature,
        }
        if urlparse(base).hostname == "api.openai.com":
            body["max_completion_tokens"] = req.max_tokens
        else:
            body["max_tokens"] = req.max_tokens
        if req.want_json:
            if req.json_schema is not None and endpoint.supports_json_schema:
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "answer", "schema": req.json_schema, "strict": _strict_ok(req.json_schema)},
                }
            elif endpoint.supports_json_mode:
                body["response_format"] = {"type": "json_object"}
                system = f"{system}\n\n{json_instruction(req.json_schema)}" if system else json_instruction(req.json_schema)
            else:
                system = f"{system}\n\n{json_instruction(req.json_schema)}" if system else json_instruction(req.json_schema)
        messages = []
        if system:
            messages.append({"role": "system", "content": system})
        messages.extend({"role": m.role, "content": m.content} for m in req.messages)
        body["messages"] = messages
        return url, headers, body

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

    def finished(self, state: StreamState) -> bool:
        # [DONE] is the terminator; some compatible servers close right after
        # the finish_reason chunk, which is also a complete answer.
        return state.done or state.finish_reason is not None
