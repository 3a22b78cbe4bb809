"""The results: shortlist table, eliminated models, cost chart and decision path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
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


class ResultsScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Checklist", id="back-to-checklist"),
        Binding("ctrl+d", "detail", "Details", id="candidate-detail"),
        Binding("ctrl+b", "bake_off", "Bake-off", id="bake-off",
                tooltip="Run a cases file against the shortlist and re-rank it on measured results"),
    ]

    def __init__(self, shortlist: Shortlist, kb: Any, *, targets_factory: TargetsFactory | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        super().__init__(id="results")
        self.shortlist = shortlist
        self.kb = kb
        self.targets_factory = targets_factory
        self.env = env

    def compose(self) -> ComposeResult:
        s = self.shortlist
        yield Header()
        yield Static(summary_text(s), id="results-summary")
        with TabbedContent(id="results-tabs"):
            with TabPane("Shortlist", id="tab-shortlist"):
                with VerticalScroll(id="shortlist-scroll"):
                    yield DataTable(id="shortlist-table", cursor_type="row", zebra_stripes=True)
                    yield Static(Text("Enter or a click on a row opens its details.", style="dim"), id="shortlist-hint")
                    yield Static(Text("Monthly cost against volume", style="bold"), classes="chart-title")
                    yield CostChart(s, self.kb, id="cost-chart")
            with TabPane("Eliminated", id="tab-eliminated"):
                yield DataTable(id="eliminated-table", cursor_type="row")
            with TabPane("Decision path", id="tab-path"):
                with VerticalScroll():
                    yield Static(path_text(s), id="path-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "advisor — results"
        s = self.shortlist
        table = self.query_one("#shortlist-table", DataTable)
        # the figures people compare come right after the name, so they show at 80 columns
        table.add_columns("Role", "Model", "Per month", "Per request", "Provider")
        table.add_column("Key ratings", width=30)
        for i, c in enumerate(s.candidates):
            table.add_row(
                Text(fmt.role(c), style="bold cyan" if c.role == "recommended" else ""),
                Text(c.option.model_name),
                Text(fmt.usd(c.costs.per_month), justify="right"), Text(fmt.usd(c.costs.per_request), justify="right"),
                Text(c.option.where),
                Text(fmt.key_ratings(c, limit=2)), key=str(i),
            )
        el = self.query_one("#eliminated-table", DataTable)
        el.add_columns("Model", "Rule", "Why")
        for e in s.eliminated:
            first = e.reasons[0]
            more = len({(r.rule, r.message) for r in e.reasons}) - 1
            el.add_row(Text(f"{e.model_name} ({first.option.where})"), Text(first.rule),
                       Text(first.message + (f"  (+{more} more)" if more > 0 else "")))
        table.focus()

    def action_detail(self) -> None:
        table = self.query_one("#shortlist-table", DataTable)
        if self.shortlist.candidates and table.cursor_row is not None:
            self._open(table.cursor_row)

    def _open(self, index: int) -> None:
        if 0 <= index < len(self.shortlist.candidates):
            self.app.push_screen(CandidateDetailScreen(self.shortlist.candidates[index], self.shortlist))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "shortlist-table":
            event.stop()
            self._open(event.cursor_row)

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
        if self.targets_factory is None:
            from advisor.eval.targets_from_shortlist import targets_for_shortlist as factory
        else:
            factory = self.targets_factory
        try:
            targets, notes = factory(self.kb, self.shortlist)
        except AdvisorError as exc:
            self.notify("; ".join(exc.lines()), title="No bake-off", severity="error", markup=False)
            return
        env = os.environ if self.env is None else self.env
        self.app.push_screen(EvalScreen(self.shortlist, targets, loaded["cases"], notes=notes, env=env,
                                        results_path=default_results_path()))
