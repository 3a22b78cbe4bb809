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

Steps 1-4 live in ``options``, ``filters``, ``tree`` and ``scoring``; this
module assembles them and gives the roles, reasons, costs and warnings.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from advisor.core import costs as money
from advisor.core.costs import format_count as _int
from advisor.core.costs import format_usd as _usd
from advisor.core.filters import hard_filters
from advisor.core.knowledge import KnowledgeBase
from advisor.core.options import Option, options_for, sorted_models
from advisor.core.result import (
    BreakEven,
    Candidate,
    Costs,
    EliminatedModel,
    Elimination,
    Ranked,
    Score,
    SelfHostCost,
    Shortlist,
    TreeOutcome,
    Warning_,
    WhyNot,
)
from advisor.core.schema import DIMENSION_LABELS, DIMENSIONS, EFFORT_ORDER, RATING_VALUE, ModelSpec
from advisor.core.evidence import model_evidence
from advisor.core.scoring import INHERITED, evidence_tier, rank_key, rating_levels, score_options
from advisor.core.tree import in_outcome, walk_tree


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


def _mean_level(claims: list[tuple[str, str]]) -> float:
    """The average rating value of what the sources say (0 when none do)."""
    return sum(RATING_VALUE[lv] for lv, _ in claims) / len(claims) if claims else 0.0


_THINKING_SETTING = re.compile(r"reasoning effort: (low|medium|high|xhigh|max)|thinking(?! off)", re.I)


def _measured_thinking(kb: KnowledgeBase, model: Any, dims: list[str]) -> list[str]:
    """The dimensions whose every benchmark claim on ``model`` (its own or its
    predecessor's) was measured with thinking on, with the settings."""
    out = []
    for d in dims:
        claims = [c for c in kb.claims_for(model.id, d) if c.kind == "benchmark"]
        if claims and all(c.setting and _THINKING_SETTING.search(c.setting) for c in claims):
            found = {m.group(1) for c in claims if (m := _THINKING_SETTING.search(c.setting or "")) and m.group(1)}
            how = ("reasoning effort " + ", ".join(e for e in EFFORT_ORDER if e in found)) if found else "thinking"
            out.append(f"{DIMENSION_LABELS[d]} ({how})")
    return out


def _default_note(reasoning: Any, hosted: bool) -> str:
    whose = "the API's default" if hosted else "the default of its chat template"
    if reasoning.default_assumed:
        return f" (assumed to be {whose}: no source we have states it; the bake-off sends it)"
    return f" ({whose})"


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
    strong = [
        DIMENSION_LABELS[d] + (" (of its predecessor, assumed no worse)" if all(k == INHERITED for _, k in claims) else "")
        for d in score.rated
        if _mean_level(claims := rating_levels(kb, m, d)) >= 4
    ]
    if strong:
        out.append("rated excellent or better on: " + ", ".join(strong))
    if score.unrated:
        out.append(
            "no evidence on "
            + ", ".join(DIMENSION_LABELS[d] for d in score.unrated)
            + f" (each counted as {score.unrated_counts_as:.2f} of the best: unknown is a risk, not an average)"
        )
    if score.unproven:
        out.append("unproven: too little evidence for this workload; run the bake-off before you commit")
    if opt.mode is not None:
        out.append(
            f"assumes reasoning mode '{opt.mode.label}'"
            + (_default_note(opt.reasoning, opt.hosted) if opt.reasoning is not None and opt.mode.id == opt.reasoning.default
               else " (the bake-off sends it)")
        )
    if opt.mode is not None and not opt.mode.thinks:
        thought = _measured_thinking(kb, m, [d for d in score.rated if _mean_level(rating_levels(kb, m, d)) >= 3])
        if thought:
            out.append(f"its ratings on {', '.join(thought)} come from runs that thought; with '{opt.mode.label}' "
                       "it may do less well: the bake-off measures the mode it would run in")
    if answers.json_schema_required or answers.output_format == "json":
        out.append(f"structured output: {opt.structured}" + (" (guided decoding on your server)" if not opt.hosted else ""))
    if opt.cost_per_request is not None:
        tier = opt.per_request.tier if opt.per_request is not None else None
        billed = (
            f" (billed at the >{_int(tier.above_input_tokens)}-token tier: ${tier.input}/${tier.output} per 1M)" if tier else ""
        )
        basis = "" if score.cost_basis.endswith("a month at your volume") else f"; {score.cost_basis}"
        out.append(f"{_usd(opt.cost_per_request)} a request, {_usd(opt.monthly)} a month at your volume{billed}{basis}")
    else:
        out.append("price unknown: scored as a poor price, not an average; check it before committing")
    for what in opt.unverified:
        out.append(f"unverified: its {what} is unknown, so your {what} limit could not be checked")
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


