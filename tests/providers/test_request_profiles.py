"""Profiles applied on the wire, and the measurement of the attempt that answered,
against the loopback server (tests/providers/fake_llm_server.py)."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from advisor.core.knowledge import load_knowledge
from advisor.core.profiles import BASELINE, resolve_profile
from advisor.errors import InputError
from advisor.eval.cases import load_cases
from advisor.eval.runner import EvalRunner, RunConfig
from advisor.eval.stats import model_stats
from advisor.eval.target import Target
from advisor.eval.target_file import load_target_file
from advisor.providers import ChatRequest, Message, RetryPolicy, stream_chat, wire_for

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
FAST = RetryPolicy(max_retries=2, initial_delay=0.0, jitter=0.0)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


def _req(**kw):
    return ChatRequest(messages=(Message("user", "hi"),), max_tokens=8, **kw)


async def _call(target, req=None, policy=FAST):
    async with httpx.AsyncClient() as client:
        return await stream_chat(client, wire_for(target.api), target, req or _req(), "sk-test", policy=policy, timeout=5.0)


def _t(fake, api="openai", **kw):
    base = fake.base + ("/v1" if api == "openai" else "")
    return Target("m", "m@x", api, base, "test-model", None, None, None, **kw)


async def test_mistral_profile_passes_a_server_that_checks_mistral_schema(fake, kb):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads((SPECS / "mistral-chat-request.json").read_text()))
    fake.validate = lambda api, body: [e.message for e in validator.iter_errors(body)]
    from advisor.providers import ProviderCallError

    with pytest.raises(ProviderCallError) as info:  # the baseline sends stream_options: a 422
        await _call(_t(fake))
    assert info.value.status == 422 and "stream_options" in info.value.message
    profile = resolve_profile(kb.request_profiles, "openai", "mistral", "mistral-large-3")
    r = await _call(_t(fake, profile=profile))
    assert r.text == "Hello from the fake server."
    assert "stream_options" not in fake.requests[-1][2]


async def test_timing_is_the_answering_attempt_and_failures_are_beside_it(fake):
    fake.faults = [{"status": 429, "headers": {"retry-after-ms": "1500"}}]
    r = await _call(_t(fake))
    assert r.attempts == 2
    assert len(r.failed_attempts) == 1 and r.failed_attempts[0].status == 429
    assert r.retry_wait_s == pytest.approx(1.5)
    # the wait is beside the timing, not in it: a loopback answer takes milliseconds, so
    # timing that included the 1.5 s wait could never come in under half of it
    assert r.ttft_s is not None and r.ttft_s <= r.latency_s < r.retry_wait_s / 2


@pytest.mark.parametrize("api", ["openai", "anthropic", "gemini"])
async def test_a_json_reply_to_a_stream_request_is_parsed_and_noted(fake, api):
    fake.faults = [{"json_body": True}]
    fake.input_tokens, fake.output_tokens = 30, 5
    r = await _call(_t(fake, api))
    assert r.text == "Hello from the fake server."
    assert (r.input_tokens, r.output_tokens) == (30, 5)
    assert r.notes and "not a stream" in r.notes[0]
    assert r.burst and r.ttft_s is None


async def test_burst_has_no_tokens_per_second_and_a_spread_stream_does(fake):
    fake.burst = True
    r = await _call(_t(fake))
    assert r.burst and r.generation_s is None
    fake.burst = False
    fake.latency, fake.chunks = 0.2, 4
    r = await _call(_t(fake))
    assert not r.burst and r.generation_s is not None and r.generation_s > 0.05


async def test_anthropic_cache_reads_and_writes_are_priced_at_their_own_prices(fake):
    fake.input_tokens, fake.output_tokens = 100, 10
    fake.usage_extra = {"cache_read_input_tokens": 1000, "cache_creation_input_tokens": 200}
    t = Target("c", "c@a", "anthropic", fake.base, "claude", None, Decimal("3"), Decimal("15"),
               cached_input_price_per_m=Decimal("0.30"), cache_write_price_per_m=Decimal("3.75"))
    r = await _call(t)
    assert (r.input_tokens, r.cached_input_tokens, r.cache_write_tokens) == (1300, 1000, 200)
    cost = t.cost(r.input_tokens, r.output_tokens, r.cached_input_tokens, r.cache_write_tokens)
    assert cost == (Decimal(100) * 3 + Decimal(1000) * Decimal("0.30") + Decimal(200) * Decimal("3.75") + Decimal(10) * 15) / 10**6
    assert cost < t.cost(1300, 10)  # the old reading: every input token at the full price


async def test_openai_reasoning_and_cached_tokens_are_read(fake):
    fake.usage_extra = {"prompt_tokens_details": {"cached_tokens": 4}, "completion_tokens_details": {"reasoning_tokens": 3}}
    r = await _call(_t(fake))
    assert (r.cached_input_tokens, r.reasoning_tokens) == (4, 3)


async def test_gemini_schema_is_converted_to_the_schema_subset(fake):
    schema = {"type": "object", "properties": {"n": {"type": ["integer", "null"]}, "k": {"enum": ["a", 1]}},
              "required": ["n", "zz"], "additionalProperties": False}
    await _call(_t(fake, "gemini", supports_json_schema=True, supports_json_mode=True),
                _req(want_json=True, json_schema=schema))
    sent = fake.requests[-1][2]["generationConfig"]["responseSchema"]
    assert sent == {"type": "OBJECT", "required": ["n"], "properties": {
        "n": {"type": "INTEGER", "nullable": True},
        "k": {"type": "STRING", "format": "enum", "enum": ["a", "1"]}}}


async def test_anthropic_forced_tool_answer_is_the_tool_input(fake, kb):
    profile = BASELINE["anthropic"].model_copy(update={"schema_dialect": "anthropic_tool"})
    fake.responder = lambda api, body: ""
    delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": '{"a": 1}'}}
    fake.faults = [{"inject": [json.dumps(delta)]}]
    t = Target("c", "c@a", "anthropic", fake.base, "claude", None, None, None, supports_json_schema=True, profile=profile)
    r = await _call(t, _req(want_json=True, json_schema={"type": "object", "properties": {"a": {"type": "integer"}}}))
    body = fake.requests[-1][2]
    assert body["tool_choice"] == {"type": "tool", "name": "answer"}
    assert json.loads(r.text) == {"a": 1}


async def test_rate_limited_cases_are_not_measured_and_the_pass_rate_says_so(fake, tmp_path):
    cases = tmp_path / "c.yaml"
    cases.write_text(textwrap.dedent("""\
        cases:
          - id: a
            input: hi
            checks: [{type: contains, value: Hello}]
          - id: b
            input: hi
            checks: [{type: contains, value: Hello}]
        """))
    fake.faults = [{"status": 429}] * 3  # the first case gives up after 3 attempts
    t = _t(fake)
    runner = EvalRunner([t], load_cases(str(cases)).cases, RunConfig(concurrency=1, per_provider=1, retry=FAST))
    summary = await runner.run()
    by = {r.case_id: r for r in summary.results}
    limited = [r for r in summary.results if not r.ok]
    assert len(limited) == 1 and limited[0].not_measured and len(limited[0].failed_attempts) == 3
    s = model_stats(summary.results, t.model_key)
    assert (s.n, s.passes, s.not_measured) == (1, 1, 1)
    assert s.passed_text == "1/1 (100%), 1 not measured"
    assert all(r.case_id in by for r in summary.results)


async def test_a_refused_key_is_not_measured_either(fake, tmp_path):
    # a 401 says the key is wrong, not that the model failed the case
    cases = tmp_path / "c.yaml"
    cases.write_text("cases:\n  - {id: a, input: hi, checks: [{type: contains, value: Hello}]}\n"
                     "  - {id: b, input: hi, checks: [{type: contains, value: Hello}]}\n")
    fake.faults = [{"status": 401, "body": '{"error": {"message": "bad key"}}'}]
    t = _t(fake)
    runner = EvalRunner([t], load_cases(str(cases)).cases, RunConfig(concurrency=1, per_provider=1, retry=FAST))
    summary = await runner.run()
    refused = [r for r in summary.results if not r.ok]
    assert len(refused) == 1 and refused[0].error_kind == "auth" and refused[0].not_measured
    s = model_stats(summary.results, t.model_key)
    assert s.passed_text == "1/1 (100%), 1 not measured"


def _overlay(tmp_path):
    d = tmp_path / "kn"
    d.mkdir()
    (d / "models.yaml").write_text(textwrap.dedent("""\
        models:
          - id: gpt-5-5
            reasoning:
              default: medium
              control: reasoning_effort
              source: fixture
              modes:
                - {id: minimal, label: "effort: minimal", thinks: true, effort: minimal, request: {reasoning_effort: minimal}}
                - {id: medium, label: "effort: medium", thinks: true, effort: medium, request: {}}
        """))
    return d


def test_a_target_file_names_a_known_model_at_a_gateway(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    f = tmp_path / "t.yaml"
    f.write_text(textwrap.dedent("""\
        - model: gpt-5-5
          provider: openai
          base_url: http://127.0.0.1:9/v1
          key_env: GATEWAY_KEY
          reasoning: minimal
        - {label: local, model_key: local, api: openai, base_url: http://127.0.0.1:9/v1, model_id: x,
           request_profile: {stream_usage: none, temperature: omitted}}
        """))
    known, raw = load_target_file(str(f), [str(_overlay(tmp_path))])
    assert known.base_url == "http://127.0.0.1:9/v1" and known.key_env == "GATEWAY_KEY"
    assert known.model_id == "gpt-5.5" or known.model_id.startswith("gpt-5")
    assert known.input_price_per_m is not None and known.profile.token_limit == "max_completion_tokens"
    assert known.profile.temperature == "omitted" and known.reasoning.id == "minimal"
    assert known.model_key == "gpt-5-5@openai+minimal"
    _, _, body = wire_for("openai").build(known, _req(), None)
    assert body["reasoning_effort"] == "minimal" and "temperature" not in body
    assert raw.profile.stream_usage == "none" and raw.profile.temperature == "omitted"


def test_target_file_errors_name_the_line_and_field(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    f = tmp_path / "t.yaml"
    f.write_text("- model: gpt-5-5\n  provider: openai\n  reasoning: turbo\n- model: gtp-5-5\n  provider: openai\n")
    with pytest.raises(InputError) as info:
        load_target_file(str(f), [str(_overlay(tmp_path))])
    lines = [str(p) for p in info.value.problems]
    assert any(":3:" in s and "reasoning" in s and "turbo" in s and "minimal" in s for s in lines), lines
    assert any(":4:" in s and "unknown model 'gtp-5-5'" in s for s in lines), lines


def test_a_known_model_entry_is_checked_beside_a_raw_entry_with_problems(tmp_path, monkeypatch):
    """Every entry's problems at once: a misspelt provider in entry 1 was only reported
    after entry 2's misspelt api had been fixed."""
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    f = tmp_path / "t.yaml"
    f.write_text("- model: gpt-5-5\n  provider: openia\n- label: X\n  model_key: x@local\n  api: opnai\n"
                 "  base_url: http://127.0.0.1:9/v1\n  model_id: m\n")
    with pytest.raises(InputError) as info:
        load_target_file(str(f))
    lines = [str(p) for p in info.value.problems]
    assert any(":2:" in s and "no endpoint at provider 'openia'" in s for s in lines), lines
    assert any(":5:" in s and "'opnai'" in s for s in lines), lines


