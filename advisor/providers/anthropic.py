"""Anthropic Messages API (``x-api-key`` + ``anthropic-version: 2023-06-01``).

Stream events: ``message_start`` (input token usage), ``content_block_start``,
``content_block_delta`` (``text_delta``), ``message_delta`` (stop reason and
cumulative output tokens), ``message_stop``; ``ping`` is ignored and
``error`` becomes a ProviderCallError. A JSON answer with a schema is asked for
as the profile says: structured output (``output_config.format``), a forced
tool (its ``input_json_delta`` text is the answer), or by instruction in the
system prompt. A thinking mode's ``budget_tokens`` is added to ``max_tokens``.
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

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"


TOOL_NAME = "answer"
#: JSON Schema keywords structured output does not take (the SDKs strip them too)
_UNSUPPORTED = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "format"}


def structured_schema(schema: Any) -> Any:
    """A JSON Schema as Anthropic's structured output takes it: every object closed
    (``additionalProperties: false``), numeric and string constraints removed."""
    if isinstance(schema, list):
        return [structured_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _UNSUPPORTED:
            continue
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            out[key] = {name: structured_schema(sub) for name, sub in value.items()}
        else:
            out[key] = structured_schema(value) if isinstance(value, (dict, list)) else value
    types = out.get("type")
    if types == "object" or (isinstance(types, list) and "object" in types) or "properties" in out:
        out["additionalProperties"] = False
    return out


def _object_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A tool's input must be an object: anything else is wrapped in ``{value: ...}``."""
    if schema.get("type") == "object":
        return schema
    return {"type": "object", "properties": {"value": schema}, "required": ["value"]}


class AnthropicMessages(WireFormat):
    name = "anthropic"

    def build(self, endpoint: Endpoint, req: ChatRequest, key: str | None) -> tuple[str, dict[str, str], dict[str, Any]]:
        base = (endpoint.base_url or DEFAULT_BASE_URL).rstrip("/")
        url = f"{base}/v1/messages" if not base.endswith("/v1") else f"{base}/messages"
        profile = profile_of(endpoint, self.name)
        mode = mode_of(endpoint)
        thinks = bool(mode and mode.thinks)
        headers = {
            "content-type": "application/json",
            "accept": "text/event-stream",
            "anthropic-version": API_VERSION,
            **profile.headers,
        }
        if key:
            headers["x-api-key"] = key
        system = req.system
        fragment = mode.request if mode is not None else {}
        body: dict[str, Any] = {
            "model": endpoint.model_id,
            "max_tokens": token_limit(profile, req.max_tokens, mode, self.thinking_budget(fragment)),
            "stream": True,
            "messages": [{"role": m.role, "content": m.content} for m in req.messages],
        }
        temperature = profile.temperature_for(req.temperature, thinks)
        if temperature is not None:
            body["temperature"] = temperature
        plan = json_plan(endpoint, req, profile)
        if plan == "anthropic_output_config":
            body["output_config"] = {"format": {"type": "json_schema", "schema": structured_schema(req.json_schema)}}
        elif plan == "anthropic_tool":
            assert req.json_schema is not None
            body["tools"] = [{"name": TOOL_NAME, "description": "Give the answer.", "input_schema": _object_schema(req.json_schema)}]
            # extended thinking refuses a forced tool: then the tool is offered and asked for
            body["tool_choice"] = {"type": "auto"} if thinks else {"type": "tool", "name": TOOL_NAME}
            if thinks:
                system = f"{system}\n\nAnswer by calling the {TOOL_NAME} tool." if system else f"Answer by calling the {TOOL_NAME} tool."
        elif plan is not None:
            system = with_instruction(system, req.json_schema)
        if system:
            body["system"] = system
        deep_merge(body, fragment)
        return url, headers, body

    def thinking_budget(self, fragment: dict[str, Any]) -> int:
        budget = dig(fragment, "thinking", "budget_tokens")
        return budget if isinstance(budget, int) else 0

    def whole(self, data: Any, state: StreamState) -> None:
        if not isinstance(data, dict):
            raise ProviderCallError("malformed", "JSON body is not an object", billed=True)
        if data.get("type") == "error":
            self.handle(ServerSentEvent(data=json.dumps(data)), state)
        self._usage(data.get("usage"), state)
        for block in data.get("content") or []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text" and isinstance(block.get("text"), str):
                state.parts.append(block["text"])
            elif block.get("type") == "tool_use" and block.get("name") == TOOL_NAME:
                state.parts.append(json.dumps(block.get("input"), ensure_ascii=False))
        if data.get("stop_reason"):
            state.finish_reason = str(data["stop_reason"])
        state.done = True

    @staticmethod
    def _usage(usage: Any, state: StreamState) -> None:
        """Anthropic's ``input_tokens`` excludes the cache: the total is the sum, with the
        cache reads and writes kept apart so each is priced at its own price. Every
        count must be a whole number >= 0 (:func:`usage_count`)."""
        if not isinstance(usage, dict):
            return
        counts = {name: usage_count(usage, name) for name in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")}
        known = [n for n in counts.values() if n is not None]
        if known:
            state.input_tokens = sum(known)
            state.cached_input_tokens = counts["cache_read_input_tokens"] or 0
            state.cache_write_tokens = counts["cache_creation_input_tokens"] or 0
        out = usage_count(usage, "output_tokens")
        if out is not None:
            state.output_tokens = out

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
            self._usage(message.get("usage") if isinstance(message, dict) else None, state)
        elif kind == "content_block_delta":
            delta = data.get("delta") or {}
            if not isinstance(delta, dict):
                raise ProviderCallError("malformed", "content_block_delta 'delta' is not a JSON object", billed=True)
            if delta.get("type") == "text_delta" and isinstance(delta.get("text"), str):
                state.parts.append(delta["text"])
            elif delta.get("type") == "input_json_delta" and isinstance(delta.get("partial_json"), str):
                # the forced tool's input, streamed as JSON text: that is the answer
                state.parts.append(delta["partial_json"])
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
