"""The decision engine: answers + knowledge -> an explained shortlist.

Pure and deterministic: no I/O, no clock (``today`` is an argument), no UI.

1. Options: every hosted endpoint of every model, plus self-hosting for each
   open-weights model.
2. Hard filters remove options; each removal names its rule and the numbers.
3. The decision tree is walked; every node visited is recorded with the
   answer that decided it. Its outcome is a set of models that fit.
4. Surviving options are scored: capability-matrix ratings weighted by what
   the answers stress (unrated dimensions count as neutral and are named),
   capability fit, cost and speed relative to the other survivors, and a
   bonus for being in the tree's outcome.
5. Two or three candidates get roles: recommended, a cheaper or faster
   alternative, a fallback from another provider when availability matters
   (else one more option worth considering), with reasons and costs.
6. Warnings: stale prices, self-hosting without GPU-ops experience, context
   past the practical limit, unpinned aliases, no quality floor.
"""

from __future__ import annotations

import math
import statistics
from functools import lru_cache

from datetime import date
from decimal import Decimal
from typing import Any

from advisor.core import costs as money
from advisor.core.knowledge import KnowledgeBase
from advisor.core.result import (
    BreakEven,
    Candidate,
    Costs,
    EliminatedModel,
    Elimination,
    OptionRef,
    Ranked,
    Score,
    SelfHostCost,
    Shortlist,
    TreeOutcome,
    TreeStep,
    Warning_,
)
from advisor.core.schema import (
    DIMENSION_LABELS,
    DIMENSIONS,
    RATING_MAX,
    RATING_VALUE,
    STRUCTURED_RANK,
    Condition,
    Endpoint,
    ModelSpec,

    Selector,
)

NEUTRAL = 0.5  # what an unrated dimension counts as (the middle of the rating scale)
TREE_BONUS = 0.15
FIRST_CHOICE_BONUS = 0.08  # the guides' first choice for the task type (tasks.yaml)
TASK_FALLBACK_BONUS = 0.04  # the guides' fallback for the task type
PREFERRED_BONUS = 0.03
LATENCY_CRITICAL_MS = 2000
REASONING_MIN_LATENCY_MS = 30000  # o1/o3-class models take 2-30 s before the first token


# --------------------------------------------------------------------------- options

class Option:
    """One way to run a model, with the facts the filters and scores read
    resolved once (endpoint overrides over model defaults)."""

    __slots__ = (
        "model", "endpoint", "ref", "per_request", "monthly", "plan", "eliminations",
        "hosted", "price", "provider", "context_window", "structured", "ttft", "tps", "cost_per_request",
    )

    def __init__(self, facts: tuple) -> None:
        # facts: everything that depends on the knowledge only, from option_refs()
        (self.model, self.endpoint, self.ref, self.hosted, self.price, self.provider,
         self.context_window, self.structured, self.ttft, self.tps) = facts
        self.monthly: Decimal | None = None
        self.plan: money.SelfHostPlan | None = None
        self.eliminations: list[Elimination] = []
        self.per_request: money.RequestCost | None = None
        self.cost_per_request: Decimal | None = None

    @staticmethod
    def facts(model: ModelSpec, endpoint: Endpoint | None, ref: OptionRef) -> tuple:
        """Endpoint overrides resolved over model defaults, once per knowledge base."""
        ttft = (endpoint.ttft_ms if endpoint else None) or model.ttft_ms
        tps = (endpoint.tokens_per_s if endpoint else None) or model.tokens_per_s
        return (
            model,
            endpoint,  # None: self-hosted
            ref,
            endpoint is not None,
            endpoint.price if endpoint else None,
            endpoint.provider if endpoint else None,
            (endpoint.context_window if endpoint else None) or model.context_window,
            # self-hosted: guided decoding (vLLM, llama.cpp grammars) enforces a schema on your own server
            (endpoint.structured_output or model.structured_output) if endpoint else "schema",
            ttft.value if ttft else None,
            tps.value if tps else None,
        )

    def set_cost(self, per_request: money.RequestCost | None) -> None:
        self.per_request = per_request
        self.cost_per_request: Decimal | None = per_request.total if per_request is not None else None


