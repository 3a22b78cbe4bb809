"""A routing plan from measured evidence: which model for which slice of the work, and what it saves.

Pure planning (no UI, no network). Inputs: the bake-off's results, the cases with
their categories (:mod:`advisor.eval.categories`), the targets' prices and the
answers' volume, token mix, quality floor and each category's share of traffic.

The rules, stated so a reader can check them:

* **Per category**, the cheapest model (per request, at the answers' token mix)
  whose 95% Wilson interval on that category's cases has its lower bound at or
  above the quality floor. When no model's does, the model with the best pass
  rate (ties: higher lower bound, then cheaper), and the plan says so.
* **Too few cases to decide**: a category with fewer than :data:`MIN_CASES`
  cases stays on the safe choice, the recommended model. Below that one case
  moves the pass rate by more than 20 points and even a perfect score's lower
  bound is under 57%, so any "cheaper model is good enough" would be luck.
* **Fallback** per category: the next model in that category's order (meets the
  floor, then cheaper) served by another provider (another API base URL).
* **Blended cost** = volume × Σ share × cost per request of the category's model,
  plus a classifier call per request when the categories need one (free-text
  categories written on the cases; a tag, the input length or the task type need
  none). Unknown prices stay unknown.
* **Expected pass rate** = Σ share × the chosen model's pass rate in the category,
  with a stratified Wilson interval: Wilson's formula at the blended rate with
  Kish's effective sample size 1 / Σ(share² / n).
* **Baselines**: everything on the recommended model; everything on the cheapest
  model whose blended lower bound meets the floor. The saving is the baseline's
  monthly cost minus the plan's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from advisor.core.costs import format_usd
from advisor.eval.categories import ALL, CategoryRule, RoutingMode, category_of, routing_mode
from advisor.eval.results import CaseResult
from advisor.eval.stats import wilson_interval
from advisor.eval.target import Target

__all__ = [
    "MIN_CASES", "CLASSIFIER_PROMPT_TOKENS", "CLASSIFIER_OUTPUT_TOKENS", "parse_shares",
    "ModelCell", "CategoryRoute", "Scenario", "Classifier", "RoutePlan", "plan_routes", "plan_for_answers", "RouteInputError",
]

MIN_CASES = 5
#: a classifier call: the request's own tokens plus an instruction naming the categories, one short label out
CLASSIFIER_PROMPT_TOKENS = 80
CLASSIFIER_OUTPUT_TOKENS = 5
#: every amount in a plan (and its JSON) is an exact decimal string to a billionth of a dollar: small enough for a
#: cheap model's cost per request, one precision throughout; renderers round for people (format_usd)
_MONEY = Decimal("0.000000001")


def _money(d: Decimal | None) -> Decimal | None:
    return None if d is None else d.quantize(_MONEY)


class RouteInputError(ValueError):
    """Inputs that cannot make a plan; ``field`` names the answer or option at fault."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


_SHARE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]*)=(?P<num>[0-9]+(?:[.][0-9]*)?|[.][0-9]+)(?P<pct>%?)$")


def parse_shares(items: Sequence[str]) -> dict[str, Decimal]:
    """``["simple=70%", "hard=0.3"]`` -> ``{"simple": 0.70, "hard": 0.3}``; they must add up to 100%."""
    shares: dict[str, Decimal] = {}
    for item in items:
        m = _SHARE.match(item.strip())
        if m is None:
            raise RouteInputError(f"{item!r} is not NAME=SHARE (for example simple=70%)", "category_shares")
        value = Decimal(m["num"]) / (100 if m["pct"] else 1)
        if m["name"] in shares:
            raise RouteInputError(f"category {m['name']!r} is given twice", "category_shares")
        shares[m["name"]] = value
    total = sum(shares.values(), Decimal(0))
    if shares and abs(total - 1) > Decimal("0.001"):
        raise RouteInputError(f"the shares add up to {(total * 100).normalize():f}%, not 100%", "category_shares")
    return shares


class ModelCell(BaseModel):
    """One model measured on one category."""

    model_config = ConfigDict(frozen=True)

    model_key: str
    label: str
    n: int
    passes: int
    pass_rate: float
    pass_low: float
    pass_high: float
    cost_per_request_usd: Decimal | None  # at the answers' token mix
    meets_floor: bool
    # what the bake-off measured, beside the projection at the answers' token mix (None: not reported)
    measured_input_tokens: float | None = None
    measured_output_tokens: float | None = None


