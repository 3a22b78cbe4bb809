"""The bake-off's settings: a spend cap, how many requests at once, an optional targets file.

Dismisses with :class:`BakeOffSettings` (or ``None`` when cancelled). Each field
is checked as it is submitted; a mistake is shown under the fields and the
dialog stays open. The targets file (a local server, say) replaces the
shortlist's models; its mistakes are shown as ``file:line: field: message``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from advisor.errors import AdvisorError
from advisor.tui.widgets.ordered_input import OrderedInput
from advisor.tui.screens.modals import PathModal

__all__ = ["BakeOffSettings", "BakeOffSettingsModal", "parse_settings"]


@dataclass(frozen=True)
class BakeOffSettings:
    max_spend: Decimal | None = None  # None: no cap
    concurrency: int = 4
    target_file: str | None = None
    targets: list[Any] = field(default_factory=list)  # loaded from target_file


def parse_settings(spend: str, concurrency: str, target_file: str) -> tuple[BakeOffSettings | None, list[str]]:
    """The settings from the three fields' text, or the problems (one line each)."""
    problems: list[str] = []
    cap: Decimal | None = None
    text = spend.strip().lstrip("$").replace(",", "")
    if text:
        try:
            cap = Decimal(text)
            if not cap.is_finite() or cap < 0:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"Spend cap: an amount in US dollars, like 0.50 (got {spend.strip()!r})")
    n = 4
    try:
        n = int(concurrency.strip() or "4")
        if n < 1:
            raise ValueError
    except ValueError:
        problems.append(f"Requests at once: a whole number of at least 1 (got {concurrency.strip()!r})")
    targets: list[Any] = []
    path = target_file.strip() or None
    if path:
        from advisor.eval.target_file import load_target_file

        try:
            targets = load_target_file(str(Path(path).expanduser()))
        except AdvisorError as exc:
            problems += exc.lines()
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror or exc}")
    if problems:
        return None, problems
    return BakeOffSettings(max_spend=cap, concurrency=n, target_file=path, targets=targets), []


class BakeOffSettingsModal(PathModal):
    """Three fields instead of one path; enter, OK, Cancel and escape behave as in
    :class:`PathModal` (whose handlers this dialog keeps). Dismisses with
    :class:`BakeOffSettings` or ``None``."""

    def __init__(self, n_models: int, n_cases: int) -> None:
        super().__init__("Bake-off settings", "")
        self.n_models, self.n_cases = n_models, n_cases

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Bake-off settings", style="bold"), id="dialog-title")
            yield Static(Text(f"{self.n_cases} cases against {self.n_models} shortlisted models. A request is sent "
                              "only while its worst-case cost still fits under the cap; leave it empty for no cap."),
                         classes="dialog-hint")
            yield Static(Text("Spend cap (USD)"), classes="field-label")
            yield OrderedInput(value="", placeholder="no cap", id="settings-spend")
            yield Static(Text("Requests at once"), classes="field-label")
            yield OrderedInput(value="4", id="settings-concurrency")
            yield Static(Text("Targets file (optional: a local server instead of the shortlist)"), classes="field-label")
            yield OrderedInput(value="", placeholder="targets.yaml", id="settings-targets")
            yield Static(Text(""), id="path-error")
            with Horizontal(classes="buttons"):
                yield Button("Run", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#settings-spend", Input).focus()

    def _submit(self) -> None:
        settings, problems = parse_settings(
            self.query_one("#settings-spend", Input).value,
            self.query_one("#settings-concurrency", Input).value,
            self.query_one("#settings-targets", Input).value,
        )
        if settings is None:
            shown = problems[:5] + ([f"(+{len(problems) - 5} more)"] if len(problems) > 5 else [])
            self.query_one("#path-error", Static).update(Text("\n".join(f"⚠ {p}" for p in shown)))
            return
        self.dismiss(settings)
