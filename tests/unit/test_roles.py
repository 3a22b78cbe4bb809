"""Candidate roles, determinism and warnings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from advisor.core.engine import shortlist
from advisor.core.knowledge import load_knowledge

from conftest import FIXTURE_KB  # noqa: E402
FIXTURE_MODELS = Path(__file__).resolve().parents[1] / "fixtures" / "kb" / "models.yaml"

SCENARIOS = [
    pytest.param({}, id="safe_default"),
    pytest.param({"data_privacy": "strict", "gpu_ops_experience": "strong"}, id="self_host"),
    pytest.param({"context_tokens": 500_000}, id="long_context"),
    pytest.param({"task_type": "reasoning"}, id="reasoning"),
    pytest.param({"latency_target_ms": 1000, "user_facing": True}, id="fast"),
    pytest.param({"budget_per_request_usd": Decimal("0.001")}, id="cheap"),
    pytest.param({"task_type": "code", "tool_use": True}, id="code"),
    pytest.param({"task_type": "extraction", "output_format": "json", "json_schema_required": True}, id="extraction"),
    pytest.param({"availability": "high"}, id="high_availability"),
    pytest.param({"task_type": "batch", "monthly_requests": 5_000_000}, id="batch"),
]


@pytest.mark.parametrize("overrides", SCENARIOS)
def test_two_or_three_candidates_with_distinct_options(run, overrides):
    s = run(**overrides)
    assert 2 <= len(s.candidates) <= 3
    assert s.candidates[0].role == "recommended"
    assert [c.role for c in s.candidates].count("recommended") == 1
    keys = [c.option.key for c in s.candidates]
    assert len(set(keys)) == len(keys)
    # every candidate passed every hard filter
    dropped = {e.option.key for e in s.eliminated_options}
    assert not set(keys) & dropped


@pytest.mark.parametrize("overrides", SCENARIOS)
def test_alternative_is_cheaper_or_faster_than_the_recommendation(run, overrides):
    s = run(**overrides)
    rec = s.recommended
    alts = [c for c in s.candidates if c.role == "alternative"]
    if not alts:  # then no other ranked model is cheaper than the recommendation
        assert rec.costs.per_request is not None
        cheaper = [
            r.option.key
            for r in s.ranking
            if r.option.model_id != rec.option.model_id
            and r.per_request is not None
            and r.per_request < rec.costs.per_request
        ]
        assert cheaper == [], cheaper
    for alt in alts:
        cheaper = (
            alt.costs.per_request is not None
            and rec.costs.per_request is not None
            and alt.costs.per_request < rec.costs.per_request
        )
        faster = alt.ttft_ms is not None and rec.ttft_ms is not None and alt.ttft_ms < rec.ttft_ms
        assert cheaper or faster, (alt.option.key, rec.option.key)
        assert alt.option.model_id != rec.option.model_id


def test_safe_default_alternative_is_cheaper(run):
    s = run()
    alt = next(c for c in s.candidates if c.role == "alternative")
    # GPT-4o costs 0.0025 + 0.003 = $0.0055 a request
    assert alt.costs.per_request < Decimal("0.0055")


@pytest.mark.parametrize(
    "overrides",
    [
        {"availability": "high"},
        {"availability": "high", "task_type": "code"},
        {"availability": "high", "latency_target_ms": 1000, "user_facing": True},
        {"availability": "high", "task_type": "reasoning"},
    ],
)
def test_high_availability_adds_a_fallback_from_another_provider(run, overrides):
    s = run(**overrides)
    rec = s.recommended
    fallbacks = [c for c in s.candidates if c.role == "fallback"]
    assert len(fallbacks) == 1
    fb = fallbacks[0]
    assert (fb.option.provider or "self-host") != (rec.option.provider or "self-host")
    assert any("an outage of one leaves the other" in r for r in fb.reasons)
    assert not any(w.code == "no_fallback" for w in s.warnings)


def test_standard_availability_has_no_fallback_role(run):
    assert all(c.role != "fallback" for c in run().candidates)


def test_no_fallback_warning_when_only_one_provider_survives(run):
    s = run(availability="high", excluded_providers=["anthropic", "google", "mistral", "together"],
            data_privacy="standard", budget_per_month_usd=1000)
    # only OpenAI endpoints remain (self-hosting costs >= $7,500 a month in ops)
    assert {c.option.provider for c in s.candidates} == {"openai"}
    assert any(w.code == "no_fallback" for w in s.warnings)


@pytest.mark.parametrize("overrides", SCENARIOS)
def test_deterministic(fixture_kb, answers, overrides):
    a = answers(**overrides)
    first = shortlist(a, fixture_kb, date(2026, 11, 24)).model_dump_json()
    second = shortlist(a, fixture_kb, date(2026, 11, 24)).model_dump_json()
    assert first == second


def test_deterministic_across_separate_knowledge_loads(answers):
    from advisor.core.questions import answers_from_mapping

    outs = []
    for _ in range(2):
        kb = load_knowledge(replace=FIXTURE_KB)
        a = answers_from_mapping(kb, {"task_type": "agent", "monthly_requests": 250_000, "tool_use": True})
        outs.append(shortlist(a, kb, date(2026, 11, 24)).model_dump_json())
    assert outs[0] == outs[1]


# ---------------------------------------------------------------- warnings


def _codes(s):
    return [w.code for w in s.warnings]


def test_stale_price_against_today(shortlist_for, fixture_kb):
    # fixture prices are as of 2026-07-02. 2026-07-02 -> 2026-11-24:
    # 29 (rest of July) + 31 + 30 + 31 + 24 = 145 days > 90
    s = shortlist_for(fixture_kb)
    stale = [w for w in s.warnings if w.code == "stale_price" and w.model_id == "gpt-4o"]
    assert len(stale) == 1
    assert "price is 145 days old (as of 2026-07-02, test)" in stale[0].message


def test_stale_price_boundary(shortlist_for, fixture_kb):
    # 2026-07-02 + 90 days = 2026-09-30 (29 + 31 + 30): exactly 90 days is not stale
    assert "stale_price" not in _codes(shortlist_for(fixture_kb, today=date(2026, 9, 30)))
    s = shortlist_for(fixture_kb, today=date(2026, 10, 1))
    assert any(w.code == "stale_price" and "91 days old" in w.message for w in s.warnings)


def test_self_host_without_gpu_ops(run):
    s = run(data_privacy="strict", gpu_ops_experience="none")
    flagged = {w.model_id for w in s.warnings if w.code == "self_host_without_gpu_ops"}
    assert flagged == {c.option.model_id for c in s.candidates}
    assert "self_host_without_gpu_ops" not in _codes(run(data_privacy="strict", gpu_ops_experience="some"))


def test_beyond_practical_context(run):
    # GPT-4o's practical limit in hosting.yaml is about 50,000 tokens
    s = run(context_tokens=100_000)
    assert s.recommended.option.model_id == "gpt-4o"
    w = next(w for w in s.warnings if w.code == "beyond_practical_context" and w.model_id == "gpt-4o")
    assert "100,000 tokens of context is past its practical limit of about 50,000" in w.message
    assert "beyond_practical_context" not in _codes(run(context_tokens=8000))


def test_unpinned_alias(tmp_path, shortlist_for):
    over = tmp_path / "over"
    over.mkdir()
    (over / "models.yaml").write_text(
        "models:\n  - id: gpt-4o\n    endpoints:\n      - {provider: openai, model_id: gpt-4o-latest, pinned: false}\n"
    )
    kb = load_knowledge([over], replace=FIXTURE_KB)
    s = shortlist_for(kb)
    assert s.recommended.option.key == "gpt-4o@openai"
    w = next(w for w in s.warnings if w.code == "unpinned_alias")
    assert "'gpt-4o-latest' is an alias" in w.message
    assert w.model_id == "gpt-4o"


def test_pinned_endpoints_have_no_alias_warning(run):
    assert "unpinned_alias" not in _codes(run())


def test_no_quality_floor(run):
    assert _codes(run()).count("no_quality_floor") == 1
    assert "no_quality_floor" not in _codes(run(quality_floor=Decimal("0.9")))


def test_price_conflict(run):
    # 2,000,000 > context 1,500,000 + 300 > 1,000,000: only Gemini 1.5 Pro fits
    s = run(context_tokens=1_500_000)
    assert s.recommended.option.key == "gemini-1-5-pro@google"
    w = next(w for w in s.warnings if w.code == "price_conflict")
    assert "other guide: in $3.50 / out unknown per 1M" in w.message


def test_unknown_provider(run):
    s = run(preferred_providers=["opneai"], excluded_providers=["nobody"])
    msgs = [w.message for w in s.warnings if w.code == "unknown_provider"]
    assert len(msgs) == 2
    assert msgs[0].startswith("preferred_providers: 'opneai' is not a known provider (anthropic, google, mistral, openai, together)")
    assert msgs[1].startswith("excluded_providers: 'nobody' is not a known provider")


def test_no_survivors(run):
    # 1,999,801 + 200 output > every window (the largest is 2,000,000)
    s = run(context_tokens=1_999_801, avg_output_tokens=200)
    assert s.candidates == ()
    assert "no_survivors" in _codes(s)



def test_a_zero_price_and_an_unknown_latency_on_the_shortlist_are_flagged(tmp_path, today):
    from advisor.core.questions import answers_from_mapping

    (tmp_path / "models.yaml").write_text(
        "models:\n"
        "  - id: freebie\n    name: Freebie\n    family: free\n    vendor: acme\n    tier: frontier\n"
        "    context_window: 128000\n    tags: [generalist]\n"
        "    endpoints:\n"
        "      - {provider: together, model_id: acme/free, price: {input: 0, output: 0, as_of: 2026-11-01, source: a free tier}}\n"
    )
    kb = load_knowledge([tmp_path], replace=FIXTURE_KB)
    answers = answers_from_mapping(kb, {"task_type": "summarization", "monthly_requests": 100_000, "latency_target_ms": 5000})
    result = shortlist(answers, kb, today)
    assert "freebie@together" in [c.option.key for c in result.candidates]
    free = [w for w in result.warnings if w.model_id == "freebie"]
    assert {w.code for w in free} == {"zero_price", "unverified"}
    zero = next(w for w in free if w.code == "zero_price")
    assert "listed at $0 (a free tier)" in zero.message
    known = [c for c in result.candidates if c.ttft_ms is not None]
    assert not any(w.code == "unverified" and w.model_id == c.option.model_id for c in known for w in result.warnings)


def test_also_consider_brings_a_vendor_the_shortlist_lacks(tmp_path):
    # a coding assistant: GPT-5.4 then GPT-6.1 Sol, both OpenAI; the third is a second
    # opinion from another vendor (it was a third GPT), and with a window of 1 it is not
    from advisor.core.questions import load_answers

    def run_on(kb):
        return shortlist(load_answers(kb, "examples/answers/6-code-and-instructions.yaml"), kb, date(2026, 12, 1))

    kb = load_knowledge([])
    s = run_on(kb)
    first_two = {c.option.model_id: c for c in s.candidates[:2]}
    vendor = {m.id: m.vendor for m in kb.models}
    listed = {vendor[m] for m in first_two}
    also = [c for c in s.candidates if c.role == "also_consider"]
    assert also and vendor[also[0].option.model_id] not in listed
    (tmp_path / "scoring.yaml").write_text("also_consider_window: 1\n")
    plain = run_on(load_knowledge([tmp_path]))
    top_left = [r.option.model_id for r in plain.ranking if r.option.model_id not in first_two]
    assert [c.option.model_id for c in plain.candidates if c.role == "also_consider"] == top_left[:1]
