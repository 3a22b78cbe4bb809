"""The report's pictures as inline SVG: no JavaScript, no network, every label escaped.

* :func:`cost_chart_svg` — monthly cost against monthly volume (log-log) for each
  candidate, the self-hosting break-even and the user's own volume marked;
* :func:`quality_chart_svg` — after a bake-off, pass rate with its 95% interval
  against cost per success, the quality floor drawn across;
* :func:`latency_chart_svg` — latency p50 and p95 per model.

The series come from :func:`series_for` (shared with the app's character chart):
API options cost ``per_request × volume``; self-hosting is whole GPUs plus
operations (a step function). Each chart's legend is HTML below the picture, so
it wraps at any width; the SVG scales to its box (``viewBox``, width 100%).
The same figures are given as tables in Markdown (:func:`cost_points`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from advisor.render.fmt import html_escape as escape  # control characters shown, then html.escape
from typing import Any

from advisor.core.costs import format_usd, self_host_monthly_at
from advisor.core.result import Shortlist

__all__ = ["Series", "series_for", "cost_points", "cost_chart_svg", "quality_chart_svg", "latency_chart_svg",
           "COLOURS", "compact", "VOLUMES"]

COLOURS = ("#2456d6", "#c2410c", "#15803d", "#7e22ce", "#0e7490", "#b91c1c")
LOW_EXP, HIGH_EXP = 3, 8  # 1K .. 100M requests a month
VOLUMES = tuple(10**e for e in range(LOW_EXP, HIGH_EXP + 1))
W, H = 560, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 14, 40


@dataclass(frozen=True)
class Series:
    label: str
    kind: str  # "api" | "self-host"
    cost_at: Callable[[int], Decimal | None]


def compact(n: float, money: bool = False) -> str:
    sign = "$" if money else ""
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= div:
            v = n / div
            return f"{sign}{v:.0f}{suffix}" if v >= 10 else f"{sign}{v:.1f}{suffix}".replace(".0" + suffix, suffix)
    return f"{sign}{n:.0f}" if n >= 10 or not money else f"{sign}{n:.2f}"


def series_for(shortlist: Shortlist, kb: Any | None) -> list[Series]:
    """One line per shortlisted option, plus the break-even's self-hosted model.

    Without ``kb`` (no hosting assumptions to hand) self-hosted options are left out."""
    a = shortlist.answers
    tokens = int(a["avg_input_tokens"]) + int(a["avg_output_tokens"])
    experience = a.get("gpu_ops_experience", "none")
    out: list[Series] = []
    seen: set[str] = set()

    def self_host(model_id: str, label: str) -> None:
        model = kb.model_by_id.get(model_id) if kb is not None else None
        if model is None or f"{model_id}@self-host" in seen:
            return
        seen.add(f"{model_id}@self-host")
        out.append(Series(label, "self-host", lambda v, m=model: self_host_monthly_at(m, kb.hosting, v, tokens, experience)))

    for c in shortlist.candidates:
        if c.option.deployment == "self_host":
            self_host(c.option.model_id, c.option.label)
        elif c.costs.per_request is not None and c.option.key not in seen:
            seen.add(c.option.key)
            per = c.costs.per_request
            out.append(Series(c.option.label, "api", lambda v, p=per: p * v))
    be = shortlist.break_even
    if be is not None:
        self_host(be.self_hosted, f"{be.self_hosted_name} (self-hosted)")
    return out


def cost_points(series: Sequence[Series], volumes: Sequence[int] = VOLUMES) -> list[tuple[str, list[Decimal | None]]]:
    """(label, monthly cost at each volume): the cost chart as a table."""
    return [(s.label, [s.cost_at(v) for v in volumes]) for s in series]


# -- drawing -----------------------------------------------------------------------

def _svg(title: str, body: list[str], height: int = H) -> str:
    t = escape(title)
    return (f'<svg class="chart" viewBox="0 0 {W} {height}" role="img" aria-label="{t}" '
            f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">'
            f"<title>{t}</title>" + "".join(body) + "</svg>")


def _legend(items: Sequence[tuple[str, str, str]]) -> str:
    """HTML legend: (colour, label, style) where style is 'line', 'dash' or 'dot'."""
    lis = []
    for colour, label, style in items:
        lis.append(f'<li><span class="swatch {style}" style="--c:{colour}"></span>{escape(label)}</li>')
    return '<ul class="legend">' + "".join(lis) + "</ul>"


def _figure(title: str, svg: str, legend: str, caption: str) -> str:
    return (f'<figure class="chart"><h3>{escape(title)}</h3>{svg}{legend}'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def _axes(x_ticks: Sequence[tuple[float, str]], y_ticks: Sequence[tuple[float, str]], x_title: str, y_title: str,
          height: int = H) -> list[str]:
    bottom = height - BOTTOM
    out = [f'<line x1="{LEFT}" y1="{bottom}" x2="{W - RIGHT}" y2="{bottom}" stroke="#5b6475"/>',
           f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="#5b6475"/>']
    for x, label in x_ticks:
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{bottom}" stroke="#eef1f6"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 15}" text-anchor="middle" fill="#5b6475">{escape(label)}</text>')
    for y, label in y_ticks:
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#eef1f6"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#5b6475">{escape(label)}</text>')
    out.append(f'<text x="{(LEFT + W - RIGHT) / 2:.0f}" y="{height - 6}" text-anchor="middle" fill="#1d2330">'
               f"{escape(x_title)}</text>")
    out.append(f'<text x="12" y="{TOP + (bottom - TOP) / 2:.0f}" text-anchor="middle" fill="#1d2330" '
               f'transform="rotate(-90 12 {TOP + (bottom - TOP) / 2:.0f})">{escape(y_title)}</text>')
    return out


def cost_chart_svg(series: Sequence[Series], *, user_volume: int | None, break_even: int | None) -> str:
    """Monthly cost against volume, log-log, as a ``<figure>`` (empty string when nothing is priced)."""
    n = 61
    vols = [10 ** (LOW_EXP + (HIGH_EXP - LOW_EXP) * i / (n - 1)) for i in range(n)]
    values = [[s.cost_at(int(round(v))) for v in vols] for s in series]
    flat = [float(c) for row in values for c in row if c is not None and c > 0]
    if not flat:
        return ""
    lo, hi = math.floor(math.log10(min(flat))), math.ceil(math.log10(max(flat)))
    if hi - lo < 1:
        hi = lo + 1
    x0, x1, y0, y1 = LEFT, W - RIGHT, H - BOTTOM, TOP

    def fx(v: float) -> float:
        return x0 + (math.log10(v) - LOW_EXP) / (HIGH_EXP - LOW_EXP) * (x1 - x0)

    def fy(c: float) -> float:
        return y0 - (math.log10(c) - lo) / (hi - lo) * (y0 - y1)

    step = max(1, (hi - lo + 3) // 4)
    body = _axes([(fx(10**e), compact(10**e)) for e in range(LOW_EXP, HIGH_EXP + 1)],
                 [(fy(10**e), compact(10**e, True)) for e in range(lo, hi + 1, step)],
                 "requests a month (log)", "cost a month (log)")
    legend: list[tuple[str, str, str]] = []
    for i, (s, row) in enumerate(zip(series, values, strict=True)):
        colour = COLOURS[i % len(COLOURS)]
        pts = [f"{fx(v):.1f},{fy(float(c)):.1f}" for v, c in zip(vols, row, strict=True) if c is not None and c > 0]
        if not pts:
            continue
        dash = ' stroke-dasharray="6 3"' if s.kind == "self-host" else ""
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.2"{dash} points="{" ".join(pts)}">'
                    f"<title>{escape(s.label)}</title></polyline>")
        kind = "API, cost grows with volume" if s.kind == "api" else "self-hosted, steps per GPU replica"
        legend.append((colour, f"{s.label} — {kind}", "dash" if s.kind == "self-host" else "line"))
    for vol, colour, label, dash in ((break_even, "#b91c1c", "break-even", "2 3"), (user_volume, "#1d2330", "you", "")):
        if vol is None or not 10**LOW_EXP <= vol <= 10**HIGH_EXP:
            continue
        x = fx(vol)
        body.append(f'<line x1="{x:.1f}" y1="{y1}" x2="{x:.1f}" y2="{y0}" stroke="{colour}" stroke-width="1.5"'
                    + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        anchor = "end" if x > W - 90 else "start"
        dx = -4 if anchor == "end" else 4
        body.append(f'<text x="{x + dx:.1f}" y="{y1 + 12 + (14 if label == "you" else 0)}" text-anchor="{anchor}" '
                    f'fill="{colour}" font-weight="600">{escape(label)}</text>')
    if user_volume is not None:
        where = "" if 10**LOW_EXP <= user_volume <= 10**HIGH_EXP else " (off the chart)"
        legend.append(("#1d2330", f"your volume: {user_volume:,} requests a month{where}", "vline"))
    if break_even is not None:
        where = "" if 10**LOW_EXP <= break_even <= 10**HIGH_EXP else " (off the chart)"
        legend.append(("#b91c1c", f"self-hosting breaks even at {break_even:,} requests a month{where}", "vdash"))
    caption = "Monthly cost at the answers' token mix, for 1K to 100M requests a month (both axes log scale)."
    return _figure("Monthly cost against volume", _svg("Monthly cost against volume", body), _legend(legend), caption)


def quality_chart_svg(points: Sequence[tuple[str, float, float, float, Decimal | None]],
                      floor: float | None = None) -> str:
    """Pass rate (with its 95% interval) against cost per success.

    ``points``: (label, pass rate, low, high, cost per success or None). Models with
    no known cost per success are listed under the chart, not drawn."""
    drawn = [p for p in points if p[4] is not None and p[4] > 0]
    if not drawn:
        return ""
    costs = [float(p[4]) for p in drawn]  # type: ignore[arg-type]
    lo, hi = math.floor(math.log10(min(costs))), math.ceil(math.log10(max(costs)))
    if hi - lo < 1:
        hi = lo + 1
    x0, x1, y0, y1 = LEFT, W - RIGHT, H - BOTTOM, TOP

    def fx(c: float) -> float:
        return x0 + 14 + (math.log10(c) - lo) / (hi - lo) * (x1 - x0 - 28)

    def fy(r: float) -> float:
        return y0 - r * (y0 - y1)

    body = _axes([(fx(10**e), format_usd(Decimal(10) ** e)) for e in range(lo, hi + 1)],
                 [(fy(r / 100), f"{r}%") for r in (0, 25, 50, 75, 100)],
                 "cost per success (log)", "pass rate")
    if floor is not None:
        body.append(f'<line x1="{x0}" y1="{fy(floor):.1f}" x2="{x1}" y2="{fy(floor):.1f}" stroke="#9a5b00" '
                    'stroke-dasharray="5 3" stroke-width="1.5"/>')
        body.append(f'<text x="{x1 - 4}" y="{fy(floor) - 4:.1f}" text-anchor="end" fill="#9a5b00">'
                    f"your floor {floor * 100:.0f}%</text>")
    legend = []
    for i, (label, rate, low, high, cps) in enumerate(points):
        colour = COLOURS[i % len(COLOURS)]
        if cps is None or cps <= 0:
            legend.append((colour, f"{label}: {rate * 100:.0f}% — cost per success unknown, not drawn", "dot"))
            continue
        x = fx(float(cps))
        body.append(f'<line x1="{x:.1f}" y1="{fy(low):.1f}" x2="{x:.1f}" y2="{fy(high):.1f}" stroke="{colour}" '
                    'stroke-width="2"/>')
        for y in (fy(low), fy(high)):
            body.append(f'<line x1="{x - 5:.1f}" y1="{y:.1f}" x2="{x + 5:.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="2"/>')
        body.append(f'<circle cx="{x:.1f}" cy="{fy(rate):.1f}" r="5" fill="{colour}"><title>{escape(label)}</title></circle>')
        legend.append((colour, f"{label}: {rate * 100:.0f}% (95% CI {low * 100:.0f}–{high * 100:.0f}%), "
                       f"{format_usd(cps)} per success", "dot"))
    caption = "Up is better, left is cheaper. Bars: 95% Wilson intervals; overlapping bars are no evidence of a difference."
    return _figure("Pass rate against cost per success", _svg("Pass rate against cost per success", body),
                   _legend(legend), caption)


def latency_chart_svg(rows: Sequence[tuple[str, float | None, float | None]]) -> str:
    """Horizontal bars: latency p50 (solid) and p95 (light) per model; (label, p50 ms, p95 ms)."""
    drawn = [r for r in rows if r[1] is not None]
    if not drawn:
        return ""
    top = max((r[2] or r[1] or 0.0) for r in drawn) or 1.0
    bar, gap = 18, 12
    height = TOP + len(drawn) * (bar + gap) + BOTTOM
    x0, x1 = LEFT, W - RIGHT
    scale = (x1 - x0) / (top * 1.05)
    nice = 10 ** math.floor(math.log10(top))
    ticks = [t * nice for t in range(0, int(top * 1.05 / nice) + 1)]
    if len(ticks) > 8:
        ticks = ticks[::2]
    body = _axes([(x0 + t * scale, f"{t:,.0f}") for t in ticks], [], "milliseconds", "", height=height)
    legend = []
    for i, (label, p50, p95) in enumerate(drawn):
        colour = COLOURS[i % len(COLOURS)]
        y = TOP + i * (bar + gap) + gap / 2
        if p95 is not None:
            body.append(f'<rect x="{x0}" y="{y:.1f}" width="{p95 * scale:.1f}" height="{bar}" fill="{colour}" '
                        f'fill-opacity="0.3"><title>{escape(label)} p95</title></rect>')
        body.append(f'<rect x="{x0}" y="{y:.1f}" width="{(p50 or 0) * scale:.1f}" height="{bar}" fill="{colour}">'
                    f"<title>{escape(label)} p50</title></rect>")
        body.append(f'<text x="{x0 + 4}" y="{y + bar - 5:.1f}" fill="#fff" font-weight="600">{i + 1}</text>')
        p95_text = "–" if p95 is None else f"{p95:,.0f} ms"
        legend.append((colour, f"{i + 1}. {label}: p50 {p50:,.0f} ms, p95 {p95_text}", "line"))
    caption = "Solid: median latency (p50). Light: p95. Whole request, first byte to last."
    return _figure("Latency per model", _svg("Latency per model", body, height), _legend(legend), caption)
