"""Shared HTTP plumbing for every provider: client, timeouts, retries, errors.

Behaviour (learned from openai-python's base client, written small on httpx):

* retry on timeouts, connection errors and HTTP 408, 409, 429 and 5xx — only
  while waiting for the response head; once a stream has started nothing is
  retried (the tokens may already be billed);
* the wait before a retry honours ``retry-after-ms``, then ``retry-after``
  (seconds or an HTTP date), capped at ``RetryPolicy.retry_after_cap``;
  otherwise exponential backoff ``initial_delay * 2**n`` capped at
  ``max_delay`` with up to ``jitter`` (a fraction) taken off at random;
* every error becomes a :class:`ProviderCallError` with a ``kind`` and a
  message from which every secret (API keys) has been removed. Request
  headers are never logged or stored.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from advisor.secrets import Redactor

__all__ = [
    "RetryPolicy",
    "ProviderCallError",
    "redact",
    "parse_retry_after",
    "retry_delay",
    "is_retryable_status",
    "make_client",
    "open_stream",
    "AttemptLog",
    "FailedAttempt",
]

MAX_ERROR_BODY = 64 * 1024  # bytes of an error body read; the rest is never read
MAX_ERROR_TEXT = 2000  # characters of it kept in the error message


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    retry_after_cap: float = 60.0
    jitter: float = 0.25


@dataclass(frozen=True)
class FailedAttempt:
    """An attempt that did not answer: what went wrong and how long it took."""

    kind: str
    status: int | None
    elapsed_s: float
    waited_s: float = 0.0  # the wait before the next attempt (Retry-After or backoff)

    def describe(self) -> str:
        what = f"HTTP {self.status}" if self.status else self.kind
        text = f"{what} after {self.elapsed_s * 1000:,.0f} ms"
        return text + (f", waited {self.waited_s:,.1f} s" if self.waited_s else "")


@dataclass
class AttemptLog:
    """Filled in by :func:`open_stream`: the attempts that failed, and when the one
    that answered was sent (``clock`` time), so timing covers that attempt only."""

    clock: Callable[[], float] = time.perf_counter
    failed: list[FailedAttempt] = field(default_factory=list)
    started_at: float | None = None

    @property
    def waited_s(self) -> float:
        return sum(f.waited_s for f in self.failed)


class ProviderCallError(Exception):
    """A failed call. ``kind`` is one of:

    timeout, connection, rate_limited, server_error, auth, bad_request,
    not_found, http_error, truncated, malformed, oversized, provider_error.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        attempts: int = 1,
        billed: bool = False,
    ):
        self.kind = kind
        self.message = message
        self.status = status
        self.retryable = retryable
        self.attempts = attempts
        self.billed = billed  # True once the stream had started (tokens may be charged)
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret, in every form it can take in text, replaced by
    ``[redacted]`` (see :mod:`advisor.secrets`)."""
    return Redactor(secrets)(text)


def is_retryable_status(status: int) -> bool:
    return status in (408, 409, 429) or status >= 500


def parse_retry_after(headers: httpx.Headers | dict[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or HTTP date)."""
    h = httpx.Headers(headers)
    ms = h.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
            if value >= 0:
                return value
        except ValueError:
            pass
    ra = h.get("retry-after")
    if ra is None:
        return None
    ra = ra.strip()
    try:
        value = float(ra)
        return value if value >= 0 else None
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(ra)
    if parsed is None:
        return None
    when = email.utils.mktime_tz(parsed)
    now = time.time() if now is None else now
    return max(0.0, when - now)


