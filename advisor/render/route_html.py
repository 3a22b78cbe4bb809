"""The routing plan in HTML: a ``<section>`` a report can include, or a page of its own.

The frontier is inline SVG (no JavaScript, no network): each model on all traffic
and the plan, expected pass rate (with its 95% interval) against cost per success
(log scale), the quality floor dashed, the single-model baselines ringed. Every
label is escaped.
"""

from __future__ import annotations

import html
import math

from advisor.core.costs import format_usd
from advisor.eval.route import RoutePlan, Scenario
from advisor.fileio import REPORT_MARKERS
from advisor.render.route_markdown import (
    CATEGORY_HEADERS, MEASURED_HEADERS, SCENARIO_HEADERS, basis_text, category_rows, measured_rows, scenario_rows,
)

__all__ = ["frontier_svg", "render_route_html_section", "render_route_html_page"]

W, H = 640, 380
L, R, T, B = 64, 180, 24, 52  # margins: the right one holds the labels' overflow and the legend


def _points(plan: RoutePlan) -> list[tuple[Scenario, bool]]:
    pts = [(s, False) for s in plan.models] + [(plan.plan, True)]
    return [(s, is_plan) for s, is_plan in pts if s.cost_per_success_usd is not None and s.pass_rate is not None]


def frontier_svg(plan: RoutePlan) -> str:
    e = html.escape
    pts = _points(plan)
    title = "Expected pass rate against cost per success: each model on all traffic, and the routing plan"
    if not pts:
        return f'<p class="chart-none">{e(title)}: no model has a known cost per success.</p>'
    xs = [math.log10(float(s.cost_per_success_usd)) for s, _ in pts]  # type: ignore[arg-type]
    lo, hi = min(xs), max(xs)
    if hi - lo < 0.3:
        lo, hi = lo - 0.15, hi + 0.15
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    ymin = max(0.0, math.floor(min([float(plan.floor)] + [s.pass_low or 0 for s, _ in pts]) * 10) / 10 - 0.05)
    pw, ph = W - L - R, H - T - B

    def x(v: float) -> float:
        return L + (v - lo) / (hi - lo) * pw

    def y(v: float) -> float:
        return T + (1 - (v - ymin) / (1 - ymin)) * ph

    out = [f'<svg class="frontier" viewBox="0 0 {W} {H}" role="img" aria-label="{e(title)}" xmlns="http://www.w3.org/2000/svg" '
           'font-family="system-ui, sans-serif" font-size="11">', f"<title>{e(title)}</title>",
           f'<rect x="{L}" y="{T}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>']
    for i in range(11):
        v = i / 10
        if v < ymin - 1e-9:
            continue
        out.append(f'<line x1="{L}" x2="{L + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{L - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v * 100:.0f}%</text>')
    for k in range(math.floor(lo), math.ceil(hi) + 1):
        for m in (1, 2, 5):
            v = math.log10(m) + k
            if lo <= v <= hi:
                out.append(f'<line x1="{x(v):.1f}" x2="{x(v):.1f}" y1="{T}" y2="{T + ph}" stroke="#eee"/>')
                out.append(f'<text x="{x(v):.1f}" y="{T + ph + 16}" text-anchor="middle">{e(format_usd(_dec(10 ** v)))}</text>')
    out.append(f'<text x="{L + pw / 2}" y="{H - 10}" text-anchor="middle">cost per success (log scale)</text>')
    out.append(f'<text x="14" y="{T + ph / 2}" text-anchor="middle" transform="rotate(-90 14 {T + ph / 2})">expected pass rate</text>')
    fy = y(float(plan.floor))
    out.append(f'<line x1="{L}" x2="{L + pw}" y1="{fy:.1f}" y2="{fy:.1f}" stroke="#c0392b" stroke-dasharray="5 4"/>')
    out.append(f'<text x="{L + pw + 4}" y="{fy + 4:.1f}" fill="#c0392b">floor {float(plan.floor) * 100:.0f}%</text>')
    marks = {b.name: b.baseline for b in plan.baselines}
    for (s, is_plan), xv in zip(pts, xs):
        cx, cy = x(xv), y(s.pass_rate or 0)
        colour = "#1a7f37" if is_plan else "#1f5fa8"
        out.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(s.pass_low or 0):.1f}" y2="{y(s.pass_high or 0):.1f}" '
                   f'stroke="{colour}" stroke-width="1.5"/>')
        if is_plan:
            d = 7
            out.append(f'<polygon points="{cx:.1f},{cy - d:.1f} {cx + d:.1f},{cy:.1f} {cx:.1f},{cy + d:.1f} {cx - d:.1f},{cy:.1f}" '
                       f'fill="{colour}"><title>{e(_tip(s))}</title></polygon>')
        else:
            out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="{colour}"><title>{e(_tip(s))}</title></circle>')
        label = "routing plan" if is_plan else s.label
        kind = marks.get(s.name) if not is_plan else None
        if kind:
            out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="9" fill="none" stroke="#d35400" stroke-width="2"/>')
            label += " (recommended)" if kind == "recommended" else " (cheapest ≥ floor)"
        out.append(f'<text x="{cx + 11:.1f}" y="{cy - 6:.1f}" fill="{colour}">{e(label)}</text>')
    lx = L + pw + 14
    out.append(f'<circle cx="{lx}" cy="{T + 40}" r="4.5" fill="#1f5fa8"/><text x="{lx + 10}" y="{T + 44}">a model on all traffic</text>')
    out.append(f'<polygon points="{lx},{T + 53} {lx + 7},{T + 60} {lx},{T + 67} {lx - 7},{T + 60}" fill="#1a7f37"/>'
               f'<text x="{lx + 10}" y="{T + 64}">the routing plan</text>')
    out.append(f'<circle cx="{lx}" cy="{T + 80}" r="8" fill="none" stroke="#d35400" stroke-width="2"/>'
               f'<text x="{lx + 12}" y="{T + 84}">baseline</text>')
    out.append(f'<line x1="{lx}" x2="{lx}" y1="{T + 94}" y2="{T + 108}" stroke="#1f5fa8" stroke-width="1.5"/>'
               f'<text x="{lx + 10}" y="{T + 105}">95% interval</text>')
    out.append("</svg>")
    return "\n".join(out)


