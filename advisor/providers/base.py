"""What every wire format shares: the request, the response and the stream loop.

A wire format (``openai``, ``anthropic``, ``gemini``) is a small class that
knows two things: how to build the HTTP request for a :class:`ChatRequest`
and how to fold one server-sent event into a :class:`StreamState`.
:func:`stream_chat` does the rest — retries (``http.open_stream``), timing
(time to first token, total latency), truncation and error mapping — the same
way for all of them.

Capability flags on the endpoint (``supports_json_schema``,
``supports_json_mode``) decide how a JSON answer is asked for.

Replies are bounded: reading stops, and the call fails ``oversized``, once the
answer passes :data:`MAX_REPLY_CHARS` characters of text or the stream passes
:data:`MAX_STREAM_BYTES` bytes (whatever it carries); the attempt's timeout is
a deadline checked after every chunk read, so a server that streams quickly
but never ends is stopped at it too. Token counts in ``usage`` must be whole
numbers >= 0 (:func:`usage_count`); anything else fails the call ``malformed``.
"""

from __future__ import annotations

import asyncio
import json
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from advisor.providers.http import ProviderCallError, RetryPolicy, open_stream, redact
from advisor.providers.sse import LineSplitter, ServerSentEvent, SSEDecoder

__all__ = [
    "MAX_REPLY_CHARS",
    "MAX_STREAM_BYTES",
    "usage_count",
    "Endpoint",
    "Message",
    "ChatRequest",
    "ChatResponse",
    "StreamState",
    "WireFormat",
    "stream_chat",
    "json_instruction",
]


MAX_REPLY_CHARS = 4_000_000  # characters of answer text (about 1M tokens); beyond: "oversized"
MAX_STREAM_BYTES = 32 * 1024 * 1024  # bytes of the stream as sent, framing included


def usage_count(usage: dict[str, Any], name: str) -> int | None:
    """A token count from a provider's usage object: None when absent, else a
    whole number >= 0 (``12.0`` reads as 12); anything else (negative, 12.5,
    "12", true) raises a ``malformed`` ProviderCallError."""
    value = usage.get(name)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and 0 <= value < 2**63:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:40] + "…"
        raise ProviderCallError("malformed", f"usage {name} is not a whole number >= 0: {shown}", billed=True)
    return value


class Endpoint(Protocol):
    """The parts of a target a wire format needs (``advisor.eval.target.Target`` fits)."""

    api: str
    base_url: str
    model_id: str
    supports_json_schema: bool
    supports_json_mode: bool


@dataclass(frozen=True)
class Message:
    role: str  # "user" | "assistant"
    content: str


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[Message, ...]
    max_tokens: int
    system: str | None = None
    temperature: float = 0.0
    want_json: bool = False
    json_schema: dict[str, Any] | None = None


@dataclass
class ChatResponse:
    text: str
    input_tokens: int | None
    output_tokens: int | None
    ttft_s: float | None
    latency_s: float
    finish_reason: str | None
    attempts: int


@dataclass
class StreamState:
    parts: list[str] = field(default_factory=list)
    input_tokens: int | None = None
    output_tokens: int | None = None
    finish_reason: str | None = None
    done: bool = False
    first_token_at: float | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


def json_instruction(schema: dict[str, Any] | None) -> str:
    if schema is None:
        return "Respond with a single JSON value only, no prose and no code fences."
    return (
        "Respond with a single JSON value only, no prose and no code fences. "
        "It must match this JSON Schema: " + json.dumps(schema, sort_keys=True)
    )


class WireFormat(ABC):
    name: str = ""

    @abstractmethod
    def build(self, endpoint: Endpoint, req: ChatRequest, key: str | None) -> tuple[str, dict[str, str], dict[str, Any]]:
        """``(url, headers, json_body)`` for a streaming call."""

    @abstractmethod
    def handle(self, event: ServerSentEvent, state: StreamState) -> None:
        """Fold one event into ``state``; raise ProviderCallError for an error event."""

    def finished(self, state: StreamState) -> bool:
        return state.done


def _loads(event: ServerSentEvent) -> Any:
    try:
        return json.loads(event.data)
    except (ValueError, RecursionError):
        raise ProviderCallError("malformed", f"event data is not JSON: {event.data[:120]!r}", billed=True) from None