def sorted_models(kb: KnowledgeBase) -> tuple[ModelSpec, ...]:
    cached = kb.__dict__.get("_sorted_models")
    if cached is None:
        cached = kb.__dict__["_sorted_models"] = tuple(sorted(kb.models, key=lambda m: m.id))
    return cached


def option_refs(kb: KnowledgeBase) -> tuple[tuple, ...]:
    """Every way to run every model, in a stable order. Depends on the knowledge
    only, so it is computed once per knowledge base."""
    cached = kb.__dict__.get("_option_refs")
    if cached is not None:
        return cached
    out: list[tuple] = []
    for model in sorted_models(kb):
        for ep in sorted(model.endpoints, key=lambda e: (e.provider, e.model_id)):
            # built from validated knowledge, so construct without re-validating
            ref = OptionRef.trusted(
                key=f"{model.id}@{ep.provider}",
                model_id=model.id,
                model_name=model.name,
                deployment="hosted",
                provider=ep.provider,
                provider_name=kb.providers[ep.provider].name,
                api_model_id=ep.model_id,
            )
            out.append(Option.facts(model, ep, ref))
        if model.open_weights:
            ref = OptionRef.trusted(
                key=f"{model.id}@self-host",
                model_id=model.id,
                model_name=model.name,
                deployment="self_host",
                provider=None,
                provider_name=None,
                api_model_id=None,
            )
            out.append(Option.facts(model, None, ref))
    result = tuple(out)
    kb.__dict__["_option_refs"] = result  # KnowledgeBase is frozen; this is a cache
    return result


def _options(kb: KnowledgeBase, answers: Any) -> list[Option]:
    tokens = answers.avg_input_tokens + answers.avg_output_tokens
    n_in, n_out, volume = answers.avg_input_tokens, answers.avg_output_tokens, answers.monthly_requests
    share_in = Decimal(n_in) / tokens
    # a self-hosting plan depends on the model only through its size and memory
    plans: dict[tuple[Any, Any], tuple[money.SelfHostPlan | None, money.RequestCost | None]] = {}
    out: list[Option] = []
    for facts in option_refs(kb):
        opt = Option(facts)
        model, ep = opt.model, opt.endpoint
        if ep is not None:
            opt.set_cost(money.request_cost(ep.price, n_in, n_out))
            opt.monthly = money.per_month(opt.cost_per_request, volume)
        else:
            key = (model.params_b, model.vram_4bit_gb)
            if key not in plans:
                plan = money.self_host_plan(model, kb.hosting, volume, tokens, answers.gpu_ops_experience)
                cost = None
                if plan is not None:
                    per = plan.total_monthly / volume
                    cost = money.RequestCost(input=per * share_in, output=per - per * share_in)
                plans[key] = (plan, cost)
            opt.plan, cost = plans[key]
            if opt.plan is not None:
                opt.monthly = opt.plan.total_monthly
                opt.set_cost(cost)
        out.append(opt)
    return out


# --------------------------------------------------------------------------- hard filters

@lru_cache(maxsize=8192)  # the same budgets and volumes recur in thousands of messages
def _usd(value: Decimal | None) -> str:
    return money.format_usd(value)


@lru_cache(maxsize=8192)
def _int(n: int | Decimal) -> str:
    return f"{int(n):,}"


