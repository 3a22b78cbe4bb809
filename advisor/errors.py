"""Errors the user can act on.

Every error that reaches the command line is an :class:`AdvisorError`: it has a
title and one or more :class:`Problem` lines, each naming the file, the line and
the field it is about. The CLI prints one line per problem to stderr and exits
with the error's ``exit_code`` (2 for bad input). Nothing here imports a UI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, optionally a 1-based line, optionally a field path."""

    file: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where = f"{where}:{self.line}"
        return where


@dataclass(frozen=True)
class Problem:
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        prefix = str(self.location)
        if self.location.field:
            return f"{prefix}: {self.location.field}: {self.message}"
        return f"{prefix}: {self.message}"


class AdvisorError(Exception):
    """Base class for errors shown to the user. ``exit_code`` 2 means bad input."""

    exit_code = 2
    title = "error"

    def __init__(self, problems: list[Problem] | Problem | str, title: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        if title:
            self.title = title
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        """One line per problem, in reading order (each file's in line order, files in
        the order they were first named); a problem repeated in many places is one line
        with the count."""
        return collapse_repeats(reading_order(self.problems))


def reading_order(problems: list[Problem]) -> list[Problem]:
    """``problems`` sorted as a reader meets them: files in the order they first appear,
    within a file by line (a problem without a line after the located ones), and
    otherwise in the order found (checks run in their own order, not the file's)."""
    rank: dict[str, int] = {}

    def key(item: tuple[int, Problem]) -> tuple[int, int, int]:
        i, p = item
        if p.location is None:
            return (rank.setdefault(f"\0{i}", len(rank)), 0, i)
        line = p.location.line
        return (rank.setdefault(p.location.file, len(rank)), line if line is not None else 1 << 62, i)

    keyed = [(key(item), item[1]) for item in enumerate(problems)]  # ranks assigned in found order
    return [p for _, p in sorted(keyed, key=lambda kp: kp[0])]


#: a problem found in more places than this is said once, with the count
REPEAT_LIMIT = 3
_INDEX = re.compile(r"\[\d+\]")


def collapse_repeats(problems: list[Problem], limit: int = REPEAT_LIMIT, shown: int = 3) -> list[str]:
    """``str(p)`` for each problem, except that one message at the same field of
    many list items (``cases[0].checks``, ``cases[1].checks``, ...) in one file is
    one line naming the first place, the count and the next few lines."""
    groups: dict[tuple[str, str, str], list[Problem]] = {}
    order: list[tuple[str, str, str] | Problem] = []
    for p in problems:
        loc = p.location
        if loc is None:
            order.append(p)
            continue
        key = (loc.file, _INDEX.sub("[]", loc.field or ""), p.message)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(p)
    out: list[str] = []
    for item in order:
        if isinstance(item, Problem):
            out.append(str(item))
            continue
        same = groups[item]
        if len(same) <= limit:
            out.extend(str(p) for p in same)
            continue
        rest = [p.location.line for p in same[1:] if p.location is not None and p.location.line is not None]
        where = ""
        if rest:
            where = ": line" + ("s " if len(rest) > 1 else " ") + ", ".join(map(str, rest[:shown]))
            where += ", …" if len(rest) > shown else ""
        out.append(f"{same[0]} (and {len(same) - 1} more places like it{where})")
    return out


class InputError(AdvisorError):
    """The user's file or value is wrong (exit 2)."""

    title = "bad input"


class KnowledgeError(AdvisorError):
    """A knowledge YAML file (built in or an overlay) is wrong (exit 2)."""

    title = "bad knowledge file"


class ProviderError(AdvisorError):
    """A provider could not be reached or answered with an error."""

    exit_code = 1
    title = "provider error"


def display_path(path: str | Path) -> str:
    """A path as the user would recognise it: relative to the cwd when below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)
