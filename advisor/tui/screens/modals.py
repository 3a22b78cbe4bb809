"""Small dialogs: ask for a path, confirm an action. Each dismisses with its answer."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from advisor.tui.widgets.ordered_input import OrderedInput


class PathModal(ModalScreen[str | None]):
    """Ask for a file path; dismiss with the path, or ``None`` when cancelled.

    ``check(path)`` (optional) returns an error to show under the input, keeping
    the dialog open, or ``None`` to accept the path.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="path-cancel")]

    def __init__(self, title: str, default: str, hint: str = "",
                 check: Callable[[str], str | None] | None = None) -> None:
        super().__init__(classes="dialog")
        self.check = check
        self.title_text = title
        self.default = default
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.title_text, style="bold"), id="dialog-title")
            if self.hint:
                yield Static(Text(self.hint), classes="dialog-hint")
            # the default is selected, so typing a name replaces it rather than appending to it
            yield OrderedInput(value=self.default, id="path-input", select_on_focus=True)
            yield Static(Text(""), id="path-error")
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def _submit(self) -> None:
        path = self.query_one("#path-input", Input).value.strip()
        if not path:
            self.query_one("#path-error", Static).update(Text("⚠ type a file path"))
            return
        if self.check is not None:
            error = self.check(path)
            if error:
                self.query_one("#path-error", Static).update(Text(f"⚠ {error}"))
                return
        self.dismiss(path)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    """A yes/no question; dismiss with ``True`` for yes."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n", "answer(False)", "No", id="confirm-no"),
        Binding("escape", "answer(False)", "Cancel", id="confirm-cancel"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.question), id="dialog-title")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="error", id="yes")
                yield Button(self.no, variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
