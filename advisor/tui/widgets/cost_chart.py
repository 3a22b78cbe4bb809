"""A character plot of monthly cost against monthly volume (log-log).

API options cost ``per_request × volume`` (a straight line on log-log axes);
self-hosting costs whole GPUs plus operations, so it is a step function. The
self-hosting break-even volume from the shortlist is marked with a dotted
column, the user's own volume with a solid one. The series are the HTML
report's (:mod:`advisor.render.charts`). Pure plotting lives in ``plot`` so it can be tested without a screen.
"""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text
from textual.widget import Widget

from advisor.core.result import Shortlist
from advisor.render.charts import Series, compact, series_for

__all__ = ["CostChart", "plot", "series_for", "compact", "volume_at"]

LOW_EXP, HIGH_EXP = 4, 8  # 10K .. 100M requests a month
GLYPHS = ("●", "◆", "▲", "■", "✚", "◼")
COLOURS = ("cyan", "magenta", "green", "yellow", "bright_blue", "red")


def volume_at(col: int, width: int) -> int:
    return int(round(10 ** (LOW_EXP + (HIGH_EXP - LOW_EXP) * col / max(1, width - 1))))


def _col(volume: int | None, w: int) -> int | None:
    if volume is None or not 10**LOW_EXP <= volume <= 10**HIGH_EXP:
        return None
    return round((math.log10(volume) - LOW_EXP) / (HIGH_EXP - LOW_EXP) * (w - 1))


def plot(series: list[Series], width: int, height: int, break_even: int | None = None,
         user_volume: int | None = None) -> Text:
    """The chart as styled text, ``width`` × about ``height + 3 + len(series)`` cells."""
    axis_w = 8
    w = max(10, width - axis_w - 1)
    h = max(4, height)
    vols = [volume_at(i, w) for i in range(w)]
    values: list[list[float | None]] = []
    for s in series:
        row: list[float | None] = []
        for v in vols:
            c = s.cost_at(v)
            row.append(float(c) if c is not None and c > 0 else None)
        values.append(row)
    flat = [x for row in values for x in row if x is not None]
    out = Text(no_wrap=True, overflow="crop")
    if not flat:
        out.append("no costs to plot (prices unknown)", style="dim")
        return out
    lo, hi = math.log10(min(flat)), math.log10(max(flat))
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    grid: list[list[tuple[str, str]]] = [[(" ", "")] * w for _ in range(h)]
    be_col = _col(break_even, w)
    you_col = _col(user_volume, w)
    if be_col is not None:
        for r in range(h):
            grid[r][be_col] = ("┊", "bold red")
    if you_col is not None:
        for r in range(h):
            grid[r][you_col] = ("│", "bold white")
    for si, row in enumerate(values):
        glyph, colour = GLYPHS[si % len(GLYPHS)], COLOURS[si % len(COLOURS)]
        for col, val in enumerate(row):
            if val is None:
                continue
            r = round((math.log10(val) - lo) / (hi - lo) * (h - 1))
            grid[h - 1 - r][col] = (glyph, colour)
    labels = {0: compact(10**hi, True), h // 2: compact(10 ** ((hi + lo) / 2), True), h - 1: compact(10**lo, True)}
    for r in range(h):
        out.append(f"{labels.get(r, ''):>{axis_w}}│", style="dim")
        for ch, style in grid[r]:
            out.append(ch, style=style)
        out.append("\n")
    out.append(" " * axis_w + "└" + "─" * w + "\n", style="dim")
    ticks = [" "] * w
    for e in range(LOW_EXP, HIGH_EXP + 1):
        col = round((e - LOW_EXP) / (HIGH_EXP - LOW_EXP) * (w - 1))
        label = compact(10**e)
        start = min(max(0, col - len(label) // 2), w - len(label))
        ticks[start : start + len(label)] = list(label)
    out.append(" " * (axis_w + 1) + "".join(ticks) + "\n", style="dim")
    out.append(" " * (axis_w + 1) + "x: requests a month · y: cost a month (both log scale)\n", style="dim")
    for si, s in enumerate(series):
        out.append(f"  {GLYPHS[si % len(GLYPHS)]} ", style=COLOURS[si % len(COLOURS)])
        out.append(f"{s.label} — {'API, linear' if s.kind == 'api' else 'self-hosted, steps per GPU replica'}\n")
    if user_volume is not None:
        out.append("  │ ", style="bold white")
        out.append(f"your volume: {user_volume:,} requests/month")
        out.append(" (off the chart)\n" if you_col is None else "\n", style="dim")
    if break_even is not None:
        out.append("  ┊ ", style="bold red")
        out.append(f"self-hosting breaks even at {break_even:,} requests/month")
        if be_col is None:
            out.append(" (off the chart)", style="dim")
    else:
        out.append("  no self-hosting break-even at these volumes", style="dim")
    return out


class CostChart(Widget):
    """Monthly cost (log) against volume (log) for the shortlisted options."""

    DEFAULT_CSS = """
    CostChart { height: auto; min-height: 12; }
    """

    def __init__(self, shortlist: Shortlist, kb: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shortlist = shortlist
        self.kb = kb
        self._series = series_for(shortlist, kb)

    def _break_even(self) -> int | None:
        be = self.shortlist.break_even
        return be.monthly_requests if be is not None else None

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return self._plot_height() + 5 + len(self._series)

    def _plot_height(self) -> int:
        return 14

    def render(self) -> Text:
        volume = self.shortlist.answers.get("monthly_requests")
        return plot(self._series, self.size.width or 80, self._plot_height(), self._break_even(),
                    int(volume) if volume else None)
