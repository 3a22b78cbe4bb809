"""App-level messages: widgets and screens post these up; the app decides.

Widget-local messages are nested in their widget (``QuestionField.Changed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from advisor.core.result import Shortlist


@dataclass
class StartFresh(Message):
    """The welcome screen asked for an empty checklist."""


@dataclass
class AnswersOpened(Message):
    """The welcome screen loaded an answers file."""

    values: dict[str, Any]
    path: str


@dataclass
class ShortlistReady(Message):
    """The engine worker finished run ``seq``."""

    seq: int
    shortlist: Shortlist
    seconds: float


@dataclass
class ShortlistFailed(Message):
    seq: int
    error: str
