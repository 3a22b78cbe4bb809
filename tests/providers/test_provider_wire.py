"""Each wire format against the loopback server: streaming, usage, request shape, faults, TTFT."""

import json

import httpx
import pytest

from advisor.eval.target import Target
from advisor.providers import ChatRequest, Message, ProviderCallError, RetryPolicy, stream_chat, wire_for

KEY = "sk-canary-XXXX"
FAST = RetryPolicy(max_retries=2, initial_delay=0.0, jitter=0.0)
APIS = ["openai", "anthropic", "gemini"]


def target(fake, api, **kw):
    base = fake.base + ("/v1" if api == "openai" else "")
    return Target(f"{api} model", f"m@{api}", api, base, "test-model", "TEST_KEY", None, None, **kw)


def req(**kw):
    return ChatRequest(messages=(Message("user", "Say hello"),), max_tokens=50, system="Be brief.", **kw)


async def call(fake, api, *, policy=FAST, timeout=5.0, **kw):
    async with httpx.AsyncClient() as client:
        return await stream_chat(client, wire_for(api), target(fake, api, **kw.pop("tkw", {})), req(**kw), KEY,
                                 policy=policy, timeout=timeout)


@pytest.mark.parametrize("api", APIS)
async def test_streams_text_and_usage(fake, api):
    fake.responder = lambda a, body: "The quick brown fox jumps."
    fake.input_tokens, fake.output_tokens = 21, 6
    r = await call(fake, api)
    assert r.text == "The quick brown fox jumps."
    assert (r.input_tokens, r.output_tokens) == (21, 6)
    assert r.attempts == 1 and r.finish_reason


async def test_openai_request_shape(fake):
    await call(fake, "openai", want_json=True, json_schema={"type": "object"}, tkw={"supports_json_schema": True})
    path, headers, body = fake.requests[-1]
    assert path == "/v1/chat/completions"
    assert headers["authorization"] == f"Bearer {KEY}"
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["temperature"] == 0.0 and body["max_tokens"] == 50
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == {"type": "object"}


async def test_openai_json_mode_when_no_schema_support(fake):
    await call(fake, "openai", want_json=True, tkw={"supports_json_mode": True})
    body = fake.requests[-1][2]
    assert body["response_format"] == {"type": "json_object"}
    assert "JSON" in body["messages"][0]["content"]


async def test_anthropic_request_shape(fake):
    await call(fake, "anthropic")
    path, headers, body = fake.requests[-1]
    assert path == "/v1/messages"
    assert headers["x-api-key"] == KEY and headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in headers
    assert body["system"] == "Be brief." and body["max_tokens"] == 50 and body["stream"] is True


async def test_gemini_key_in_header_not_url_and_json_schema(fake):
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}
    await call(fake, "gemini", want_json=True, json_schema=schema, tkw={"supports_json_schema": True})
    path, headers, body = fake.requests[-1]
    assert path == "/models/test-model:streamGenerateContent?alt=sse"
    assert KEY not in path and headers["x-goog-api-key"] == KEY
    cfg = body["generationConfig"]
    assert cfg["responseMimeType"] == "application/json"
    assert cfg["responseSchema"] == {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}


@pytest.mark.parametrize("api", APIS)
async def test_ttft_matches_first_token_delay(fake, api):
    fake.first_token_delay = 0.15
    fake.latency = 0.9  # the rest of the stream comes over the next 0.75 s
    r = await call(fake, api)
    # lower bounds only (a busy machine can only add time): TTFT waits for the first
    # token, and is not the whole body
    assert r.ttft_s >= 0.14, r.ttft_s
    assert r.latency_s - r.ttft_s >= 0.5, (r.ttft_s, r.latency_s)


@pytest.mark.parametrize("api", APIS)
async def test_429_then_success_is_retried(fake, api):
    fake.faults = [{"status": 429, "headers": {"retry-after-ms": "10"}}, {"status": 503}]
    r = await call(fake, api)
    assert r.attempts == 3 and fake.count() == 3


@pytest.mark.parametrize("api", APIS)
async def test_truncated_stream_is_an_error_and_not_retried(fake, api):
    fake.faults = [{"truncate": True}]
    fake.responder = lambda a, b: "one two three four five six seven eight"
    with pytest.raises(ProviderCallError) as info:
        await call(fake, api)
    assert info.value.kind == "truncated" and info.value.billed
    assert fake.count() == 1


@pytest.mark.parametrize("api", APIS)
async def test_malformed_json_event(fake, api):
    fake.faults = [{"malformed": True}]
    with pytest.raises(ProviderCallError) as info:
        await call(fake, api)
    assert info.value.kind == "malformed"


async def test_stalled_stream_times_out(fake):
    fake.first_token_delay = 1.0
    with pytest.raises(ProviderCallError) as info:
        await call(fake, "openai", timeout=0.3, policy=RetryPolicy(max_retries=0))
    assert info.value.kind == "timeout"


async def test_missing_usage_leaves_counts_unknown(fake):
    fake.send_usage = False
    r = await call(fake, "openai")
    assert r.text and r.input_tokens is None and r.output_tokens is None


async def test_error_event_mid_stream(fake):
    fake.responder = lambda a, b: "x"
    from advisor.providers.openai import OpenAIChat
    from advisor.providers.sse import ServerSentEvent
    from advisor.providers.base import StreamState

    with pytest.raises(ProviderCallError) as info:
        OpenAIChat().handle(ServerSentEvent(data=json.dumps({"error": {"message": "overloaded"}})), StreamState())
    assert info.value.kind == "provider_error" and "overloaded" in str(info.value)