def _filters(kb: KnowledgeBase, answers: Any, opt: Option, today: date) -> list[tuple[str, str]]:
    """Every rule ``opt`` breaks, as (rule id, message with the numbers)."""
    out: list[tuple[str, str]] = []
    m = opt.model
    deprecated = (opt.endpoint.deprecated if opt.endpoint else None) or m.deprecated
    if deprecated is not None and deprecated <= today and opt.hosted:
        if opt.endpoint is not None and opt.endpoint.deprecated and not opt.endpoint.deprecated_date_known:
            out.append(("deprecated", f"marked deprecated in a catalogue of {deprecated.isoformat()} (no retirement date given)"))
        else:
            out.append(("deprecated", f"deprecated since {deprecated.isoformat()}"))
    if opt.hosted and opt.provider in answers.excluded_providers:
        out.append(("excluded_provider", f"provider '{opt.provider}' is in excluded_providers"))
    if opt.hosted and answers.data_privacy in ("strict", "air_gapped"):
        out.append(
            (
                "data_privacy",
                f"a hosted API sends data to {opt.ref.provider_name}; data_privacy = {answers.data_privacy} keeps it on your infrastructure",
            )
        )
    if opt.hosted and answers.compliance:
        prov = kb.providers[opt.provider]  # type: ignore[index]
        flags = {"gdpr_eu_residency": "eu_residency", "hipaa": "hipaa_baa", "soc2": "soc2"}
        for need in answers.compliance:
            have = getattr(prov.compliance, flags[need])
            if have is not True:
                state = "does not offer" if have is False else "is not documented (in knowledge) as offering"
                out.append(("compliance", f"{prov.name} {state} {need}"))
    needed = answers.context_tokens + answers.avg_output_tokens
    if opt.context_window < needed:
        out.append(
            (
                "context_window",
                f"context window {_int(opt.context_window)} < {_int(needed)} needed "
                f"({_int(answers.context_tokens)} context + {_int(answers.avg_output_tokens)} output)",
            )
        )
    if answers.json_schema_required and opt.structured != "schema":
        out.append(("json_schema", f"structured output is '{opt.structured}', not API-enforced schema"))
    if answers.tool_use and not m.tool_calling:
        out.append(("tool_calling", "no tool calling"))
    if answers.vision_input and not m.vision:
        out.append(("vision", "no image input"))
    if answers.fine_tuning and not (m.fine_tuning or m.open_weights):
        out.append(("fine_tuning", "cannot be fine-tuned"))
    target = answers.latency_target_ms
    if m.reasoning and (answers.user_facing or (target is not None and target < REASONING_MIN_LATENCY_MS)):
        why = "a person waits on the reply" if answers.user_facing else f"target {_int(target)} ms"
        out.append(
            (
                "reasoning_latency",
                f"a reasoning model thinks for seconds to minutes before its first token; {why}",
            )
        )
    if target is not None and opt.ttft is not None:
        if answers.user_facing:
            if opt.ttft > target:
                out.append(("latency", f"typical time to first token {_int(opt.ttft)} ms > target {_int(target)} ms"))
        elif opt.tps is not None:
            total = opt.ttft + math.ceil(answers.avg_output_tokens * 1000 / opt.tps)
            if total > target:
                out.append(
                    (
                        "latency",
                        f"typical response time {_int(total)} ms (TTFT {_int(opt.ttft)} ms + "
                        f"{_int(answers.avg_output_tokens)} tokens at {opt.tps} tok/s) > target {_int(target)} ms",
                    )
                )
        elif opt.ttft > target:  # output speed unknown, but the first token alone is already late
            out.append(("latency", f"typical time to first token {_int(opt.ttft)} ms alone > target {_int(target)} ms"))
    per = opt.cost_per_request
    if answers.budget_per_request_usd is not None and per is not None and per > answers.budget_per_request_usd:
        out.append(
            ("budget_per_request", f"{_usd(per)} a request > budget {_usd(answers.budget_per_request_usd)}")
        )
    if answers.budget_per_month_usd is not None and opt.monthly is not None and opt.monthly > answers.budget_per_month_usd:
        out.append(
            (
                "budget_per_month",
                f"{_usd(opt.monthly)} a month at {_int(answers.monthly_requests)} requests > budget {_usd(answers.budget_per_month_usd)}",
            )
        )
    return out


