"""Scores for the options that passed the filters.

Four parts, blended by what the answers stress:

- quality: evidence per capability dimension, weighted by the task. A
  dimension with no evidence counts as a prior below the middle (uncertainty,
  not an average), so a model with evidence outranks one without unless its
  evidence is poor;
- fit: the model's tier and traits against the task;
- cost and speed on ABSOLUTE scales (against the user's budget, else a fixed
  $/1M-token scale; a fixed latency scale), so a candidate's score never moves
  when an unrelated model joins or leaves. An unknown figure scores as a poor
  known one.

Cost at volume counts once: in the cost part, never also as a quality rating.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from advisor.core.costs import format_usd, self_host_floor_monthly
from advisor.core.knowledge import KnowledgeBase
from advisor.core.options import Option
from advisor.core.result import Score
from advisor.core.schema import DIMENSIONS, STRUCTURED_RANK, LogScale, ModelSpec, WeightRule
from advisor.core.tree import evaluate

#: dimensions the cost part already counts (never also as quality)
COUNTED_AS_COST = frozenset({"cost_at_volume"})


def high_floor(kb: KnowledgeBase, answers: Any) -> bool:
    return answers.quality_floor is not None and answers.quality_floor >= kb.scoring.unrated.high_floor_from


def _applies(kb: KnowledgeBase, answers: Any, rule: WeightRule) -> bool:
    if rule.when == "high_floor":
        return high_floor(kb, answers)
    return evaluate(rule.when, answers)


def dimension_weights(kb: KnowledgeBase, answers: Any) -> dict[str, int]:
    """Each dimension's weight: the task's (tasks.yaml), plus what the answers ask
    for (scoring.yaml dimension_bumps); cost at volume is counted by the cost part."""
    weights = dict(kb.tasks.default_weights)
    task = kb.task_by_id.get(answers.task_type)
    if task is not None:
        for dim, w in task.weights.items():
            weights[dim] = max(weights.get(dim, 0), w)
    bump: dict[str, Decimal] = {d: Decimal(0) for d in DIMENSIONS}
    for rule in kb.scoring.dimension_bumps:
        if _applies(kb, answers, rule):
            for dim, w in rule.add.items():
                bump[dim] += w
    return {d: (0 if d in COUNTED_AS_COST else int(weights.get(d, 0) + bump[d])) for d in DIMENSIONS}


def blend_weights(kb: KnowledgeBase, answers: Any) -> dict[str, float]:
    """How much quality, capability fit, cost and speed count, from the answers
    (scoring.yaml blend)."""
    blend = kb.scoring.blend
    w = {k: float(v) for k, v in blend.base.items()}
    for rule in blend.rules:
        if _applies(kb, answers, rule):
            for part, extra in rule.add.items():
                w[part] += float(extra)
    total = sum(w.values())
    return {k: round(v / total, 4) for k, v in w.items()}


_TIER_FIT = {
    "frontier": {"frontier": 1.0, "mid": 0.6, "small": 0.3},
    "mid": {"frontier": 0.9, "mid": 1.0, "small": 0.7},
    "small": {"frontier": 0.7, "mid": 0.9, "small": 1.0},
}


def generation_fit(kb: KnowledgeBase, model: ModelSpec, today: date) -> float:
    """How current the model is: the landscape moves, and of two models of one tier
    the newer is usually the better (knowledge/scoring.yaml generation)."""
    gen = kb.scoring.generation
    when = model.released or model.released_after
    if when is None:
        return float(gen.unknown)
    months = (today - when).days / 30.44
    for step in gen.steps:
        if months <= step.within_months:
            return float(step.fit)
    return float(gen.older)


def _fit(kb: KnowledgeBase, answers: Any, opt: Option, today: date) -> float:
    m = opt.model
    task = kb.task_by_id.get(answers.task_type)
    route = task.route_tier if task else "mid"
    if high_floor(kb, answers):
        route = "frontier"
    parts = [_TIER_FIT[route][m.tier]]
    if answers.output_format == "json":
        parts.append(STRUCTURED_RANK[opt.structured] / 2)
    if answers.output_format == "code" or answers.task_type == "code":
        parts.append(1.0 if "code" in m.tags else 0.5)
    elif "code" in m.tags and "generalist" not in m.tags:
        parts.append(0.4)  # a coding specialist on work that is not code
    if any(lang != "en" for lang in answers.languages):
        parts.append(1.0 if {"multilingual", "european_languages"} & set(m.tags) else 0.5)
    if answers.task_type == "reasoning":
        parts.append(1.0 if opt.mode is not None and opt.mode.thinks else 0.4)
    parts.append(generation_fit(kb, m, today))
    if opt.plan is not None:  # self-hosting: each GPU a replica needs is more to run
        parts.append(_ops_fit(opt.plan.gpus_per_replica, answers.gpu_ops_experience))
    return sum(parts) / len(parts)


def _ops_fit(gpus_per_replica: int, experience: str) -> float:
    """How well a self-hosted deployment suits the team: one GPU a replica is one box
    to run; a model split over several GPUs needs tensor parallelism and more care,
    which matters most to a team with no GPU-operations experience."""
    if gpus_per_replica <= 1:
        return 1.0
    penalty = {"none": 0.3, "some": 0.15, "strong": 0.05}[experience]
    return max(0.0, 1.0 - penalty * math.log2(gpus_per_replica))


def on_scale(value: float, scale: LogScale) -> float:
    """1.0 at the scale's best or better, 0.0 at its worst or worse, log-linear between."""
    best, worst = float(scale.best), float(scale.worst)
    if value <= 0:
        return 1.0
    t = math.log(value / best) / math.log(worst / best)
    return min(1.0, max(0.0, 1.0 - t))


