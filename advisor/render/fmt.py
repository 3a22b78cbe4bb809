"""Shared formatting for every renderer: money, counts, ratings, labels.

Money is rounded here and only here; the core keeps exact Decimals.
"""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from typing import Any

from advisor.core.costs import format_usd
from advisor.core.evidence import cite, disagreement
from advisor.core.result import ROLE_LABELS, Candidate, Shortlist
from advisor.core.schema import DIMENSION_LABELS, DIMENSIONS

UNKNOWN = "unknown"

# C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), line and
# paragraph separators, and the bidi overrides that reorder what a reader sees
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def _picture(m: re.Match[str]) -> str:
    c = ord(m.group())
    return chr(0x2400 + c) if c < 0x20 else "\u2421" if c == 0x7F else "\ufffd"


def safe_text(text: object, *, pictures: bool = False) -> str:
    """Untrusted text (labels, case ids, model names, model output, judge reasons,
    JSON keys, error text) with every terminal control character shown visibly
    escaped: ESC becomes the four characters ``\x1b``, BEL ``\x07``, a lone CR
    ``\x0d`` (CRLF reads as a line break). Tab and newline are kept. With
    ``pictures`` (the app, where every cell counts) a control character becomes
    one cell instead: its Unicode control picture (ESC as U+241B) or U+FFFD.
    Applied at every render boundary: the console, the app, Markdown and HTML, so
    no escape sequence (an OSC title, a cursor move, a colour) reaches a terminal."""
    s = str(text)
    if "\r\n" in s:
        s = s.replace("\r\n", "\n")
    return _CONTROL.sub(_picture if pictures else _visible, s)


def usd(value: Decimal | None) -> str:
    """$1,234.57 for amounts >= $1; up to 6 decimals for fractions of a cent."""
    return format_usd(value)


def per_m(value: Decimal | None) -> str:
    """A per-1M-token price: $0.60, $2.50, $0.075."""
    return format_usd(value)


def count(n: int | None) -> str:
    return UNKNOWN if n is None else f"{n:,}"


def role(c: Candidate) -> str:
    return ROLE_LABELS[c.role]


def dim(d: str) -> str:
    return DIMENSION_LABELS[d]


def level_with_source(c: Candidate, d: str) -> str:
    """A dimension's level with who says so: "moderate (Vectara HHEM)", every
    source when they disagree ("good (Vectara HHEM); moderate (seed-000 capability
    matrix)"), a source's settings together ("good/excellent (Aider polyglot)")."""
    by_source: dict[str, list[str]] = {}
    for e in c.evidence:
        if e.dimension == d:
            source = f"{e.source}, of its predecessor {e.inherited_from}" if e.inherited_from else e.source
            levels = by_source.setdefault(source, [])
            if e.level not in levels:
                levels.append(e.level)
    if not by_source:
        return c.ratings.get(d, "unrated")
    return plain("; ".join(f"{'/'.join(levels)} ({source})" for source, levels in by_source.items()))


def _top_level(c: Candidate, d: str) -> str:
    """The level the first-cited source gives (a bake-off, else the newest benchmark, else the matrix)."""
    return next((e.level for e in c.evidence if e.dimension == d), c.ratings.get(d, "unrated"))


def ratings_line(c: Candidate, dims: tuple[str, ...] = DIMENSIONS) -> str:
    return ", ".join(f"{dim(d)}: {level_with_source(c, d)}" for d in dims)


def key_ratings(c: Candidate, limit: int = 3) -> str:
    rated = [(d, _top_level(c, d)) for d in DIMENSIONS if _top_level(c, d) != "unrated"]
    if not rated:
        return "unrated"
    inherited = {e.dimension for e in c.evidence if e.inherited_from}
    return ", ".join(f"{dim(d).split()[0]} {lvl}" + (" (inherited)" if d in inherited else "") for d, lvl in rated[:limit])


def plain(text: object) -> str:
    """Text with no terminal control character left raw (escape sequences, bells):
    :func:`safe_text`, the one place that decides how they are shown."""
    return safe_text(text)


def citations(c: Candidate) -> list[str]:
    """Each source's claim behind the candidate's ratings, as a citation line."""
    return [plain(cite(e)) for e in c.evidence]


def disagreements(c: Candidate) -> list[str]:
    """One line per dimension where the sources give different levels."""
    out = []
    for d in DIMENSIONS:
        note = disagreement(e for e in c.evidence if e.dimension == d)
        if note:
            out.append(plain(f"sources disagree on {dim(d).lower()}: {note}"))
    return out


def latency(c: Candidate) -> str:
    if c.ttft_ms is None:
        return UNKNOWN
    return f"{c.ttft_ms:,} ms" + (f" · {c.tokens_per_s} tok/s" if c.tokens_per_s else "")


def model_notes(c: Candidate) -> list[str]:
    """What the advice on this candidate rests on, in a few words each: the reasoning
    mode assumed (its short name: "thinking off", "effort: low"; the control and value
    are in the candidate's detail), "unproven", "unverified latency"."""
    notes = []
    if c.reasoning_mode is not None:
        notes.append(c.reasoning_mode.label.split(" (", 1)[0])
    if c.unproven:
        notes.append("unproven: run the bake-off")
    if c.unverified:
        notes.append("unverified " + " and ".join(c.unverified))
    return notes


def model_cell(c: Candidate) -> str:
    """The model's name in a shortlist table, with what the advice rests on."""
    notes = model_notes(c)
    return c.option.model_name + (f" ({'; '.join(notes)})" if notes else "")


def why_not_lines(s: Shortlist) -> list[tuple[str, tuple[str, ...]]]:
    """(summary, details) for every "why not X?" the shortlist answers."""
    return [(w.summary, w.details) for w in s.why_not]


def distinct_reasons(e: Any) -> list[Any]:
    """An eliminated model's reasons, each (where, rule, message) once."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for r in e.reasons:
        key = (r.option.where, r.rule, r.message)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def title(s: Shortlist) -> str:
    task = s.answers.get("task_type", "")
    return f"advisor shortlist — {task} at {s.answers.get('monthly_requests', 0):,} requests/month"


def generated(s: Shortlist) -> str:
    return f"as of {s.today.isoformat()}"


def answer_value(value: object) -> str:
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def md_escape(text: object) -> str:
    """Untrusted text (model names from catalogues, model output, user files)
    made inert in Markdown: control characters are shown escaped (:func:`safe_text`),
    HTML is escaped (Markdown renders inline HTML), and so are the characters that
    would start a table cell, link, image or emphasis."""
    out = html.escape(safe_text(text), quote=False)
    for ch in ("\\", "|", "[", "]", "*", "_", "`", "!"):
        out = out.replace(ch, "\\" + ch)
    return out.replace("\r", " ").replace("\n", " ")


def html_escape(text: object) -> str:
    """Untrusted text made inert in HTML: control characters shown escaped, then
    ``html.escape`` (quotes too, so it is safe in attributes)."""
    return html.escape(safe_text(text), quote=True)
