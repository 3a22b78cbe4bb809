"""Scores for the options that passed the filters: capability ratings weighted by
what the answers stress, fit, and cost and speed relative to the other survivors."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal
from typing import Any

from advisor.core.knowledge import KnowledgeBase
from advisor.core.options import Option
from advisor.core.result import Score
from advisor.core.schema import DIMENSIONS, RATING_MAX, RATING_VALUE, STRUCTURED_RANK

NEUTRAL = 0.5  # what an unrated dimension counts as (the middle of the rating scale)
TREE_BONUS = 0.15
FIRST_CHOICE_BONUS = 0.08  # the guides' first choice for the task type (tasks.yaml)
TASK_FALLBACK_BONUS = 0.04  # the guides' fallback for the task type
PREFERRED_BONUS = 0.03
LATENCY_CRITICAL_MS = 2000


def dimension_weights(kb: KnowledgeBase, answers: Any) -> dict[str, int]:
    weights = dict(kb.tasks.default_weights)
    task = kb.task_by_id.get(answers.task_type)
    if task is not None:
        for dim, w in task.weights.items():
            weights[dim] = max(weights.get(dim, 0), w)
    bump = {d: 0 for d in DIMENSIONS}
    if answers.output_format == "json":
        bump["structured_output"] += 2
    if answers.json_schema_required:
        bump["structured_output"] += 1
    if answers.tool_use:
        bump["agentic_tool_use"] += 3
    if answers.context_tokens > 32000:
        bump["long_context"] += 2
    if answers.fine_tuning:
        bump["fine_tunability"] += 3
    if answers.monthly_requests >= 1_000_000:
        bump["cost_at_volume"] += 2
    if answers.data_privacy != "standard":
        bump["self_hosting"] += 3
    if answers.quality_floor is not None and answers.quality_floor >= Decimal("0.9"):
        bump["instruction_following"] += 1
        bump["hallucination_calibration"] += 1
    return {d: weights.get(d, 0) + bump[d] for d in DIMENSIONS}


def blend_weights(answers: Any) -> dict[str, float]:
    """How much quality, capability fit, cost and speed count, from the answers."""
    w = {"quality": 0.40, "fit": 0.20, "cost": 0.25, "speed": 0.15}
    if answers.task_type in ("batch", "classification") or answers.monthly_requests >= 1_000_000:
        w["cost"] += 0.10
    if answers.budget_per_request_usd is not None or answers.budget_per_month_usd is not None:
        w["cost"] += 0.05
    if answers.latency_target_ms is not None and answers.latency_target_ms < LATENCY_CRITICAL_MS:
        w["speed"] += 0.15
    elif answers.user_facing:
        w["speed"] += 0.05
    if answers.quality_floor is not None and answers.quality_floor >= Decimal("0.9"):
        w["quality"] += 0.10
    if answers.task_type in ("reasoning", "agent", "code", "long_document"):
        w["quality"] += 0.10
    total = sum(w.values())
    return {k: round(v / total, 4) for k, v in w.items()}


_TIER_FIT = {
    "frontier": {"frontier": 1.0, "mid": 0.6, "small": 0.3},
    "mid": {"frontier": 0.9, "mid": 1.0, "small": 0.7},
    "small": {"frontier": 0.7, "mid": 0.9, "small": 1.0},
}


def _fit(kb: KnowledgeBase, answers: Any, opt: Option) -> float:
    m = opt.model
    task = kb.task_by_id.get(answers.task_type)
    route = task.route_tier if task else "mid"
    if answers.quality_floor is not None and answers.quality_floor >= Decimal("0.9"):
        route = "frontier"
    parts = [_TIER_FIT[route][m.tier]]
    if answers.output_format == "json":
        parts.append(STRUCTURED_RANK[opt.structured] / 2)
    if answers.output_format == "code" or answers.task_type == "code":
        parts.append(1.0 if "code" in m.tags else 0.5)
    if any(lang != "en" for lang in answers.languages):
        parts.append(1.0 if {"multilingual", "european_languages"} & set(m.tags) else 0.5)
    if answers.task_type == "reasoning":
        parts.append(1.0 if m.thinks else 0.4)
    return sum(parts) / len(parts)


def _relative(values: dict[str, float | None]) -> dict[str, float]:
    """Lower is better, on a log scale across the survivors (1 = best, 0 = worst).

    An unknown value counts as the median of the known ones: typical of the
    survivors, so it neither wins nor loses against them. (A fixed midpoint
    would rank every unknown above the slowest or dearest known option.)
    """
    known = [v for v in values.values() if v is not None and v > 0]
    if not known:
        return {k: NEUTRAL for k in values}
    lo, hi = min(known), max(known)
    out: dict[str, float] = {}
    for key, v in values.items():
        if v is None:
            continue
        if v <= 0 or hi == lo:
            out[key] = 1.0
        else:
            out[key] = 1.0 - math.log(v / lo) / math.log(hi / lo)
    typical = statistics.median(out.values())
    for key, v in values.items():
        if v is None:
            out[key] = typical
    return out


def _latency_ms(opt: Option, answers: Any) -> float | None:
    if opt.ttft is None:
        return None
    if answers.user_facing or opt.tps is None:
        return float(opt.ttft)
    return opt.ttft + answers.avg_output_tokens * 1000 / opt.tps


def score_options(kb: KnowledgeBase, answers: Any, survivors: list[Option], members: set[str]) -> dict[str, Score]:
    dims = dimension_weights(kb, answers)
    blend = blend_weights(answers)
    cost_rel = _relative({o.ref.key: (float(o.cost_per_request) if o.cost_per_request is not None else None) for o in survivors})
    speed_rel = _relative({o.ref.key: _latency_ms(o, answers) for o in survivors})
    scores: dict[str, Score] = {}
    task = kb.task_by_id.get(answers.task_type)
    weight_sum = sum(dims.values()) or 1
    for o in survivors:
        rated, unrated = [], []
        q = 0.0
        for d in DIMENSIONS:
            if dims[d] == 0:
                continue
            level = o.model.ratings.level(d)
            if level == "unrated":
                unrated.append(d)
                q += dims[d] * NEUTRAL
            else:
                rated.append(d)
                q += dims[d] * RATING_VALUE[level] / RATING_MAX
        quality = q / weight_sum
        fit = _fit(kb, answers, o)
        bonus = TREE_BONUS if o.ref.key in members else 0.0
        if task is not None and o.model.id == task.first_choice:
            bonus += FIRST_CHOICE_BONUS
        elif task is not None and o.model.id == task.fallback:
            bonus += TASK_FALLBACK_BONUS
        if o.provider and o.provider in answers.preferred_providers:
            bonus += PREFERRED_BONUS
        total = (
            blend["quality"] * quality
            + blend["fit"] * fit
            + blend["cost"] * cost_rel[o.ref.key]
            + blend["speed"] * speed_rel[o.ref.key]
            + bonus
        )
        scores[o.ref.key] = Score(
            total=round(total, 4),
            quality=round(quality, 4),
            fit=round(fit, 4),
            cost=round(cost_rel[o.ref.key], 4),
            speed=round(speed_rel[o.ref.key], 4),
            tree_bonus=round(bonus, 4),
            weights=blend,
            rated=tuple(rated),
            unrated=tuple(unrated),
        )
    return scores
