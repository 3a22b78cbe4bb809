"""Errors the user can act on.

Every error that reaches the command line is an :class:`AdvisorError`: it has a
title and one or more :class:`Problem` lines, each naming the file, the line and
the field it is about. The CLI prints one line per problem to stderr and exits
with the error's ``exit_code`` (2 for bad input). Nothing here imports a UI.
"""

from __future__ import annotations

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
        return [str(p) for p in self.problems]


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
