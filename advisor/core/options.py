"""Every way to run every model: a hosted endpoint, or your own GPUs.

``options_for(kb, answers)`` gives one :class:`Option` per way, with the
facts the filters and scores read resolved once (endpoint overrides over
model defaults) and its cost at the answers' token mix and volume.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from advisor.core import costs as money
from advisor.core.knowledge import KnowledgeBase
from advisor.core.reasoning import choose_mode, latency_in_mode
from advisor.core.result import Elimination, OptionRef
from advisor.core.schema import Endpoint, ModelSpec


class Option:
    """One way to run a model, with the facts the filters and scores read
    resolved once (endpoint overrides over model defaults)."""

    __slots__ = (
        "model", "endpoint", "ref", "per_request", "monthly", "plan", "eliminations",
        "hosted", "price", "provider", "context_window", "structured", "ttft", "tps", "cost_per_request",
        "reasoning", "mode", "mode_problem", "latency", "unverified",
    )

    def __init__(self, facts: tuple) -> None:
        # facts: everything that depends on the knowledge only, from option_refs()
        (self.model, self.endpoint, self.ref, self.hosted, self.price, self.provider,
         self.context_window, self.structured, self.ttft, self.tps, self.reasoning) = facts
        self.mode = None  # the reasoning mode the advice assumes (None: the model does not think)
        self.mode_problem: str | None = None  # why no mode fits the time allowed
        self.latency: float | None = None  # ms the person or pipeline waits, in the assumed mode
        self.unverified: list[str] = []  # limits passed only because the figure is unknown
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
            (endpoint.reasoning if endpoint else None) or model.reasoning,
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


def base_latency_ms(opt: Option, answers: Any) -> float | None:
    """What the person or pipeline waits before thinking is added: time to first
    token when a person waits, else the whole response. ``None``: unknown."""
    if opt.ttft is None:
        return None
    if answers.user_facing:
        return float(opt.ttft)
    if opt.tps is None:
        return None
    return opt.ttft + answers.avg_output_tokens * 1000 / opt.tps


def options_for(kb: KnowledgeBase, answers: Any) -> list[Option]:
    tokens = answers.avg_input_tokens + answers.avg_output_tokens
    n_in, n_out, volume = answers.avg_input_tokens, answers.avg_output_tokens, answers.monthly_requests
    share_in = Decimal(n_in) / tokens
    cached_share = Decimal(answers.cached_input_share)
    # a self-hosting plan depends on the model only through its size and memory
    plans: dict[tuple[Any, Any], tuple[money.SelfHostPlan | None, money.RequestCost | None]] = {}
    out: list[Option] = []
    for facts in option_refs(kb):
        opt = Option(facts)
        model, ep = opt.model, opt.endpoint
        base = base_latency_ms(opt, answers)
        opt.mode, opt.mode_problem = choose_mode(opt.reasoning, answers, kb.scoring, base)
        if base is not None:
            opt.latency = latency_in_mode(base, opt.mode, opt.reasoning, kb.scoring)
        if ep is not None:
            thinking = (opt.mode.thinking_tokens or 0) if opt.mode is not None and opt.mode.thinks else 0
            opt.set_cost(money.request_cost(ep.price, n_in, n_out, cached_share, thinking))
            opt.monthly = money.per_month(opt.cost_per_request, volume)
        else:
            key = (model.params_b, model.active_params_b, model.vram_4bit_gb)
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
