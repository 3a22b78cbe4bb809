"""Every branch of the decision tree, its recorded path, and the boundary values."""

from __future__ import annotations

from decimal import Decimal

import pytest

# (overrides, expected outcome, expected path as (node, decision, answer text))
BRANCHES = [
    pytest.param(
        {"data_privacy": "strict"},
        "self_hosted_open_weights",
        [("own_infrastructure", "yes", "data_privacy = strict")],
        id="own_infrastructure",
    ),
    pytest.param(
        {"data_privacy": "air_gapped"},
        "self_hosted_open_weights",
        [("own_infrastructure", "yes", "data_privacy = air_gapped")],
        id="air_gapped",
    ),
    pytest.param(
        {"context_tokens": 500_000},
        "million_token_context",
        [
            ("own_infrastructure", "no", "data_privacy = standard"),
            ("very_long_context", "yes", "context_tokens = 500000"),
        ],
        id="very_long_context",
    ),
    pytest.param(
        {"task_type": "reasoning"},
        "reasoning_models",
        [
            ("own_infrastructure", "no", "data_privacy = standard"),
            ("very_long_context", "no", "context_tokens = 8000"),
            ("complex_reasoning", "yes", "task_type = reasoning"),
        ],
        id="complex_reasoning",
    ),
    pytest.param(
        {"latency_target_ms": 1000, "user_facing": True},
        "fast_models",
        [
            ("own_infrastructure", "no", "data_privacy = standard"),
            ("very_long_context", "no", "context_tokens = 8000"),
            ("complex_reasoning", "no", "task_type = summarization"),
            ("latency_critical", "yes", "latency_target_ms = 1000"),
        ],
        id="latency_critical",
    ),
    pytest.param(
        {"budget_per_request_usd": Decimal("0.001")},
        "cheapest_models",
        [
            ("own_infrastructure", "no", "data_privacy = standard"),
            ("very_long_context", "no", "context_tokens = 8000"),
            ("complex_reasoning", "no", "task_type = summarization"),
            ("latency_critical", "no", "latency_target_ms not given"),
            ("cost_primary", "yes", "budget_per_request_usd = 0.001"),
        ],
        id="cost_primary",
    ),
    pytest.param(
        {"task_type": "code"},
        "instruction_followers",
        [
            ("own_infrastructure", "no", "data_privacy = standard"),
            ("very_long_context", "no", "context_tokens = 8000"),
            ("complex_reasoning", "no", "task_type = code"),
            ("latency_critical", "no", "latency_target_ms not given"),
            ("cost_primary", "no", "budget_per_request_usd and budget_per_month_usd not given"),
            ("code_or_instructions", "yes", "task_type = code"),
        ],
        id="code_or_instructions",
    ),
    pytest.param(
        {},
        "safe_default",
        [
            ("own_infrastructure", "no", "data_privacy = standard"),
            ("very_long_context", "no", "context_tokens = 8000"),
            ("complex_reasoning", "no", "task_type = summarization"),
            ("latency_critical", "no", "latency_target_ms not given"),
            ("cost_primary", "no", "budget_per_request_usd and budget_per_month_usd not given"),
            ("code_or_instructions", "no", "task_type = summarization"),
        ],
        id="safe_default",
    ),
]


@pytest.mark.parametrize("overrides, outcome, path", BRANCHES)
def test_branch_path_and_outcome(run, overrides, outcome, path):
    s = run(**overrides)
    assert [(st.node, st.decision, st.answer) for st in s.tree_path] == path
    assert s.outcome.node == outcome
    # every step carries the node's question and rationale, not just its id
    assert all(st.question and st.rationale for st in s.tree_path)
    # the recommendation comes from the tree's outcome
    rec = s.recommended
    assert rec is not None
    assert rec.in_tree_outcome
    assert rec.option.model_id in s.outcome.surviving
    assert set(s.outcome.surviving) <= set(s.outcome.members)


def test_own_infrastructure_recommends_self_hosted_open_weights(run):
    s = run(data_privacy="strict", gpu_ops_experience="strong")
    for c in s.candidates:
        assert c.option.deployment == "self_host"
        assert c.open_weights
    # the guides' named models are in the outcome set
    assert {"llama-3-1-70b", "mistral-large"} <= set(s.outcome.members)


