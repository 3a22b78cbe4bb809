"""Which reasoning mode the advice assumes: a budget with no time limit means the least
thinking (thinking tokens are output the budget pays for), a reasoning task the most
that fits; with neither, the API's default."""

from __future__ import annotations

from decimal import Decimal

from advisor.core.knowledge import load_knowledge
from advisor.core.questions import answers_from_mapping
from advisor.core.reasoning import choose_mode
from advisor.core.schema import EFFORT_ORDER

KB = load_knowledge()


def _mode(model_id: str, **answers):
    a = answers_from_mapping(KB, {"task_type": "classification", "monthly_requests": 1_000_000, "user_facing": False,
                                  **answers})
    mode, problem = choose_mode(KB.model_by_id[model_id].reasoning, a, KB.scoring, None)
    assert problem is None
    return mode


def test_a_budget_with_no_time_limit_assumes_the_least_thinking():
    for model_id in ("claude-haiku-5-5", "gpt-6-luna"):
        reasoning = KB.model_by_id[model_id].reasoning
        assert reasoning is not None and len(reasoning.modes) > 1
        least = min((m.effort for m in reasoning.modes), key=EFFORT_ORDER.index)
        default = _mode(model_id)  # no budget, no time limit: as the API serves it
        assert default.id == reasoning.default_mode.id and default.effort != least
        cheap = _mode(model_id, budget_per_request_usd=Decimal("0.001"))
        assert cheap.effort == least and not cheap.thinks, (model_id, cheap)
        assert _mode(model_id, budget_per_month_usd=Decimal("500")).id == cheap.id


def test_a_reasoning_task_keeps_thinking_under_a_budget():
    mode = _mode("gpt-6-luna", task_type="reasoning", budget_per_month_usd=Decimal("500"))
    assert mode.thinks
