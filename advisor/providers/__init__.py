"""Provider wire formats over one shared httpx client (no vendor SDKs).

``wire_for(api)`` returns the wire format for ``"openai"``, ``"anthropic"``
or ``"gemini"``; ``stream_chat`` (from :mod:`advisor.providers.base`) makes
one streamed call with retries and timing.
"""

from __future__ import annotations

from advisor.providers.anthropic import AnthropicMessages
from advisor.providers.base import ChatRequest, ChatResponse, Message, WireFormat, stream_chat
from advisor.providers.gemini import GeminiGenerate
from advisor.providers.http import ProviderCallError, RetryPolicy, make_client, redact
from advisor.providers.openai import OpenAIChat

_WIRES: dict[str, WireFormat] = {
    "openai": OpenAIChat(),
    "anthropic": AnthropicMessages(),
    "gemini": GeminiGenerate(),
}


def wire_for(api: str) -> WireFormat:
    try:
        return _WIRES[api]
    except KeyError:
        raise ValueError(f"unknown api {api!r}; expected one of {', '.join(sorted(_WIRES))}") from None


__all__ = [
    "ChatRequest",
    "ChatResponse",
    "Message",
    "ProviderCallError",
    "RetryPolicy",
    "WireFormat",
    "make_client",
    "redact",
    "stream_chat",
    "wire_for",
]
