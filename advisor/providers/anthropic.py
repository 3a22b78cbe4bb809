"""Anthropic Messages API (``x-api-key`` + ``anthropic-version: 2023-06-01``).

Stream events: ``message_start`` (input token usage), ``content_block_start``,
``content_block_delta`` (``text_delta``), ``message_delta`` (stop reason and
cumulative output tokens), ``message_stop``; ``ping`` is ignored and
``error`` becomes a ProviderCallError. JSON answers are asked for by
instruction in the system prompt.
"""

from __future__ import annotations

from typing import Any

from advisor.providers.base import ChatRequest, Endpoint, StreamState, WireFormat, _loads, json_instruction, usage_count
from advisor.providers.http import ProviderCallError
from advisor.providers.sse import ServerSentEvent

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"


class AnthropicMessages(WireFormat):
    name = "anthropic"

    def build(self, endpoint: Endpoint, req: ChatRequest, key: str | None) -> tuple[str, dict[str, str], dict[str, Any]]:
        base = (endpoint.base_url or DEFAULT_BASE_URL).rstrip("/")
        url = f"{base}/v1/messages" if not base.endswith("/v1") else f"{base}/messages"
        headers = {
            "content-type": "application/json",
            "accept": "text/event-stream",
            "anthropic-version": API_VERSION,
        }
        if key:
            headers["x-api-key"] = key
        system = req.system
        if req.want_json:
            system = f"{system}\n\n{json_instruction(req.json_schema)}" if system else json_instruction(req.json_schema)
        body: dict[str, Any] = {
            "model": endpoint.model_id,
            "max_tokens": req.max_tokens,
            "temperature": req.temperature,
            "stream": True,
            "messages": [{"role": m.role, "content": m.content} for m in req.messages],
        }
        if system:
            body["system"] = system
        return url, headers, body

    def handle(self, event: ServerSentEvent, state: StreamState) -> None:
        kind = event.event
        if kind == "ping":
            return
        data = _loads(event)
        if not isinstance(data, dict):
            raise ProviderCallError("malformed", "event data is not a JSON object", billed=True)
        kind = data.get("type", kind)
        if kind == "error":
            err = data.get("error") or {}
            if not isinstance(err, dict):
                err = {"message": str(err)}
            raise ProviderCallError(
                "provider_error", f"error event: {err.get('type', '')} {err.get('message', '')}".strip(), billed=True
            )
        if kind == "message_start":
            message = data.get("message") or {}
            usage = (message.get("usage") if isinstance(message, dict) else None) or {}
            if not isinstance(usage, dict):
                usage = {}
            total = 0
            seen = False
            for name in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"):
                n = usage_count(usage, name)
                if n is not None:
                    total += n
                    seen = True
            if seen:
                state.input_tokens = total
            out = usage_count(usage, "output_tokens")
            if out is not None:
                state.output_tokens = out
        elif kind == "content_block_delta":
            delta = data.get("delta") or {}
            if not isinstance(delta, dict):
                raise ProviderCallError("malformed", "content_block_delta 'delta' is not a JSON object", billed=True)
            if delta.get("type") == "text_delta" and isinstance(delta.get("text"), str):
                state.parts.append(delta["text"])
        elif kind == "message_delta":
            delta = data.get("delta") or {}
            if isinstance(delta, dict) and delta.get("stop_reason"):
                state.finish_reason = str(delta["stop_reason"])
            usage = data.get("usage") or {}
            if not isinstance(usage, dict):
                usage = {}
            out = usage_count(usage, "output_tokens")
            if out is not None:
                state.output_tokens = out
            inp = usage_count(usage, "input_tokens")
            if inp is not None and state.input_tokens is None:
                state.input_tokens = inp
        elif kind == "message_stop":
            state.done = True
