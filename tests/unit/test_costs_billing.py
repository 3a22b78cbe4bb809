"""Billing as providers bill it: long-prompt tiers, cache hits, thinking tokens;
self-host sizing by total memory and active-parameter throughput. Every figure
is computed by hand in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from advisor.core import costs
from advisor.core.schema import Hosting, ModelSpec, Price

D = Decimal

# the same hosting assumptions as test_costs.py (tests/unit is on sys.path)
from test_costs import HOSTING  # noqa: E402


def tiered(**extra) -> Price:
    # Gemini 3.1 Pro: $2/$12 per 1M, and $4/$18 for prompts over 200K tokens
    return Price.model_validate(
        {
            "input": "2", "output": "12", "cached_input": "0.2", "as_of": "2026-11-01", "source": "t",
            "tiers": [{"above_input_tokens": 200000, "input": "4", "output": "18", "cached_input": "0.4"}],
            **extra,
        }
    )


def test_a_prompt_over_the_tier_is_billed_entirely_at_the_tier():
    # 400,000 x $4/M = $1.60; 2,000 x $18/M = $0.036; total $1.636 (not $0.824 at base rates)
    rc = costs.request_cost(tiered(), 400_000, 2_000)
    assert rc.total == D("1.636")
    assert rc.tier is not None and rc.tier.above_input_tokens == 200_000


def test_a_prompt_at_the_threshold_stays_at_the_base_rate():
    # 200,000 is not over 200,000: 200,000 x $2/M = $0.40; 1,000 x $12/M = $0.012
    rc = costs.request_cost(tiered(), 200_000, 1_000)
    assert rc.total == D("0.412") and rc.tier is None


def test_gpt_5_5_over_272k():
    # GPT-5.5: $5/$30, over 272K $10/$45. 400,000 x 10 = $4.00; 2,000 x 45 = $0.09 -> $4.09
    p = Price.model_validate(
        {"input": "5", "output": "30", "as_of": "2026-11-01", "source": "t",
         "tiers": [{"above_input_tokens": 272000, "input": "10", "output": "45"}]}
    )
    assert costs.request_cost(p, 400_000, 2_000).total == D("4.09")


def test_cached_share_is_billed_at_the_cached_price():
    # 10,000 in, half cached: 5,000 x $2/M = $0.01 + 5,000 x $0.2/M = $0.001; 500 out x $12/M = $0.006
    rc = costs.request_cost(tiered(), 10_000, 500, cached_share=D("0.5"))
    assert rc.cached_tokens == 5_000
    assert rc.total == D("0.017")


def test_no_cached_price_means_no_saving():
    p = Price(input=D(3), output=D(15), as_of=date(2026, 11, 1), source="t")
    # 10,000 x $3/M = $0.03 whatever the cached share; 100 x $15/M = $0.0015
    assert costs.request_cost(p, 10_000, 100, cached_share=D("0.9")).total == D("0.0315")


def test_thinking_tokens_are_billed_as_output():
    p = Price(input=D(1), output=D(10), as_of=date(2026, 11, 1), source="t")
    # 1,000 x $1/M = $0.001; (200 + 800 thinking) x $10/M = $0.01
    rc = costs.request_cost(p, 1_000, 200, thinking_tokens=800)
    assert rc.total == D("0.011") and rc.thinking_tokens == 800


def test_tiers_must_ascend():
    with pytest.raises(ValueError):
        Price.model_validate(
            {"input": 1, "output": 1, "as_of": "2026-01-01", "source": "t",
             "tiers": [{"above_input_tokens": 272000, "input": 2, "output": 2},
                       {"above_input_tokens": 200000, "input": 3, "output": 3}]}
        )


# ---------------------------------------------------------------- self-host sizing


def moe(total, active, vram=None) -> ModelSpec:
    return ModelSpec.model_validate(
        {"id": "m", "name": "M", "family": "f", "vendor": "v", "tier": "mid", "context_window": 128000,
         "open_weights": True, "params_b": total, "active_params_b": active, "vram_4bit_gb": vram}
    )


def test_scout_is_sized_by_active_parameters_not_as_a_400b_model():
    # Llama 4 Scout: 109B total, 17B active. Class by active 17B -> medium (A100, 500 tok/s).
    # Memory: 109 x 0.55 = 59.95 GB -> one 80 GB A100. Not 4 x H100.
    plan = costs.self_host_plan(moe(109, 17), HOSTING, 100_000, 1_300, "none")
    assert (plan.size_class.id, plan.gpu.name, plan.gpus_per_replica) == ("medium", "A100 80GB", 1)


def test_moe_memory_counts_every_expert():
    # Maverick: 400B total, 17B active -> medium class (A100); 400 x 0.55 = 220 GB
    # -> ceil(220 / 80) = 3, rounded up to 4 for tensor parallelism: 4 x A100 a replica
    plan = costs.self_host_plan(moe(400, 17), HOSTING, 100_000, 1_300, "none")
    assert (plan.size_class.id, plan.gpus_per_replica, plan.gpu.name) == ("medium", 4, "A100 80GB")
    # 4 x $2.00 x 730 h = $5,840 a month for one replica
    assert plan.gpu_monthly == D(5840)


def test_a_small_active_model_too_big_for_the_small_gpu_moves_to_a_bigger_one():
    # gpt-oss-120b: 117B total, 5.1B active -> small class (L4 24 GB, 1,500 tok/s).
    # 117 x 0.55 = 64.35 GB: 3 L4s -> 4 (power of two) at $0.80 = $3.20/h,
    # against one A100 80 GB at $2.00/h or one H100 at $3.00/h: one A100.
    plan = costs.self_host_plan(moe(117, D("5.1")), HOSTING, 100_000, 1_300, "none")
    assert (plan.size_class.id, plan.gpu.name, plan.gpus_per_replica) == ("small", "A100 80GB", 1)
    assert plan.size_class.tokens_per_s == 1500


def test_active_cannot_exceed_total():
    with pytest.raises(ValueError):
        moe(17, 109)
