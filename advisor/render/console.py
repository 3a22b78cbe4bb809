"""The shortlist on a terminal, with Rich. All text is escaped before markup,
and every piece of text Rich writes passes :func:`advisor.render.fmt.safe_text`
(``CliConsole``), so no terminal control sequence from a file or a model
reaches the terminal."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from advisor.core.result import Shortlist
from advisor.render import fmt


class CliConsole(Console):
    """A Console for command output. Rich answers a closed pipe (``advisor … |
    head``) with exit status 1; a reader that stops early is not a failure, so
    the CLI's guard turns the BrokenPipeError into exit 0 instead."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError

    def _render_buffer(self, buffer):  # type: ignore[no-untyped-def]
        # the last boundary before the terminal: text segments (never Rich's own
        # control segments or styles) with control characters shown escaped, and
        # every key set in the environment redacted from what is written
        from advisor.secrets import redactor_for_env

        if self._redact is None:
            self._redact = redactor_for_env()
        return self._redact(super()._render_buffer(
            Segment(seg.text if seg.control else fmt.safe_text(seg.text), seg.style, seg.control) for seg in buffer
        ))

    _redact = None


def cli_console(**kwargs) -> Console:
    kwargs.setdefault("highlight", False)
    kwargs.setdefault("emoji", False)  # ':rocket:' in a name from a file is shown as written
    return CliConsole(**kwargs)


def shortlist_table(s: Shortlist, width: int = 120) -> Table:
    """The shortlist as a table; key ratings only where there is room for them."""
    wide = width >= 110
    t = Table(title="Shortlist", title_justify="left", expand=True)
    t.add_column("Role", no_wrap=True)
    t.add_column("Model" if wide else "Model · where", ratio=3, overflow="fold")
    if wide:  # (narrow: where goes under the model's name, so neither is cut to a sliver)
        t.add_column("Where", ratio=2, overflow="fold")
    t.add_column("Per request", justify="right", no_wrap=True)
    t.add_column("Per month", justify="right", no_wrap=True)
    t.add_column("TTFT", justify="right", no_wrap=not wide)
    if wide:
        t.add_column("Key ratings", ratio=3, overflow="fold")
    for c in s.candidates:
        row = [
            Text(fmt.role(c), style="bold cyan" if c.role == "recommended" else ""),
            *((_model_text(c), Text(c.option.where)) if wide else (_model_text(c, c.option.where),)),
            fmt.usd(c.costs.per_request), fmt.usd(c.costs.per_month),
            fmt.latency(c) if wide else (f"{c.ttft_ms:,} ms" if c.ttft_ms else fmt.UNKNOWN),
        ]
        if wide:
            row.append(Text(fmt.key_ratings(c)))
        t.add_row(*row)
    if not s.candidates:
        t.add_row("—", "no model passed every hard filter", *[""] * (5 if wide else 3))
    return t


#: how many model names an eliminated-reason row shows before "and N more"
NAMES_SHOWN = 4


def eliminated_groups(s: Shortlist) -> list[tuple[str, str, list[str]]]:
    """(rule, why, model names) for the eliminated models, grouped by the first reason
    that removed each: a terminal shows one row per reason, not one per model (the
    Markdown and HTML reports and `--why-not` give every model and every reason).
    Retired models group under one row whatever their dates."""
    groups: dict[tuple[str, str], list[str]] = {}
    for e in s.eliminated:
        first = e.reasons[0]
        why = "retired on or before today" if first.rule == "deprecated" else first.message
        groups.setdefault((first.rule, why), []).append(e.model_name)
    return sorted(((rule, why, names) for (rule, why), names in groups.items()), key=lambda g: -len(g[2]))


def eliminated_table(s: Shortlist) -> Table:
    el = Table(title=f"Eliminated models ({len(s.eliminated)}), by the first reason; "
                     "--format markdown lists each, --why-not MODEL explains one",
               title_justify="left", expand=True)
    el.add_column("Rule", no_wrap=True)
    el.add_column("Why", ratio=3, overflow="fold")
    el.add_column("Models", ratio=2, overflow="fold")
    for rule, why, names in eliminated_groups(s):
        shown = ", ".join(names[:NAMES_SHOWN]) + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")
        el.add_row(rule, Text(why), Text(f"{len(names)}: {shown}" if len(names) > 1 else shown))
    return el


def _model_text(c, where: str | None = None) -> Text:
    """The name (and where it runs), then what the advice rests on, on its own dim line."""
    text = Text(c.option.model_name)
    if where:
        text.append(f"\n{where}")
    notes = fmt.model_notes(c)
    if notes:
        text.append("\n" + "; ".join(notes), style="dim")
    return text


def render_console(s: Shortlist, console: Console) -> None:
    console.print(Text(fmt.title(s), style="bold"))
    console.print(Text(f"{fmt.generated(s)}; {s.models_considered} models, {s.options_considered} ways to run them, "
                       f"{s.options_surviving} passed the hard filters", style="dim"))
    console.print(shortlist_table(s, console.width))
    for c in s.candidates:
        lines = [f"[bold]{escape(fmt.role(c))}[/]: {escape(c.option.label)}"
                 + (f"  [dim]{escape(c.option.api_model_id)}[/]" if c.option.api_model_id else "")]
        lines += [f"  • {escape(r)}" for r in c.reasons]
        co = c.costs
        lines.append(f"  cost: {fmt.usd(co.per_request)} a request · {fmt.usd(co.per_month)} a month · {fmt.usd(co.per_year)} a year")
        if co.per_success_at_floor is not None and co.quality_floor is not None:
            lines.append(f"  per success at pass rate {co.quality_floor:.0%}: {fmt.usd(co.per_success_at_floor)}")
        if co.self_host:
            sh = co.self_host
            lines.append(f"  self-host: {sh.gpus} × {escape(sh.gpu)}, GPUs {fmt.usd(sh.gpu_monthly)} + ops {fmt.usd(sh.ops_monthly)} a month")
        if co.break_even:
            lines.append(f"  break-even: {escape(co.break_even.note)}")
        if c.evidence:
            lines.append("  evidence:")
        lines += [f"    {escape(line)}" for line in fmt.citations(c)]
        lines += [f"    [yellow]{escape(line)}[/]" for line in fmt.disagreements(c)]
        console.print(Panel("\n".join(lines), expand=True, border_style="cyan" if c.role == "recommended" else "dim"))
    path = Table(title="Decision tree path", title_justify="left", expand=True, show_lines=False)
    path.add_column("Question", overflow="fold")
    path.add_column("Answer", overflow="fold")
    path.add_column("→", justify="center")
    for step in s.tree_path:
        path.add_row(Text(step.question), Text(step.answer), step.decision)
    path.add_row(Text(f"Outcome: {s.outcome.label}", style="bold"), Text(s.outcome.rationale), "")
    console.print(path)
    if s.eliminated:
        console.print(eliminated_table(s))
    for summary, details in fmt.why_not_lines(s):
        console.print(Text("Why not? " + summary, style="bold"))
        for d in details:
            console.print(Text("  • " + d))
    if s.break_even:
        console.print(Text("Self-hosting break-even: " + s.break_even.note))
    if s.warnings:
        console.print(Group(*[Text("⚠ " + w.message, style="yellow") for w in s.warnings]))
