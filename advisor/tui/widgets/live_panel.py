"""The live shortlist beside the checklist: top candidates, costs, last change.

The screen sets ``view`` (attributes down); the panel only renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from advisor.core.result import Shortlist
from advisor.render import fmt


@dataclass(frozen=True)
class PanelView:
    seq: int = 0
    shortlist: Shortlist | None = None
    missing: tuple[str, ...] = ()  # prompts of required questions not answered
    errors: tuple[str, ...] = ()  # "prompt: message" for fields with a bad answer
    changes: tuple[str, ...] = ()
    failure: str | None = None
    pending: bool = False
    notes: tuple[str, ...] = field(default=())


def panel_text(view: PanelView) -> Text:
    t = Text()
    if view.failure:
        t.append("The engine failed: ", style="bold red")
        t.append(view.failure + "\n")
        return t
    if view.missing:
        t.append("Still needed for a shortlist:\n", style="bold yellow")
        for prompt in view.missing:
            t.append(f"  • {prompt}\n")
    if view.errors:
        t.append("Not applied until fixed:\n", style="bold red")
        for e in view.errors:
            t.append(f"  • {e}\n")
    s = view.shortlist
    if s is None:
        if not view.missing:
            t.append("Working…\n", style="dim")
        return t
    if not s.candidates:
        t.append("No model passes every hard filter.\n", style="bold red")
    for c in s.candidates:
        t.append(f"{fmt.role(c)}\n", style="bold cyan" if c.role == "recommended" else "bold")
        t.append(f"  {c.option.label}\n")
        t.append(f"  {fmt.usd(c.costs.per_month)}/month · {fmt.usd(c.costs.per_request)}/request\n", style="green")
    t.append(
        f"{s.options_surviving} of {s.options_considered} options pass; {len(s.eliminated)} models eliminated\n",
        style="dim",
    )
    t.append("\nLast change\n", style="bold")
    if view.changes:
        for line in view.changes:
            style = "red" if line.startswith("−") else "green" if line.startswith("+") else ""
            t.append(f"  {line}\n", style=style)
    else:
        t.append("  no change to the shortlist\n", style="dim")
    return t


class LivePanel(VerticalScroll):
    """Shows a ``PanelView``; re-renders whenever the screen assigns a new one."""

    DEFAULT_CSS = """
    LivePanel { border: round $accent; padding: 0 1; }
    """

    view: reactive[PanelView] = reactive(PanelView, always_update=True, init=False)

    def compose(self) -> ComposeResult:
        yield Static(panel_text(self.view), id="live-body")

    def on_mount(self) -> None:
        self.border_title = "Live shortlist"

    def watch_view(self, view: PanelView) -> None:
        self.query_one("#live-body", Static).update(panel_text(view))
        self.border_subtitle = "updating…" if view.pending else ""
