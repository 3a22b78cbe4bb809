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
from advisor.eval.route import RoutePlan, Scenario, price_text
from advisor.fileio import REPORT_MARKERS
from advisor.render.fmt import plain
from advisor.render.route_markdown import (
    CATEGORY_HEADERS, MEASURED_HEADERS, SCENARIO_HEADERS, basis_text, category_rows, measured_rows, scenario_rows,
)

__all__ = ["frontier_svg", "render_route_html_section", "render_route_html_page", "render_route_report", "ROUTE_CSS"]

W, H = 640, 380
L, R, T, B = 64, 180, 24, 52  # margins: the right one holds the labels' overflow and the legend


def _points(plan: RoutePlan) -> list[tuple[Scenario, bool]]:
    pts = [(s, False) for s in plan.models] + [(plan.plan, True)]
    return [(s, is_plan) for s, is_plan in pts if s.cost_per_success_usd is not None and s.pass_rate is not None]


def frontier_svg(plan: RoutePlan) -> str:
    e = _e
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
    placed: list[tuple[float, float, float, float]] = []  # label boxes (x0, y0, x1, y1) already drawn
    dots = [(x(xv), y(s.pass_rate or 0)) for (s, _), xv in zip(pts, xs)]
    for (s, is_plan), (cx, cy) in zip(pts, dots):
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
        tx, ty, anchor = _place(label, cx, cy, placed, dots)
        weight = ' font-weight="bold"' if is_plan else ""
        out.append(f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" fill="{colour}"{weight}>{e(label)}</text>')
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


def _place(label: str, cx: float, cy: float, placed: list, dots: list) -> tuple[float, float, str]:
    """Where a point's label goes: the first of right-above, right-below, left-above, left-below (then further
    down) that overlaps no label drawn so far and no other point; the box is remembered."""
    width, height = 6.3 * len(label), 12.0
    tries = [(11, -6), (11, 16), (-11, -6), (-11, 16)] + [(11, 16 + 14 * k) for k in range(1, 6)]
    for dx, dy in tries:
        x0 = cx + dx if dx > 0 else cx + dx - width
        box = (x0, cy + dy - height + 2, x0 + width, cy + dy + 2)
        clear = all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed)
        clear = clear and all(not (box[0] - 5 <= px <= box[2] + 5 and box[1] - 5 <= py <= box[3] + 5)
                              for px, py in dots if (px, py) != (cx, cy))
        if clear and box[0] >= 0 and box[2] <= W:
            placed.append(box)
            return (cx + dx, cy + dy, "start" if dx > 0 else "end")
    placed.append((cx + 11, cy - 16, cx + 11 + width, cy - 4))
    return cx + 11, cy - 6, "start"


def _dec(v: float):
    from decimal import Decimal

    return Decimal(f"{v:.6g}")


def _tip(s: Scenario) -> str:
    return (f"{s.label}: {(s.pass_rate or 0) * 100:.0f}% expected pass rate, {format_usd(s.cost_per_success_usd)} per success, "
            f"{format_usd(s.monthly_cost_usd)} a month")


def _e(text: object) -> str:
    return html.escape(plain(text))


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    e = _e
    parts = ['<table class="stack"><thead><tr>' + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr></thead><tbody>"]
    parts += ["<tr>" + "".join(f'<td data-label="{e(h)}">{e(c)}</td>' for h, c in zip(headers, row)) + "</tr>" for row in rows]
    parts.append("</tbody></table>")
    return "\n".join(parts)


def render_route_html_section(plan: RoutePlan) -> str:
    e = _e
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
    if plan.prices:
        parts.append('<h3>Prices used</h3><ul class="notes">'
                     + "".join(f"<li>{e(p.label)}: {e(price_text(p))}</li>" for p in plan.prices) + "</ul>")
    if plan.notes:
        parts.append('<h3>Notes</h3><ul class="notes">' + "".join(f"<li>{e(n)}</li>" for n in plan.notes) + "</ul>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"


#: narrow screens: each table row becomes a card of "header: value" lines; the chart keeps a readable size and scrolls
ROUTE_CSS = (
    ".route .scroll{overflow-x:auto}.route .chart{overflow-x:auto;margin:0}"
    ".route .chart svg{width:100%;height:auto;max-width:760px;min-width:520px}"
    "@media (max-width:640px){.route table.stack thead{display:none}.route table.stack tr{display:block;"
    "border-bottom:1px solid #ccc;padding:.3em 0}.route table.stack td{display:block;border:0;padding:.1em .4em}"
    ".route table.stack td::before{content:attr(data-label) \": \";font-weight:600}}"
)


def render_route_html_page(plan: RoutePlan) -> str:
    from advisor.render.html import CSS

    return ("<!doctype html>\n<html lang=en><head><meta charset=utf-8>\n"
            "<meta name=viewport content='width=device-width, initial-scale=1'>\n"
            + REPORT_MARKERS[2] + "\n<title>advisor routing plan</title><style>" + CSS + ROUTE_CSS + "</style></head><body>\n"
            + render_route_html_section(plan) + "</body></html>\n")


def render_route_report(plan: RoutePlan, fmt: str) -> str:
    """The plan as a report in ``fmt`` ("markdown", "html" or "json", as :func:`advisor.render.report.format_for` names them)."""
    from advisor.render.route_markdown import render_route_json, render_route_markdown

    return {"markdown": render_route_markdown, "html": render_route_html_page, "json": render_route_json}[fmt](plan)
