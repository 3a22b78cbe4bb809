"""The routing plan as text: the cells every renderer shows, Markdown, and JSON.

``category_rows`` / ``scenario_rows`` / ``measured_rows`` are the plan's tables as
plain strings (Markdown, HTML and the app show the same cells); renderers escape
them for their medium. Money in JSON is an exact decimal string.
"""

from __future__ import annotations

import json

from advisor.core.costs import format_usd
from advisor.eval.route import RoutePlan, Scenario, price_text
from advisor.fileio import REPORT_MARKERS
from advisor.render.fmt import md_escape, plain  # control characters shown escaped (fmt.safe_text)

__all__ = [
    "CATEGORY_HEADERS", "SCENARIO_HEADERS", "MEASURED_HEADERS", "category_rows", "scenario_rows", "measured_rows",
    "share_text", "render_route_markdown", "render_route_json", "render_route_text", "interval",
]

CATEGORY_HEADERS = ("Category", "Share", "Cases", "Route to", "Pass rate (95% CI)", "Cost / request", "Fallback", "Why")
SCENARIO_HEADERS = ("All traffic on", "Monthly", "Per request", "Expected pass rate (95% CI)", "Cost per success", "Plan saves")
MEASURED_HEADERS = ("Category", "Model", "Passed", "95% CI", "Cost / request", "Measured tokens in / out", "Meets floor")
def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def interval(rate: float | None, low: float | None, high: float | None) -> str:
    if rate is None or low is None or high is None:
        return "not measured on every category"
    return f"{_pct(rate)} ({_pct(low)}–{_pct(high)})"


def share_text(plan: RoutePlan, share) -> str:
    return f"{share * 100:.1f}%".replace(".0%", "%")


def category_rows(plan: RoutePlan) -> list[tuple[str, ...]]:
    rows = []
    for r in plan.categories:
        rows.append((
            r.category, share_text(plan, r.share), str(r.n_cases), r.label,
            interval(r.pass_rate, r.pass_low, r.pass_high), format_usd(r.cost_per_request_usd),
            r.fallback_label or "none (no other provider measured)", r.why,
        ))
    return rows


def _saving(s: Scenario) -> str:
    if s.baseline is None:
        return ""
    if s.saving_usd is None:
        return "unknown"
    if s.saving_usd >= 0:
        return f"{format_usd(s.saving_usd)} a month ({s.saving_pct}%)"
    return f"costs {format_usd(-s.saving_usd)} a month more"


def _scenario_name(s: Scenario, plan: RoutePlan) -> str:
    both = {b.baseline for b in plan.baselines if b.name == s.name}
    if both == {"recommended", "cheapest_meeting_floor"}:
        return f"{s.label} (recommended; cheapest that meets the floor)"
    if s.baseline == "recommended":
        return f"{s.label} (recommended)"
    if s.baseline == "cheapest_meeting_floor":
        return f"{s.label} (cheapest that meets the floor)"
    return s.label


def scenario_rows(plan: RoutePlan) -> list[tuple[str, ...]]:
    """The plan, then each baseline (once, when both are one model), then the other models on all traffic."""
    rows = [("the routing plan", format_usd(plan.plan.monthly_cost_usd), format_usd(plan.plan.cost_per_request_usd),
             interval(plan.plan.pass_rate, plan.plan.pass_low, plan.plan.pass_high),
             format_usd(plan.plan.cost_per_success_usd), "")]
    seen: set[str] = set()
    for s in plan.baselines + plan.models:
        if s.name in seen:
            continue
        seen.add(s.name)
        rows.append((_scenario_name(s, plan), format_usd(s.monthly_cost_usd), format_usd(s.cost_per_request_usd),
                     interval(s.pass_rate, s.pass_low, s.pass_high), format_usd(s.cost_per_success_usd), _saving(s)))
    return rows


def measured_rows(plan: RoutePlan) -> list[tuple[str, ...]]:
    rows = []
    for r in plan.categories:
        for c in r.cells:
            toks = ("not reported" if c.measured_input_tokens is None or c.measured_output_tokens is None
                    else f"{c.measured_input_tokens:,.0f} / {c.measured_output_tokens:,.0f}")
            rows.append((r.category, c.label, f"{c.passes}/{c.n}", f"{_pct(c.pass_low)}–{_pct(c.pass_high)}",
                         format_usd(c.cost_per_request_usd), toks, "yes" if c.meets_floor else "no"))
    return rows