class CategoryRoute(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: str
    share: Decimal
    n_cases: int
    model_key: str
    label: str
    status: str  # "meets_floor" | "below_floor" | "too_few_cases"
    why: str
    pass_rate: float | None
    pass_low: float | None
    pass_high: float | None
    cost_per_request_usd: Decimal | None
    fallback_key: str | None = None
    fallback_label: str | None = None
    cells: list[ModelCell] = Field(default_factory=list)


class Scenario(BaseModel):
    """All traffic on one model, or the plan: cost and expected pass rate at the answers' volume."""

    model_config = ConfigDict(frozen=True)

    name: str  # "plan", or the model key
    label: str
    monthly_cost_usd: Decimal | None
    cost_per_request_usd: Decimal | None
    pass_rate: float | None  # None: not measured on every category
    pass_low: float | None
    pass_high: float | None
    cost_per_success_usd: Decimal | None
    meets_floor: bool
    baseline: str | None = None  # "recommended" | "cheapest_meeting_floor"
    saving_usd: Decimal | None = None  # this baseline's monthly cost minus the plan's
    saving_pct: Decimal | None = None


class Classifier(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_key: str
    label: str
    input_tokens: int
    output_tokens: int
    cost_per_request_usd: Decimal | None
    monthly_cost_usd: Decimal | None


class PriceUsed(BaseModel):
    """The prices one model's costs in the plan rest on, and where they come from."""

    model_config = ConfigDict(frozen=True)

    model_key: str
    label: str
    input_per_m: Decimal | None  # USD per 1M tokens; None: unknown
    output_per_m: Decimal | None
    cached_input_per_m: Decimal | None = None
    source: str | None = None  # None: given in a target file
    as_of: date | None = None


class RoutePlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    floor: Decimal
    monthly_requests: int
    avg_input_tokens: int
    avg_output_tokens: int
    shares_from: str  # "answers" | "cases"
    mode: RoutingMode
    min_cases: int = MIN_CASES
    recommended_key: str
    categories: list[CategoryRoute]
    classifier: Classifier | None = None
    plan: Scenario
    models: list[Scenario]  # every model on all traffic, in the targets' order
    baselines: list[Scenario]
    notes: list[str] = Field(default_factory=list)
    # each model's prices as used, with their source and date (renderers: price_text)
    prices: list[PriceUsed] = Field(default_factory=list)

    def summary(self) -> str:
        """One paragraph: the plan against each baseline."""
        p = self.plan
        parts = [
            f"The plan costs {format_usd(p.monthly_cost_usd)} a month at {self.monthly_requests:,} requests "
            f"with an expected pass rate of {_pct(p.pass_rate)} (95% CI {_pct(p.pass_low)}–{_pct(p.pass_high)})"
        ]
        for b in self.baselines:
            if b.baseline == "cheapest_meeting_floor" and b.name == self.recommended_key:
                continue  # the same model as the first baseline: said once
            if b.baseline == "recommended":
                same = any(o.baseline == "cheapest_meeting_floor" and o.name == b.name for o in self.baselines)
                role = ("the recommended model, also the cheapest that meets the floor" if same else
                        "the recommended model" + ("" if b.meets_floor else ", which does not meet the floor on all the traffic"))
            else:
                role = "the cheapest model that meets the floor"
            what = f"everything on {b.label} ({role})"
            if b.saving_usd is None:
                parts.append(f"against {format_usd(b.monthly_cost_usd)} for {what}; the saving is unknown")
            elif b.saving_usd >= 0:
                parts.append(f"against {format_usd(b.monthly_cost_usd)} for {what}: it saves "
                             f"{format_usd(b.saving_usd)} a month ({b.saving_pct}%)")
            else:
                parts.append(f"against {format_usd(b.monthly_cost_usd)} for {what}: it costs "
                             f"{format_usd(-b.saving_usd)} a month more")
        return "; ".join(parts) + "."


def _pct(x: float | None) -> str:
    return "unknown" if x is None else f"{x * 100:.0f}%"


def _request_cost(t: Target | None, input_tokens: int, output_tokens: int) -> Decimal | None:
    return None if t is None else t.cost(input_tokens, output_tokens)


def _stratified(parts: Sequence[tuple[Decimal, int, int]]) -> tuple[float, float, float] | None:
    """(rate, low, high) of a share-weighted pass rate from (share, passes, n) per stratum."""
    if not parts or any(n == 0 for s, _, n in parts if s > 0):
        return None
    rate = float(sum((Fraction(s) * Fraction(p, n) for s, p, n in parts if s > 0), Fraction(0)))  # exact: 100% reads 100%
    inv = sum(float(s) ** 2 / n for s, _, n in parts if s > 0)
    if inv <= 0:
        return None
    n_eff = 1 / inv
    low, high = wilson_interval(rate * n_eff, n_eff)  # type: ignore[arg-type]
    return rate, low, high


def _per_success(cost: Decimal | None, rate: float | None) -> Decimal | None:
    if cost is None or not rate:
        return None
    return (cost / Decimal(str(rate))).quantize(_MONEY)


def _weights(cases: Sequence, rule: CategoryRule | None, shares: Mapping[str, Decimal] | None,
             task_types: Sequence[str], main_task: str | None) -> tuple[dict[str, str], dict[str, int], dict[str, Decimal], str]:
    """(category of each case id, cases per category, each category's share of traffic, where the shares came from)."""
    cat_of = {c.id: category_of(c, rule, task_types, main_task) or ALL for c in cases}
    counts: dict[str, int] = {}
    for cat in cat_of.values():
        counts[cat] = counts.get(cat, 0) + 1
    names = list(counts)
    if not shares:
        total = Decimal(sum(counts.values()))
        return cat_of, counts, {k: Decimal(counts[k]) / total for k in names}, "cases"
    unknown = [k for k in shares if k not in counts]
    if unknown:
        raise RouteInputError(f"no case has category {', '.join(map(repr, unknown))} (the cases have: {', '.join(names)})",
                              "category_shares")
    missing = [k for k in names if k not in shares]
    if missing:
        raise RouteInputError(f"no share given for category {', '.join(map(repr, missing))}", "category_shares")
    return cat_of, counts, {k: Decimal(shares[k]) for k in names}, "answers"


def _choose(cells: list[ModelCell], ranked: list[ModelCell], n_cases: int, recommended_key: str, floor_f: float,
            order: Mapping[str, int]) -> tuple[ModelCell | None, str, str]:
    """(the chosen cell, None when it is the unmeasured recommended model; status; why) for one category."""
    if n_cases < MIN_CASES:
        own = next((x for x in cells if x.model_key == recommended_key), None)
        return own, "too_few_cases", (f"too few cases to decide: {n_cases} (fewer than {MIN_CASES}), "
                                      "so it stays on the recommended model")
    meets = [x for x in ranked if x.meets_floor and x.cost_per_request_usd is not None]
    if meets:
        return meets[0], "meets_floor", (f"meets the floor: the cheapest whose 95% lower bound ({_pct(meets[0].pass_low)}) "
                                         f"is at or above {_pct(floor_f)}")
    if not cells:
        return None, "too_few_cases", "not measured: no model ran its cases, so it stays on the recommended model"
    best = min(cells, key=lambda x: (-x.pass_rate, -x.pass_low, x.cost_per_request_usd is None,
                                     x.cost_per_request_usd or Decimal(0), order[x.model_key]))
    return best, "below_floor", (f"below the floor: no model's 95% lower bound meets the floor of {_pct(floor_f)}; "
                                 f"the best measured ({best.passes}/{best.n}, lower bound {_pct(best.pass_low)})")


def _fallback(cells: list[ModelCell], provider_key: str, tmap: Mapping[str, Target], order: Mapping[str, int]) -> ModelCell | None:
    """The cheapest model of another provider that meets the floor, else the best measured of another provider."""
    others = sorted((x for x in cells if tmap[x.model_key].provider_key != provider_key), key=lambda x: (
        not x.meets_floor, x.cost_per_request_usd is None,
        (x.cost_per_request_usd or Decimal(0)) if x.meets_floor else Decimal(0),
        -x.pass_rate, -x.pass_low, x.cost_per_request_usd or Decimal(0), order[x.model_key]))
    return others[0] if others else None


_MODE_NOTES = {
    "tag": "The calling code sends each request's category as a tag, so routing needs no classifier call.",
    "input_length": "The router measures each request's length, so routing needs no classifier call.",
    "task_type": "The calling code knows which task it runs, so routing needs no classifier call.",
}


def plan_routes(
    results: Sequence[CaseResult],
    cases: Sequence,  # advisor.eval.cases.Case
    rule: CategoryRule | None,
    targets: Sequence[Target],
    *,
    floor: Decimal,
    monthly_requests: int,
    avg_input_tokens: int,
    avg_output_tokens: int,
    recommended_key: str,
    shares: Mapping[str, Decimal] | None = None,
    task_types: Sequence[str] = (),
    main_task: str | None = None,
    classifier_key: str | None = None,
) -> RoutePlan:
    """The routing plan; raises :class:`RouteInputError` for shares that do not fit the categories."""
    tmap = {t.model_key: t for t in targets}
    if recommended_key not in tmap:
        raise RouteInputError(f"{recommended_key!r} is not one of the models measured", "recommended")
    if classifier_key is not None and classifier_key not in tmap:
        raise RouteInputError(f"{classifier_key!r} is not one of the models measured", "classifier")
    floor_f = float(floor)
    cat_of, counts, weight, shares_from = _weights(cases, rule, shares, task_types, main_task)
    names = list(counts)
    mode = routing_mode(cases, rule)
    # -- measurements per model and category
    measured: dict[tuple[str, str], list[bool]] = {}
    tokens: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for r in results:
        if r.model_key in tmap and r.case_id in cat_of:
            measured.setdefault((r.model_key, cat_of[r.case_id]), []).append(bool(r.passed))
            if r.ok and r.input_tokens is not None and r.output_tokens is not None:
                tokens.setdefault((r.model_key, cat_of[r.case_id]), []).append((r.input_tokens, r.output_tokens))
    notes: list[str] = []
    strangers = sorted({r.model_key for r in results if r.model_key not in tmap})
    if strangers:
        notes.append(f"Results for {', '.join(strangers)} are left out: no price or endpoint is known for them.")
    per_req = {k: _money(_request_cost(t, avg_input_tokens, avg_output_tokens)) for k, t in tmap.items()}
    order = {t.model_key: i for i, t in enumerate(targets)}

    def cell(key: str, cat: str) -> ModelCell | None:
        got = measured.get((key, cat))
        if not got:
            return None
        n, p = len(got), sum(got)
        low, high = wilson_interval(p, n)
        toks = tokens.get((key, cat), [])
        return ModelCell(model_key=key, label=tmap[key].label, n=n, passes=p, pass_rate=p / n, pass_low=low,
                         pass_high=high, cost_per_request_usd=per_req[key], meets_floor=low >= floor_f - 1e-12,
                         measured_input_tokens=sum(i for i, _ in toks) / len(toks) if toks else None,
                         measured_output_tokens=sum(o for _, o in toks) / len(toks) if toks else None)

    def cheap_first(c: ModelCell) -> tuple:
        cost = c.cost_per_request_usd
        return (not c.meets_floor, cost is None, cost or Decimal(0), -c.pass_low, order[c.model_key])

    rec = tmap[recommended_key]
    routes: list[CategoryRoute] = []
    for cat in names:
        cells = [x for x in (cell(t.model_key, cat) for t in targets) if x is not None]
        ranked = sorted(cells, key=cheap_first)
        n_cases = counts[cat]
        chosen, status, why = _choose(cells, ranked, n_cases, recommended_key, floor_f, order)
        key = chosen.model_key if chosen is not None else recommended_key
        fb = _fallback(cells, tmap[key].provider_key, tmap, order)
        routes.append(CategoryRoute(
            category=cat, share=weight[cat], n_cases=n_cases, model_key=key, label=tmap[key].label,
            status=status, why=why,
            pass_rate=chosen.pass_rate if chosen else None, pass_low=chosen.pass_low if chosen else None,
            pass_high=chosen.pass_high if chosen else None, cost_per_request_usd=per_req[key],
            fallback_key=fb.model_key if fb else None, fallback_label=fb.label if fb else None, cells=ranked,
        ))
    # -- classifier
    classifier = None
    if mode == "classifier" and len({r.model_key for r in routes}) > 1:
        cin, cout = avg_input_tokens + CLASSIFIER_PROMPT_TOKENS, CLASSIFIER_OUTPUT_TOKENS
        if classifier_key is not None:
            ct = tmap[classifier_key]
        else:
            priced = [t for t in targets if t.priced]
            ct = min(priced, key=lambda t: (t.cost(cin, cout), order[t.model_key])) if priced else rec
        ccost = _money(ct.cost(cin, cout))
        classifier = Classifier(
            model_key=ct.model_key, label=ct.label, input_tokens=cin, output_tokens=cout,
            cost_per_request_usd=ccost, monthly_cost_usd=None if ccost is None else (ccost * monthly_requests).quantize(_MONEY),
        )
        notes.append(
            f"The categories are written on the cases, so a router must classify each request first: "
            f"one call to {ct.label} ({cin:,} tokens in, {cout} out) at {format_usd(ccost)} a request is in the plan. "
            "Its accuracy is not measured here: try it on your cases before you rely on it."
        )
    elif mode in _MODE_NOTES:
        notes.append(_MODE_NOTES[mode])
    thin = [r.category for r in routes if r.status == "too_few_cases"]
    if thin:
        low5 = wilson_interval(MIN_CASES, MIN_CASES)[0]
        notes.append(
            f"Too few cases to decide ({', '.join(thin)}): a category needs at least {MIN_CASES} cases, because below "
            f"that one case moves its pass rate by more than {100 // MIN_CASES} points and even a perfect score's "
            f"95% lower bound is under {low5 * 100:.0f}%; those categories stay on the recommended model, {rec.label}."
        )
    below = [r.category for r in routes if r.status == "below_floor"]
    if below:
        notes.append(f"No model meets the floor of {_pct(floor_f)} on {', '.join(below)}: the plan uses the best measured there.")
    if shares_from == "cases":
        notes.append("Each category's share of traffic is its share of the test cases (the answers give no category_shares).")

    # -- scenarios
    def scenario(name: str, label: str, pick: Mapping[str, str], extra: Decimal | None = Decimal(0)) -> Scenario:
        cost: Decimal | None = Decimal(0)
        parts = []
        for r in routes:
            c = per_req[pick[r.category]]
            cost = None if cost is None or c is None else cost + r.share * c
            got = measured.get((pick[r.category], r.category), [])
            parts.append((r.share, sum(got), len(got)))
        if cost is not None and extra is not None:
            cost += extra
        elif extra is None:
            cost = None
        strat = _stratified(parts)
        rate, low, high = strat if strat else (None, None, None)
        monthly = None if cost is None else (cost * monthly_requests).quantize(_MONEY)
        return Scenario(
            name=name, label=label, monthly_cost_usd=monthly, cost_per_request_usd=None if cost is None else cost.quantize(_MONEY),
            pass_rate=rate, pass_low=low, pass_high=high, cost_per_success_usd=_per_success(cost, rate),
            meets_floor=low is not None and low >= floor_f - 1e-12,
        )

    extra = classifier.cost_per_request_usd if classifier else Decimal(0)
    plan = scenario("plan", "Routing plan", {r.category: r.model_key for r in routes}, extra)
    models = [scenario(t.model_key, t.label, {r.category: t.model_key for r in routes}) for t in targets]
    baselines: list[Scenario] = []

    def against(s: Scenario, kind: str) -> Scenario:
        saving = pct = None
        if s.monthly_cost_usd is not None and plan.monthly_cost_usd is not None:
            saving = s.monthly_cost_usd - plan.monthly_cost_usd
            if s.monthly_cost_usd:
                pct = (saving * 100 / s.monthly_cost_usd).quantize(Decimal("0.1"))
        return s.model_copy(update={"baseline": kind, "saving_usd": saving, "saving_pct": pct})

    by_key = {s.name: s for s in models}
    baselines.append(against(by_key[recommended_key], "recommended"))
    good = [s for s in models if s.meets_floor and s.monthly_cost_usd is not None]
    if good:
        cheapest = min(good, key=lambda s: (s.monthly_cost_usd, order[s.name]))
        baselines.append(against(cheapest, "cheapest_meeting_floor"))
    else:
        notes.append(f"No single model meets the floor of {_pct(floor_f)} on all the traffic, so there is no cheapest-that-meets-it baseline.")
    for b in baselines:
        if b.saving_usd is not None and b.saving_usd < 0 and b.baseline == "cheapest_meeting_floor":
            misses = [f"{r.category} (lower bound {_pct(c.pass_low)})" for r in routes for c in r.cells
                      if c.model_key == b.name and not c.meets_floor and r.status == "meets_floor"]
            notes.append(
                f"Everything on {b.label} costs less and meets the floor on all the traffic taken together, but not in "
                f"every category: {', '.join(misses) or 'see the table'}. The plan keeps the floor in each category.")
    if plan.pass_low is not None and plan.pass_low < floor_f and not below:
        notes.append(f"The plan's blended 95% lower bound ({_pct(plan.pass_low)}) is under the floor although each category's meets it: "
                     "more cases would narrow it.")
    return RoutePlan(
        floor=floor, monthly_requests=monthly_requests, avg_input_tokens=avg_input_tokens, avg_output_tokens=avg_output_tokens,
        shares_from=shares_from, mode=mode, recommended_key=recommended_key, categories=routes, classifier=classifier,
        plan=plan, models=models, baselines=baselines, notes=notes,
        prices=[PriceUsed(model_key=t.model_key, label=t.label, input_per_m=t.input_price_per_m,
                          output_per_m=t.output_price_per_m, cached_input_per_m=t.cached_input_price_per_m,
                          source=t.price_source, as_of=t.price_as_of) for t in targets],
    )


def price_text(p: PriceUsed) -> str:
    """The prices a cost rests on, with where they come from: "$0.5 in / $1.5 out per
    1M tokens (LiteLLM price map v1.110.2, as of 2026-10-17)"."""
    if p.input_per_m is None or p.output_per_m is None:
        return "price unknown"
    text = f"${p.input_per_m} in / ${p.output_per_m} out per 1M tokens"
    if p.cached_input_per_m is not None:
        text += f", cached input ${p.cached_input_per_m}"
    origin = [x for x in (p.source, f"as of {p.as_of.isoformat()}" if p.as_of else None) if x]
    return text + f" ({', '.join(origin) if origin else 'from the target file'})"


def plan_for_answers(
    results: Sequence[CaseResult],
    cases_file,  # advisor.eval.cases.CasesFile
    targets: Sequence[Target],
    answers: Mapping[str, object],
    *,
    task_types: Sequence[str] = (),
    floor: Decimal | None = None,
    recommended_key: str | None = None,
    classifier_key: str | None = None,
) -> tuple[RoutePlan, list[Target]]:
    """The plan for answers given as a mapping (the CLI's and the app's shared entry): the measured targets
    only, the floor from ``floor`` or the answers, the recommended model the first measured target unless given.
    Raises :class:`RouteInputError` naming the answer (or option) at fault."""
    keys = {r.model_key for r in results}
    measured = [t for t in targets if t.model_key in keys]
    if not measured:
        raise RouteInputError("the results have none of these models: "
                              + (", ".join(t.model_key for t in targets) or "none"), "results")
    chosen_floor = floor if floor is not None else answers.get("quality_floor")
    if chosen_floor is None:
        raise RouteInputError("a routing plan needs a quality floor: answer quality_floor", "quality_floor")
    shares = parse_shares(list(answers.get("category_shares") or ()))  # type: ignore[arg-type]
    plan = plan_routes(
        results, cases_file.cases, cases_file.categories, measured, floor=Decimal(str(chosen_floor)),
        monthly_requests=int(answers["monthly_requests"]),  # type: ignore[call-overload]
        avg_input_tokens=int(answers.get("avg_input_tokens") or 1000),  # type: ignore[call-overload]
        avg_output_tokens=int(answers.get("avg_output_tokens") or 300),  # type: ignore[call-overload]
        recommended_key=recommended_key or measured[0].model_key, shares=shares or None,
        task_types=task_types, main_task=answers.get("task_type"), classifier_key=classifier_key,  # type: ignore[arg-type]
    )
    return plan, measured
