"""One checklist question, rendered from its ``Question`` in questions.yaml.

The field parses and checks what is typed with the core's ``parse_value`` /
``check_value``, shows any message under itself, and posts
``QuestionField.Changed`` when the answer (or its error) changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Select, SelectionList, Static, Switch

from advisor.tui.widgets.ordered_input import OrderedInput
from advisor.core.questions import check_value, format_value, parse_value
from advisor.core.schema import Question

_UNSET = object()


class QuestionField(Vertical):
    """Prompt, help, the input for the question's type, and a line for errors."""

    DEFAULT_CSS = """
    QuestionField { height: auto; margin: 0 0 1 0; }
    QuestionField .prompt { text-style: bold; }
    QuestionField .help { color: $text-muted; }
    QuestionField .error { color: $error; height: auto; }
    QuestionField .error.-empty { display: none; }
    QuestionField Select, QuestionField Input { width: 100%; }
    QuestionField SelectionList { height: auto; max-height: 6; }
    """

    @dataclass
    class Changed(Message):
        field: "QuestionField"
        qid: str
        value: Any
        error: str | None

        @property
        def control(self) -> "QuestionField":
            return self.field

    def __init__(self, question: Question, kb: Any, value: Any = _UNSET, **kwargs: Any) -> None:
        super().__init__(id=f"q-{question.id}", **kwargs)
        self.question = question
        self.kb = kb
        self.given = value is not _UNSET
        self.value: Any = value if self.given else question.default
        self.error: str | None = None

    # ------------------------------------------------------------------ compose
    def _prompt_text(self) -> Text:
        q = self.question
        t = Text(q.prompt)
        if q.required:
            t.append(" *", style="bold red")
        if q.unit:
            t.append(f"  ({q.unit})", style="dim")
        return t

    def _default_text(self) -> str:
        q = self.question
        if q.required:
            return "required" + (f" — e.g. {format_value(q.example)}" if q.example is not None else "")
        if q.default is None or q.default == []:
            return "optional — empty means not given"
        return f"default: {format_value(q.default)}"

    def compose(self) -> ComposeResult:
        q = self.question
        yield Static(self._prompt_text(), classes="prompt")
        help_text = Text(q.help)
        help_text.append(f"  [{self._default_text()}]", style="italic")
        yield Static(help_text, classes="help")
        yield self._control()
        yield Static(Text(""), classes="error -empty")

    def _control(self):
        q = self.question
        cid = f"in-{q.id}"
        if q.type == "choice":
            options = [(c.label or c.value, c.value) for c in q.choices]
            current = self.value if self.value is not None else Select.NULL
            return Select(options, value=current, allow_blank=q.required or q.nullable, prompt="Choose…", id=cid,
                          compact=True)
        if q.type == "multi_choice":
            chosen = set(self.value or ())
            return SelectionList[str](*[(c.label or c.value, c.value, c.value in chosen) for c in q.choices], id=cid,
                                      compact=True)
        if q.type == "bool":
            return Switch(value=bool(self.value), id=cid)
        placeholder = format_value(q.default) if q.default not in (None, []) else (
            f"e.g. {format_value(q.example)}" if q.example is not None else "")
        return OrderedInput(value=format_value(self.value) if self.given else "", placeholder=placeholder, id=cid,
                     compact=True, select_on_focus=False)

    # ------------------------------------------------------------------ events
    def _report(self, value: Any, error: str | None) -> None:
        if error is None:
            error = check_value(self.kb, self.question.id, value)
        if value == self.value and error == self.error:
            return
        self.value, self.error = value, error
        label = self.query_one(".error", Static)
        label.update(Text("⚠ " + error) if error else Text(""))
        label.set_class(error is None, "-empty")
        self.set_class(error is not None, "-invalid")
        self.post_message(self.Changed(self, self.question.id, value, error))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        try:
            value = parse_value(self.question, event.value)
        except ValueError as exc:
            self._report(None, str(exc))
            return
        self._report(value, None)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = None if event.value is Select.NULL else event.value
        if value is None and self.question.required:
            self._report(None, "an answer is required")
        else:
            self._report(value, None)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        chosen = set(event.selection_list.selected)
        self._report(tuple(v for v in self.question.choice_values if v in chosen), None)

    def on_switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        self._report(event.value, None)
