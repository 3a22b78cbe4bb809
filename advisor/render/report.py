"""Write a report file: the format follows the extension, the write is atomic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advisor.core.result import Shortlist
from advisor.errors import InputError, Location, Problem, display_path
from advisor.fileio import atomic_write

FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".json": "json"}


def format_for(path: str | Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(
            [Problem(f"unknown report format; use one of {', '.join(sorted(FORMATS))}", Location(display_path(path), None, "--report"))]
        )
    return fmt


def render(shortlist: Shortlist, fmt: str, evaluation: Any | None = None, kb: Any | None = None) -> str:
    """The report in ``fmt``; with ``evaluation`` it leads with the decision. ``kb`` (the
    hosting assumptions) lets the cost chart draw self-hosted options too."""
    if fmt == "markdown":
        from advisor.render.markdown import render_markdown

        return render_markdown(shortlist, evaluation, kb)
    if fmt == "html":
        from advisor.render.html import render_html

        return render_html(shortlist, evaluation, kb)
    from advisor.render.jsonout import render_json

    return render_json(shortlist, evaluation)


def write_report(path: str | Path, shortlist: Shortlist, evaluation: Any | None = None, kb: Any | None = None) -> str:
    """Render by extension and write atomically; returns the format used."""
    from advisor.secrets import redact

    fmt = format_for(path)
    atomic_write(path, redact(render(shortlist, fmt, evaluation, kb)))  # no key in any form, whatever it quotes
    return fmt
