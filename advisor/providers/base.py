"""What every wire format shares: the request, the response and the stream loop.

A wire format (``openai``, ``anthropic``, ``gemini``) is a small class that
knows two things: how to build the HTTP request for a :class:`ChatRequest`
and how to fold one server-sent event into a :class:`StreamState`.
:func:`stream_chat` does the rest — retries (``http.open_stream``), timing
(time to first token, total latency), truncation and error mapping — the same
way for all of them.

Capability flags on the endpoint (``supports_json_schema``,
``supports_json_mode``) decide whether a JSON answer is asked for with a schema,
JSON mode or the prompt; the endpoint's request profile (``advisor.core.profiles``)
decides how each field is spelt for that API, and its reasoning mode's fragment is
merged in last. Wire formats apply profiles and know no model names.

Replies are bounded: reading stops, and the call fails ``oversized``, once the
answer passes :data:`MAX_REPLY_CHARS` characters of text or the stream passes
:data:`MAX_STREAM_BYTES` bytes (whatever it carries); the attempt's timeout is
a deadline checked after every chunk read, so a server that streams quickly
but never ends is stopped at it too. Token counts in ``usage`` must be whole
numbers >= 0 (:func:`usage_count`); anything else fails the call ``malformed``.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from advisor.core.profiles import BASELINE, RequestProfile
from advisor.providers.http import AttemptLog, FailedAttempt, ProviderCallError, RetryPolicy, open_stream, redact
from advisor.providers.sse import LineSplitter, ServerSentEvent, SSEDecoder

if TYPE_CHECKING:  # the knowledge schema is imported only where knowledge is loaded
    from advisor.core.schema import ReasoningMode

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
    """The parts of a target a wire format needs (``advisor.eval.target.Target`` fits).

    ``profile`` (a :class:`RequestProfile`, or ``None`` for the wire format's
    baseline) says what the API accepts; ``reasoning`` (a ReasoningMode, or
    ``None``) is the mode to run, whose ``request`` fragment is deep-merged into
    the body last.
    """

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
    """One answered call. Timing is that of the attempt that answered;
    ``failed_attempts`` (and the waits after them) are reported beside it."""

    text: str
    input_tokens: int | None  # all input, cached and cache-written included
    output_tokens: int | None  # all output, reasoning included
    ttft_s: float | None
    latency_s: float
    finish_reason: str | None
    attempts: int
    failed_attempts: tuple[FailedAttempt, ...] = ()
    cached_input_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    generation_s: float | None = None  # first to last content token, when the stream spread over time
    burst: bool = False  # the answer arrived all at once: no tokens/s
    notes: tuple[str, ...] = ()

    @property
    def retry_wait_s(self) -> float:
        return sum(f.waited_s for f in self.failed_attempts)


#: a stream whose content spans less than this (or one network read) is a burst
BURST_S = 0.010


@dataclass
class StreamState:
    parts: list[str] = field(default_factory=list)
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_input_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    finish_reason: str | None = None
    done: bool = False
    first_token_at: float | None = None
    last_token_at: float | None = None
    content_reads: int = 0  # network reads that carried content

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


def with_instruction(system: str | None, schema: dict[str, Any] | None) -> str:
    return f"{system}\n\n{json_instruction(schema)}" if system else json_instruction(schema)


def profile_of(endpoint: Endpoint, api: str) -> RequestProfile:
    return getattr(endpoint, "profile", None) or BASELINE[api]


def mode_of(endpoint: Endpoint) -> ReasoningMode | None:
    return getattr(endpoint, "reasoning", None)


def json_plan(endpoint: Endpoint, req: ChatRequest, profile: RequestProfile) -> str | None:
    """How this request asks for JSON: ``None`` (it does not), a schema dialect,
    ``json_mode`` or ``prompt``."""
    if not req.want_json:
        return None
    if req.json_schema is not None and endpoint.supports_json_schema:
        return profile.schema_dialect
    return "json_mode" if endpoint.supports_json_mode else "prompt"


def token_limit(profile: RequestProfile, max_tokens: int, mode: ReasoningMode | None, budget: int = 0) -> int:
    """The case's token limit plus room for the thinking of a mode that thinks: the
    profile's headroom, the mode's typical thinking tokens or the budget its fragment
    sets, whichever is largest."""
    if mode is None or not mode.thinks:
        return max_tokens
    return profile.token_limit_for(max_tokens, True, max(budget, mode.thinking_tokens or 0))


def deep_merge(body: dict[str, Any], fragment: dict[str, Any]) -> dict[str, Any]:
    """``fragment`` merged into ``body`` in place: mappings key by key, anything else replaced."""
    for key, value in fragment.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            deep_merge(body[key], value)
        else:
            body[key] = copy.deepcopy(value)
    return body


def dig(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


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

    @abstractmethod
    def whole(self, data: Any, state: StreamState) -> None:
        """Fold a whole (non-streamed) JSON reply into ``state`` and mark it done."""

    def thinking_budget(self, fragment: dict[str, Any]) -> int:
        """Thinking tokens a reasoning fragment reserves (they must fit under the limit)."""
        return 0


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
    log: AttemptLog | None = None,
) -> ChatResponse:
    """One streamed chat call with retries; raises ProviderCallError (redacted).

    Latency and time to first token are those of the attempt that answered: the
    clock starts when that attempt is sent, not before the retries. ``log``
    (optional) receives the failed attempts, also when the call fails.
    """
    policy = policy or RetryPolicy()
    url, headers, body = wire.build(endpoint, req, key)
    secrets = [key]
    if log is None:
        log = AttemptLog(clock=clock)
    else:
        log.clock = clock
    response, attempts, deadline = await open_stream(
        client, url, headers, body, policy=policy, secrets=secrets, timeout=timeout, log=log
    )
    started = log.started_at if log.started_at is not None else clock()
    state = StreamState()
    splitter = LineSplitter()
    decoder = SSEDecoder()
    notes: list[str] = []
    ctype = response.headers.get("content-type", "").lower()
    whole_json = "json" in ctype and "event-stream" not in ctype

    def feed(lines: list[str]) -> None:
        had = len(state.parts)
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
            if len(state.parts) > before and any(state.parts[before:]):
                now = clock()
                if state.first_token_at is None:
                    state.first_token_at = now
                state.last_token_at = now
        if len(state.parts) > had and any(state.parts[had:]):
            state.content_reads += 1

    loop = asyncio.get_running_loop()
    received = 0
    chars = 0

    def oversized(what: str) -> ProviderCallError:
        return ProviderCallError("oversized", f"reply too large: {what}; reading stopped", billed=True)

    raw = bytearray()
    try:
        async with asyncio.timeout_at(deadline):
            # Read to the end of the body even after the final event: closing a
            # response early makes httpx drop the connection instead of reusing it.
            async for chunk in response.aiter_bytes():
                received += len(chunk)
                if received > MAX_STREAM_BYTES:
                    raise oversized(f"more than {MAX_STREAM_BYTES:,} bytes")
                if whole_json:
                    raw += chunk
                elif not state.done:
                    n = len(state.parts)
                    feed(splitter.feed(chunk))
                    chars += sum(len(p) for p in state.parts[n:])
                    if chars > MAX_REPLY_CHARS:
                        raise oversized(f"more than {MAX_REPLY_CHARS:,} characters of text")
                # data that is always ready never lets the event loop fire the
                # timeout: the deadline is checked here as well
                if loop.time() >= deadline:
                    raise TimeoutError
            if whole_json:
                _fold_whole(wire, bytes(raw), state)
                if sum(len(p) for p in state.parts) > MAX_REPLY_CHARS:
                    raise oversized(f"more than {MAX_REPLY_CHARS:,} characters of text")
                notes.append("the server answered with one JSON body, not a stream: parsed as a whole")
            elif not state.done:
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
    spread = None
    if state.first_token_at is not None and state.last_token_at is not None:
        spread = state.last_token_at - state.first_token_at
    burst = whole_json or state.content_reads < 2 or spread is None or spread < BURST_S
    return ChatResponse(
        text=state.text,
        input_tokens=state.input_tokens,
        output_tokens=state.output_tokens,
        ttft_s=None if state.first_token_at is None or whole_json else state.first_token_at - started,
        latency_s=end - started,
        finish_reason=state.finish_reason,
        attempts=attempts,
        failed_attempts=tuple(log.failed),
        cached_input_tokens=state.cached_input_tokens,
        cache_write_tokens=state.cache_write_tokens,
        reasoning_tokens=state.reasoning_tokens,
        generation_s=None if burst else spread,
        burst=bool(state.text) and burst,
        notes=tuple(notes),
    )


def _fold_whole(wire: WireFormat, raw: bytes, state: StreamState) -> None:
    try:
        data = json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError:
        raise ProviderCallError("malformed", f"JSON body does not parse: {raw[:120]!r}", billed=True) from None
    try:
        wire.whole(data, state)
    except ProviderCallError:
        raise
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
        raise ProviderCallError("malformed", f"JSON body of an unexpected shape ({type(exc).__name__})", billed=True) from None
