"""The app: wiring only. Screens compose widgets; the core decides.

``make_app`` is the one factory the CLI (``launch``) and the tests use. The app
holds the form state, runs the engine in an exclusive worker on every answer
change and hands each screen what it shows (attributes down); widgets and
screens tell it what happened with messages (messages up).

A bake-off's measurements (``EvalScreen.Measured``) become part of the result:
the results screen re-ranks on them, the export includes them, and they are
kept as evidence in the user data folder (unless the app was started with
``--no-evidence``). Kept evidence from earlier bake-offs is cited in every
shortlist the app computes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import get_current_worker
from textual.color import Color
from textual.filter import LineFilter
from rich.segment import Segment

from advisor.core.result import Shortlist
from advisor.errors import AdvisorError
from advisor.tui.messages import AnswersOpened, ShortlistFailed, ShortlistReady, StartFresh
from advisor.tui.screens.checklist import ChecklistScreen
from advisor.tui.screens.eval import EvalScreen
from advisor.tui.screens.modals import ConfirmModal, PathModal
from advisor.tui.screens.results import ResultsScreen, TargetsFactory
from advisor.tui.screens.welcome import WelcomeScreen
from advisor.tui.state import FormState, compute, describe_changes
from advisor.tui.widgets.live_panel import PanelView
from advisor.tui.widgets.question_field import QuestionField


NAVIGATION = ("cursor_", "scroll_", "page_", "select_cursor", "focus_next", "focus_previous")


class _ControlCharacters(LineFilter):
    """The app's last boundary before the terminal: every segment's text with
    control characters shown as control pictures (``fmt.safe_text``), so text
    from a file or a model can never write an escape sequence to the terminal."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        from advisor.render.fmt import safe_text

        return [s if s.control else Segment(safe_text(s.text, pictures=True), s.style, s.control) for s in segments]


