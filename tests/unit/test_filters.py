"""Every hard filter in filters.hard_filters: the rule id and the numbers in its message."""

from __future__ import annotations

from decimal import Decimal

import pytest

from datetime import date
from pathlib import Path

from advisor.core.knowledge import load_knowledge

from conftest import FIXTURE_KB  # noqa: E402
FIXTURE_MODELS = Path(__file__).resolve().parents[1] / "fixtures" / "kb" / "models.yaml"

# An overlay on the fixture catalogue: a model retired today, one retired
# tomorrow, and a provider that explicitly does NOT offer EU residency.
VARIANT_OVERLAY = """\
providers:
  - id: anthropic
    compliance: {eu_residency: false}
models:
  - id: retired-today
    name: Retired Today
    family: retired
    vendor: acme
    tier: mid
    context_window: 128000
    deprecated: 2026-11-24
    endpoints:
      - {provider: openai, model_id: retired-today, price: {input: 1, output: 1, as_of: 2026-11-01, source: test}}
  - id: retired-tomorrow
    name: Retired Tomorrow
    family: retired
    vendor: acme
    tier: mid
    context_window: 128000
    endpoints:
      - {provider: openai, model_id: retired-tomorrow, deprecated: 2026-11-25,
         price: {input: 1, output: 1, as_of: 2026-11-01, source: test}}
  - id: marked-in-catalogue
    name: Marked In A Catalogue
    family: retired
    vendor: acme
    tier: mid
    context_window: 128000
    endpoints:
      - {provider: openai, model_id: marked, deprecated: 2026-07-02, deprecated_date_known: false,
         price: {input: 1, output: 1, as_of: 2026-07-02, source: test}}
"""


@pytest.fixture(scope="module")
def variant_kb(tmp_path_factory):
    d = tmp_path_factory.mktemp("variant")
    (d / "models.yaml").write_text(VARIANT_OVERLAY)
    return load_knowledge([d], replace=FIXTURE_KB)


def _elims(s, key):
    """(rule, message) pairs for one option key."""
    return [(e.rule, e.message) for e in s.eliminated_options if e.option.key == key]


def _rules(s, key):
    return {r for r, _ in _elims(s, key)}


# ---------------------------------------------------------------- deprecated


def test_deprecated_on_or_before_today_is_removed(variant_kb, shortlist_for):
    s = shortlist_for(variant_kb)
    assert _elims(s, "retired-today@openai") == [("deprecated", "deprecated since 2026-11-24")]
    # an endpoint deprecated tomorrow still runs today
    assert _elims(s, "retired-tomorrow@openai") == []


def test_a_deprecation_without_a_known_date_says_so(variant_kb, shortlist_for):
    s = shortlist_for(variant_kb)
    assert _elims(s, "marked-in-catalogue@openai") == [
        ("deprecated", "marked deprecated in a catalogue of 2026-07-02 (no retirement date given)")
    ]


def test_endpoint_deprecation_applies_once_the_date_is_reached(variant_kb, shortlist_for):
    s = shortlist_for(variant_kb, today=date(2026, 11, 25))
    assert ("deprecated", "deprecated since 2026-11-25") in _elims(s, "retired-tomorrow@openai")


# ---------------------------------------------------------------- providers, privacy, compliance


def test_excluded_provider(run):
    s = run(excluded_providers=["openai"])
    assert ("excluded_provider", "provider 'openai' is in excluded_providers") in _elims(s, "gpt-4o@openai")
    assert "excluded_provider" not in _rules(s, "claude-3-5-sonnet@anthropic")
    assert all(c.option.provider != "openai" for c in s.candidates)


@pytest.mark.parametrize("level", ["strict", "air_gapped"])
def test_data_privacy_removes_every_hosted_option(run, level):
    s = run(data_privacy=level)
    hosted = [e for e in s.eliminated_options if e.option.deployment == "hosted"]
    assert hosted
    msg = dict(_elims(s, "gpt-4o@openai"))["data_privacy"]
    assert msg == f"a hosted API sends data to OpenAI; data_privacy = {level} keeps it on your infrastructure"
    assert all(e.rule == "data_privacy" for e in s.eliminated_options if e.option.key == "claude-3-5-sonnet@anthropic")
    assert not any(e.rule == "data_privacy" for e in s.eliminated_options if e.option.deployment == "self_host")


