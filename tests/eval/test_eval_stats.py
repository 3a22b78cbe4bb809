"""Wilson intervals and percentiles against values computed by hand; per-model stats."""

from decimal import Decimal

import pytest

from advisor.eval.results import CaseResult
from advisor.eval.stats import model_stats, percentile, wilson_interval


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [(8, 10, 0.4902, 0.9433), (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0), (50, 100, 0.4038, 0.5962)],
)
def test_wilson_hand_computed(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=5e-5) and hi == pytest.approx(high, abs=5e-5)


def test_wilson_no_samples_is_uninformative():
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_percentile_linear_interpolation():
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def r(i, passed, cost="0.001", **kw):
    base = dict(model_key="m", label="M", case_id=f"c{i}", repeat=0, ok=True, passed=passed,
                score=1.0 if passed else 0.0, input_tokens=100, output_tokens=50, tokens_reported=True,
                ttft_ms=100.0, latency_ms=600.0, cost_usd=Decimal(cost) if cost is not None else None)
    base.update(kw)
    return CaseResult(**base)


def test_model_stats_cost_per_success_includes_failures():
    rs = [r(i, i < 8) for i in range(10)]
    s = model_stats(rs, "m")
    assert (s.passes, s.n) == (8, 10)
    assert s.total_cost_usd == Decimal("0.010")
    assert s.cost_per_success_usd == Decimal("0.00125")
    assert s.tokens_per_s == pytest.approx(100.0)  # 50 tokens in 500 ms after the first token
    assert s.p95_unreliable


def test_unknown_cost_stays_unknown_and_errors_are_counted():
    rs = [r(0, True, cost=None), r(1, False, ok=False, error_kind="rate_limited", attempts=3, cost=None)]
    s = model_stats(rs, "m")
    assert s.total_cost_usd is None and s.cost_per_success_usd is None
    assert s.errors_by_kind == {"rate_limited": 1} and s.retries == 2


def test_json_and_schema_compliance():
    rs = [r(0, True, wants_json=True, json_valid=True, schema_valid=True),
          r(1, False, wants_json=True, json_valid=False, schema_valid=False),
          r(2, True, wants_json=True, json_valid=True, schema_valid=False)]
    s = model_stats(rs, "m")
    assert (s.json_valid, s.json_cases, s.schema_valid, s.schema_cases) == (2, 3, 1, 3)


def test_p95_reliable_from_20_samples():
    assert not model_stats([r(i, True) for i in range(20)], "m").p95_unreliable