def cost_score(kb: KnowledgeBase, answers: Any, opt: Option) -> tuple[float, str]:
    """(score, what it was measured against): the share of the user's budget, else
    the monthly spend at the user's volume on a fixed scale (what a difference in
    price is worth depends on how much money it is)."""
    sc = kb.scoring
    per, monthly = opt.cost_per_request, opt.monthly
    if per is None or monthly is None:
        score = float(sc.unknown_cost_score)
        if not opt.hosted:  # size unknown, but self-hosting costs at least one GPU and operations
            floor = self_host_floor_monthly(kb.hosting, answers.gpu_ops_experience)
            return min(score, on_scale(float(floor), sc.cost_per_month)), (
                f"size unknown: at least {format_usd(floor)} a month (one GPU and operations)"
            )
        return score, "price unknown (scored as a poor price)"
    shares = []
    if answers.budget_per_request_usd is not None:
        shares.append(float(per / answers.budget_per_request_usd))
    if answers.budget_per_month_usd is not None:
        shares.append(float(monthly / answers.budget_per_month_usd))
    if shares:
        share = max(shares)
        return on_scale(share, sc.cost_share_of_budget), f"{share:.1%} of your budget"
    return on_scale(float(monthly), sc.cost_per_month), f"{format_usd(monthly)} a month at your volume"


def speed_score(kb: KnowledgeBase, opt: Option) -> float:
    if opt.latency is None:
        return float(kb.scoring.unknown_speed_score)
    return on_scale(opt.latency, kb.scoring.latency_ms)


#: the kind :func:`rating_levels` gives a claim inherited from a predecessor
INHERITED = "lineage"


def rating_levels(kb: KnowledgeBase, model: ModelSpec, dim: str) -> list[tuple[str, str]]:
    """(level, kind) of each claim on ``model``'s ``dim`` (empty: unrated); a claim
    inherited from the model's predecessor has the kind ``"lineage"``.

    The user's own bake-off outranks public benchmarks, which sit beside the
    guides' capability matrix."""
    claims = kb.claims_for(model.id, dim)
    if claims:
        if claims[0].kind == "bake_off":
            return [(c.level, c.kind) for c in claims if c.kind == "bake_off"]
        return [(c.level, INHERITED if c.inherited_from else c.kind) for c in claims]
    level = model.ratings.level(dim)
    return [] if level == "unrated" else [(level, "matrix")]


def dimension_value(kb: KnowledgeBase, claims: list[tuple[str, str]], prior: float) -> tuple[float, float, float]:
    """(value, confidence, what the claims say) of a dimension from its claims: each claim pulls the
    prior toward its level by its kind's weight (an undated guide's matrix counts
    less than a dated benchmark or your own bake-off).

    Claims inherited from a predecessor say "no worse than": the value is their
    level (never below the prior), and they carry the lineage weight as confidence."""
    values = kb.scoring.level_values
    if claims and all(k == INHERITED for _, k in claims):
        mean = sum(float(values[lv]) for lv, _ in claims) / len(claims)
        return max(mean, prior), float(kb.scoring.lineage.weight), mean
    weights = kb.scoring.evidence_weight
    total_w = sum(float(weights[k]) for _, k in claims)
    # independent sources add up: confidence is what no source leaves unsaid, so a
    # second source never lowers it (a benchmark beside the guides' matrix stays 1.0)
    doubt = 1.0
    for _, k in claims:
        doubt *= 1.0 - min(1.0, float(weights[k]))
    confidence = 1.0 - doubt if claims else 0.0
    mean = sum(float(values[lv]) * float(weights[k]) for lv, k in claims) / total_w if total_w else prior
    return confidence * mean + (1 - confidence) * prior, confidence, mean