def test_compliance_not_documented(run):
    # Google's compliance block is empty in the fixture: not documented
    s = run(compliance=["hipaa"])
    assert ("compliance", "Google is not documented (in knowledge) as offering hipaa") in _elims(
        s, "gemini-2-0-flash@google"
    )
    # OpenAI documents a HIPAA BAA
    assert "compliance" not in _rules(s, "gpt-4o@openai")
    # self-hosting meets it on your own infrastructure
    assert "compliance" not in _rules(s, "llama-3-1-70b@self-host")


def test_compliance_does_not_offer(variant_kb, shortlist_for):
    s = shortlist_for(variant_kb, compliance=["gdpr_eu_residency"])
    assert ("compliance", "Anthropic does not offer gdpr_eu_residency") in _elims(s, "claude-3-5-sonnet@anthropic")
    assert "compliance" not in _rules(s, "mistral-large@mistral")  # Mistral documents EU residency


def test_compliance_one_line_per_missing_regime(run):
    s = run(compliance=["hipaa", "gdpr_eu_residency"])
    msgs = [m for r, m in _elims(s, "claude-3-5-sonnet@anthropic") if r == "compliance"]
    # Anthropic: hipaa_baa true, eu_residency not given
    assert msgs == ["Anthropic is not documented (in knowledge) as offering gdpr_eu_residency"]
    msgs = [m for r, m in _elims(s, "gemini-2-0-flash@google") if r == "compliance"]
    assert len(msgs) == 2


# ---------------------------------------------------------------- capabilities


def test_context_window(run):
    # needed = 150,000 context + 300 output = 150,300 > GPT-4o's 128,000
    s = run(context_tokens=150_000)
    assert ("context_window", "context window 128,000 < 150,300 needed (150,000 context + 300 output)") in _elims(
        s, "gpt-4o@openai"
    )
    assert "context_window" not in _rules(s, "claude-3-5-sonnet@anthropic")  # 200,000 >= 150,300


def test_context_window_counts_the_output(run):
    # 127,700 + 300 = 128,000 fits exactly; 127,701 + 300 does not
    assert "context_window" not in _rules(run(context_tokens=127_700), "gpt-4o@openai")
    assert "context_window" in _rules(run(context_tokens=127_701), "gpt-4o@openai")


def test_json_schema(run):
    s = run(json_schema_required=True)
    assert ("json_schema", "structured output is 'prompt', not API-enforced schema") in _elims(
        s, "claude-3-5-sonnet@anthropic"
    )
    assert ("json_schema", "structured output is 'json_mode', not API-enforced schema") in _elims(
        s, "mistral-large@mistral"
    )
    assert "json_schema" not in _rules(s, "gpt-4o@openai")
    # self-hosted: guided decoding counts as schema
    assert "json_schema" not in _rules(s, "mistral-large@self-host")


def test_tool_calling(run):
    s = run(tool_use=True)
    assert ("tool_calling", "no tool calling") in _elims(s, "llama-3-1-8b@together")
    assert ("tool_calling", "no tool calling") in _elims(s, "llama-3-1-8b@self-host")
    assert "tool_calling" not in _rules(s, "gpt-4o@openai")


def test_vision(run):
    s = run(vision_input=True)
    assert ("vision", "no image input") in _elims(s, "claude-3-5-haiku@anthropic")
    assert "vision" not in _rules(s, "gpt-4o@openai")


def test_fine_tuning(run):
    s = run(fine_tuning=True)
    assert ("fine_tuning", "cannot be fine-tuned") in _elims(s, "claude-3-5-sonnet@anthropic")
    assert "fine_tuning" not in _rules(s, "gpt-4o@openai")  # the API offers it
    assert "fine_tuning" not in _rules(s, "mistral-small@mistral")  # open weights


# ---------------------------------------------------------------- latency


def test_reasoning_latency_when_a_person_waits(run):
    # o3 always thinks: its typical first token (10,000 ms, measured in its only
    # mode) is past the 8,000 ms a person waits (knowledge/scoring.yaml)
    s = run(user_facing=True)
    msg = dict(_elims(s, "o3@openai"))["reasoning_latency"]
    assert msg == (
        "it always thinks, with no control to lower it: about 10,000 ms "
        "before the first token even then; a person waits on the reply"
    )


