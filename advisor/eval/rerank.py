"""Re-rank candidates on measured evidence: quality first, then quality per dollar.

The rule, stated so a reader can check it:

1. The leader is the model with the highest pass rate (ties: higher Wilson lower
   bound, then the original order).
2. Every model whose 95% interval reaches the leader's lower bound is
   *statistically tied* with it; tied models are ordered by cost per success
   (cheapest first; unknown cost after known), then pass rate, then the
   original order.
3. The others follow by pass rate, then original order; models with no
   measurements come last.

``monthly_projection`` prices the measured mean tokens per request at a stated
monthly volume. One sentence says what changed against the original order and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from advisor.core.costs import format_usd as fmt_usd  # the one money formatter

from advisor.eval.stats import ModelStats
from advisor.eval.target import Target

__all__ = ["RankedModel", "Rerank", "rerank", "monthly_projection", "fmt_usd"]


class RankedModel(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_key: str
    label: str
    rank: int
    previous_rank: int
    measured: bool
    passes: int
    n: int
    pass_rate: float
    pass_low: float
    pass_high: float
    cost_per_success_usd: Decimal | None = None
    successes_per_usd: Decimal | None = None  # quality per dollar
    monthly_cost_usd: Decimal | None = None
    tied_with_leader: bool = False


class Rerank(BaseModel):
    model_config = ConfigDict(frozen=True)

    order: list[RankedModel]
    changed: bool
    sentence: str
    monthly_requests: int | None = None


def monthly_projection(stats: ModelStats, target: Target | None, monthly_requests: int) -> Decimal | None:
    """Monthly USD at ``monthly_requests`` from measured mean tokens; None when unknown."""
    if target is None or not target.priced or stats.mean_input_tokens is None or stats.mean_output_tokens is None:
        return None
    assert target.input_price_per_m is not None and target.output_price_per_m is not None
    per_request = (
        target.input_price_per_m * Decimal(str(stats.mean_input_tokens))
        + target.output_price_per_m * Decimal(str(stats.mean_output_tokens))
    ) / Decimal(1_000_000)
    # exact to a millionth of a dollar: rounding to cents here made small projections
    # read "$0.00"; fmt_usd decides how many digits people see
    return (per_request * monthly_requests).quantize(Decimal("0.000001"))


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _describe(m: RankedModel) -> str:
    if m.measured and m.passes == 0:
        cost = ", no successes"
    elif m.cost_per_success_usd is not None:
        cost = f" at {fmt_usd(m.cost_per_success_usd)} per success"
    else:
        cost = ", cost per success unknown"
    return f"{m.label} passed {m.passes}/{m.n} ({_pct(m.pass_rate)}, 95% CI {_pct(m.pass_low)}–{_pct(m.pass_high)}){cost}"


def rerank(
    candidates: Sequence[str],
    stats: Mapping[str, ModelStats],
    targets: Mapping[str, Target] | None = None,
    monthly_requests: int | None = None,
) -> Rerank:
    """Re-rank ``candidates`` (model keys in their original order) on ``stats``."""
    targets = targets or {}
    prior = {k: i for i, k in enumerate(candidates)}
    rows: list[RankedModel] = []
    for key in candidates:
        s = stats.get(key)
        measured = s is not None and s.n > 0
        monthly = None
        if measured and monthly_requests:
            monthly = monthly_projection(s, targets.get(key), monthly_requests)  # type: ignore[arg-type]
        per_success = s.cost_per_success_usd if s else None
        spd = None
        if s is not None and s.total_cost_usd is not None and s.total_cost_usd > 0:
            spd = (Decimal(s.passes) / s.total_cost_usd).quantize(Decimal("0.01"))
        label = s.label if s else (targets[key].label if key in targets else key)
        rows.append(RankedModel(
            model_key=key, label=label, rank=0, previous_rank=prior[key] + 1, measured=measured,
            passes=s.passes if s else 0, n=s.n if s else 0, pass_rate=s.pass_rate if s else 0.0,
            pass_low=s.pass_low if s else 0.0, pass_high=s.pass_high if s else 1.0,
            cost_per_success_usd=per_success, successes_per_usd=spd, monthly_cost_usd=monthly,
        ))
    measured_rows = [r for r in rows if r.measured]
    unmeasured = [r for r in rows if not r.measured]
    ordered: list[RankedModel] = []
    if measured_rows:
        leader = min(measured_rows, key=lambda r: (-r.pass_rate, -r.pass_low, prior[r.model_key]))
        tied = [r for r in measured_rows if r.pass_high >= leader.pass_low - 1e-12]
        rest = [r for r in measured_rows if r not in tied]
        tied.sort(key=lambda r: (
            r.cost_per_success_usd is None,
            r.cost_per_success_usd if r.cost_per_success_usd is not None else Decimal(0),
            -r.pass_rate,
            prior[r.model_key],
        ))
        rest.sort(key=lambda r: (-r.pass_rate, prior[r.model_key]))
        ordered = [r.model_copy(update={"tied_with_leader": True}) for r in tied] + rest
    ordered += unmeasured
    ordered = [r.model_copy(update={"rank": i + 1}) for i, r in enumerate(ordered)]
    changed = [r.model_key for r in ordered] != list(candidates)
    return Rerank(order=ordered, changed=changed, sentence=_sentence(ordered, changed), monthly_requests=monthly_requests)


def _sentence(order: list[RankedModel], changed: bool) -> str:
    if not order or not order[0].measured:
        return "No measurements yet, so the original order stands."
    top = order[0]
    if not changed:
        if len(order) > 1 and order[1].measured:
            return f"Measured evidence keeps the order: {_describe(top)}; {_describe(order[1])}."
        return f"Measured evidence keeps the order: {_describe(top)}."
    # the first position that moved
    moved = next(r for r in order if r.rank != r.previous_rank and r.rank < r.previous_rank)
    passed_over = next(r for r in order if r.previous_rank == moved.rank)
    if moved.tied_with_leader and passed_over.tied_with_leader:
        why = ("their pass rates are within each other's 95% intervals, so the cheaper one per success "
               "ranks first")
        if moved.cost_per_success_usd is None or passed_over.cost_per_success_usd is None:
            why = "their pass rates are within each other's 95% intervals and only one has a known cost"
    elif passed_over.tied_with_leader is False and moved.tied_with_leader:
        why = "it passed clearly more cases (the intervals do not overlap with the leader's)"
    else:
        why = "it passed more cases"
    if not passed_over.measured:
        why = f"{passed_over.label} was not measured"
    return (
        f"{moved.label} moves from #{moved.previous_rank} to #{moved.rank}, ahead of {passed_over.label}: "
        f"{_describe(moved)}, against {_describe(passed_over) if passed_over.measured else 'no measurements'}; {why}."
    )
