"""The routing plan after a bake-off: which model for which category, and what it saves.

The bake-off screen hands over a finished :class:`~advisor.eval.route.RoutePlan`
(attributes down). The screen shows the summary, one row per category (the row
under the cursor explains its choice in full below the table), the single-model
baselines and the notes; ctrl+e exports the plan (.md, .html with the frontier
chart, or .json). Every label that came from a file or a model goes in as
:class:`rich.text.Text`, never as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from advisor.errors import AdvisorError
from advisor.eval.route import RoutePlan
from advisor.render.fmt import safe_text
from advisor.render.route_markdown import basis_text, category_rows, scenario_rows


def plain(text: object) -> str:
    """Untrusted text for a cell: each control character one visible picture (the app's way)."""
    return safe_text(text, pictures=True)

__all__ = ["RouteScreen"]


class RouteScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back to the bake-off", id="route-back"),
        Binding("ctrl+e", "export_plan", "Export plan", id="route-export"),
    ]

    def __init__(self, plan: RoutePlan) -> None:
        super().__init__(id="route")
        self.plan = plan

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="route-body"):
            yield Static(Text(plain(self.plan.summary()), style="bold"), id="route-summary")
            yield Static(Text(plain(basis_text(self.plan)), style="dim"), id="route-basis")
            yield DataTable(id="route-categories", cursor_type="row", zebra_stripes=True)
            yield Static(Text(""), id="route-why")
            yield DataTable(id="route-baselines", cursor_type="row")
            yield Static(self._notes(), id="route-notes")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "advisor — routing plan"
        cats = self.query_one("#route-categories", DataTable)
        cats.add_column("Category", key="category")
        cats.add_column("Share", key="share")
        cats.add_column("Route to", key="model", width=20)
        cats.add_column("Pass rate (95% CI)", key="pass")
        cats.add_column("Per request", key="cost")  # (the fallback is in the line under the table: 80 columns)
        for r, row in zip(self.plan.categories, category_rows(self.plan)):
            style = {"meets_floor": "", "below_floor": "bold yellow", "too_few_cases": "yellow"}[r.status]
            cats.add_row(Text(plain(row[0]), style=style), Text(row[1], justify="right"),
                         Text(plain(row[3]), overflow="ellipsis", no_wrap=True), Text(row[4]),
                         Text(row[5], justify="right"), key=r.category)
        base = self.query_one("#route-baselines", DataTable)
        base.add_column("All traffic on", key="name", width=26)
        base.add_column("Monthly", key="monthly")
        base.add_column("Expected pass rate", key="pass")
        base.add_column("Plan saves", key="saving")
        for i, row in enumerate(scenario_rows(self.plan)):
            base.add_row(Text(plain(row[0]), overflow="ellipsis", no_wrap=True, style="bold" if i == 0 else ""),
                         Text(row[1], justify="right"), Text(row[3]), Text(row[5].replace(" a month", "")), key=f"s{i}")
        cats.focus()
        self._show_why(self.plan.categories[0].category if self.plan.categories else None)

    def _notes(self) -> Text:
        out = Text()
        if self.plan.classifier is not None:
            c = self.plan.classifier
            from advisor.core.costs import format_usd

            out.append(plain(f"Classifier: {c.label}, {format_usd(c.cost_per_request_usd)} a request, in the plan's cost.\n"))
        for n in self.plan.notes:
            out.append(plain(f"• {n}\n"), style="dim")
        return out

    def _show_why(self, category: str | None) -> None:
        r = next((r for r in self.plan.categories if r.category == category), None)
        text = Text()
        if r is not None:
            text.append(plain(r.category), style="bold")
            text.append(plain(f" → {r.label}: {r.why}."))
            text.append(plain(f" Fallback from another provider: {r.fallback_label}." if r.fallback_label
                              else " No fallback: no other provider's model was measured."))
        self.query_one("#route-why", Static).update(text)

    @on(DataTable.RowHighlighted, "#route-categories")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_why(event.row_key.value if event.row_key is not None else None)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_export_plan(self) -> None:
        self.export_flow()

    @work(exclusive=True, group="dialog")
    async def export_flow(self) -> None:
        from advisor.fileio import atomic_write
        from advisor.render.report import format_for
        from advisor.render.route_html import render_route_report

        path = await self.app.ask_path("Export the routing plan to", "routing-plan.html",
                                       "The extension picks the format: .md, .html (with the chart) or .json.")
        if path is None:
            return
        try:
            fmt = format_for(path)
            atomic_write(path, render_route_report(self.plan, fmt))
        except AdvisorError as exc:
            self.notify("; ".join(exc.lines()), title="Not exported", severity="error", markup=False)
            return
        self.notify(f"Wrote the {fmt} routing plan to {path}", markup=False)