def test_a_model_whose_thinking_turns_off_stays_when_a_person_waits(run):
    s = run(user_facing=True)
    assert "reasoning_latency" not in _rules(s, "claude-opus-4@anthropic")


def test_reasoning_latency_with_a_target_it_cannot_meet(run):
    # o3's response: 10,000 ms TTFT + ceil(300 * 1000 / 40) = 17,500 ms > 15,000
    s = run(latency_target_ms=15_000)
    msg = dict(_elims(s, "o3@openai"))["reasoning_latency"]
    assert msg.endswith("about 17,500 ms a response even then; target 15,000 ms")
    assert "latency" not in _rules(s, "o3@openai")  # said once, by the reasoning rule


def test_reasoning_models_pass_a_target_they_meet(run):
    # 17,500 ms <= 20,000: a thinking model is not removed for thinking alone
    s = run(latency_target_ms=20_000)
    assert _elims(s, "o3@openai") == []


def test_latency_user_facing_is_time_to_first_token(run):
    s = run(latency_target_ms=250, user_facing=True)
    assert ("latency", "typical time to first token 300 ms > target 250 ms") in _elims(s, "gpt-4o@openai")
    assert "latency" not in _rules(s, "gpt-4o-mini@openai")  # 200 <= 250


def test_latency_whole_response_when_nobody_streams(run):
    # GPT-4o: 300 + ceil(300 * 1000 / 80) = 300 + 3,750 = 4,050 ms > 3,000
    s = run(latency_target_ms=3000)
    assert (
        "latency",
        "typical response time 4,050 ms (TTFT 300 ms + 300 tokens at 80 tok/s) > target 3,000 ms",
    ) in _elims(s, "gpt-4o@openai")
    # GPT-4o mini: 200 + 300*1000/120 = 2,700 ms <= 3,000
    assert "latency" not in _rules(s, "gpt-4o-mini@openai")


def test_latency_whole_response_boundary(run):
    # GPT-4o mini takes exactly 2,700 ms
    assert "latency" not in _rules(run(latency_target_ms=2700), "gpt-4o-mini@openai")
    assert "latency" in _rules(run(latency_target_ms=2699), "gpt-4o-mini@openai")


def test_unknown_speed_is_not_a_latency_failure(run):
    # Mistral Large has no TTFT figure: it is never eliminated for latency
    s = run(latency_target_ms=100, user_facing=True)
    assert "latency" not in _rules(s, "mistral-large@mistral")


# ---------------------------------------------------------------- budgets


def test_budget_per_request(run):
    # o3 at 1,000 in / 300 out: 1000*10/1e6 + 300*40/1e6 = 0.01 + 0.012 = $0.022 > $0.01
    s = run(budget_per_request_usd=Decimal("0.01"))
    msg = dict(_elims(s, "o3@openai"))["budget_per_request"]
    assert msg == "$0.022 a request > budget $0.01"
    # GPT-4o: 0.0025 + 0.003 = $0.0055 <= $0.01
    assert "budget_per_request" not in _rules(s, "gpt-4o@openai")


def test_budget_per_request_boundary(run):
    # GPT-4o costs exactly $0.0055: a budget of 0.0055 keeps it, 0.0054 does not
    assert "budget_per_request" not in _rules(run(budget_per_request_usd=Decimal("0.0055")), "gpt-4o@openai")
    assert "budget_per_request" in _rules(run(budget_per_request_usd=Decimal("0.0054")), "gpt-4o@openai")


def test_budget_per_month(run):
    # GPT-4o: $0.0055 x 100,000 = $550 a month > $500
    s = run(budget_per_month_usd=500)
    msg = dict(_elims(s, "gpt-4o@openai"))["budget_per_month"]
    assert msg == "$550.00 a month at 100,000 requests > budget $500.00"
    # GPT-4o mini: (1000*0.15 + 300*0.6)/1e6 = $0.00033 x 100,000 = $33
    assert "budget_per_month" not in _rules(s, "gpt-4o-mini@openai")