# --------------------------------------------------------------------------- the tree

def _answer_text(answers: Any, name: str) -> str:
    value = getattr(answers, name)
    if value is None:
        return f"{name} not given"
    if isinstance(value, tuple):
        value = ", ".join(map(str, value)) or "none"
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    return f"{name} = {value}"


def evaluate(cond: Condition, answers: Any) -> bool:
    if cond.all is not None:
        return all(evaluate(c, answers) for c in cond.all)
    if cond.any is not None:
        return any(evaluate(c, answers) for c in cond.any)
    if cond.not_ is not None:
        return not evaluate(cond.not_, answers)
    value = getattr(answers, cond.answer or "")
    if cond.eq is not None:
        return value == cond.eq
    if cond.in_ is not None:
        return value in cond.in_
    if cond.contains is not None:
        return isinstance(value, tuple) and cond.contains in value
    if value is None:
        return False
    number = Decimal(value) if not isinstance(value, Decimal) else value
    if cond.gt is not None:
        return number > cond.gt
    if cond.ge is not None:
        return number >= cond.ge
    if cond.lt is not None:
        return number < cond.lt
    return number <= cond.le  # type: ignore[operator]


def walk_tree(kb: KnowledgeBase, answers: Any) -> tuple[list[TreeStep], Any]:
    steps: list[TreeStep] = []
    node = kb.node_by_id[kb.tree.root]
    while not node.is_outcome:
        yes = evaluate(node.when, answers)  # type: ignore[arg-type]
        used = sorted(node.when.answers_used())  # type: ignore[union-attr]
        steps.append(
            TreeStep(
                node=node.id,
                question=node.question or node.id,
                answer="; ".join(_answer_text(answers, u) for u in used),
                decision="yes" if yes else "no",
                rationale=node.rationale,
            )
        )
        node = kb.node_by_id[node.if_yes if yes else node.if_no]  # type: ignore[index]
    return steps, node


def _matches(sel: Selector, opt: Option) -> bool:
    m = opt.model
    if sel.deployment == "hosted" and not opt.hosted:
        return False
    if sel.deployment == "self_host" and opt.hosted:
        return False
    if m.id in sel.models or m.family in sel.families:
        return True
    if not sel.has_criteria():
        return False
    if sel.tiers and m.tier not in sel.tiers:
        return False
    if sel.open_weights is not None and m.open_weights != sel.open_weights:
        return False
    if sel.reasoning is not None and m.reasoning != sel.reasoning:
        return False
    if sel.tags_any and not set(sel.tags_any) & set(m.tags):
        return False
    if sel.min_context is not None and opt.context_window < sel.min_context:
        return False
    if sel.max_ttft_ms is not None and (opt.ttft is None or opt.ttft > sel.max_ttft_ms):
        return False
    if sel.max_cost_per_request is not None and (
        opt.cost_per_request is None or opt.cost_per_request > sel.max_cost_per_request
    ):
        return False
    return True


# --------------------------------------------------------------------------- scoring

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
        parts.append(1.0 if m.reasoning else 0.4)
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


def _score_all(kb: KnowledgeBase, answers: Any, survivors: list[Option], members: set[str]) -> dict[str, Score]:
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


# --------------------------------------------------------------------------- assembling