def unrated_value(kb: KnowledgeBase, answers: Any, model: ModelSpec, today: date) -> float:
    """What a dimension with no evidence counts as: the prior for the tier (or the
    high-floor prior), scaled by how current the model is."""
    prior = kb.scoring.unrated
    base = float(prior.high_floor) if high_floor(kb, answers) else float(prior.by_tier[model.tier])
    return base * generation_fit(kb, model, today)


def score_options(
    kb: KnowledgeBase, answers: Any, survivors: list[Option], members: set[str], today: date
) -> dict[str, Score]:
    dims = dimension_weights(kb, answers)
    blend = blend_weights(kb, answers)
    bonuses = kb.scoring.bonuses
    scores: dict[str, Score] = {}
    task = kb.task_by_id.get(answers.task_type)
    weight_sum = sum(dims.values()) or 1
    top_weight = max(dims.values(), default=0)
    proven_by_top = float(kb.scoring.proven_by_top_dimension)
    for o in survivors:
        rated, unrated = [], []
        q = 0.0
        evidence_weight = 0.0
        top_confidence = 0.0  # the model's own evidence on the dimension the task weighs most
        support_weight, top_support = 0.0, 0.0  # the same, counting what it inherits
        evidenced = 0.0  # the dimensions' values where there is evidence, weighted
        prior = unrated_value(kb, answers, o.model, today)
        for d in DIMENSIONS:
            if dims[d] == 0:
                continue
            claims = rating_levels(kb, o.model, d)
            if not claims:
                unrated.append(d)
                q += dims[d] * prior
            else:
                rated.append(d)
                value, confidence, said = dimension_value(kb, claims, prior)
                q += dims[d] * value
                support_weight += dims[d] * confidence
                if dims[d] == top_weight:
                    top_support = max(top_support, confidence)
                if all(k == INHERITED for _, k in claims):
                    continue  # a predecessor's figure may rank the model; it never proves it, nor marks it poor
                evidence_weight += dims[d] * confidence
                evidenced += dims[d] * confidence * said
                if dims[d] == top_weight:
                    top_confidence = max(top_confidence, confidence)
        quality = q / weight_sum
        fit = _fit(kb, answers, o, today)
        cost, cost_basis = cost_score(kb, answers, o)
        speed = speed_score(kb, o)
        bonus = float(bonuses.tree_outcome) if o.ref.key in members else 0.0
        if task is not None and o.model.id == task.first_choice:
            bonus += float(bonuses.first_choice)
        elif task is not None and o.model.id == task.fallback:
            bonus += float(bonuses.task_fallback)
        if o.provider and o.provider in answers.preferred_providers:
            bonus += float(bonuses.preferred_provider)
        total = blend["quality"] * quality + blend["fit"] * fit + blend["cost"] * cost + blend["speed"] * speed + bonus
        evidence = evidence_weight / weight_sum
        scores[o.ref.key] = Score(
            total=round(total, 4),
            quality=round(quality, 4),
            fit=round(fit, 4),
            cost=round(cost, 4),
            speed=round(speed, 4),
            tree_bonus=round(bonus, 4),
            weights=blend,
            rated=tuple(rated),
            unrated=tuple(unrated),
            evidence=round(evidence, 4),
            unproven=evidence < float(kb.scoring.unproven_below) and top_confidence < proven_by_top,
            supported=(support_weight / weight_sum >= float(kb.scoring.unproven_below)
                       or top_support >= float(kb.scoring.supported_by_top_dimension)),
            evidence_level=round(evidenced / evidence_weight, 4) if evidence_weight else None,
            cost_basis=cost_basis,
            unrated_counts_as=round(prior, 4),
        )
    return scores


def evidence_tier(kb: KnowledgeBase, answers: Any, score: Score) -> int:
    """Under a high quality floor: 0 for a model with evidence that is not poor
    (its own, or what it inherits from its predecessor: that may rank it), 1 for one
    with too little, 2 for one whose own evidence is poor. Otherwise 0 for all: the
    scores alone decide."""
    if not high_floor(kb, answers):
        return 0
    if not score.supported:
        return 1
    poor_below = float(kb.scoring.level_values[kb.scoring.high_floor_poor_below])
    return 2 if score.evidence_level is not None and score.evidence_level < poor_below else 0


def rank_key(kb: KnowledgeBase, answers: Any, o: Option, scores: dict[str, Score]) -> tuple:
    """Best first: verified before unverified; under a high floor, evidence that is
    not poor before none, none before poor; then the total, then evidence, then
    cheaper and faster; the option key last only for byte-stable output."""
    s = scores[o.ref.key]
    return (
        bool(o.unverified),
        evidence_tier(kb, answers, s),
        -s.total,
        -s.evidence,
        o.cost_per_request if o.cost_per_request is not None else Decimal("Infinity"),
        o.latency if o.latency is not None else math.inf,
        o.ref.key,
    )