def basis_text(plan: RoutePlan) -> str:
    shares = "the answers' category_shares" if plan.shares_from == "answers" else "each category's share of the test cases"
    return (f"Quality floor {_pct(float(plan.floor))} (a model meets it when its 95% Wilson lower bound does). "
            f"Costs at {plan.monthly_requests:,} requests a month and the answers' token mix "
            f"({plan.avg_input_tokens:,} tokens in, {plan.avg_output_tokens:,} out; the tokens the bake-off measured are "
            f"shown beside, per category); traffic split by {shares}.")


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return out


def render_route_markdown(plan: RoutePlan, heading: str = "#") -> str:
    lines = [REPORT_MARKERS[0], f"{heading} Routing plan", "", md_escape(plan.summary()), "", md_escape(basis_text(plan)), ""]
    lines += _table(CATEGORY_HEADERS, category_rows(plan))
    if plan.classifier is not None:
        c = plan.classifier
        lines += ["", md_escape(f"Classifier: {c.label}, {format_usd(c.cost_per_request_usd)} a request "
                                f"({format_usd(c.monthly_cost_usd)} a month), included in the plan's cost.")]
    lines += ["", f"{heading}# Against single-model baselines", ""]
    lines += _table(SCENARIO_HEADERS, scenario_rows(plan))
    lines += ["", f"{heading}# Measured per category", ""]
    lines += _table(MEASURED_HEADERS, measured_rows(plan))
    if plan.prices:
        lines += ["", f"{heading}# Prices used", ""]
        lines += [f"- {md_escape(p.label)}: {md_escape(price_text(p))}" for p in plan.prices]
    if plan.notes:
        lines += ["", f"{heading}# Notes", ""]
        lines += [f"- {md_escape(n)}" for n in plan.notes]
    return "\n".join(lines) + "\n"


def render_route_json(plan: RoutePlan) -> str:
    data = {"generator": "advisor", "routing_plan": plan.model_dump(mode="json"), "summary": plan.summary()}
    return json.dumps(data, indent=2, ensure_ascii=True) + "\n"


def render_route_text(plan: RoutePlan) -> str:
    """The plan for a terminal: one paragraph per category, then the baselines and the notes."""
    lines = ["Routing plan", "", plain(plan.summary()), "", plain(basis_text(plan)), ""]
    for r, row in zip(plan.categories, category_rows(plan)):
        lines.append(plain(f"{r.category} ({row[1]} of traffic, {row[2]} cases) -> {row[3]}: {row[4]}, {row[5]} a request; "
                           f"fallback {row[6]}"))
        lines.append(plain(f"    {r.why}"))
        chosen = next((c for c in r.cells if c.model_key == r.model_key), None)
        if chosen is not None and chosen.measured_input_tokens is not None and chosen.measured_output_tokens is not None:
            lines.append(f"    measured in the bake-off: {chosen.measured_input_tokens:,.0f} tokens in, "
                         f"{chosen.measured_output_tokens:,.0f} out a request (the cost above is at the answers' mix)")
    if plan.classifier is not None:
        c = plan.classifier
        lines.append(plain(f"classifier -> {c.label}: {format_usd(c.cost_per_request_usd)} a request, in the plan's cost"))
    lines += ["", "All traffic on one model, against the plan:"]
    for row in scenario_rows(plan)[1:]:
        lines.append(plain(f"  {row[0]}: {row[1]} a month, {row[3]}" + (f"; the plan saves {row[5]}" if row[5] and not row[5].startswith("costs") and row[5] != "unknown"
                                                                       else f"; the plan {row[5]}" if row[5] else "")))
    if plan.prices:
        lines += ["", "Prices used:"] + [plain(f"  {p.label}: {price_text(p)}") for p in plan.prices]
    if plan.notes:
        lines += ["", "Notes:"] + [plain(f"  - {n}") for n in plan.notes]
    return "\n".join(lines) + "\n"
