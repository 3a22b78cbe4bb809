"""The bake-off: run a cases file against the shortlist, live, then re-rank it.

The screen builds an :class:`~advisor.eval.runner.EvalRunner` for the targets
it is given (attributes down) and drives it in an async worker on the app's
loop. Planning reads the results file and counts every case's tokens for every
target, so it runs in a thread from that worker (never on the UI thread); the
plan comes back as a message and is handed to ``run`` (no second planning). The runner's events become messages nested in this screen (messages
up); their handlers update one progress bar per model, the live results table
and the spend line. Escape (or ctrl+c) cancels: requests in flight stop,
completed results stay in the JSONL file and in the table. When the run ends
(or is cancelled) the screen shows the re-ranked shortlist with the sentence
saying what changed and why, posts :class:`EvalScreen.Measured` up (the app
updates the results screen, keeps the evidence and exports it with the
shortlist), and ctrl+e exports the report with the evaluation. A cancelled run
resumes with ctrl+r: only what the results file is missing is sent.

Everything shown that came from a file or a model (labels, case ids, errors)
goes in as :class:`rich.text.Text`, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from advisor.core.result import Shortlist
from advisor.errors import AdvisorError, display_path
from advisor.eval.cases import CasesFile
from advisor.eval.report import EvalReport, build_report, request_settings
from advisor.eval.rerank import fmt_usd
from advisor.eval.results import CaseResult
from advisor.eval.target import Target

__all__ = ["EvalScreen", "default_results_path", "RunnerFactory"]

#: builds the runner: (targets, cases, results_path, env) -> an EvalRunner (or a stand-in with
#: ``plan()``, ``async run(on_event, plan=...)`` and ``cancel()``)
RunnerFactory = Callable[[Sequence[Target], CasesFile, Path, Mapping[str, str]], Any]


def default_results_path(folder: Path | None = None, now: datetime | None = None) -> Path:
    """``advisor-eval-<timestamp>.jsonl`` in ``folder`` (the cwd), never an existing file."""
    folder = Path.cwd() if folder is None else folder
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    path = folder / f"advisor-eval-{stamp}.jsonl"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"advisor-eval-{stamp}-{n}.jsonl"
    return path


def _default_runner(targets: Sequence[Target], cases: CasesFile, results_path: Path, env: Mapping[str, str],
                    config: Any = None, resume: bool = False) -> Any:
    from advisor.eval.runner import EvalRunner, RunConfig

    # like the CLI, the first target that can run judges llm_judge checks (the runner's default)
    return EvalRunner(targets, cases, config or RunConfig(), results_path=results_path, env=env, resume=resume)


def _ms(v: float | None) -> Text:
    return Text("–" if v is None else f"{v:,.0f}", justify="right")


def _usd(v: Decimal | None, estimated: bool = False) -> Text:
    if v is None:
        return Text("unknown", justify="right")
    return Text(fmt_usd(v) + (" est." if estimated and v else ""), justify="right")


def _outcome(r: CaseResult) -> Text:
    if r.error_kind:
        return Text(f"error: {r.error_kind}", style="bold red")
    return Text("pass", style="bold green") if r.passed else Text("fail", style="bold yellow")


class EvalScreen(Screen):
    """Per-model progress, a live results table, cancel, then the re-ranked shortlist."""

    BINDINGS = [
        Binding("escape", "cancel_run", "Cancel run", id="eval-cancel"),
        Binding("ctrl+c", "cancel_run", "Cancel run", id="eval-cancel-ctrl-c", show=False),
        Binding("escape", "back", "Back to results", id="eval-back"),
        Binding("ctrl+r", "resume_run", "Resume run", id="eval-resume",
                tooltip="Send what the cancelled run did not; completed results are kept"),
        Binding("ctrl+e", "export_eval", "Export report", id="eval-export"),
        Binding("ctrl+t", "route_plan", "Routing plan", id="eval-route"),
    ]

    # -- messages (posted by the run worker, handled here) ---------------------------------
    @dataclass
    class Planned(Message):
        plan: Any  # Plan

    @dataclass
    class Started(Message):
        total: int

    @dataclass
    class ResultArrived(Message):
        result: CaseResult
        done: int
        total: int
        spent_usd: Decimal
        by_model: dict[str, tuple[int, int]]

    @dataclass
    class Finished(Message):
        summary: Any  # RunSummary

    @dataclass
    class Failed(Message):
        error: str

    @dataclass
    class Measured(Message):
        """Posted up when a run ends with measurements: the app re-ranks its results with them."""

        report: EvalReport
        targets: Sequence[Target] = ()  # what ran, and where (a known model at another URL is no evidence for it)

    def __init__(
        self,
        shortlist: Shortlist,
        targets: Sequence[Target],
        cases: CasesFile,
        *,
        notes: Sequence[str] = (),
        env: Mapping[str, str],
        results_path: Path,
        runner_factory: RunnerFactory | None = None,
        config: Any = None,
    ) -> None:
        super().__init__(id="eval")
        self.shortlist = shortlist
        self.targets = list(targets)
        self.cases = cases
        self.notes = list(notes)
        self.env = env
        self.results_path = results_path
        self.config = config
        self.runner_factory = runner_factory
        self.runner = self._make_runner(resume=False)
        self.plan: Any = None  # the runner's Plan, once the worker has made it
        # idle → planning → running → cancelling → finished | cancelled | failed | nothing
        self.state = "idle"
        self.report: EvalReport | None = None
        self.summary: Any = None
        self.done = 0
        self.total = 0
        self.spent = Decimal(0)

    def _make_runner(self, resume: bool) -> Any:
        if self.runner_factory is not None:
            return self.runner_factory(self.targets, self.cases, self.results_path, self.env)
        return _default_runner(self.targets, self.cases, self.results_path, self.env, self.config, resume)

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._head_text(), id="eval-head")
        yield Static(Text("", style="yellow"), id="eval-skipped", classes="-hidden")
        with VerticalScroll(id="eval-body"):
            yield Vertical(id="eval-bars")  # one row per model, once planned
            yield Static(self._status_text(), id="eval-status")
            yield DataTable(id="eval-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text(""), id="eval-outcome")
            yield DataTable(id="eval-rerank", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "advisor — bake-off"
        table = self.query_one("#eval-table", DataTable)
        table.add_column("Model", key="model", width=30)
        table.add_column("Case", key="case", width=18)
        for label, key in (("Result", "result"), ("Score", "score"), ("Latency ms", "latency"),
                           ("TTFT ms", "ttft")):
            table.add_column(label, key=key)
        # a fixed width: sized to its content, the column grew as results arrived (and snapshots with it)
        table.add_column("Cost", key="cost", width=14)
        self.state = "planning"
        self._show_status()
        self.refresh_bindings()
        table.focus()
        self.run_eval()

    # -- the run (worker: only posts messages) -----------------------------------------------
    @work(exclusive=True, exit_on_error=False, group="eval")
    async def run_eval(self) -> None:
        import asyncio

        from advisor.eval.runner import ResultReady, RunFinished, RunStarted

        try:
            # reads the results file and runs tiktoken over every target × case: off the UI thread
            plan = await asyncio.to_thread(self.runner.plan)
        except Exception as exc:  # noqa: BLE001 - shown on the screen, never a traceback
            self.post_message(self.Failed(self._redacted(exc)))
            return
        self.post_message(self.Planned(plan))
        if not plan.targets:
            return

        def on_event(ev: Any) -> None:
            if isinstance(ev, RunStarted):
                self.post_message(self.Started(ev.total))
            elif isinstance(ev, ResultReady):
                p = ev.progress
                self.post_message(self.ResultArrived(ev.result, p.done, p.total, p.spent_usd, dict(p.by_model)))
            elif isinstance(ev, RunFinished):
                self.post_message(self.Finished(ev.summary))

        try:
            await self.runner.run(on_event=on_event, plan=plan)
        except Exception as exc:  # noqa: BLE001 - shown on the screen, never a traceback
            self.post_message(self.Failed(self._redacted(exc)))

    def _redacted(self, exc: BaseException) -> str:
        from advisor.secrets import redactor_for_env

        redact = redactor_for_env(self.env, [t.key_env for t in self.targets])
        return redact(f"{type(exc).__name__}: {exc}")

    @on(Planned)
    async def _planned(self, message: Planned) -> None:
        plan = self.plan = message.plan
        self.total = len(plan.requests)
        self.query_one("#eval-head", Static).update(self._head_text())
        skipped = self._skipped_lines()
        box = self.query_one("#eval-skipped", Static)
        box.update(Text("\n".join(skipped), style="yellow"))
        box.set_class(not skipped, "-hidden")
        rows = []
        for i, t in enumerate(plan.targets):
            n = sum(1 for r in plan.requests if r.target.model_key == t.model_key)
            rows.append(Horizontal(
                Static(Text(t.label, overflow="ellipsis", no_wrap=True), classes="eval-bar-label"),
                ProgressBar(total=n, show_eta=False, id=f"eval-bar-{i}"),
                Static(Text(f"0/{n}"), id=f"eval-count-{i}", classes="eval-bar-count"),
                classes="eval-bar-row",
            ))
        await self.query_one("#eval-bars", Vertical).mount_all(rows)
        if not plan.targets:
            self.state = "nothing"  # (even if cancelled while planning: nothing was sent)
        elif self.state == "planning":
            self.state = "running"
        self._show_status()
        self.refresh_bindings()

    @on(Started)
    def _started(self, message: Started) -> None:
        self.total = message.total
        self._show_status()

    @on(ResultArrived)
    def _result_arrived(self, message: ResultArrived) -> None:
        r = message.result
        self.done, self.total, self.spent = message.done, message.total, message.spent_usd
        for i, t in enumerate(self.plan.targets if self.plan is not None else ()):
            if t.model_key in message.by_model:
                done, total = message.by_model[t.model_key]
                self.query_one(f"#eval-bar-{i}", ProgressBar).update(total=total, progress=done)
                self.query_one(f"#eval-count-{i}", Static).update(Text(f"{done}/{total}"))
        table = self.query_one("#eval-table", DataTable)
        cells = (
            Text(r.label, overflow="ellipsis", no_wrap=True),
            Text(r.case_id + (f" #{r.repeat + 1}" if r.repeat else ""), overflow="ellipsis", no_wrap=True),
            _outcome(r),
            Text(f"{r.score:.2f}", justify="right"),
            _ms(r.latency_ms),
            _ms(r.ttft_ms),
            _usd(r.cost_usd, r.cost_estimated),
        )
        if r.key in table.rows:
            for col, cell in zip(("model", "case", "result", "score", "latency", "ttft", "cost"), cells):
                table.update_cell(r.key, col, cell)
        else:
            table.add_row(*cells, key=r.key)
        self._show_status()

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        summary = message.summary
        self.summary = summary
        self.state = "cancelled" if summary.cancelled else "finished"
        answers = self.shortlist.answers
        floor = answers.get("quality_floor")
        config = self.config if self.config is not None else getattr(self.runner, "config", None)
        self.report = build_report(
            summary,
            cases_file=display_path(self.cases.path),
            n_cases=len(self.cases.cases),
            repeat=1,
            candidate_order=[t.model_key for t in self.targets],
            monthly_requests=answers.get("monthly_requests"),
            quality_floor=float(floor) if floor is not None else None,
            monthly_at_answers={c.option.key: c.costs.per_month for c in self.shortlist.candidates},
            cases=self.cases,
            settings=request_settings(config) if config is not None else {},
        )
        self._show_outcome(self.report)
        self._show_status()
        self.refresh_bindings()
        if self.report.answered:
            self.post_message(self.Measured(self.report, tuple(self.targets)))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        # (the runner reports RunFinished even when it fails, so a report may be shown already)
        self.state = "failed"
        outcome = self.query_one("#eval-outcome", Static)
        text = Text(f"The run stopped with an error: {message.error}\n", style="bold red")
        if self.report is not None:
            text.append_text(self._outcome_text(self.report))
        outcome.update(text)
        self._show_status()
        self.refresh_bindings()

    # -- text ------------------------------------------------------------------------------
    def _head_text(self) -> Text:
        n_cases = len(self.cases.cases)
        t = Text("Bake-off", style="bold")
        t.append(f": {n_cases} case{'s' if n_cases != 1 else ''} from {display_path(self.cases.path)} ")
        if self.plan is None:
            t.append("(planning…)")
        else:
            n = len(self.plan.targets)
            t.append(f"against {n} model{'s' if n != 1 else ''}")
        t.append(f"\nResults are appended to {display_path(self.results_path)} as they complete.", style="dim")
        return t

    def _skipped_lines(self) -> list[str]:
        skipped = self.plan.skipped_targets if self.plan is not None else []
        lines = [f"Skipped {t.label} ({t.model_key}): {why}" for t, why in skipped]
        lines += [f"Skipped {note}" for note in self.notes]
        lines += list(getattr(self.runner, "unreadable", ()))  # lines of the results file that were not results
        return lines

    def _status_text(self) -> Text:
        spend = f"spent {fmt_usd(self.spent)}"
        progress = f"{self.done}/{self.total} requests done"
        if self.state == "nothing":
            return Text("No model can run, so nothing was sent: set the API keys named above "
                        "(or fix the targets) and try again.", style="bold red")
        if self.state in ("idle", "planning"):
            return Text("Planning: counting the tokens of every case for every model · escape cancels")
        if self.state == "running":
            return Text(f"Running: {progress} · {spend} · escape cancels (completed results are kept)")
        if self.state == "cancelling":
            return Text(f"Cancelling… {progress} · {spend}", style="bold yellow")
        if self.state == "cancelled":
            kept = len(self.summary.results) if self.summary is not None else self.done
            return Text(f"Cancelled: {kept} of {self.total} results kept in {display_path(self.results_path)} · {spend}"
                        " · ctrl+r resumes the run", style="bold yellow")
        if self.state == "failed":
            return Text(f"Stopped with an error after {progress} · {spend}", style="bold red")
        return Text(f"Finished: {progress} · {spend} · ctrl+e exports the report with this evaluation",
                    style="bold green")

    def _show_status(self) -> None:
        self.query_one("#eval-status", Static).update(self._status_text())

    @staticmethod
    def _outcome_text(report: EvalReport) -> Text:
        out = Text()
        if report.rerank is not None:
            out.append("Re-ranked shortlist\n", style="bold")
            out.append(report.rerank.sentence)
        for note in report.notes:
            out.append(f"\n• {note}", style="dim")
        return out

    def _show_outcome(self, report: EvalReport) -> None:
        self.query_one("#eval-outcome", Static).update(self._outcome_text(report))
        stats = {s.model_key: s for s in report.models}
        table = self.query_one("#eval-rerank", DataTable)
        table.clear(columns=True)
        table.add_column("Rank", key="rank")
        table.add_column("Was", key="was")
        table.add_column("Model", key="model", width=30)
        for label, key in (("Pass rate", "pass"), ("p50 ms", "p50"), ("p95 ms", "p95"), ("Cost per success", "cps")):
            table.add_column(label, key=key)
        order = report.rerank.order if report.rerank is not None else []
        for r in order:
            s = stats.get(r.model_key)
            moved = "bold green" if r.rank < r.previous_rank else "bold red" if r.rank > r.previous_rank else ""
            pass_rate = "not measured" if s is None else s.passed_text
            if s is None or not s.passes:
                cps = Text("unknown" if s is not None and s.total_cost_usd is None else "no successes", justify="right")
            else:
                cps = _usd(s.cost_per_success_usd, bool(s.estimated_costs))
            table.add_row(
                Text(str(r.rank), style=moved), Text(str(r.previous_rank)),
                Text(r.label, overflow="ellipsis", no_wrap=True), Text(pass_rate),
                _ms(s.latency_p50_ms if s else None), _ms(s.latency_p95_ms if s else None), cps,
                key=r.model_key,
            )

    # -- actions ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.state in ("idle", "planning", "running", "cancelling")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.running
        if action in ("back", "route_plan"):
            return not self.running
        if action == "resume_run":
            return self.state == "cancelled"
        return True  # (export says "not finished yet" itself: a dimmed binding would fall through to the app's)

    def action_cancel_run(self) -> None:
        if self.state in ("idle", "planning", "running"):
            self.state = "cancelling"
            self.runner.cancel()
            self._show_status()
            self.refresh_bindings()

    def action_resume_run(self) -> None:
        """Run again on the same results file: only the requests it is missing are sent."""
        if self.state != "cancelled":
            return
        self.runner = self._make_runner(resume=True)
        self.plan = None
        self.report = None
        self.done = 0
        self.query_one("#eval-bars", Vertical).remove_children()
        self.query_one("#eval-outcome", Static).update(Text(""))
        self.state = "planning"
        self._show_status()
        self.refresh_bindings()
        self.run_eval()

    def action_back(self) -> None:
        if not self.running:
            self.app.pop_screen()

    def action_export_eval(self) -> None:
        self.export_flow()

    def action_route_plan(self) -> None:
        """The routing plan from this bake-off (advisor.tui.screens.route): per category of the cases, the model."""
        from advisor.eval.route import RouteInputError, plan_for_answers
        from advisor.tui.screens.route import RouteScreen

        if self.summary is None or self.running:
            self.notify("The routing plan needs a finished bake-off.", severity="warning")
            return
        task_q = next((q for q in self.app.kb.questions.questions if q.id == "task_type"), None)
        try:
            plan, _ = plan_for_answers(self.summary.results, self.cases, self.targets, self.shortlist.answers,
                                       task_types=task_q.choice_values if task_q else ())
        except RouteInputError as exc:
            hint = " (set it in the checklist)" if exc.field in ("quality_floor", "category_shares") else ""
            self.notify(f"No routing plan: {exc}{hint}", severity="warning", markup=False)
            return
        self.app.push_screen(RouteScreen(plan))

    @work(exclusive=True, group="dialog")
    async def export_flow(self) -> None:
        from advisor.render.report import format_for, write_report

        if self.report is None:
            self.notify("The run has not finished yet.", severity="warning")
            return
        path = await self.app.ask_path("Export the report with this evaluation to", "shortlist-eval.md",
                                       "The extension picks the format: .md, .html or .json.")
        if path is None:
            return
        try:
            format_for(path)
            fmt = write_report(path, self.shortlist, evaluation=self.report, kb=getattr(self.app, "kb", None))
        except AdvisorError as exc:
            self.notify("; ".join(exc.lines()), title="Not exported", severity="error", markup=False)
            return
        self.notify(f"Wrote {fmt} report with the evaluation to {path}", markup=False)
