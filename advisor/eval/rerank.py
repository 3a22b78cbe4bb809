"""Re-rank candidates on measured evidence, by a rule an expert would accept.

The rule (``RULE``), stated so a reader can check it:

1. **Your floor first.** A measured model whose whole 95% interval lies below
   the quality floor is "below your floor": it goes after every model that
   meets it (or may meet it), and is never recommended over one.
2. **The shortlist's order stands unless the evidence is clear.** A model moves
   ahead of one ranked above it only when both have at least ``MIN_SAMPLES``
   measured cases and either

   * its interval lies wholly above the other's (it passed clearly more), or
   * it is at least as good on the point estimate and cheaper per success.

   A model that is worse on the point estimate is never promoted because it is
   cheaper while the intervals overlap, and thin evidence (few cases, cases the
   spend cap skipped) promotes nothing.
3. Models with no measurements follow the measured models that meet the floor
   (and come before those below it).

Adjacent swaps by that relation among the measured models, at most one pass per model (so the result is
deterministic and always terminates). The sentence names the rule it applied
and counts the cases that were planned but not measured.

``monthly_projection`` prices the measured mean tokens per request at a stated
monthly volume; it is *labelled* "at measured tokens" wherever it is shown. The
projection people compare is the shortlist's, at the answers' token mix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from advisor.core.costs import format_usd as fmt_usd  # the one money formatter
from advisor.eval.stats import ModelStats, Usd, UsdOpt
from advisor.eval.target import Target

__all__ = ["RankedModel", "Rerank", "rerank", "monthly_projection", "fmt_usd", "MIN_SAMPLES", "RULE"]

MIN_SAMPLES = 5  # fewer measured cases than this promote nothing

RULE = (
    f"a model moves up only with at least {MIN_SAMPLES} measured cases against at least {MIN_SAMPLES}, and only "
    "when its 95% interval lies wholly above the other's, or when it is at least as good on the point estimate "
    "and cheaper per success; unmeasured models follow the measured ones, and a model whose interval lies below "
    "your quality floor goes last"
)


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
    cost_per_success_usd: UsdOpt = None
    successes_per_usd: UsdOpt = None  # quality per dollar
    monthly_cost_usd: UsdOpt = None  # at the *measured* mean tokens (labelled so)
    monthly_at_answers_usd: UsdOpt = None  # the shortlist's projection at the answers' token mix
    mean_input_tokens: float | None = None
    mean_output_tokens: float | None = None
    tied_with_leader: bool = False
    below_floor: bool = False
    passed_none: bool = False  # measured, and not one case passed: never recommended
    thin: bool = False  # fewer than MIN_SAMPLES measured cases
    not_measured: int = 0  # planned cases with no result (spend cap, cancel, skipped target)


class Rerank(BaseModel):
    model_config = ConfigDict(frozen=True)

    order: list[RankedModel]
    changed: bool
    sentence: str
    rule: str = RULE
    monthly_requests: int | None = None
    quality_floor: float | None = None
    not_measured: int = 0

    @property
    def recommended(self) -> RankedModel | None:
        """The model the evidence recommends: first, unless it is below the floor or passed no case."""
        if not self.order or self.order[0].below_floor or self.order[0].passed_none:
            return None
        return self.order[0]

    @property
    def none_passed(self) -> bool:
        """Nothing is recommended because no measured model passed a case (not the floor)."""
        return bool(self.order) and self.order[0].passed_none and not self.order[0].below_floor


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
    if not m.measured:
        return f"{m.label} was not measured"
    if m.passes == 0:
        cost = ", no successes"
    elif m.cost_per_success_usd is not None:
        cost = f" at {fmt_usd(m.cost_per_success_usd)} per success"
    else:
        cost = ", cost per success unknown"
    return f"{m.label} passed {m.passes}/{m.n} ({_pct(m.pass_rate)}, 95% CI {_pct(m.pass_low)}–{_pct(m.pass_high)}){cost}"


def _beats(a: RankedModel, b: RankedModel) -> str | None:
    """Why measured ``a`` (ranked below measured ``b``) may move ahead of it, or None."""
    if a.thin or b.thin:
        return None
    if a.pass_low > b.pass_high:
        return "clearly"
    cheaper = a.cost_per_success_usd is not None and (
        b.cost_per_success_usd is None or a.cost_per_success_usd < b.cost_per_success_usd
    )
    if a.pass_rate >= b.pass_rate and cheaper and a.passes > 0:
        return "cheaper"
    return None


def rerank(
    candidates: Sequence[str],
    stats: Mapping[str, ModelStats],
    targets: Mapping[str, Target] | None = None,
    monthly_requests: int | None = None,
    *,
    quality_floor: float | None = None,
    planned: Mapping[str, int] | None = None,
    monthly_at_answers: Mapping[str, Decimal | None] | None = None,
) -> Rerank:
    """Re-rank ``candidates`` (model keys in their original order) on ``stats``.

    ``planned`` is how many results each model should have had (cases × repeats);
    the shortfall is counted as "not measured". ``monthly_at_answers`` is the
    shortlist's monthly cost at the answers' token mix, carried beside the result.
    """
    targets = targets or {}
    planned = planned or {}
    monthly_at_answers = monthly_at_answers or {}
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
        n = s.n if s else 0
        high = s.pass_high if s else 1.0
        rows.append(RankedModel(
            model_key=key, label=label, rank=0, previous_rank=prior[key] + 1, measured=measured,
            passes=s.passes if s else 0, n=n, pass_rate=s.pass_rate if s else 0.0,
            pass_low=s.pass_low if s else 0.0, pass_high=high,
            cost_per_success_usd=per_success, successes_per_usd=spd, monthly_cost_usd=monthly,
            monthly_at_answers_usd=monthly_at_answers.get(key),
            mean_input_tokens=s.mean_input_tokens if s else None, mean_output_tokens=s.mean_output_tokens if s else None,
            below_floor=measured and quality_floor is not None and high < quality_floor - 1e-12,
            passed_none=measured and s is not None and s.passes == 0,
            thin=n < MIN_SAMPLES,
            not_measured=max(0, planned.get(key, n) - n),
        ))
    ok = [r for r in rows if r.measured and not r.below_floor and not r.passed_none]
    why: dict[tuple[str, str], str] = {}
    for _ in range(len(ok)):
        swapped = False
        for i in range(len(ok) - 1):
            reason = _beats(ok[i + 1], ok[i])
            if reason:
                why[(ok[i + 1].model_key, ok[i].model_key)] = reason
                ok[i], ok[i + 1] = ok[i + 1], ok[i]
                swapped = True
        if not swapped:
            break
    order = (ok + [r for r in rows if not r.measured]
             + [r for r in rows if r.passed_none and not r.below_floor] + [r for r in rows if r.below_floor])
    measured_rows = [r for r in order if r.measured and not r.below_floor and not r.passed_none]
    leader = max(measured_rows, key=lambda r: (r.pass_rate, r.pass_low), default=None)
    order = [r.model_copy(update={
        "rank": i + 1,
        "tied_with_leader": leader is not None and r.measured and not r.below_floor and not r.passed_none
        and r.pass_high >= leader.pass_low - 1e-12,
    }) for i, r in enumerate(order)]
    changed = [r.model_key for r in order] != list(candidates)
    missing = sum(r.not_measured for r in order)
    return Rerank(
        order=order, changed=changed, sentence=_sentence(order, changed, why, quality_floor, missing),
        monthly_requests=monthly_requests, quality_floor=quality_floor, not_measured=missing,
    )


def _sentence(order: list[RankedModel], changed: bool, why: Mapping[tuple[str, str], str],
              floor: float | None, missing: int) -> str:
    if not any(r.measured for r in order):
        return "No measurements yet, so the original order stands."
    parts: list[str] = []
    top = order[0]
    if not changed:
        described = [_describe(r) for r in order[:2] if r.measured]
        parts.append("Measured evidence keeps the order: " + "; ".join(described) + ".")
        held = _held_back(order)
        if held:
            parts.append(held)
    else:
        moved = next(r for r in order if r.rank < r.previous_rank)
        passed_over = next(r for r in order if r.previous_rank == moved.rank)
        reason = why.get((moved.model_key, passed_over.model_key), "")
        if passed_over.below_floor:
            reason = "floor"
        elif passed_over.passed_none:
            reason = "none"
        elif not passed_over.measured:
            reason = "unmeasured"
        because = {
            "unmeasured": f"{passed_over.label} was not measured, and measured models that meet your floor come first",
            "floor": f"{passed_over.label}'s 95% interval lies below your quality floor of {_pct(floor or 0)}",
            "none": f"{passed_over.label} passed none of its cases",
            "clearly": "it passed clearly more cases (the 95% intervals do not overlap)",
            "cheaper": "it passed at least as large a share of the cases and costs less per success",
        }.get(reason, "models above it moved down")
        parts.append(
            f"{moved.label} moves from #{moved.previous_rank} to #{moved.rank}, ahead of {passed_over.label}: "
            f"{_describe(moved)}, against {_describe(passed_over) if passed_over.measured else 'no measurements'}; "
            f"{because}."
        )
    none = [r for r in order if r.passed_none and not r.below_floor]
    if none:
        names = ", ".join(f"{r.label} (0/{r.n})" for r in none)
        parts.append(f"Passed no case: {names}; not recommended.")
        if top.passed_none:
            parts.append("No measured model passed a case.")
    below = [r for r in order if r.below_floor]
    if below:
        names = ", ".join(f"{r.label} ({r.passes}/{r.n})" for r in below)
        parts.append(f"Below your floor of {_pct(floor or 0)}: {names}; not recommended.")
        if top.below_floor:
            parts.append("No measured model meets your floor.")
    if missing:
        parts.append(f"{missing} planned case run{'s' if missing != 1 else ''} not measured "
                     "(spend cap, cancel or a model that could not run).")
    parts.append(f"Rule: {RULE}.")
    return " ".join(parts)


def _held_back(order: list[RankedModel]) -> str:
    """Say why a better-looking model below did not move up (thin evidence, or dearer and tied)."""
    for upper, lower in zip(order, order[1:]):
        if not (upper.measured and lower.measured):
            continue
        if (lower.thin or upper.thin) and (lower.pass_rate > upper.pass_rate or (
                lower.cost_per_success_usd is not None and upper.cost_per_success_usd is not None
                and lower.cost_per_success_usd < upper.cost_per_success_usd)):
            thin = lower if lower.thin else upper
            return (f"{lower.label} stays below {upper.label}: {thin.label} has only {thin.n} measured "
                    f"case{'s' if thin.n != 1 else ''}, too few to move the order.")
        if (lower.cost_per_success_usd is not None and upper.cost_per_success_usd is not None
                and lower.cost_per_success_usd < upper.cost_per_success_usd and lower.pass_rate < upper.pass_rate):
            return (f"{lower.label} is cheaper per success but passed a smaller share, and overlapping intervals "
                    "are no evidence that it is as good, so it is not promoted.")
    return ""