async def test_a_compatible_provider_with_quirks_is_yaml_only(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    d = tmp_path / "acme"
    d.mkdir()
    (d / "models.yaml").write_text(textwrap.dedent(f"""\
        providers:
          - {{id: acme, name: Acme Gateway, api: openai, base_url: "{fake.base}/v1", key_env: ACME_KEY}}
        models:
          - id: gpt-4o
            endpoints:
              - provider: acme
                model_id: acme/gpt-4o
                price: {{input: 1, output: 2, as_of: 2026-11-01, source: fixture}}
        """))
    (d / "request_profiles.yaml").write_text(textwrap.dedent("""\
        providers:
          - id: acme
            stream_usage: none
            temperature: fixed
            fixed_temperature: 0.3
            token_limit: max_completion_tokens
            headers: {x-acme-route: eu}
        """))
    f = tmp_path / "t.yaml"
    f.write_text("- {model: gpt-4o, provider: acme}\n")
    [target] = load_target_file(str(f), [str(d)])
    await _call(target)
    path, headers, body = fake.requests[-1]
    assert path == "/v1/chat/completions" and headers["x-acme-route"] == "eu"
    assert "stream_options" not in body and body["temperature"] == 0.3 and body["model"] == "acme/gpt-4o"
    assert "max_completion_tokens" in body and "max_tokens" not in body


def test_profile_errors_are_located(tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "request_profiles.yaml").write_text(
        "providers:\n  - id: nosuch\n    stream_usage: none\n  - id: openai\n    temprature: omitted\n"
        "  - id: mistral\n    headers: {authorization: x}\n")
    from advisor.errors import KnowledgeError

    with pytest.raises(KnowledgeError) as info:
        load_knowledge([str(d)])
    lines = info.value.lines()
    assert any("request_profiles.yaml:5" in s and "temprature" in s for s in lines), lines
    assert any("request_profiles.yaml:6" in s and "providers[mistral]" in s and "carries a key" in s for s in lines), lines
    with pytest.raises(KnowledgeError) as info:
        (d / "request_profiles.yaml").write_text("providers:\n  - id: nosuch\n    stream_usage: none\n")
        load_knowledge([str(d)])
    assert any("request_profiles.yaml:2" in s and "unknown provider 'nosuch'" in s for s in info.value.lines())


def test_cli_reports_a_bad_known_target_with_exit_2(tmp_path, monkeypatch, capsys):
    from advisor.cli.eval_cmd import main

    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "c.yaml").write_text("- {id: a, input: hi}\n")
    (tmp_path / "t.yaml").write_text("- {model: gpt-4o, provider: nowhere}\n")
    code = main(["--cases", str(tmp_path / "c.yaml"), "--target-file", str(tmp_path / "t.yaml"), "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "t.yaml:1" in err and "no endpoint at provider 'nowhere'" in err
