"""Real faults from the loopback server: TCP resets, non-JSON events, bad usage,
oversized replies and error bodies, and the timeout as a deadline."""

import asyncio
import time

import httpx
import pytest

from advisor.providers import ProviderCallError, stream_chat, wire_for
from advisor.providers.base import MAX_REPLY_CHARS
from advisor.providers.http import MAX_ERROR_TEXT
from test_provider_wire import APIS, FAST, KEY, req, target


async def call(fake, api, *, timeout=5.0, policy=FAST):
    async with httpx.AsyncClient() as client:
        return await stream_chat(client, wire_for(api), target(fake, api), req(), KEY, policy=policy, timeout=timeout)


@pytest.mark.parametrize("api", APIS)
async def test_a_reset_before_the_reply_is_a_connection_error_and_retried(fake, api):
    fake.faults = [{"reset": True}, {"reset": True}]
    r = await call(fake, api)  # two resets, then the third attempt answers
    assert r.attempts == 3 and r.text == "Hello from the fake server."
    fake.faults = [{"reset": True}] * 3
    with pytest.raises(ProviderCallError) as e:
        await call(fake, api)
    assert e.value.kind == "connection" and not e.value.billed and "gave up after 3 attempts" in e.value.message


@pytest.mark.parametrize("api", APIS)
async def test_a_reset_mid_stream_is_truncated_and_never_retried(fake, api):
    fake.faults = [{"reset_mid": True}]
    with pytest.raises(ProviderCallError) as e:
        await call(fake, api)
    assert e.value.kind == "truncated" and e.value.billed
    assert fake.count() == 1  # tokens may be billed: not sent again


@pytest.mark.parametrize("api", APIS)
async def test_an_event_that_is_not_json_fails_malformed(fake, api):
    fake.faults = [{"malformed": True}]
    with pytest.raises(ProviderCallError) as e:
        await call(fake, api)
    assert e.value.kind == "malformed" and "not JSON" in e.value.message


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("value", [-5, 12.5, "12", True, [1], {"n": 1}])
async def test_usage_that_is_not_a_whole_number_fails_malformed(fake, api, value):
    field = {"openai": "completion_tokens", "anthropic": "output_tokens", "gemini": "candidatesTokenCount"}[api]
    usage = {"openai": {"prompt_tokens": 3, "completion_tokens": value},
             "anthropic": {"input_tokens": 3, "output_tokens": value},
             "gemini": {"promptTokenCount": 3, "candidatesTokenCount": value}}[api]
    fake.faults = [{"usage": usage}]
    with pytest.raises(ProviderCallError) as e:
        await call(fake, api)
    assert e.value.kind == "malformed" and f"usage {field}" in e.value.message


@pytest.mark.parametrize("api", APIS)
async def test_integral_float_usage_reads_as_a_count(fake, api):
    usage = {"openai": {"prompt_tokens": 3.0, "completion_tokens": 4.0},
             "anthropic": {"input_tokens": 3.0, "output_tokens": 4.0},
             "gemini": {"promptTokenCount": 3.0, "candidatesTokenCount": 4.0}}[api]
    fake.faults = [{"usage": usage}]
    r = await call(fake, api)
    assert (r.input_tokens, r.output_tokens) == (3, 4)


@pytest.mark.parametrize("api", APIS)
async def test_an_oversized_answer_stops_reading(fake, api):
    fake.faults = [{"oversize": MAX_REPLY_CHARS + 10 * 65536}]
    started = time.perf_counter()
    with pytest.raises(ProviderCallError) as e:
        await call(fake, api, timeout=30.0)
    elapsed = time.perf_counter() - started
    assert e.value.kind == "oversized" and e.value.billed
    print(f"oversized {api}: stopped after {elapsed:.2f}s")


async def test_an_error_body_is_read_only_up_to_its_cap(fake):
    fake.faults = [{"status": 400, "body_size": 50 * 1024 * 1024}]
    with pytest.raises(ProviderCallError) as e:
        await call(fake, "openai")
    assert e.value.kind == "bad_request" and len(e.value.message) <= MAX_ERROR_TEXT


async def test_a_401_that_echoes_the_key_is_redacted(fake):
    fake.faults = [{"status": 401, "echo_key": True}]
    with pytest.raises(ProviderCallError) as e:
        await call(fake, "openai")
    assert e.value.kind == "auth" and KEY not in str(e.value) and "[redacted]" in str(e.value)


@pytest.mark.parametrize("api", APIS)
async def test_the_timeout_is_a_deadline_even_when_data_keeps_arriving(fake, api):
    fake.faults = [{"endless": True}]
    started = time.perf_counter()
    with pytest.raises(ProviderCallError) as e:
        await call(fake, api, timeout=1.0)
    elapsed = time.perf_counter() - started
    assert e.value.kind == "timeout"
    assert elapsed < 10.0  # a per-read timeout would never fire: comments arrive every 5 ms


async def test_a_stream_that_never_ends_is_cancelled_cleanly(fake):
    fake.faults = [{"endless": True}]
    task = asyncio.create_task(call(fake, "openai", timeout=30.0))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_huge_error_event_is_kept_short_in_the_result(fake):
    from decimal import Decimal

    from advisor.eval.cases import parse_cases
    from advisor.eval.runner import EvalRunner, RunConfig
    from advisor.eval.target import Target

    fake.faults = [{"inject": ['{"error": {"message": "' + "overloaded " * 200_000 + '"}}']}]
    t = Target("M", "m@openai", "openai", fake.base + "/v1", "x", None, Decimal(1), Decimal(1))
    runner = EvalRunner([t], parse_cases("- {id: a, input: hi}\n", "c.yaml"), RunConfig(retry=FAST))
    (r,) = (await runner.run()).results
    assert r.error_kind == "provider_error" and len(r.error) <= MAX_ERROR_TEXT
