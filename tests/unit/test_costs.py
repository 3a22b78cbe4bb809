"""Cost math against figures computed by hand (arithmetic in the comments)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

import pytest

from advisor.core import costs
from advisor.core.schema import Hosting, ModelSpec, Price

D = Decimal

# The hosting assumptions, written out here so these tests do not move when
# knowledge/hosting.yaml is re-tuned.
HOSTING = Hosting.model_validate(
    {
        "hours_per_month": 730,
        "utilisation": "0.6",
        "price_max_age_days": 90,
        "gpus": [
            {"id": "a100", "name": "A100 80GB", "vram_gb": 80, "hourly_usd": "2.00", "source": "t", "as_of": "2026-01-01"},
            {"id": "h100", "name": "H100 80GB", "vram_gb": 80, "hourly_usd": "3.00", "source": "t", "as_of": "2026-01-01"},
            {"id": "l4", "name": "L4 24GB", "vram_gb": 24, "hourly_usd": "0.80", "source": "t", "as_of": "2026-01-01"},
        ],
        "size_classes": [
            {"id": "small", "max_params_b": 15, "gpu": "l4", "gpus_per_replica": 1, "tokens_per_s": 1500, "source": "t"},
            {"id": "medium", "max_params_b": 80, "gpu": "a100", "gpus_per_replica": 1, "tokens_per_s": 500, "source": "t"},
            {"id": "large", "max_params_b": 1000, "gpu": "h100", "gpus_per_replica": 4, "tokens_per_s": 600, "source": "t"},
        ],
        "ops_overhead": {"engineer_monthly_usd": 15000, "fte": {"none": "0.5", "some": "0.25", "strong": "0.1"}, "source": "t"},
        "practical_context": {"default_hosted": 64000, "default_open_weights": 32000, "source": "t"},
    }
)


def model(params_b, vram=None, open_weights=True) -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "id": "m", "name": "M", "family": "f", "vendor": "v", "tier": "mid", "context_window": 128000,
            "open_weights": open_weights, "params_b": params_b, "vram_4bit_gb": vram,
        }
    )


def price(i, o) -> Price:
    return Price(input=None if i is None else D(i), output=None if o is None else D(o), as_of=date(2026, 11, 1), source="t")


M70 = model(70, vram=40)  # medium class: A100, 1 GPU a replica, 500 tok/s


# ---------------------------------------------------------------- API cost


def test_request_cost_gpt_4o_mix():
    # 1,500 in x $2.50/M = $0.00375; 500 out x $10/M = $0.005; total $0.00875
    rc = costs.request_cost(price("2.50", "10.00"), 1500, 500)
    assert rc.input == D("0.00375")
    assert rc.output == D("0.005")
    assert rc.total == D("0.00875")


def test_million_requests_a_month_is_8750_exactly():
    # 1,000,000 x (1500 x 2.50 + 500 x 10) / 1e6 = 3,750 + 5,000 = $8,750
    per = costs.request_cost(price("2.50", "10.00"), 1500, 500).total
    monthly = costs.per_month(per, 1_000_000)
    assert isinstance(monthly, Decimal)
    assert monthly == D(8750)
    # per year x 12 = $105,000
    assert costs.per_year(monthly) == D(105_000)


def test_300k_requests_is_2025_not_12900():
    # 300,000 x (1500 x 2.5 + 300 x 10) / 1e6 = 300,000 x 0.00675 = $2,025
    per = costs.request_cost(price("2.5", "10"), 1500, 300).total
    assert per == D("0.00675")
    assert costs.per_month(per, 300_000) == D(2025)
    assert costs.per_month(per, 300_000) != D(12900)


def test_money_is_exact_decimal_not_float():
    # 0.1 + 0.2 in floats is 0.30000000000000004; with Decimal prices it is exact
    rc = costs.request_cost(price("0.1", "0.2"), 1_000_000, 1_000_000)
    assert rc.total == D("0.3")


def test_unknown_price_is_none_not_zero():
    assert costs.request_cost(price(None, "10"), 1000, 300) is None
    assert costs.request_cost(price("1", None), 1000, 300) is None
    assert costs.per_month(None, 1000) is None
    assert costs.per_year(None) is None


def test_free_price_is_zero_not_unknown():
    assert costs.request_cost(price("0", "0"), 1000, 300).total == 0


# ---------------------------------------------------------------- cost per success


def test_cost_per_success():
    # $0.01 x (1 + 0.25) / 0.8 = 0.0125 / 0.8 = $0.015625
    assert costs.cost_per_success(D("0.01"), D("0.8"), D("0.25")) == D("0.015625")
    # per_request x 1.25 / 0.8 in general
    per = D("0.00875")
    assert costs.cost_per_success(per, D("0.8"), D("0.25")) == per * D("1.25") / D("0.8")


def test_cost_per_success_without_retries_and_perfect_pass():
    assert costs.cost_per_success(D("0.01"), D(1)) == D("0.01")
    assert costs.cost_per_success(D("0.01"), D("0.5")) == D("0.02")


def test_cost_per_success_edge_cases():
    assert costs.cost_per_success(None, D("0.8")) is None
    assert costs.cost_per_success(D("0.01"), D(0)) is None  # nothing succeeds
    with pytest.raises(ValueError):
        costs.cost_per_success(D("0.01"), D("1.5"))
    with pytest.raises(ValueError):
        costs.cost_per_success(D("0.01"), D("0.8"), D("-0.1"))


# ---------------------------------------------------------------- self-hosting


def test_replica_capacity():
    # 500 tok/s x 0.6 x 730 h x 3600 s = 788,400,000 tokens a replica-month
    medium = next(s for s in HOSTING.size_classes if s.id == "medium")
    assert costs.replica_capacity(medium, HOSTING) == D(788_400_000)


def test_self_host_plan_70b_at_a_million_requests():
    # 1,000,000 req x 2,000 tokens = 2e9 tokens; 2e9 / 788.4e6 = 2.54 -> 3 replicas
    # 3 x A100 x $2 x 730 h = $4,380 GPUs; ops 0.25 x $15,000 = $3,750
    plan = costs.self_host_plan(M70, HOSTING, 1_000_000, 2000, "some")
    assert plan.size_class.id == "medium"
    assert plan.tokens_per_month == 2_000_000_000
    assert plan.replicas == 3
    assert plan.gpus_per_replica == 1
    assert plan.gpus == 3
    assert plan.gpu_monthly == D(4380)
    assert plan.ops_monthly == D(3750)
    assert plan.total_monthly == D(8130)
    assert plan.replica_monthly == D(1460)


def test_self_host_rounds_replicas_up_at_the_boundary():
    # 394,200 req x 2,000 = 788,400,000 tokens: exactly one replica; one more request needs two
    assert costs.self_host_plan(M70, HOSTING, 394_200, 2000, "some").replicas == 1
    assert costs.self_host_plan(M70, HOSTING, 394_201, 2000, "some").replicas == 2


def test_self_host_needs_at_least_one_replica():
    plan = costs.self_host_plan(M70, HOSTING, 1, 1, "strong")
    assert plan.replicas == 1
    # 1 x $2 x 730 = $1,460 + 0.1 x $15,000 = $1,500
    assert plan.total_monthly == D(2960)


def test_self_host_large_model_uses_the_size_class_gpus():
    # 123B -> large: 4 x H100 a replica; 100,000 x 1,300 = 1.3e8 tokens
    # capacity 600 x 0.6 x 730 x 3600 = 946,080,000 -> 1 replica; 4 x $3 x 730 = $8,760
    plan = costs.self_host_plan(model(123, vram=70), HOSTING, 100_000, 1300, "none")
    assert (plan.size_class.id, plan.gpus, plan.gpu_monthly) == ("large", 4, D(8760))
    assert plan.ops_monthly == D(7500)  # 0.5 x $15,000


def test_self_host_vram_can_need_more_gpus_than_the_size_class():
    # 100 GB of 4-bit weights on 80 GB GPUs: ceil(100 / 80) = 2 GPUs a replica
    plan = costs.self_host_plan(model(70, vram=100), HOSTING, 1000, 1000, "some")
    assert plan.gpus_per_replica == 2
    assert plan.gpu_monthly == D(2) * D(2) * D(730)


def test_small_class_boundary():
    # 15B is still small (<= 15); 15.5B is medium
    assert costs.size_class_for(model(15), HOSTING).id == "small"
    assert costs.size_class_for(model(D("15.5")), HOSTING).id == "medium"


def test_self_host_unsized_models():
    assert costs.self_host_plan(model(None), HOSTING, 1000, 1000, "some") is None
    assert costs.self_host_plan(model(2000), HOSTING, 1000, 1000, "some") is None  # bigger than every class


# ---------------------------------------------------------------- break-even


def test_break_even_by_hand_one_replica():
    # F = ops 0.25 x 15,000 = 3,750; G = one replica 1 x 2 x 730 = 1,460
    # one replica serves 788,400,000 / 2,000 = 394,200 requests
    # at $0.02 a request: ceil((3,750 + 1,460) / 0.02) = 260,500 <= 394,200
    assert costs.break_even_requests(D("0.02"), M70, HOSTING, 2000, "some") == 260_500


def test_break_even_by_hand_two_replicas():
    # at $0.01: one replica would need 521,000 > 394,200 requests;
    # two replicas: ceil((3,750 + 2,920) / 0.01) = 667,000, within 394,201..788,400
    assert costs.break_even_requests(D("0.01"), M70, HOSTING, 2000, "some") == 667_000


def test_break_even_none_when_the_api_is_cheaper_than_a_busy_replica():
    # $0.001 x 394,200 = $394.20 a replica-month of API spend < $1,460 a replica
    assert costs.break_even_requests(D("0.001"), M70, HOSTING, 2000, "some") is None
    assert costs.break_even_requests(None, M70, HOSTING, 2000, "some") is None
    assert costs.break_even_requests(D(0), M70, HOSTING, 2000, "some") is None
    assert costs.break_even_requests(D("0.02"), model(None), HOSTING, 2000, "some") is None


def _self(volume, tokens, experience, m=M70):
    return costs.self_host_monthly_at(m, HOSTING, volume, tokens, experience)


def _brute_force(c, tokens, experience, m=M70, max_replicas=400):
    """Smallest volume with self-host <= API, searched replica range by replica range."""
    plan = costs.self_host_plan(m, HOSTING, 1, tokens, experience)
    per_replica = plan.replica_capacity_tokens / tokens
    for n in range(1, max_replicas + 1):
        low = 1 if n == 1 else int((n - 1) * per_replica) + 1
        high = int(n * per_replica)
        if low > high:
            continue
        cost = plan.ops_monthly + plan.replica_monthly * n  # constant over the range
        need = int((cost / c).to_integral_value(rounding=ROUND_CEILING))
        v = max(need, low)
        if v <= high:
            return v
    return None


@pytest.mark.parametrize("c", ["0.0035", "0.005", "0.0075", "0.01", "0.02", "0.05", "0.37"])
@pytest.mark.parametrize("tokens, experience", [(2000, "some"), (1300, "none"), (777, "strong")])
def test_break_even_property(c, tokens, experience):
    c = D(c)
    v = costs.break_even_requests(c, M70, HOSTING, tokens, experience)
    assert v == _brute_force(c, tokens, experience)
    if v is None:
        return
    # at the returned volume self-hosting costs no more than the API ...
    assert _self(v, tokens, experience) <= c * v
    # ... and one request fewer it still costs more
    if v > 1:
        assert _self(v - 1, tokens, experience) > c * (v - 1)


@pytest.mark.parametrize("c", ["0.0001", "0.0005", "0.001"])
def test_break_even_never_for_cheap_apis(c):
    c = D(c)
    assert costs.break_even_requests(c, M70, HOSTING, 2000, "some") is None
    # sanity: at 10x the capacity of a replica the API is still cheaper
    v = 4_000_000
    assert _self(v, 2000, "some") > c * v


def test_candidates_show_cost_per_success_at_the_quality_floor(kb, answers, today, tmp_path):
    from advisor.core.engine import shortlist
    from advisor.core.knowledge import load_knowledge

    from conftest import FIXTURE_KB

    # 100,000 requests; GPT-4o mini at 1,000 in x $0.15/M + 300 out x $0.60/M = $0.00033 a request;
    # at a 0.75 pass rate each success costs $0.00033 / 0.75 = $0.00044. (The third candidate is
    # the best remaining here, so GPT-4o mini stays on the list whatever other vendors offer.)
    (tmp_path / "scoring.yaml").write_text("also_consider_window: 1\n")
    kb = load_knowledge([tmp_path], replace=FIXTURE_KB)
    result = shortlist(answers(quality_floor="0.75", task_type="classification"), kb, today)
    for c in result.candidates:
        if c.costs.per_request is None:
            assert c.costs.per_success_at_floor is None
        else:
            assert c.costs.per_success_at_floor == c.costs.per_request / Decimal("0.75")
    mini = next(c for c in result.candidates if c.option.key == "gpt-4o-mini@openai")
    assert mini.costs.per_success_at_floor == Decimal("0.00044")
    no_floor = shortlist(answers(task_type="classification"), kb, today)
    assert all(c.costs.per_success_at_floor is None for c in no_floor.candidates)


def test_break_even_note_judges_the_users_own_volume_not_just_the_first_crossing(tmp_path, today):
    """Self-hosting costs F + G x replicas: just past a replica step it can be dearer
    than the API again, even above the first break-even volume."""
    from advisor.core import costs as money
    from advisor.core.engine import shortlist
    from advisor.core.knowledge import load_knowledge
    from advisor.core.questions import answers_from_mapping
    from conftest import FIXTURE_KB

    (tmp_path / "models.yaml").write_text(
        "models:\n  - id: llama-3-1-70b\n    endpoints:\n"
        "      - {provider: together, model_id: meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo,"
        " price: {input: 2.03, output: 2.03, as_of: 2026-11-01, source: test}}\n"
    )
    kb = load_knowledge([tmp_path], replace=FIXTURE_KB)
    model = kb.model_by_id["llama-3-1-70b"]
    tokens = 1300  # 1,000 in + 300 out
    c = Decimal("2.03") * tokens / Decimal(1_000_000)  # $0.002639 a request
    first = money.break_even_requests(c, model, kb.hosting, tokens, "strong")
    assert first is not None
    # one replica serves 500 tok/s x 0.6 x 730 h x 3600 s / 1,300 tokens = 606,461.5 requests a month
    per_replica = Decimal(788_400_000) / tokens
    step = int(((Decimal(first) / per_replica).to_integral_value(rounding="ROUND_CEILING")) * per_replica) + 1
    assert step > first
    dearer = money.self_host_monthly_at(model, kb.hosting, step, tokens, "strong")
    assert dearer > c * step  # just past a step: self-hosting is dearer again

    def note_at(volume: int) -> str:
        answers = answers_from_mapping(
            kb,
            {"task_type": "summarization", "monthly_requests": volume, "data_privacy": "strict", "gpu_ops_experience": "strong"},
        )
        result = shortlist(answers, kb, today)
        cand = next(x for x in result.candidates if x.option.model_id == "llama-3-1-70b")
        return cand.costs.break_even.note

    assert note_at(step).endswith(f"at your {step:,} it is dearer")
    assert note_at(first).endswith(f"at your {first:,} it is cheaper")