def _costs(kb: KnowledgeBase, answers: Any, opt: Option, break_even: BreakEven | None) -> Costs:
    price = opt.price
    sh = None
    if opt.plan is not None:
        p = opt.plan
        sh = SelfHostCost(
            gpu=p.gpu.name,
            gpus=p.gpus,
            replicas=p.replicas,
            gpus_per_replica=p.gpus_per_replica,
            gpu_monthly=p.gpu_monthly,
            ops_monthly=p.ops_monthly,
            total_monthly=p.total_monthly,
            per_request=p.total_monthly / answers.monthly_requests,
            assumptions=(
                f"{p.size_class.tokens_per_s:,} tok/s per replica ({p.size_class.source})",
                f"{kb.hosting.utilisation:%} utilisation, {kb.hosting.hours_per_month} h a month",
                f"{p.gpu.name} at ${p.gpu.hourly_usd}/h ({p.gpu.source})",
                f"operations: {kb.hosting.ops_overhead.fte[answers.gpu_ops_experience]} of an engineer "
                f"at ${kb.hosting.ops_overhead.engineer_monthly_usd:,}/month (gpu_ops_experience = {answers.gpu_ops_experience})",
            ),
        )
    per = opt.cost_per_request
    return Costs(
        input_tokens=answers.avg_input_tokens,
        output_tokens=answers.avg_output_tokens,
        per_request=per,
        input_per_request=opt.per_request.input if opt.per_request else None,
        output_per_request=opt.per_request.output if opt.per_request else None,
        per_month=opt.monthly,
        per_year=money.per_year(opt.monthly),
        price_input_per_m=price.input if price else None,
        price_output_per_m=price.output if price else None,
        price_as_of=price.as_of if price else None,
        price_source=price.source if price else None,
        self_host=sh,
        break_even=break_even,
        per_success_at_floor=(
            money.cost_per_success(per, answers.quality_floor) if answers.quality_floor is not None else None
        ),
        quality_floor=answers.quality_floor,
    )


def _break_even_for(kb: KnowledgeBase, answers: Any, opt: Option, options: list[Option]) -> BreakEven | None:
    """For an open-weights model: self-hosting it vs its cheapest known hosted price
    (a hosted option that passed the filters if there is one, else any, e.g. under
    strict privacy, to show what self-hosting costs against the market)."""
    if not opt.model.open_weights:
        return None
    hosted = [o for o in options if o.model.id == opt.model.id and o.hosted and o.cost_per_request is not None]
    if not hosted:
        return None
    api = min(hosted, key=lambda o: (bool(o.eliminations), o.cost_per_request, o.ref.key))
    return make_break_even(kb, answers, opt.model, api)


def make_break_even(kb: KnowledgeBase, answers: Any, model: ModelSpec, api: Option) -> BreakEven | None:
    tokens = answers.avg_input_tokens + answers.avg_output_tokens
    c = api.cost_per_request
    if c is None:
        return None
    volume = money.break_even_requests(c, model, kb.hosting, tokens, answers.gpu_ops_experience)
    if money.size_class_for(model, kb.hosting) is None:
        return None
    if volume is None:
        note = (
            f"self-hosting {model.name} never costs less than {api.ref.label} at {_usd(c)} a request: "
            "a busy GPU serves fewer requests per dollar than the API"
        )
    else:
        # compare at the user's own volume: past a replica step self-hosting can be
        # dearer again even above the first break-even volume
        own = money.self_host_monthly_at(model, kb.hosting, answers.monthly_requests, tokens, answers.gpu_ops_experience)
        side = "cheaper" if own is not None and own <= c * answers.monthly_requests else "dearer"
        note = (
            f"self-hosting {model.name} matches {api.ref.label} at {_int(volume)} requests a month; "
            f"at your {_int(answers.monthly_requests)} it is {side}"
        )
    return BreakEven(
        self_hosted=model.id,
        self_hosted_name=model.name,
        api=api.ref.key,
        api_label=api.ref.label,
        api_per_request=c,
        monthly_requests=volume,
        note=note,
    )