def test_budget_per_month_applies_to_self_hosting(run):
    # self-hosting Llama 70B costs at least ops 0.5 x $15,000 = $7,500 a month
    s = run(budget_per_month_usd=1000)
    assert "budget_per_month" in _rules(s, "llama-3-1-70b@self-host")


def test_unknown_price_never_fails_a_budget_and_is_never_zero(run):
    # a budget no priced option meets: the cheapest, Mistral Small, costs
    # 1000*0.10/1e6 + 300*0.30/1e6 = $0.00019 > $0.00001
    s = run(budget_per_request_usd=Decimal("0.00001"), budget_per_month_usd=Decimal("0.01"))
    assert "budget_per_request" in _rules(s, "mistral-small@mistral")
    assert not {"budget_per_request", "budget_per_month"} & _rules(s, "mystery-model@together")
    rec = s.recommended
    assert rec.option.key == "mystery-model@together"
    assert rec.costs.per_request is None
    assert rec.costs.per_month is None
    assert rec.costs.per_year is None
    assert any(w.code == "unknown_price" and w.model_id == "mystery-model" for w in s.warnings)
    assert any("price unknown" in r for r in rec.reasons)

    from advisor.render.html import render_html
    from advisor.render.markdown import render_markdown

    md = render_markdown(s)
    row = next(line for line in md.splitlines() if line.startswith("| Recommended |"))
    assert "unknown" in row
    assert "$0" not in row
    html = render_html(s)
    # (cells carry their column's name, data-label, so the table reflows on a narrow screen)
    row = next(line for line in html.splitlines() if '<td data-label="Model">Mystery Model (' in line)
    assert '<td data-label="Per month" class=num>unknown</td>' in row
    assert "$0" not in row
    card = html[html.index("<div class=card>"):]
    card = card[: card.index("</div>")]
    assert "<tr><td>Total</td><td class=num>unknown</td><td class=num>unknown</td><td class=num>unknown</td></tr>" in card
    assert "$0" not in card


def test_latency_with_unknown_output_speed_still_counts_the_first_token(tmp_path, shortlist_for):
    # TTFT known (5,000 ms), output speed unknown: the whole response takes at
    # least 5,000 ms, so a 3,000 ms target is missed whatever the speed is
    over = tmp_path / "over"
    over.mkdir()
    (over / "models.yaml").write_text(
        "models:\n  - id: slow-starter\n    name: Slow Starter\n    family: s\n    vendor: s\n    tier: mid\n"
        "    context_window: 128000\n    ttft_ms: {value: 5000, source: test}\n"
        "    endpoints:\n      - {provider: openai, model_id: s, price: {input: 1, output: 1, as_of: 2026-11-01, source: t}}\n"
    )
    kb = load_knowledge([over], replace=FIXTURE_KB)
    s = shortlist_for(kb, latency_target_ms=3000)
    assert ("latency", "typical time to first token 5,000 ms alone > target 3,000 ms") in _elims(s, "slow-starter@openai")
    # a target it can meet is not a failure
    assert _elims(shortlist_for(kb, latency_target_ms=6000), "slow-starter@openai") == []


def test_an_unsized_self_host_names_the_budget_it_breaks_with_both_figures(shortlist_for):
    """A per-request budget broken under a generous monthly one: the rule is the per-request one."""
    kb = load_knowledge()
    s = shortlist_for(kb, budget_per_request_usd=Decimal("0.0001"), budget_per_month_usd=Decimal("1000000"),
                      data_privacy="standard", gpu_ops_experience="some")
    unsized = [e for e in s.eliminated_options if "size unknown" in e.message]
    assert unsized, "the shipped knowledge has a self-hosted model with no size"
    for e in unsized:
        assert e.rule == "budget_per_request", (e.option.key, e.rule, e.message)
        assert "a request at" in e.message and "> budget $0.0001" in e.message
    s = shortlist_for(kb, budget_per_month_usd=Decimal("100"), data_privacy="standard", gpu_ops_experience="some")
    msgs = [e.message for e in s.eliminated_options if "size unknown" in e.message and e.rule == "budget_per_month"]
    assert msgs and all("> budget $100" in m and "a month" in m for m in msgs)