async def stream_chat(
    client: httpx.AsyncClient,
    wire: WireFormat,
    endpoint: Endpoint,
    req: ChatRequest,
    key: str | None,
    *,
    policy: RetryPolicy | None = None,
    timeout: float = 60.0,
    clock: Callable[[], float] = time.perf_counter,
) -> ChatResponse:
    """One streamed chat call with retries; raises ProviderCallError (redacted)."""
    policy = policy or RetryPolicy()
    url, headers, body = wire.build(endpoint, req, key)
    secrets = [key]
    started = clock()
    response, attempts, deadline = await open_stream(
        client, url, headers, body, policy=policy, secrets=secrets, timeout=timeout
    )
    state = StreamState()
    splitter = LineSplitter()
    decoder = SSEDecoder()

    def feed(lines: list[str]) -> None:
        for line in lines:
            ev = decoder.decode(line)
            if ev is None:
                continue
            before = len(state.parts)
            try:
                wire.handle(ev, state)
            except ProviderCallError:
                raise
            except (AttributeError, TypeError, KeyError, IndexError, ValueError, RecursionError) as exc:
                # a chunk of an unexpected shape the wire format did not guard against
                raise ProviderCallError(
                    "malformed", f"unexpected event shape ({type(exc).__name__}): {ev.data[:120]!r}", billed=True
                ) from None
            if state.first_token_at is None and len(state.parts) > before and any(state.parts[before:]):
                state.first_token_at = clock()

    loop = asyncio.get_running_loop()
    received = 0
    chars = 0

    def oversized(what: str) -> ProviderCallError:
        return ProviderCallError("oversized", f"reply too large: {what}; reading stopped", billed=True)

    try:
        async with asyncio.timeout_at(deadline):
            # Read to the end of the body even after the final event: closing a
            # response early makes httpx drop the connection instead of reusing it.
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received > MAX_STREAM_BYTES:
                    raise oversized(f"more than {MAX_STREAM_BYTES:,} bytes")
                if not state.done:
                    n = len(state.parts)
                    feed(splitter.feed(chunk))
                    chars += sum(len(p) for p in state.parts[n:])
                    if chars > MAX_REPLY_CHARS:
                        raise oversized(f"more than {MAX_REPLY_CHARS:,} characters of text")
                # data that is always ready never lets the event loop fire the
                # timeout: the deadline is checked here as well
                if loop.time() >= deadline:
                    raise TimeoutError
            if not state.done:
                feed(splitter.flush())
    except TimeoutError:
        raise ProviderCallError(
            "timeout", f"stream not finished within {timeout:g}s", attempts=attempts, billed=True
        ) from None
    except httpx.TimeoutException:
        raise ProviderCallError(
            "timeout", f"stream stalled for more than {timeout:g}s", attempts=attempts, billed=True
        ) from None
    except httpx.TransportError as exc:
        detail = redact(str(exc) or type(exc).__name__, secrets)
        raise ProviderCallError(
            "truncated", f"connection lost mid-stream: {detail}", attempts=attempts, billed=True
        ) from None
    except httpx.DecodingError as exc:  # not a TransportError: a body that does not decode
        detail = redact(str(exc) or type(exc).__name__, secrets)
        raise ProviderCallError(
            "malformed", f"response body could not be decoded: {detail}", attempts=attempts, billed=True
        ) from None
    except httpx.HTTPError as exc:  # any other httpx failure while reading the stream
        detail = redact(str(exc) or type(exc).__name__, secrets)
        raise ProviderCallError(
            "truncated", f"stream failed: {type(exc).__name__}: {detail}", attempts=attempts, billed=True
        ) from None
    except ProviderCallError as exc:
        exc.attempts = attempts
        exc.billed = True
        exc.message = redact(exc.message, secrets)
        raise
    finally:
        await response.aclose()
    if not wire.finished(state):
        raise ProviderCallError(
            "truncated",
            f"stream ended before the final event ({len(state.text)} characters received)",
            attempts=attempts,
            billed=True,
        )
    end = clock()
    return ChatResponse(
        text=state.text,
        input_tokens=state.input_tokens,
        output_tokens=state.output_tokens,
        ttft_s=None if state.first_token_at is None else state.first_token_at - started,
        latency_s=end - started,
        finish_reason=state.finish_reason,
        attempts=attempts,
    )
