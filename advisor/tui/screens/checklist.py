"""The checklist: every question from questions.yaml, by section, beside the live shortlist."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from advisor.tui.widgets.live_panel import LivePanel, PanelView
from advisor.tui.widgets.question_field import QuestionField

#: below this width the live panel goes under the form
NARROW = 100


class ChecklistScreen(Screen):
    BINDINGS = [
        # Tab moves the focus in the app's own event loop (a priority binding), before the
        # next key is handed on. As a screen binding it ran in the focused widget's queue,
        # after the keys typed right behind it had been handed to that widget: under load,
        # "Tab 5 0 0 0 0" from the task list left "000" in the volume field, and costs were
        # computed at the wrong volume without a word.
        Binding("tab", "app.focus_next", "Next field", id="next-field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", id="previous-field", show=False, priority=True),
        Binding("ctrl+r", "app.show_results", "Results", id="show-results"),
        Binding("ctrl+l", "toggle_panel", "Live panel", id="toggle-live-panel"),
    ]

    def __init__(self, kb: Any, values: dict[str, Any]) -> None:
        super().__init__(id="checklist")
        self.kb = kb
        self.values = values

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="checklist-body"):
            with VerticalScroll(id="form"):
                for section in self.kb.questions.sections:
                    yield Static(Text(section.title), classes="section-title", id=f"section-{section.id}")
                    if section.help:
                        yield Static(Text(section.help), classes="section-help")
                    for q in self.kb.questions.questions:
                        if q.section != section.id:
                            continue
                        if q.id in self.values:
                            yield QuestionField(q, self.kb, self.values[q.id])
                        else:
                            yield QuestionField(q, self.kb)
            yield LivePanel(id="live")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "advisor — checklist"
        self._fit(self.app.size.width)
        view = getattr(self.app, "view", None)
        if isinstance(view, PanelView):
            self.show(view)
        first = self.query(QuestionField).first()
        first.children[2].focus()  # the first question's control (after prompt and help)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        self.set_class(width < NARROW, "-narrow")

    def show(self, view: PanelView) -> None:
        """Attributes down: the app hands the panel its new view."""
        self.query_one(LivePanel).view = view

    def action_toggle_panel(self) -> None:
        self.toggle_class("-panel-hidden")
