"""The results: shortlist table, eliminated models, cost chart and decision path.

At 80×24 the tables keep the columns people compare (role, model, monthly and
per-request cost; after a bake-off, rank and pass rate) and a line under each
table shows the highlighted row in full, wrapped: the shortlisted model's
provider and key ratings, the eliminated model's reason. Enter on an eliminated
model opens every reason it was eliminated for. After a bake-off
(:meth:`ResultsScreen.show_evaluation`) the shortlist is shown in its re-ranked
order, with the decision paragraph under it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from advisor.core.result import Shortlist
from advisor.errors import AdvisorError
from advisor.render import fmt
from advisor.tui.screens.detail import CandidateDetailScreen
from advisor.tui.widgets.cost_chart import CostChart


#: (kb, shortlist) -> (targets, notes on candidates that cannot be measured)
TargetsFactory: TypeAlias = Callable[[Any, Shortlist], tuple[list[Any], list[str]]]


def summary_text(s: Shortlist) -> Text:
    t = Text(fmt.title(s), style="bold")
    t.append(f"\n{fmt.generated(s)}; {s.models_considered} models, {s.options_considered} ways to run them, "
             f"{s.options_surviving} passed the hard filters · tree outcome: {s.outcome.label}", style="dim")
    return t


def path_text(s: Shortlist) -> Text:
    t = Text()
    for step in s.tree_path:
        t.append(f"• {step.question}\n", style="bold")
        t.append(f"  {step.answer} → {step.decision}: {step.rationale}\n")
    t.append(f"Outcome: {s.outcome.label}\n", style="bold cyan")
    t.append(f"  {s.outcome.rationale}\n")
    if s.break_even:
        t.append(f"\nSelf-hosting break-even: {s.break_even.note}\n")
    if s.warnings:
        t.append("\nWarnings\n", style="bold")
        for w in s.warnings:
            t.append(f"⚠ {w.message}\n", style="yellow")
    return t


class ReasonModal(ModalScreen[None]):
    """Every reason one model was eliminated for, in full."""

    BINDINGS = [Binding("escape", "close", "Close", id="reason-close"), Binding("enter", "close", show=False)]

    def __init__(self, text: Text) -> None:
        super().__init__(classes="dialog")
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(self.text, id="reason-text")
            yield Static(Text("escape closes", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)


def eliminated_text(e: Any) -> Text:
    t = Text(f"{e.model_name} was eliminated\n", style="bold")
    for r in fmt.distinct_reasons(e):
        t.append(f"\n• {r.option.where}: ", style="bold")
        t.append(f"{r.rule}\n", style="cyan")
        t.append(f"  {r.message}\n")
    return t


def _reason_line(e: Any) -> Text:
    first = e.reasons[0]
    more = len({(r.rule, r.message) for r in e.reasons}) - 1
    t = Text(f"{e.model_name} ({first.option.where}) · {first.rule}: ", style="bold")
    t.append(first.message)
    if more > 0:
        t.append(f"  (+{more} more; enter shows all)", style="dim")
    return t


class ResultsScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Checklist", id="back-to-checklist"),
        Binding("ctrl+d", "detail", "Details", id="candidate-detail"),
        Binding("ctrl+b", "bake_off", "Bake-off", id="bake-off",
                tooltip="Run a cases file against the shortlist and re-rank it on measured results"),
    ]

    def __init__(self, shortlist: Shortlist, kb: Any, *, targets_factory: TargetsFactory | None = None,
                 env: Mapping[str, str] | None = None, evaluation: Any | None = None) -> None:
        super().__init__(id="results")
        self.shortlist = shortlist
        self.kb = kb
        self.targets_factory = targets_factory
        self.env = env
        self.evaluation = evaluation
        self._row_candidates: list[int] = []  # table row -> index into shortlist.candidates

    def compose(self) -> ComposeResult:
        s = self.shortlist
        yield Header()
        yield Static(summary_text(s), id="results-summary")
        with TabbedContent(id="results-tabs"):
            with TabPane("Shortlist", id="tab-shortlist"):
                with VerticalScroll(id="shortlist-scroll"):
                    yield DataTable(id="shortlist-table", cursor_type="row", zebra_stripes=True)
                    yield Static(Text(""), id="shortlist-row")
                    yield Static(Text(""), id="decision-text", classes="-hidden")
                    yield Static(Text("Enter or a click on a row opens its details.", style="dim"), id="shortlist-hint")
                    yield Static(Text("Monthly cost against volume", style="bold"), classes="chart-title")
                    yield CostChart(s, self.kb, id="cost-chart")
            with TabPane("Eliminated", id="tab-eliminated"):
                with VerticalScroll():
                    yield DataTable(id="eliminated-table", cursor_type="row")
                    yield Static(Text(""), id="eliminated-row")
                    yield Static(Text("Enter or a click on a row shows every reason in full.", style="dim"),
                                 id="eliminated-hint")
            with TabPane("Decision path", id="tab-path"):
                with VerticalScroll():
                    yield Static(path_text(s), id="path-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "advisor — results"
        s = self.shortlist
        self._fill_shortlist()
        el = self.query_one("#eliminated-table", DataTable)
        el.add_column("Model", width=24)
        el.add_column("Why", width=44)
        el.add_column("Rule")
        for e in s.eliminated:
            first = e.reasons[0]
            more = len({(r.rule, r.message) for r in e.reasons}) - 1
            el.add_row(Text(f"{e.model_name} ({first.option.where})", overflow="ellipsis", no_wrap=True),
                       Text(first.message + (f"  (+{more} more)" if more > 0 else ""), overflow="ellipsis",
                            no_wrap=True),
                       Text(first.rule))
        if s.eliminated:
            self.query_one("#eliminated-row", Static).update(_reason_line(s.eliminated[0]))
        self.query_one("#shortlist-table", DataTable).focus()

    def _fill_shortlist(self) -> None:
        """The table in the shortlist's order, or (after a bake-off) in the re-ranked order."""
        s = self.shortlist
        table = self.query_one("#shortlist-table", DataTable)
        table.clear(columns=True)
        by_key = {c.option.key: i for i, c in enumerate(s.candidates)}
        ev = self.evaluation
        order = list(range(len(s.candidates)))
        ranked: dict[int, Any] = {}
        if ev is not None and ev.rerank is not None:
            keyed = [(by_key[r.model_key], r) for r in ev.rerank.order if r.model_key in by_key]
            ranked = dict(keyed)
            order = [i for i, _ in keyed] + [i for i in order if i not in ranked]
        self._row_candidates = order
        # the figures people compare come right after the name, so they show at 80 columns
        if ranked:  # 80 columns: rank 10, model 24, passed 10, per month 9, note 16, padding 10
            for label, width in (("Rank", 10), ("Model", 24), ("Passed", 10), ("Per month", 9), ("Note", 16)):
                table.add_column(label, width=width)
        else:
            table.add_columns("Role", "Model", "Per month", "Per request", "Provider")
        for row, i in enumerate(order):
            c = s.candidates[i]
            name = Text(c.option.model_name, overflow="ellipsis", no_wrap=True)
            if ranked:
                r = ranked.get(i)
                if r is None:
                    table.add_row(Text("–"), name, Text("not run"), Text(fmt.usd(c.costs.per_month), justify="right"),
                                  Text(""), key=str(row))
                    continue
                move = "↑" if r.rank < r.previous_rank else "↓" if r.rank > r.previous_rank else " "
                style = "bold green" if move == "↑" else "bold red" if move == "↓" else ""
                passed = f"{r.passes}/{r.n} ({r.pass_rate * 100:.0f}%)" if r.measured else "not measured"
                note = ("below your floor" if r.below_floor else "passed no case" if r.passed_none
                        else f"thin: {r.n} cases" if r.measured and r.thin else "")
                table.add_row(Text(f"#{r.rank} {move}was {r.previous_rank}", style=style), name, Text(passed),
                              Text(fmt.usd(c.costs.per_month), justify="right"),
                              Text(note, style="bold yellow" if r.below_floor or r.passed_none else "dim"), key=str(row))
            else:
                table.add_row(
                    Text(fmt.role(c), style="bold cyan" if c.role == "recommended" else ""), name,
                    Text(fmt.usd(c.costs.per_month), justify="right"),
                    Text(fmt.usd(c.costs.per_request), justify="right"),
                    Text(c.option.where, overflow="ellipsis", no_wrap=True), key=str(row),
                )
        self._show_row(0)

    def show_evaluation(self, report: Any) -> None:
        """Re-rank the shortlist table on a bake-off and say what changed and why."""
        from advisor.render.eval_markdown import decision_paragraph, rule_text

        self.evaluation = report
        box = self.query_one("#decision-text", Static)
        text = Text(decision_paragraph(report))
        text.append("\n" + rule_text(report), style="dim")
        box.update(text)
        box.remove_class("-hidden")
        self._fill_shortlist()

    def _show_row(self, row: int) -> None:
        if not 0 <= row < len(self._row_candidates):
            return
        c = self.shortlist.candidates[self._row_candidates[row]]
        t = Text(f"{fmt.role(c)}: {c.option.label}", style="bold")
        t.append(f" · {fmt.usd(c.costs.per_request)} a request · key ratings: {fmt.key_ratings(c, limit=3)}")
        self.query_one("#shortlist-row", Static).update(t)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "shortlist-table":
            self._show_row(event.cursor_row)
        elif event.data_table.id == "eliminated-table" and 0 <= event.cursor_row < len(self.shortlist.eliminated):
            self.query_one("#eliminated-row", Static).update(_reason_line(self.shortlist.eliminated[event.cursor_row]))

    def action_detail(self) -> None:
        table = self.query_one("#shortlist-table", DataTable)
        if self.shortlist.candidates and table.cursor_row is not None:
            self._open(table.cursor_row)

    def _open(self, row: int) -> None:
        if 0 <= row < len(self._row_candidates):
            self.app.push_screen(CandidateDetailScreen(self.shortlist.candidates[self._row_candidates[row]],
                                                       self.shortlist))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "shortlist-table":
            event.stop()
            self._open(event.cursor_row)
        elif event.data_table.id == "eliminated-table":
            event.stop()
            if 0 <= event.cursor_row < len(self.shortlist.eliminated):
                self.app.push_screen(ReasonModal(eliminated_text(self.shortlist.eliminated[event.cursor_row])))

    # -- the bake-off: ask for a cases file, then run the shortlist on it ------------------
    def action_bake_off(self) -> None:
        self.bake_off_flow()

    @work(exclusive=True, group="dialog")
    async def bake_off_flow(self) -> None:
        import os
        from pathlib import Path

        from advisor.eval.cases import load_cases
        from advisor.tui.screens.eval import EvalScreen, default_results_path
        from advisor.tui.screens.modals import PathModal

        loaded: dict[str, Any] = {}

        def check(raw: str) -> str | None:
            try:
                loaded["cases"] = load_cases(Path(raw).expanduser())
            except AdvisorError as exc:
                lines = exc.lines()
                return "\n".join(lines[:6]) + (f"\n(+{len(lines) - 6} more)" if len(lines) > 6 else "")
            except OSError as exc:
                return f"{raw}: {exc.strerror or exc}"
            return None

        raw = await self.app.push_screen_wait(PathModal(
            "Bake-off: run which cases file?", "cases.yaml",
            "Each case runs against every shortlisted model; a YAML or JSONL cases file.", check=check))
        if not raw or "cases" not in loaded:
            return
        from advisor.tui.screens.bake_off_settings import BakeOffSettingsModal

        settings = await self.app.push_screen_wait(
            BakeOffSettingsModal(len(self.shortlist.candidates), len(loaded["cases"].cases)))
        if settings is None:
            return
        if self.targets_factory is None:
            from advisor.eval.targets_from_shortlist import targets_for_shortlist as factory
        else:
            factory = self.targets_factory
        try:
            targets, notes = (settings.targets, []) if settings.targets else factory(self.kb, self.shortlist)
        except AdvisorError as exc:
            self.notify("; ".join(exc.lines()), title="No bake-off", severity="error", markup=False)
            return
        from advisor.eval.runner import RunConfig

        env = os.environ if self.env is None else self.env
        config = RunConfig(concurrency=settings.concurrency, max_spend=settings.max_spend)
        self.app.push_screen(EvalScreen(self.shortlist, targets, loaded["cases"], notes=notes, env=env,
                                        results_path=default_results_path(), config=config))
