"""Carry a YAML mapping file's comments onto a rewrite of it.

Saving answers dumps them afresh with PyYAML, which keeps no comments. When the
file being replaced is one the user wrote (an example they copied, a file with
notes on why a budget is what it is), its comments are kept: the header block,
the comment lines above each top-level key, and a comment at the end of a key's
line, each put back at the same key in the new text; the closing comments stay
at the end. Comments about keys the new text no longer has go at the end, under
a note, rather than vanish."""

from __future__ import annotations

import re

import yaml

__all__ = ["carry_comments"]

_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def _inline_comment(line: str) -> str | None:
    """The comment at the end of a one-line ``key: value`` (a '#' that YAML reads
    as a comment, not one inside a quoted value), or None."""
    try:
        whole = yaml.safe_load(line)
    except yaml.YAMLError:
        return None
    for m in re.finditer(r"\s#", line):
        try:
            if yaml.safe_load(line[: m.start()]) == whole:
                return line[m.start():].strip()
        except yaml.YAMLError:
            continue
    return None


def _parse(old: str) -> tuple[list[str], dict[str, list[str]], dict[str, str], list[str]]:
    """(header lines, comment lines above each key, inline comment of each key, trailing lines)."""
    lines = old.splitlines()
    header: list[str] = []
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        header.append(lines[i])
        i += 1
    above: dict[str, list[str]] = {}
    inline: dict[str, str] = {}
    pending: list[str] = []
    for line in lines[i:]:
        m = _KEY.match(line)
        if m:
            key = m.group(1)
            if pending:
                above[key] = pending
            pending = []
            note = _inline_comment(line)
            if note:
                inline[key] = note
        elif line.lstrip().startswith("#"):
            pending.append(line)
    return header, above, inline, pending


def carry_comments(old: str, new: str) -> str:
    """``new`` (a top-level mapping as PyYAML dumps it) with ``old``'s comments put back."""
    header, above, inline, trailing = _parse(old)
    if not (header or above or inline or trailing):
        return new
    out: list[str] = list(header)
    while out and not out[-1].strip():
        out.pop()
    keys_in_new: set[str] = set()
    for line in new.splitlines():
        m = _KEY.match(line)
        if m:
            key = m.group(1)
            keys_in_new.add(key)
            out.extend(above.get(key, []))
            note = inline.get(key)
            # only a one-line value takes the comment back at its end
            if note and line.rstrip() != f"{key}:":
                line = f"{line}  {note}"
        out.append(line)
    orphans = [c for key, lines in above.items() if key not in keys_in_new for c in lines]
    orphans += [f"# {key}: {note.lstrip('#').strip()}" for key, note in inline.items() if key not in keys_in_new]
    if orphans:
        out.append("# comments about answers this file no longer has:")
        out.extend(orphans)
    out.extend(trailing)  # the file's closing comments stay at its end
    return "\n".join(out) + "\n"