def _reasons(kb: KnowledgeBase, answers: Any, opt: Option, score: Score, role: str, rec: Option | None, in_tree: bool, outcome_label: str) -> list[str]:
    out: list[str] = []
    m = opt.model
    if in_tree:
        out.append(f"fits the decision tree's outcome: {outcome_label}")
    task = kb.task_by_id.get(answers.task_type)
    if task and m.id == task.first_choice:
        out.append(f"the guides' first choice for {task.label.lower()}: {task.why}")
    elif task and m.id == task.fallback:
        out.append(f"the guides' fallback for {task.label.lower()}")
    strong = [DIMENSION_LABELS[d] for d in score.rated if RATING_VALUE[m.ratings.level(d)] >= 4]
    if strong:
        out.append("rated excellent or better on: " + ", ".join(strong))
    if score.unrated:
        out.append(
            "no source rates it on "
            + ", ".join(DIMENSION_LABELS[d] for d in score.unrated)
            + " (counted as neutral, neither for nor against)"
        )
    if answers.json_schema_required or answers.output_format == "json":
        out.append(f"structured output: {opt.structured}" + (" (guided decoding on your server)" if not opt.hosted else ""))
    if opt.cost_per_request is not None:
        out.append(f"{_usd(opt.cost_per_request)} a request, {_usd(opt.monthly)} a month at your volume")
    else:
        out.append("price unknown: counted as typical of the other options, neither for nor against; check it before committing")
    if opt.ttft is not None:
        out.append(f"typical time to first token {_int(opt.ttft)} ms" + (f", {opt.tps} tok/s" if opt.tps else ""))
    if rec is not None and role == "alternative":
        if opt.cost_per_request is not None and rec.cost_per_request is not None and opt.cost_per_request < rec.cost_per_request:
            if opt.cost_per_request == 0:
                out.append(f"listed at $0 (a free tier?) against {_usd(rec.cost_per_request)} for {rec.model.name}")
            else:
                ratio = rec.cost_per_request / opt.cost_per_request
                out.append(f"{ratio:.1f}x cheaper per request than {rec.model.name}")
        if opt.ttft is not None and rec.ttft is not None and opt.ttft < rec.ttft:
            out.append(f"faster first token than {rec.model.name} ({_int(opt.ttft)} vs {_int(rec.ttft)} ms)")
    if role == "fallback" and rec is not None:
        out.append(f"served by {opt.ref.where}, not {rec.ref.where}: an outage of one leaves the other")
    if not opt.hosted:
        out.append("open weights on your own GPUs: data never leaves your infrastructure")
    return out


def _pick_roles(answers: Any, ranked: list[Option], members: set[str]) -> list[tuple[str, Option]]:
    if not ranked:
        return []
    in_tree = [o for o in ranked if o.ref.key in members]
    rec = in_tree[0] if in_tree else ranked[0]
    chosen: list[tuple[str, Option]] = [("recommended", rec)]
    used_models = {rec.model.id}

    def cheaper_or_faster(o: Option) -> bool:
        cheaper = (
            o.cost_per_request is not None
            and rec.cost_per_request is not None
            and o.cost_per_request < rec.cost_per_request
        )
        faster = o.ttft is not None and rec.ttft is not None and o.ttft < rec.ttft
        return cheaper or faster

    # prefer the tree's outcome for every role, then any survivor
    pool = in_tree + [o for o in ranked if o.ref.key not in members]
    alt = next((o for o in pool if o.model.id not in used_models and cheaper_or_faster(o)), None)
    if alt is not None:
        chosen.append(("alternative", alt))
        used_models.add(alt.model.id)
    if answers.availability == "high":
        where = rec.provider or "self-host"
        fb = next(
            (
                o
                for o in pool
                if (o.provider or "self-host") != where and o.ref.key not in {c.ref.key for _, c in chosen}
            ),
            None,
        )
        if fb is not None:
            chosen.append(("fallback", fb))
            used_models.add(fb.model.id)
    while len(chosen) < 3:  # two or three candidates, as many as survive
        extra = next((o for o in pool if o.model.id not in used_models), None)
        if extra is None:
            break
        chosen.append(("also_consider", extra))
        used_models.add(extra.model.id)
    return chosen