def test_very_long_context_recommends_a_million_token_window(run):
    s = run(context_tokens=500_000)
    assert s.recommended.context_window >= 1_000_000
    # 500,000 context + 300 output needs a window of at least 500,300
    assert all(c.context_window >= 500_300 for c in s.candidates)


def test_reasoning_recommends_a_reasoning_model(fixture_kb, run):
    s = run(task_type="reasoning")
    assert fixture_kb.model_by_id[s.recommended.option.model_id].reasoning


def test_latency_critical_recommends_a_fast_hosted_model(run):
    s = run(latency_target_ms=1000, user_facing=True)
    rec = s.recommended
    assert rec.option.deployment == "hosted"
    assert rec.ttft_ms is not None and rec.ttft_ms <= 400


def test_cost_primary_recommends_a_cheap_model(run):
    s = run(budget_per_request_usd=Decimal("0.001"))
    # the hard filter already enforces the 0.001 budget; the outcome is < $0.005 too
    assert s.recommended.costs.per_request is not None
    assert s.recommended.costs.per_request <= Decimal("0.001")


def test_code_recommends_an_instruction_follower(fixture_kb, run):
    s = run(task_type="code")
    # the only member of the outcome that survives in the fixture catalogue
    assert s.outcome.surviving == ("claude-3-5-sonnet",)
    assert s.recommended.option.key == "claude-3-5-sonnet@anthropic"
    assert fixture_kb.model_by_id["claude-3-5-sonnet"].family == "claude-sonnet"


def test_safe_default_recommends_gpt_4o(run):
    s = run()
    assert s.recommended.option.key == "gpt-4o@openai"


# ---------------------------------------------------------------- boundaries


def test_context_exactly_200000_is_not_very_long(run):
    s = run(context_tokens=200_000)
    step = next(st for st in s.tree_path if st.node == "very_long_context")
    assert (step.decision, step.answer) == ("no", "context_tokens = 200000")
    assert s.outcome.node != "million_token_context"


def test_context_200001_is_very_long(run):
    s = run(context_tokens=200_001)
    assert s.outcome.node == "million_token_context"


def test_latency_2000_is_not_critical(run):
    s = run(latency_target_ms=2000, user_facing=True)
    step = next(st for st in s.tree_path if st.node == "latency_critical")
    assert (step.decision, step.answer) == ("no", "latency_target_ms = 2000")
    assert s.outcome.node == "safe_default"


def test_latency_1999_is_critical(run):
    assert run(latency_target_ms=1999, user_facing=True).outcome.node == "fast_models"


def test_budget_0_005_is_not_cost_primary(run):
    s = run(budget_per_request_usd=Decimal("0.005"))
    step = next(st for st in s.tree_path if st.node == "cost_primary")
    assert (step.decision, step.answer) == ("no", "budget_per_request_usd = 0.005")
    assert s.outcome.node == "safe_default"


def test_budget_just_under_0_005_is_cost_primary(run):
    assert run(budget_per_request_usd=Decimal("0.0049")).outcome.node == "cheapest_models"


def test_data_privacy_precedes_everything(run):
    # every later question would say yes, but privacy is asked first
    s = run(
        data_privacy="strict", context_tokens=500_000, task_type="reasoning",
        latency_target_ms=500, budget_per_request_usd=Decimal("0.001"),
    )
    assert [st.node for st in s.tree_path] == ["own_infrastructure"]
    assert s.outcome.node == "self_hosted_open_weights"


def test_a_tight_monthly_budget_takes_the_cost_branch(run):
    # $300 a month over 100,000 requests is $0.003 a request: under $0.005
    s = run(budget_per_month_usd=Decimal("300"))
    step = next(st for st in s.tree_path if st.node == "cost_primary")
    assert step.decision == "yes"
    assert step.answer == "budget_per_month_usd = 300 over monthly_requests = 100,000: $0.003 a request"
    assert s.outcome.node == "cheapest_models"


def test_a_roomy_monthly_budget_does_not(run):
    # $600 over 100,000 is $0.006 a request: not cost-primary
    assert run(budget_per_month_usd=Decimal("600")).outcome.node == "safe_default"


def test_the_tighter_budget_decides(run):
    # per request $0.01, but $200 a month over 100,000 is $0.002: the monthly one decides
    s = run(budget_per_request_usd=Decimal("0.01"), budget_per_month_usd=Decimal("200"))
    assert s.outcome.node == "cheapest_models"