class AdvisorApp(App[int]):
    CSS_PATH = "advisor.tcss"
    TITLE = "advisor"
    SUB_TITLE = "shortlist LLMs from your constraints"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+s", "save_answers", "Save answers", id="save-answers"),
        Binding("ctrl+e", "export_report", "Export report", id="export-report"),
    ]

    def __init__(self, kb: Any, *, values: Mapping[str, Any] | None = None, answers_path: str | None = None,
                 today: date, targets_factory: TargetsFactory | None = None,
                 env: Mapping[str, str] | None = None, kept: Iterable[Any] = (), keep_evidence: bool = True) -> None:
        super().__init__()
        self.kept = list(kept)  # earlier bake-offs, cited in every shortlist
        self.keep_evidence = keep_evidence
        self.evaluation: Any | None = None  # the last bake-off's EvalReport, for the current candidates
        self.kb = kb
        self.targets_factory = targets_factory  # None: targets_for_shortlist (the bake-off's targets)
        self.env = env  # None: os.environ (API keys for the bake-off)
        self.today = today
        self.form = FormState(kb, dict(values or {}))
        self.answers_path = answers_path
        self.prefilled = values is not None
        self.dirty = False
        self.shortlist: Shortlist | None = None
        self.changes: tuple[str, ...] = ()
        self.view = PanelView()
        self._control_filter = _ControlCharacters()
        self._seq = 0
        self.last_update_seconds: float | None = None

    # ------------------------------------------------------------------ start

    def get_line_filters(self):  # type: ignore[no-untyped-def]
        return [*super().get_line_filters(), self._control_filter]

    def on_mount(self) -> None:
        if self.prefilled:
            self._open_checklist()
            self.shortlist = self._compute_now()
            self._publish()
            if self.shortlist is not None:
                self.push_screen(self._results_screen(self.shortlist))
        else:
            self.push_screen(WelcomeScreen(self.kb))

    def _results_screen(self, shortlist: Shortlist) -> ResultsScreen:
        return ResultsScreen(shortlist, self.kb, targets_factory=self.targets_factory, env=self.env,
                             evaluation=self.evaluation)

    def _open_checklist(self) -> None:
        self.checklist = ChecklistScreen(self.kb, self.form.values)
        if isinstance(self.screen, WelcomeScreen):
            self.switch_screen(self.checklist)
        else:
            self.push_screen(self.checklist)

    def _compute_now(self) -> Shortlist | None:
        answers = self.form.answers()
        return None if answers is None else self._compute(answers)

    def _compute(self, answers: Any) -> Shortlist:
        result = compute(self.kb, answers, self.today)
        if self.kept:
            from advisor.evidence_store import cite_kept

            result = cite_kept(result, self.kept, self.today)
        return result

    # ------------------------------------------------------------------ bake-off results
    @on(EvalScreen.Measured)
    def measured(self, message: EvalScreen.Measured) -> None:
        """The bake-off's figures join the result: re-rank the results, keep the evidence."""
        self.evaluation = message.report
        for screen in self.screen_stack:
            if isinstance(screen, ResultsScreen):
                screen.show_evaluation(message.report)
        if not self.keep_evidence:
            return
        from advisor.evidence_store import keep, kept_from_report, not_the_real_api

        skip = not_the_real_api(self.kb, message.targets)
        for key, why in skip.items():
            self.notify(f"Not kept as evidence for {key}: {why}.", title="Evidence", markup=False)
        kept = kept_from_report(message.report, skip=set(skip))
        if kept is None:
            return
        try:
            keep(kept)
        except AdvisorError as exc:
            self.notify("; ".join(exc.lines()), title="Evidence not kept", severity="warning", markup=False)
            return
        self.kept.insert(0, kept)
        self.notify("Kept this bake-off as evidence for later advice.", markup=False)

    @on(StartFresh)
    def start_fresh(self) -> None:
        self.form = FormState(self.kb, {})
        self._open_checklist()
        self._publish()

    @on(AnswersOpened)
    def answers_opened(self, message: AnswersOpened) -> None:
        self.form = FormState(self.kb, dict(message.values))
        self.answers_path = message.path
        self._open_checklist()
        self.shortlist = self._compute_now()
        self._publish()

    # ------------------------------------------------------------------ live shortlist
    def on_question_field_changed(self, message: QuestionField.Changed) -> None:
        self.form.set(message.qid, message.value, message.error)
        self.dirty = True
        self.refresh_shortlist()

    def refresh_shortlist(self) -> None:
        self._seq += 1
        answers = self.form.answers()
        if answers is None:
            self.shortlist, self.changes = None, ()
            self._publish()
            return
        self._publish(pending=True)
        self._run_engine(self._seq, answers)

    @work(exclusive=True, thread=True, group="engine", exit_on_error=False)
    def _run_engine(self, seq: int, answers: Any) -> None:
        started = time.perf_counter()
        try:
            result = self._compute(answers)
        except Exception as exc:  # noqa: BLE001 - shown in the panel, never a crash
            self.post_message(ShortlistFailed(seq, f"{type(exc).__name__}: {exc}"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(ShortlistReady(seq, result, time.perf_counter() - started))

    @on(ShortlistReady)
    def shortlist_ready(self, message: ShortlistReady) -> None:
        if message.seq != self._seq:
            return  # a newer answer is already on its way
        self.changes = tuple(describe_changes(self.shortlist, message.shortlist))
        self.shortlist = message.shortlist
        if self.evaluation is not None and self.evaluation.rerank is not None:
            measured = {r.model_key for r in self.evaluation.rerank.order}
            if measured != {c.option.key for c in message.shortlist.candidates}:
                self.evaluation = None  # it measured other candidates: no longer this result's evidence
        self.last_update_seconds = message.seconds
        self._publish()

    @on(ShortlistFailed)
    def shortlist_failed(self, message: ShortlistFailed) -> None:
        if message.seq == self._seq:
            self.shortlist = None
            self._publish(failure=message.error)

    def _publish(self, pending: bool = False, failure: str | None = None) -> None:
        form = self.form
        self.view = PanelView(
            seq=self._seq,
            shortlist=None if pending and self.shortlist is None else self.shortlist,
            missing=tuple(form.prompt(q) for q in form.missing()),
            errors=tuple(f"{form.prompt(q)} {msg}" for q, msg in form.errors.items())
            + tuple(form.problems),
            changes=() if pending else self.changes,
            failure=failure,
            pending=pending,
        )
        checklist = getattr(self, "checklist", None)
        if checklist is not None and checklist.is_mounted:
            checklist.show(self.view)  # (an unmounted checklist takes app.view when it mounts)
        # Only check_action's inputs change what the footer shows; refreshing the
        # bindings on every answer made the footer rebuild itself (~100 ms a time).
        has_shortlist = self.shortlist is not None
        if has_shortlist != getattr(self, "_bindings_for", None):
            self._bindings_for = has_shortlist
            self.refresh_bindings()

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("export_report", "show_results") and self.shortlist is None:
            return None  # shown, but dimmed
        if action in ("save_answers", "export_report", "show_results") and isinstance(self.screen, WelcomeScreen):
            return False
        return True

    def action_show_results(self) -> None:
        if self.shortlist is None:
            self.notify("Answer the required questions first.", severity="warning")
            return
        if isinstance(self.screen, ResultsScreen):
            return
        self.push_screen(self._results_screen(self.shortlist))

    def action_save_answers(self) -> None:
        self.save_answers_flow()

    def action_export_report(self) -> None:
        self.export_report_flow()

    async def action_quit(self) -> None:
        if self.dirty:
            self.confirm_quit()
        else:
            self.exit(0)

    @work(exclusive=True, group="dialog")
    async def confirm_quit(self) -> None:
        if await self.push_screen_wait(ConfirmModal("You have unsaved answers. Quit without saving them?",
                                                    yes="Quit", no="Stay")):
            self.exit(0)

    async def ask_path(self, title: str, default: str, hint: str = "") -> Path | None:
        raw = await self.push_screen_wait(PathModal(title, default, hint))
        if not raw:
            return None
        path = Path(raw).expanduser()
        if path.exists():
            if path.is_dir():
                self.notify(f"{path} is a directory", severity="error", markup=False)
                return None
            if not await self.push_screen_wait(ConfirmModal(f"{path} already exists. Overwrite it?",
                                                            yes="Overwrite", no="Cancel")):
                return None
        return path

    @work(exclusive=True, group="dialog")
    async def save_answers_flow(self) -> None:
        import yaml

        from advisor.fileio import atomic_write

        answers = self.form.answers()
        if answers is None or self.form.errors:
            todo = [self.form.prompt(q) for q in self.form.missing()] + list(self.form.errors and
                                                                              [self.form.prompt(q) for q in self.form.errors])
            self.notify("Cannot save yet; answer or fix: " + "; ".join(todo), severity="warning", markup=False)
            return
        path = await self.ask_path("Save answers to (YAML)", self.answers_path or "answers.yaml",
                                    "Open it again from the welcome screen; it is plain YAML you can edit.")
        if path is None:
            return
        text = yaml.safe_dump(answers.as_yaml_dict(), sort_keys=False, allow_unicode=True)
        if self.answers_path and path.exists() and path.resolve() == Path(self.answers_path).expanduser().resolve():
            from advisor.yaml_comments import carry_comments

            try:  # the file opened: its comments are the user's, keep them
                text = carry_comments(path.read_text(encoding="utf-8"), text)
            except (OSError, UnicodeDecodeError):
                pass
        try:
            atomic_write(path, text)
        except AdvisorError as exc:
            self.notify("; ".join(exc.lines()), title="Not saved", severity="error", markup=False)
            return
        self.answers_path = str(path)
        self.dirty = False
        self.notify(f"Saved answers to {path}", markup=False)

    @work(exclusive=True, group="dialog")
    async def export_report_flow(self) -> None:
        from advisor.render.report import format_for, write_report

        if self.shortlist is None:
            self.notify("No shortlist yet: answer the required questions first.", severity="warning")
            return
        path = await self.ask_path("Export the report to", "shortlist.md",
                                    "The extension picks the format: .md, .html or .json.")
        if path is None:
            return
        try:
            format_for(path)
            fmt = write_report(path, self.shortlist, evaluation=self.evaluation, kb=self.kb)
        except AdvisorError as exc:
            self.notify("; ".join(exc.lines()), title="Not exported", severity="error", markup=False)
            return
        with_eval = " with the bake-off" if self.evaluation is not None else ""
        self.notify(f"Wrote {fmt} report{with_eval} to {path}", markup=False)

    # ------------------------------------------------------------------ command palette
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen = {"quit"}
        for key, active in screen.active_bindings.items():
            b = active.binding
            if not b.description or b.action in seen or not active.enabled:
                continue
            if b.action.split(".")[-1].startswith(NAVIGATION):
                continue  # moving the cursor or scrolling is not a command
            seen.add(b.action)
            key_label = self.get_key_display(b)
            yield SystemCommand(f"{b.description} ({key_label})", b.tooltip or b.description,
                                partial(self.run_action, b.action, active.node))


def make_app(kb: Any, answers: Any = None, answers_path: str | None = None, today: date | None = None, *,
             targets_factory: TargetsFactory | None = None, env: Mapping[str, str] | None = None,
             kept: Iterable[Any] = (), keep_evidence: bool = True) -> AdvisorApp:
    """The app for ``kb``; pre-filled (straight to the results) when ``answers`` are given.

    ``answers`` is an ``Answers`` model or a mapping of question ids to parsed values.
    ``targets_factory(kb, shortlist) -> (targets, notes)`` and ``env`` (the API keys)
    feed the bake-off; they default to ``targets_for_shortlist`` and ``os.environ``.
    ``kept`` are earlier bake-offs (cited in each shortlist); ``keep_evidence`` keeps new ones.
    """
    values: dict[str, Any] | None = None
    if answers is not None:
        if isinstance(answers, Mapping):
            values = dict(answers)
        else:
            values = {name: getattr(answers, name) for name in type(answers).model_fields}
    return AdvisorApp(kb, values=values, answers_path=answers_path, today=today or date.today(),
                      targets_factory=targets_factory, env=env, kept=kept, keep_evidence=keep_evidence)