def _age_days(as_of: date, today: date) -> int:
    return (today - as_of).days


def _candidate_warnings(kb: KnowledgeBase, answers: Any, opt: Option, today: date) -> list[Warning_]:
    """What to check before committing to one shortlisted option."""
    warnings: list[Warning_] = []
    max_age = kb.hosting.price_max_age_days

    def add(code: str, message: str) -> None:
        warnings.append(Warning_(code=code, model_id=opt.model.id, message=message))

    if opt.price is not None and _age_days(opt.price.as_of, today) > max_age:
        add("stale_price", f"{opt.ref.label}: price is {_age_days(opt.price.as_of, today)} days old "
            f"(as of {opt.price.as_of.isoformat()}, {opt.price.source}); check the provider's page")
    if opt.price is not None and opt.price.input == 0 and opt.price.output == 0:
        add("zero_price", f"{opt.ref.label}: listed at $0 ({opt.price.source}); usually a free tier, a subscription "
            "or a placeholder with rate limits; check the production price")
    if answers.latency_target_ms is not None and opt.ttft is None:
        add("latency_unknown", f"{opt.ref.label}: no typical latency is known, so the {answers.latency_target_ms:,} ms "
            "target was not checked; measure it in the bake-off")
    if opt.price is not None and not opt.price.known:
        add("unknown_price", f"{opt.ref.label}: price unknown")
    if opt.price is not None and opt.price.conflicts:
        others = "; ".join(
            f"{c.source}: in {_usd(c.input)} / out {_usd(c.output)} per 1M" for c in opt.price.conflicts
        )
        add("price_conflict", f"{opt.ref.label}: sources disagree on the price ({others})")
    if not opt.hosted and answers.gpu_ops_experience == "none":
        add("self_host_without_gpu_ops", f"{opt.ref.label}: self-hosting with no GPU-operations experience is a risk; "
            "budget for hiring or a managed host of the same weights")
    if not opt.hosted and opt.plan is None:
        add("self_host_unsized", f"{opt.ref.label}: parameter count unknown, GPUs not sized")
    limit = kb.hosting.practical_context.models.get(opt.model.id) or (
        kb.hosting.practical_context.default_open_weights
        if opt.model.open_weights
        else kb.hosting.practical_context.default_hosted
    )
    if answers.context_tokens > limit:
        add("beyond_practical_context", f"{opt.ref.label}: {_int(answers.context_tokens)} tokens of context is past its practical limit "
            f"of about {_int(limit)}; retrieval (RAG) usually answers better than a stuffed context")
    if opt.endpoint is not None and not opt.endpoint.pinned:
        add("unpinned_alias", f"{opt.ref.label}: '{opt.endpoint.model_id}' is an alias the provider can move; pin a dated version in production")
    return warnings


