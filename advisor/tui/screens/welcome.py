"""The first screen: start a fresh checklist or open an answers file."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static

from advisor.errors import AdvisorError
from advisor.tui.widgets.ordered_input import OrderedInput
from advisor.tui.messages import AnswersOpened, StartFresh

INTRO = (
    "advisor shortlists the LLMs that fit a production workload from your own constraints: "
    "volume, tokens, quality, latency, budget, privacy and what your team can operate. "
    "Answer the checklist and the shortlist updates as you go."
)


class WelcomeScreen(Screen):
    BINDINGS = [
        Binding("ctrl+n", "start", "Start fresh", id="welcome-start"),
        Binding("ctrl+o", "focus_open", "Open file", id="welcome-open"),
    ]

    def __init__(self, kb) -> None:  # noqa: ANN001
        super().__init__(id="welcome")
        self.kb = kb

    def compose(self) -> ComposeResult:
        yield Header()
        with Center():
            with Vertical(id="welcome-box"):
                yield Static(Text("Welcome to advisor", style="bold"), id="welcome-title")
                yield Static(Text(INTRO), id="welcome-intro")
                yield Button("Start a fresh checklist", variant="primary", id="start")
                yield Static(Text("…or open an answers file (YAML):"), id="open-label")
                with Horizontal(id="open-row"):
                    yield OrderedInput(placeholder="path/to/answers.yaml", id="open-path")
                    yield Button("Open", id="open")
                yield Static(Text(""), id="open-error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#start", Button).focus()

    def action_start(self) -> None:
        self.post_message(StartFresh())

    def action_focus_open(self) -> None:
        self.query_one("#open-path", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "start":
            self.action_start()
        else:
            self._open()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._open()

    def _open(self) -> None:
        from advisor.core.questions import load_answers

        raw = self.query_one("#open-path", Input).value.strip()
        error = self.query_one("#open-error", Static)
        if not raw:
            error.update(Text("⚠ type the path of an answers file"))
            return
        path = str(Path(raw).expanduser())
        try:
            answers = load_answers(self.kb, path)
        except AdvisorError as exc:
            error.update(Text("\n".join("⚠ " + line for line in exc.lines())))
            return
        values = {name: getattr(answers, name) for name in type(answers).model_fields}
        self.post_message(AnswersOpened(values, path))
