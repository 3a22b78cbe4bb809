"""The hard filters: every rule an option breaks, with the numbers that broke it."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from advisor.core.costs import format_count as _int
from advisor.core.costs import format_usd as _usd
from advisor.core.costs import self_host_floor_monthly
from advisor.core.knowledge import KnowledgeBase
from advisor.core.options import Option


def hard_filters(kb: KnowledgeBase, answers: Any, opt: Option, today: date) -> list[tuple[str, str]]:
    """Every rule ``opt`` breaks, as (rule id, message with the numbers).

    A limit whose figure is unknown (no price, no typical latency) is not
    broken; the option is marked unverified on it (``opt.unverified``)."""
    out: list[tuple[str, str]] = []
    opt.unverified = []
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
    if not opt.hosted and m.license_allows_production is False:
        src = f" ({m.license_source})" if m.license_source else ""
        out.append(("license", f"the weights' licence, {m.license or 'unnamed'}, forbids production use{src}"))
    target = answers.latency_target_ms
    if opt.mode_problem is not None:
        out.append(("reasoning_latency", opt.mode_problem))
    elif target is not None:
        if opt.ttft is None:
            opt.unverified.append("latency")
        elif opt.latency is not None and opt.latency > target:
            mode = f" in mode '{opt.mode.label}'" if opt.mode is not None else ""
            if answers.user_facing:
                out.append(("latency", f"typical time to first token {_int(math.ceil(opt.latency))} ms{mode} > target {_int(target)} ms"))
            else:
                out.append(
                    (
                        "latency",
                        f"typical response time {_int(math.ceil(opt.latency))} ms{mode} (TTFT {_int(opt.ttft)} ms + "
                        f"{_int(answers.avg_output_tokens)} tokens at {opt.tps} tok/s) > target {_int(target)} ms",
                    )
                )
        elif opt.latency is None and opt.ttft > target:  # output speed unknown, but the first token alone is late
            out.append(("latency", f"typical time to first token {_int(opt.ttft)} ms alone > target {_int(target)} ms"))
        elif opt.latency is None:
            opt.unverified.append("latency")
    per = opt.cost_per_request
    floor = None  # what an unsized self-hosted model costs at the least
    if not opt.hosted and opt.monthly is None:
        floor = self_host_floor_monthly(kb.hosting, answers.gpu_ops_experience)
    if floor is not None:
        # size unknown: the least self-hosting can cost, against each budget it breaks, with both figures
        least = (f"size unknown, but self-hosting costs at least {_usd(floor)} a month "
                 "(one of the cheapest GPUs always on, plus operations)")
        broken = []
        if answers.budget_per_request_usd is not None and floor / answers.monthly_requests > answers.budget_per_request_usd:
            broken.append(("budget_per_request", f"{least}: {_usd(floor / answers.monthly_requests)} a request at "
                           f"{_int(answers.monthly_requests)} a month > budget {_usd(answers.budget_per_request_usd)}"))
        if answers.budget_per_month_usd is not None and floor > answers.budget_per_month_usd:
            broken.append(("budget_per_month", f"{least} > budget {_usd(answers.budget_per_month_usd)} a month"))
        if broken:
            out.extend(broken)
            return out
    if answers.budget_per_request_usd is not None:
        if per is None:
            opt.unverified.append("cost")
        elif per > answers.budget_per_request_usd:
            out.append(
                ("budget_per_request", f"{_usd(per)} a request > budget {_usd(answers.budget_per_request_usd)}")
            )
    if answers.budget_per_month_usd is not None:
        if opt.monthly is None:
            if "cost" not in opt.unverified:
                opt.unverified.append("cost")
        elif opt.monthly > answers.budget_per_month_usd:
            out.append(
                (
                    "budget_per_month",
                    f"{_usd(opt.monthly)} a month at {_int(answers.monthly_requests)} requests > budget {_usd(answers.budget_per_month_usd)}",
                )
            )
    return out