def shortlist(answers: Any, kb: KnowledgeBase, today: date) -> Shortlist:
    """The explained shortlist for ``answers``. Deterministic for the same inputs."""
    options = _options(kb, answers)
    survivors: list[Option] = []
    dropped: list[Elimination] = []
    by_model: dict[str, list[Elimination]] = {}  # options come grouped by model, in id order
    surviving_models: set[str] = set()
    trusted = Elimination.trusted
    for opt in options:
        model_id = opt.model.id
        reasons = by_model.setdefault(model_id, [])
        broken = _filters(kb, answers, opt, today)
        if broken:
            ref = opt.ref
            opt.eliminations = [trusted(option=ref, rule=rule, message=message) for rule, message in broken]
            dropped.extend(opt.eliminations)
            reasons.extend(opt.eliminations)
        else:
            survivors.append(opt)
            surviving_models.add(model_id)
    eliminated: list[EliminatedModel] = [
        EliminatedModel.trusted(model_id=model.id, model_name=model.name, reasons=tuple(by_model.get(model.id, ())))
        for model in sorted_models(kb)
        if model.id not in surviving_models
    ]

    steps, leaf = walk_tree(kb, answers)
    sel = leaf.candidates
    member_opts = [o for o in options if _matches(sel, o)]
    members = {o.ref.key for o in member_opts if not o.eliminations}
    outcome = TreeOutcome(
        node=leaf.id,
        label=leaf.label or leaf.id,
        rationale=leaf.rationale,
        members=tuple(sorted({o.model.id for o in member_opts})),
        surviving=tuple(sorted({o.model.id for o in member_opts if not o.eliminations})),
    )

    scores = _score_all(kb, answers, survivors, members)
    ranked = sorted(survivors, key=lambda o: (-scores[o.ref.key].total, o.ref.key))
    roles = _pick_roles(answers, ranked, members)
    rec = roles[0][1] if roles else None

    warnings: list[Warning_] = []
    candidates: list[Candidate] = []
    for role, opt in roles:
        be = _break_even_for(kb, answers, opt, options)
        score = scores[opt.ref.key]
        candidates.append(
            Candidate(
                role=role,  # type: ignore[arg-type]
                option=opt.ref,
                score=score,
                reasons=tuple(_reasons(kb, answers, opt, score, role, rec, opt.ref.key in members, outcome.label)),
                costs=_costs(kb, answers, opt, be),
                ratings={d: opt.model.ratings.level(d) for d in DIMENSIONS},
                context_window=opt.context_window,
                ttft_ms=opt.ttft,
                tokens_per_s=opt.tps,
                open_weights=opt.model.open_weights,
                license=opt.model.license,
                structured_output=opt.structured,
                in_tree_outcome=opt.ref.key in members,
            )
        )
        warnings.extend(_candidate_warnings(kb, answers, opt, today))
    if answers.quality_floor is None:
        warnings.append(
            Warning_(
                code="no_quality_floor",
                message="no quality floor given: define the pass rate you need, then run a bake-off "
                "(`advisor eval`) on your own cases before committing",
            )
        )
    if not survivors:
        warnings.append(Warning_(code="no_survivors", message="no model passes every hard filter; relax a constraint (see the eliminated models)"))
    elif not members:
        warnings.append(
            Warning_(
                code="tree_outcome_empty",
                message=f"no model from the tree's outcome ({outcome.label}) passed the filters; ranked the survivors instead",
            )
        )
    if answers.availability == "high" and rec is not None and not any(r == "fallback" for r, _ in roles):
        warnings.append(Warning_(code="no_fallback", message="availability is high but no option from a different provider survived"))
    for name in ("preferred_providers", "excluded_providers"):
        for pid in getattr(answers, name):
            if pid not in kb.providers:
                warnings.append(
                    Warning_(code="unknown_provider", message=f"{name}: '{pid}' is not a known provider ({', '.join(sorted(kb.providers))})")
                )

    overall_be = None
    if rec is not None and rec.hosted:
        best_open = next((o for o in ranked if not o.hosted and o.plan is not None), None)
        if best_open is not None:
            overall_be = make_break_even(kb, answers, best_open.model, rec)

    answers_dict = {k: (list(v) if isinstance(v, tuple) else v) for k, v in answers.model_dump().items()}
    return Shortlist(
        today=today,
        answers=answers_dict,
        candidates=tuple(candidates),
        tree_path=tuple(steps),
        outcome=outcome,
        eliminated=tuple(eliminated),
        eliminated_options=tuple(dropped),
        ranking=tuple(
            Ranked(option=o.ref, total=scores[o.ref.key].total, per_request=o.cost_per_request, per_month=o.monthly)
            for o in ranked[:15]
        ),
        warnings=tuple(warnings),
        models_considered=len(kb.models),
        options_considered=len(options),
        options_surviving=len(survivors),
        break_even=overall_be,
        knowledge_sources=kb.sources,
    )