def retirement(opt: Option) -> date | None:
    """When the provider retires this way of running the model (hosted only:
    open weights on your own GPUs do not retire)."""
    if not opt.hosted:
        return None
    ep = opt.endpoint
    if ep is not None and ep.deprecated is not None and ep.deprecated_date_known:
        return ep.deprecated
    return opt.model.deprecated


def successor_of(opt: Option) -> str | None:
    return (opt.endpoint.successor if opt.endpoint is not None else None) or opt.model.successor


def _retires_within(opt: Option, days: int, today: date) -> bool:
    when = retirement(opt)
    return when is not None and (when - today).days <= days


def _pick_roles(kb: KnowledgeBase, answers: Any, ranked: list[Option], members: set[str], today: date) -> list[tuple[str, Option]]:
    if not ranked:
        return []
    avoid = kb.scoring.retiring_avoid_days
    # nothing that retires within the avoid window takes a role while a live
    # option qualifies: integrating a model that is gone in weeks is wasted work
    live = [o for o in ranked if not _retires_within(o, avoid, today)]
    if live:
        ranked = live
    in_tree = [o for o in ranked if o.ref.key in members]
    rec = (in_tree or ranked)[0]
    chosen: list[tuple[str, Option]] = [("recommended", rec)]
    used_models = {rec.model.id}

    def cheaper_or_faster(o: Option) -> bool:
        cheaper = (
            o.cost_per_request is not None
            and rec.cost_per_request is not None
            and o.cost_per_request < rec.cost_per_request
        )
        faster = o.latency is not None and rec.latency is not None and o.latency < rec.latency
        return cheaper or faster

    # prefer the tree's outcome for every role, then any survivor
    pool = in_tree + [o for o in ranked if o.ref.key not in members]
    alt = next((o for o in pool if o.model.id not in used_models and cheaper_or_faster(o)), None)
    if alt is not None:
        chosen.append(("alternative", alt))
        used_models.add(alt.model.id)
    if answers.availability == "high":
        fb = fallback_for(kb, rec, pool, {c.ref.key for _, c in chosen})
        if fb is not None:
            chosen.append(("fallback", fb))
            used_models.add(fb.model.id)
    while len(chosen) < 3:  # two or three candidates, as many as survive
        left = [o for o in pool if o.model.id not in used_models]
        # a second opinion from another vendor is worth more than a near-twin of one already
        # listed: among the next few, prefer a vendor the shortlist does not have yet
        vendors = {c.model.vendor for _, c in chosen}
        extra = next((o for o in left[: kb.scoring.also_consider_window] if o.model.vendor not in vendors), left[0] if left else None)
        if extra is None:
            break
        chosen.append(("also_consider", extra))
        used_models.add(extra.model.id)
    return chosen


def fallback_for(kb: KnowledgeBase, rec: Option, pool: list[Option], taken: set[str]) -> Option | None:
    """Like for like from another provider: the best-ranked one within the stated
    cost ratio of the primary; when none is that close, the cheapest other."""
    where = rec.provider or "self-host"
    others = [o for o in pool if (o.provider or "self-host") != where and o.ref.key not in taken]
    if not others:
        return None
    if rec.monthly is None:
        return others[0]
    limit = rec.monthly * kb.scoring.fallback_max_cost_ratio
    close = [o for o in others if o.monthly is not None and o.monthly <= limit]
    if close:
        return close[0]
    priced = [o for o in others if o.monthly is not None]
    return min(priced, key=lambda o: o.monthly) if priced else others[0]  # type: ignore[arg-type,return-value]


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
    if not opt.hosted and opt.model.license_allows_production is None:
        add("license_unknown", f"{opt.ref.label}: whether the weights' licence ({opt.model.license or 'not recorded'}) "
            "allows production use is not recorded; read it before you deploy")
    when = retirement(opt)
    if when is not None and (when - today).days <= kb.scoring.retiring_warn_days:
        succ = successor_of(opt)
        succ_name = kb.model_by_id[succ].name if succ in kb.model_by_id else succ
        add("retiring_soon", f"{opt.ref.label}: retires on {when.isoformat()} ({(when - today).days} days)"
            + (f"; its successor is {succ_name}" if succ_name else "; plan the migration now"))
    for what in opt.unverified:
        add("unverified", f"{opt.ref.label}: {what} unknown, so it passed your {what} limit unverified; "
            "measure it in the bake-off")
    if opt.mode is not None and opt.mode.thinks and opt.mode.thinking_tokens is None and opt.hosted:
        add("thinking_unpriced", f"{opt.ref.label}: in mode '{opt.mode.label}' it bills thinking tokens as output; "
            "no typical count is known, so the cost shown leaves them out; the bake-off measures them")
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


