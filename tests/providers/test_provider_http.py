"""Retry-After parsing, backoff, redaction, and open_stream's retry loop (fake sleep)."""

import email.utils

import httpx
import pytest

from advisor.providers.http import (
    ProviderCallError,
    RetryPolicy,
    open_stream,
    parse_retry_after,
    redact,
    retry_delay,
)

NOW = 1_800_000_000.0


def test_retry_after_seconds_ms_and_http_date():
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25  # ms wins
    date = email.utils.formatdate(NOW + 7, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=NOW) == pytest.approx(7.0)
    past = email.utils.formatdate(NOW - 60, usegmt=True)
    assert parse_retry_after({"retry-after": past}, now=NOW) == 0.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_retry_delay_caps_server_value_and_backs_off_with_jitter():
    p = RetryPolicy(initial_delay=0.5, max_delay=8.0, retry_after_cap=60.0, jitter=0.25)
    assert retry_delay(p, 0, {"retry-after": "3600"}) == 60.0
    assert retry_delay(p, 0, None, rng=lambda: 0.0) == 0.5
    assert retry_delay(p, 2, None, rng=lambda: 0.0) == 2.0
    assert retry_delay(p, 10, None, rng=lambda: 0.0) == 8.0  # capped
    assert retry_delay(p, 1, None, rng=lambda: 1.0) == pytest.approx(0.75)  # 1.0 minus 25%


def test_redact_removes_every_secret():
    msg = "HTTP 401: bad key sk-canary-XXXX (Bearer sk-canary-XXXX)"
    assert "sk-canary" not in redact(msg, ["sk-canary-XXXX", None])


async def _open(fake, faults, policy, sleeps):
    fake.faults = list(faults)

    async def sleep(s):
        sleeps.append(s)

    async with httpx.AsyncClient() as client:
        resp, attempts, _ = await open_stream(
            client, fake.base + "/v1/chat/completions", {"authorization": "Bearer k"},
            {"model": "m", "messages": []}, policy=policy, secrets=["k"], timeout=5, sleep=sleep,
        )
        await resp.aclose()
        return attempts


async def test_retry_after_seconds_and_date_are_honoured(fake):
    sleeps: list[float] = []
    date = email.utils.formatdate(__import__("time").time() + 4, usegmt=True)
    faults = [
        {"status": 429, "headers": {"retry-after": "2"}},
        {"status": 503, "headers": {"retry-after": date}},
        {"status": 429, "headers": {"retry-after-ms": "120"}},
        {"status": 500},
    ]
    attempts = await _open(fake, faults, RetryPolicy(max_retries=4, initial_delay=0.01, jitter=0.0), sleeps)
    assert attempts == 5
    assert sleeps[0] == 2.0
    assert 2.0 <= sleeps[1] <= 4.0
    assert sleeps[2] == pytest.approx(0.12)
    assert sleeps[3] == pytest.approx(0.08)  # no header: 0.01 * 2**3
    assert fake.count() == 5


async def test_gives_up_after_max_retries(fake):
    sleeps: list[float] = []
    with pytest.raises(ProviderCallError) as info:
        await _open(fake, [{"status": 503}] * 10, RetryPolicy(max_retries=2, initial_delay=0.0), sleeps)
    assert info.value.kind == "server_error" and info.value.attempts == 3
    assert "gave up after 3 attempts" in str(info.value)
    assert fake.count() == 3


async def test_408_409_and_dropped_connections_are_retried_400_is_not(fake):
    sleeps: list[float] = []
    faults = [{"status": 408}, {"status": 409}, {"drop": True}]
    assert await _open(fake, faults, RetryPolicy(max_retries=3, initial_delay=0.0), sleeps) == 4
    fake.requests.clear()
    with pytest.raises(ProviderCallError) as info:
        await _open(fake, [{"status": 400}], RetryPolicy(max_retries=3, initial_delay=0.0), sleeps)
    assert info.value.kind == "bad_request" and fake.count() == 1


async def test_error_body_echoing_the_key_is_redacted(fake):
    key = "sk-canary-XXXX"
    fake.faults = [{"status": 401, "body": '{"error": {"message": "Incorrect API key provided: sk-canary-XXXX"}}'}]
    async with httpx.AsyncClient() as client:
        with pytest.raises(ProviderCallError) as info:
            await open_stream(client, fake.base + "/v1/chat/completions", {"authorization": f"Bearer {key}"}, {},
                              policy=RetryPolicy(), secrets=[key], timeout=5)
    assert info.value.kind == "auth"
    assert key not in str(info.value) and key not in repr(info.value.args)
    assert "[redacted]" in str(info.value)


async def test_connection_refused_is_a_connection_error():
    async with httpx.AsyncClient() as client:
        with pytest.raises(ProviderCallError) as info:
            await open_stream(client, "http://127.0.0.1:9/v1/chat/completions", {}, {},
                              policy=RetryPolicy(max_retries=1, initial_delay=0.0), secrets=[], timeout=2)
    assert info.value.kind == "connection" and info.value.attempts == 2
