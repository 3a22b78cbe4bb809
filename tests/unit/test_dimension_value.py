"""A dimension's value from its claims: sources add up, and a second source that
agrees never lowers what the first one established."""

from __future__ import annotations

import pytest

from advisor.core.knowledge import load_knowledge
from advisor.core.scoring import dimension_value

KB = load_knowledge()
PRIOR = 0.5


def test_one_benchmark_counts_fully_and_the_matrix_half():
    good = float(KB.scoring.level_values["good"])
    value, confidence, said = dimension_value(KB, [("good", "benchmark")], PRIOR)
    assert confidence == 1.0 and value == pytest.approx(good) and said == pytest.approx(good)
    value, confidence, _ = dimension_value(KB, [("good", "matrix")], PRIOR)
    assert confidence == pytest.approx(0.5) and value == pytest.approx((good + PRIOR) / 2)


@pytest.mark.parametrize("first", ["benchmark", "matrix", "bake_off"])
@pytest.mark.parametrize("level", ["excellent", "good", "moderate", "limited"])
def test_an_agreeing_second_source_never_lowers_confidence_or_moves_the_value_away(first, level):
    one = dimension_value(KB, [(level, first)], PRIOR)
    for second in ("benchmark", "matrix"):
        two = dimension_value(KB, [(level, first), (level, second)], PRIOR)
        assert two[1] >= one[1]
        target = float(KB.scoring.level_values[level])
        assert abs(two[0] - target) <= abs(one[0] - target) + 1e-12


def test_no_claims_is_the_prior_with_no_confidence():
    assert dimension_value(KB, [], PRIOR) == (PRIOR, 0.0, PRIOR)