def shortlist(answers: Any, kb: KnowledgeBase, today: date, why_not: tuple[str, ...] = ()) -> Shortlist:
    """The explained shortlist for ``answers``. Deterministic for the same inputs.

    ``why_not``: model ids to explain (besides the guides' choices for the task,
    which are always explained when they are not shortlisted)."""
    options = options_for(kb, answers)
    survivors: list[Option] = []
    dropped: list[Elimination] = []
    by_model: dict[str, list[Elimination]] = {}  # options come grouped by model, in id order
    surviving_models: set[str] = set()
    trusted = Elimination.trusted
    for opt in options:
        model_id = opt.model.id
        reasons = by_model.setdefault(model_id, [])
        broken = hard_filters(kb, answers, opt, today)
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
    member_opts = [o for o in options if in_outcome(sel, o)]
    members = {o.ref.key for o in member_opts if not o.eliminations}
    outcome = TreeOutcome(
        node=leaf.id,
        label=leaf.label or leaf.id,
        rationale=leaf.rationale,
        members=tuple(sorted({o.model.id for o in member_opts})),
        surviving=tuple(sorted({o.model.id for o in member_opts if not o.eliminations})),
    )

    scores = score_options(kb, answers, survivors, members, today)
    ranked = sorted(survivors, key=lambda o: rank_key(kb, answers, o, scores))
    roles = _pick_roles(kb, answers, ranked, members, today)
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
                evidence=model_evidence(kb, opt.model.id),
                reasoning_mode=opt.mode,
                unproven=score.unproven,
                unverified=tuple(opt.unverified),
                retires=retirement(opt),
                successor=successor_of(opt),
                below_recommended=tuple(below_details(kb, answers, opt, scores, rec, today))
                if rec is not None and role != "recommended" else (),
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
    fb = next((o for r, o in roles if r == "fallback"), None)
    if fb is not None and rec is not None and rec.monthly and fb.monthly is not None:
        ratio = fb.monthly / rec.monthly
        if ratio > kb.scoring.fallback_max_cost_ratio:
            warnings.append(
                Warning_(
                    code="fallback_cost",
                    model_id=fb.model.id,
                    message=f"the fallback, {fb.ref.label}, costs {_usd(fb.monthly)} a month, {ratio:.1f}x the primary's "
                    f"{_usd(rec.monthly)}: no option from another provider within {kb.scoring.fallback_max_cost_ratio}x "
                    "passed the filters",
                )
            )
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
        why_not=tuple(explain_why_not(kb, answers, options, ranked, scores, roles, why_not, today,
                                      named_by_tree=tuple(sel.models or ()))),
    )


# --------------------------------------------------------------------------- why not X?

def explain_why_not(
    kb: KnowledgeBase,
    answers: Any,
    options: list[Option],
    ranked: list[Option],
    scores: dict[str, Score],
    roles: list[tuple[str, Option]],
    asked: tuple[str, ...],
    today: date,
    named_by_tree: tuple[str, ...] = (),
) -> list[WhyNot]:
    """Why each asked model, the guides' choices for the task and the models the
    tree's outcome names, is not recommended."""
    task = kb.task_by_id.get(answers.task_type)
    wanted: list[tuple[str, str | None]] = [(m, None) for m in asked]  # (model, who named it; None: asked)
    named = [(mid, "the guides' choice for this task") for mid in (task.first_choice, task.fallback)] if task else []
    named += [(mid, "named by the decision tree's outcome") for mid in named_by_tree]
    for mid, who in named:
        if mid not in {m for m, _ in wanted}:
            wanted.append((mid, who))
    role_of = {o.model.id: r for r, o in roles}
    rec = roles[0][1] if roles else None
    out: list[WhyNot] = []
    for mid, who in wanted:
        model = kb.model_by_id.get(mid)
        if model is None:
            continue  # the CLI refuses unknown ids before this
        if mid in role_of and who is not None:
            continue  # a named choice on the shortlist: nothing to explain
        out.append(_why_not_one(kb, answers, model, options, ranked, scores, role_of, rec, who, today))
    return out


def _score_gaps(s: Score, r: Score, rec_name: str) -> list[str]:
    """The score parts that put one option below the recommendation, largest first."""
    w = s.weights
    parts = [(w[p] * (getattr(r, p) - getattr(s, p)), p, getattr(s, p), getattr(r, p)) for p in ("quality", "fit", "cost", "speed")]
    parts.append((r.tree_bonus - s.tree_bonus, "bonus", s.tree_bonus, r.tree_bonus))
    out = []
    for gap, part, mine, theirs in sorted(parts, reverse=True):
        if abs(gap) >= 0.0005:
            side = "behind" if gap > 0 else "ahead"
            out.append(f"{part}: {mine:.2f} against {theirs:.2f} for {rec_name} ({side} by {abs(gap):.3f} of the total)")
    if s.cost_basis and r.cost_basis:
        out.append(f"cost basis: {s.cost_basis}, against {r.cost_basis}")
    if s.unrated:
        out.append("no evidence on " + ", ".join(DIMENSION_LABELS[d] for d in s.unrated))
    return out