def _dec(v: float):
    from decimal import Decimal

    return Decimal(f"{v:.6g}")


def _tip(s: Scenario) -> str:
    return (f"{s.label}: {(s.pass_rate or 0) * 100:.0f}% expected pass rate, {format_usd(s.cost_per_success_usd)} per success, "
            f"{format_usd(s.monthly_cost_usd)} a month")


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    e = html.escape
    parts = ["<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr></thead><tbody>"]
    parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows]
    parts.append("</tbody></table>")
    return "\n".join(parts)


def render_route_html_section(plan: RoutePlan) -> str:
    e = html.escape
    parts = ['<section class="route">', "<h2>Routing plan</h2>", f"<p><strong>{e(plan.summary())}</strong></p>",
             f"<p>{e(basis_text(plan))}</p>", '<div class="scroll">', _table(CATEGORY_HEADERS, category_rows(plan)), "</div>"]
    if plan.classifier is not None:
        c = plan.classifier
        parts.append(f"<p>Classifier: {e(c.label)}, {e(format_usd(c.cost_per_request_usd))} a request "
                     f"({e(format_usd(c.monthly_cost_usd))} a month), included in the plan's cost.</p>")
    parts += ["<h3>The frontier</h3>", f'<figure class="chart">{frontier_svg(plan)}</figure>',
              "<h3>Against single-model baselines</h3>", '<div class="scroll">', _table(SCENARIO_HEADERS, scenario_rows(plan)),
              "</div>", "<h3>Measured per category</h3>", '<div class="scroll">', _table(MEASURED_HEADERS, measured_rows(plan)),
              "</div>"]
    if plan.notes:
        parts.append('<h3>Notes</h3><ul class="notes">' + "".join(f"<li>{e(n)}</li>" for n in plan.notes) + "</ul>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"


_EXTRA_CSS = ".scroll{overflow-x:auto}.chart svg{width:100%;height:auto;max-width:760px}"


def render_route_html_page(plan: RoutePlan) -> str:
    from advisor.render.html import CSS

    return ("<!doctype html>\n<html lang=en><head><meta charset=utf-8>\n"
            "<meta name=viewport content='width=device-width, initial-scale=1'>\n"
            + REPORT_MARKERS[2] + "\n<title>advisor routing plan</title><style>" + CSS + _EXTRA_CSS + "</style></head><body>\n"
            + render_route_html_section(plan) + "</body></html>\n")
