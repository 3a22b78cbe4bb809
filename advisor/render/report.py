"""Write a report file: the format follows the extension, the write is atomic."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from advisor.core.result import Shortlist
from advisor.errors import InputError, Location, Problem, display_path

FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".json": "json"}


def format_for(path: str | Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(
            [Problem(f"unknown report format; use one of {', '.join(sorted(FORMATS))}", Location(display_path(path), None, "--report"))]
        )
    return fmt


def render(shortlist: Shortlist, fmt: str, evaluation: Any | None = None) -> str:
    if fmt == "markdown":
        from advisor.render.markdown import render_markdown

        return render_markdown(shortlist, evaluation)
    if fmt == "html":
        from advisor.render.html import render_html

        return render_html(shortlist, evaluation)
    from advisor.render.jsonout import render_json

    return render_json(shortlist, evaluation)


def atomic_write(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename."""
    target = Path(path)
    label = display_path(target)
    if target.is_dir():
        raise InputError([Problem("is a directory", Location(label))])
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError([Problem(f"folder {display_path(folder)} does not exist", Location(label))])
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError([Problem(f"cannot write: {exc.strerror or exc}", Location(label))]) from None


def write_report(path: str | Path, shortlist: Shortlist, evaluation: Any | None = None) -> str:
    """Render by extension and write atomically; returns the format used."""
    fmt = format_for(path)
    atomic_write(path, render(shortlist, fmt, evaluation))
    return fmt