def _retiring_text(kb: KnowledgeBase, opt: Option) -> str:
    avoid = kb.scoring.retiring_avoid_days
    return f"retires on {retirement(opt).isoformat()}, within {avoid} days: not shortlisted while a live option qualifies"


def below_details(kb: KnowledgeBase, answers: Any, opt: Option, scores: dict[str, Score], rec: Option, today: date,
                  *, retirement_said: bool = False) -> list[str]:
    """What puts ``opt`` below the recommendation: the rule (retirement, unless
    ``retirement_said`` elsewhere; the high-floor evidence rule, unverified limits),
    then the score parts."""
    s, r = scores[opt.ref.key], scores[rec.ref.key]
    details = _score_gaps(s, r, rec.model.name)
    if opt.unverified:
        details.append("unverified on " + ", ".join(opt.unverified) + ": ranked below every verified option")
    if evidence_tier(kb, answers, s) > evidence_tier(kb, answers, r):
        poor_below = kb.scoring.high_floor_poor_below
        what = "it has too little evidence, of its own or its predecessor's" if not s.supported else (
            f"its evidence is poor for that floor (it averages {s.evidence_level:.2f} of the best, below "
            f"'{poor_below}' at {float(kb.scoring.level_values[poor_below]):.2f})"
        )
        details.insert(0, f"under your quality floor of {answers.quality_floor}, models with evidence that is not poor rank "
                       f"first and {what} (evidence behind {s.evidence:.0%} of the quality weight); a bake-off on your cases "
                       "would prove it")
    if not retirement_said and _retires_within(opt, kb.scoring.retiring_avoid_days, today):
        details.insert(0, _retiring_text(kb, opt))
    return details


def _why_not_one(kb, answers, model, options, ranked, scores, role_of, rec, who, rec_today) -> WhyNot:
    from advisor.core.result import ROLE_LABELS

    by_user = who is None
    label = who or "asked"
    mine = [o for o in options if o.model.id == model.id]
    alive = [o for o in ranked if o.model.id == model.id]
    if not alive:
        details = tuple(f"{e.option.label}: {e.rule}: {e.message}" for o in mine for e in o.eliminations)
        rules = sorted({e.rule for o in mine for e in o.eliminations})
        retired = rules == ["deprecated"]
        if retired:
            succ = model.successor
            succ_text = f"; its successor is {kb.model_by_id[succ].name}" if succ in kb.model_by_id else ""
            summary = f"{model.name} ({label}) is retired{succ_text}"
        else:
            summary = f"{model.name} ({label}) is eliminated by: {', '.join(rules)}"
        return WhyNot(model_id=model.id, model_name=model.name, asked=by_user,
                      status="retired" if retired else "eliminated", summary=summary, details=details)
    best = alive[0]
    position = ranked.index(best) + 1
    s = scores[best.ref.key]
    r = scores[rec.ref.key] if rec is not None else None
    below = rec is not None and rec.model.id != model.id
    # the reason a model that qualifies is not recommended is its retirement, whatever its rank
    retiring = below and model.id not in role_of and _retires_within(best, kb.scoring.retiring_avoid_days, rec_today)
    details = below_details(kb, answers, best, scores, rec, rec_today, retirement_said=retiring) if below else []
    against = f": {s.total:.3f} against {r.total:.3f} for {rec.model.name}" if r is not None and rec is not None else ""
    if model.id in role_of:
        role = ROLE_LABELS[role_of[model.id]]
        if role_of[model.id] == "recommended":
            return WhyNot(model_id=model.id, model_name=model.name, asked=by_user, status="shortlisted",
                          summary=f"{model.name} is the recommendation", details=())
        return WhyNot(model_id=model.id, model_name=model.name, asked=by_user, status="shortlisted",
                      summary=f"{model.name} is on the shortlist ({role}), ranked #{position} of {len(ranked)}{against}",
                      details=tuple(details))
    if retiring:
        summary = (f"{model.name} ({label}) passes every filter but {_retiring_text(kb, best)} "
                   f"(it ranks #{position} of {len(ranked)}{against})")
    else:
        summary = f"{model.name} ({label}) passes every filter but ranks #{position} of {len(ranked)}{against}"
    return WhyNot(model_id=model.id, model_name=model.name, asked=by_user, status="ranked_below",
                  summary=summary, details=tuple(details))
