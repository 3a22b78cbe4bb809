"""One shortlisted candidate in full: reasons, tree path, ratings, costs, warnings."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from advisor.core.result import Candidate, Shortlist
from advisor.core.schema import DIMENSIONS
from advisor.render import fmt


def detail_text(c: Candidate, s: Shortlist) -> Text:
    t = Text()

    def head(label: str) -> None:
        t.append(f"\n{label}\n", style="bold underline")

    t.append(f"{fmt.role(c)}: ", style="bold cyan")
    t.append(c.option.label + "\n", style="bold")
    if c.option.api_model_id:
        t.append(f"API model id: {c.option.api_model_id}\n", style="dim")
    t.append(f"Context window {fmt.count(c.context_window)} tokens · latency {fmt.latency(c)} · "
             f"structured output: {c.structured_output} · "
             f"{'open weights' if c.open_weights else 'closed weights'}"
             + (f" ({c.license})" if c.license else "") + "\n")
    head("Why")
    for r in c.reasons:
        t.append(f"  • {r}\n")
    t.append(f"  score {c.score.total:.2f} (quality {c.score.quality:.2f}, fit {c.score.fit:.2f}, "
             f"cost {c.score.cost:.2f}, speed {c.score.speed:.2f}, tree bonus {c.score.tree_bonus:.2f})\n", style="dim")
    if c.below_recommended:
        rec = s.recommended
        head("Why not the recommendation" + (f" ({rec.option.model_name})" if rec else ""))
        for line in c.below_recommended:
            t.append(f"  • {line}\n")
    head("Decision tree path")
    for step in s.tree_path:
        t.append(f"  {step.question}  ")
        t.append(f"{step.answer} → {step.decision}\n", style="dim")
    t.append(f"  Outcome: {s.outcome.label}", style="bold")
    t.append(" (in this outcome)\n" if c.in_tree_outcome else " (ranked from outside it)\n", style="dim")
    head("Capability ratings")
    for d in DIMENSIONS:
        level = fmt.level_with_source(c, d)
        t.append(f"  {fmt.dim(d):<28} ")
        t.append(f"{level}\n", style="dim" if level == "unrated" else "")
    if c.evidence:
        head("Evidence")
    for line in fmt.citations(c):
        t.append(f"  {line}\n")
    for line in fmt.disagreements(c):
        t.append(f"  {line}\n", style="yellow")
    head("Cost")
    co = c.costs
    t.append(f"  {fmt.count(co.input_tokens)} in + {fmt.count(co.output_tokens)} out tokens a request\n")
    t.append(f"  per request {fmt.usd(co.per_request)} (input {fmt.usd(co.input_per_request)}, "
             f"output {fmt.usd(co.output_per_request)})\n")
    t.append(f"  per month {fmt.usd(co.per_month)} · per year {fmt.usd(co.per_year)}\n", style="green")
    if co.price_input_per_m is not None or co.price_output_per_m is not None:
        t.append(f"  price per 1M tokens: in {fmt.per_m(co.price_input_per_m)}, out {fmt.per_m(co.price_output_per_m)}")
        if co.price_as_of:
            t.append(f" as of {co.price_as_of.isoformat()}")
        if co.price_source:
            t.append(f" ({co.price_source})", style="dim")
        t.append("\n")
    if co.self_host:
        sh = co.self_host
        t.append(f"  self-host: {sh.gpus} × {sh.gpu} ({sh.replicas} replica(s) of {sh.gpus_per_replica}); "
                 f"GPUs {fmt.usd(sh.gpu_monthly)} + ops {fmt.usd(sh.ops_monthly)} = {fmt.usd(sh.total_monthly)} a month\n")
        for a in sh.assumptions:
            t.append(f"    – {a}\n", style="dim")
    if co.break_even:
        t.append(f"  break-even: {co.break_even.note}\n")
    warnings = [w for w in s.warnings if w.model_id in (None, c.option.model_id)]
    head("Warnings")
    if warnings:
        for w in warnings:
            t.append(f"  ⚠ {w.message}\n", style="yellow")
    else:
        t.append("  none\n", style="dim")
    return t


class CandidateDetailScreen(Screen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="close-detail")]

    def __init__(self, candidate: Candidate, shortlist: Shortlist) -> None:
        super().__init__(id="detail")
        self.candidate = candidate
        self.shortlist = shortlist

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail-body"):
            yield Static(detail_text(self.candidate, self.shortlist), id="detail-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "advisor — candidate detail"
        self.query_one("#detail-body").focus()