def retry_delay(
    policy: RetryPolicy,
    retry_index: int,
    headers: httpx.Headers | dict[str, str] | None = None,
    *,
    now: float | None = None,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``retry_index`` (0 = first retry)."""
    if headers is not None:
        server = parse_retry_after(headers, now)
        if server is not None:
            return min(server, policy.retry_after_cap)
    base = min(policy.initial_delay * (2.0**retry_index), policy.max_delay)
    return base * (1.0 - policy.jitter * rng())


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~80 ms of CPU; do it once per process.
    return httpx.create_ssl_context()


def make_client(*, max_connections: int = 64) -> httpx.AsyncClient:
    """One shared client; timeouts are set per request by :func:`open_stream`."""
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    return httpx.AsyncClient(
        limits=limits, timeout=httpx.Timeout(60.0), follow_redirects=False, verify=_ssl_context()
    )


def _kind_for_status(status: int) -> str:
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "not_found"
    if status in (400, 413, 422):
        return "bad_request"
    return "http_error"


def _error_text(body: bytes) -> str:
    text = body[:MAX_ERROR_BODY].decode("utf-8", errors="replace").strip()
    return _error_message(text)


def _error_message(text: str) -> str:
    # Most providers wrap the message: {"error": {"message": "..."}}
    try:
        import json

        data: Any = json.loads(text)
        if isinstance(data, list) and data:
            data = data[0]
        if isinstance(data, dict):
            err = data.get("error", data)
            if isinstance(err, dict) and isinstance(err.get("message"), str):
                return err["message"]
            if isinstance(err, str):
                return err
    except (ValueError, RecursionError):
        pass
    return text or "(empty body)"


async def _read_capped(response: httpx.Response, cap: int) -> bytes:
    """At most ``cap`` bytes of a body; the rest is never read (the caller closes it)."""
    buf = bytearray()
    async for chunk in response.aiter_bytes():
        buf += chunk
        if len(buf) >= cap:
            break
    return bytes(buf[:cap])


async def open_stream(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    body: dict[str, Any],
    *,
    policy: RetryPolicy,
    secrets: Iterable[str | None],
    timeout: float,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    log: AttemptLog | None = None,
) -> tuple[httpx.Response, int, float]:
    """POST ``body`` and return the streaming response once its head is OK.

    ``timeout`` bounds one attempt from sending to the end of its stream.
    Returns ``(response, attempts, deadline)`` where ``deadline`` (event-loop
    time) is when the attempt's stream must be finished; the caller must
    ``aclose()`` the response. Retries as described in the module docstring;
    raises ProviderCallError. ``log`` (optional) records each failed attempt and
    the send time of the last one.
    """
    loop = asyncio.get_running_loop()
    secrets = [s for s in secrets if s]
    http_timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    attempt = 0
    while True:
        attempt += 1
        can_retry = attempt <= policy.max_retries
        resp_headers: httpx.Headers | None = None
        sent = log.clock() if log is not None else 0.0
        if log is not None:
            log.started_at = sent
        try:
            deadline = loop.time() + timeout
            request = client.build_request("POST", url, headers=headers, json=body, timeout=http_timeout)
            async with asyncio.timeout_at(deadline):
                response = await client.send(request, stream=True)
        except (httpx.TimeoutException, TimeoutError):
            err = ProviderCallError("timeout", f"no response within {timeout:g}s", retryable=True, attempts=attempt)
        except httpx.TransportError as exc:
            detail = redact(str(exc) or type(exc).__name__, secrets)
            err = ProviderCallError("connection", f"connection failed: {detail}", retryable=True, attempts=attempt)
        except httpx.HTTPError as exc:  # e.g. too many redirects: not worth retrying
            detail = redact(str(exc) or type(exc).__name__, secrets)
            err = ProviderCallError("connection", f"request failed: {type(exc).__name__}: {detail}", attempts=attempt)
        else:
            if response.status_code < 300:
                return response, attempt, deadline
            status = response.status_code
            resp_headers = response.headers
            if status < 400:  # a redirect is never followed: the key must not travel on
                await response.aclose()
                where = resp_headers.get("location", "")[:200]
                message = redact(f"HTTP {status}: a redirect (to {where!r}) is not followed; check the base URL", secrets)
            else:
                try:  # a small part of the error body, within the same deadline
                    async with asyncio.timeout_at(deadline):
                        raw = await _read_capped(response, MAX_ERROR_BODY)
                except (httpx.HTTPError, TimeoutError):
                    raw = b""
                finally:
                    await response.aclose()
                # redacted whole, then shortened: a cut can never leave part of a key
                message = redact(f"HTTP {status}: {_error_text(raw)}", secrets)[:MAX_ERROR_TEXT]
            err = ProviderCallError(
                _kind_for_status(status),
                message,
                status=status,
                retryable=is_retryable_status(status),
                attempts=attempt,
            )
        elapsed = log.clock() - sent if log is not None else 0.0
        if not (err.retryable and can_retry):
            if err.retryable:
                err.message += f" (gave up after {attempt} attempts)"
            if log is not None:
                log.failed.append(FailedAttempt(err.kind, err.status, elapsed))
            raise err
        delay = retry_delay(policy, attempt - 1, resp_headers)
        if log is not None:
            log.failed.append(FailedAttempt(err.kind, err.status, elapsed, delay))
        await sleep(delay)
