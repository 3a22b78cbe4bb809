"""The live eval in Markdown, and the plain-text pieces every eval renderer shares.

``table_rows`` / ``HEADERS`` are the per-model figures as text (the Markdown
table, the HTML table and the console table show the same cells);
``spent_text`` / ``summary_line`` say what the run spent. Every untrusted
string (model output, labels, case ids, error text) goes through
:func:`advisor.render.fmt.md_escape`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from advisor.core.costs import format_usd as fmt_usd
from advisor.eval.report import EvalReport
from advisor.eval.stats import ModelStats
from advisor.fileio import REPORT_MARKERS
from advisor.render.fmt import md_escape

__all__ = ["HEADERS", "table_rows", "estimated_text", "spent_text", "summary_line", "render_eval_markdown", "MD_MARKER",
           "DECISION_HEADERS", "decision_rows", "decision_paragraph", "rule_text", "cost_basis_text", "render_decision_markdown",
           "cost_table_markdown", "errors_text"]

MD_MARKER = REPORT_MARKERS[0]  # "<!-- advisor report -->": a later run may replace the file


# -- formatting helpers --------------------------------------------------------

def _ms(v: float | None, flag: bool = False) -> str:
    if v is None:
        return "–"
    return f"{v:,.0f} ms" + (" (few samples)" if flag else "")


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v * 100:.0f}%"


def _frac(a: int, b: int) -> str:
    return "–" if b == 0 else f"{a}/{b}"


def _md(text: object) -> str:
    """Untrusted text (model output, labels, case ids, error text) made inert in Markdown,
    on one line: the one escaper every renderer uses, :func:`advisor.render.fmt.md_escape`."""
    return md_escape(" ".join(str(text).split()))


def estimated_text(s: ModelStats) -> str:
    """"" or " (includes 2 estimated)": a cost that is partly worst-case estimates says so."""
    return f" (includes {s.estimated_costs} estimated)" if s.estimated_costs and s.total_cost_usd is not None else ""


def _cost_cell(s: ModelStats) -> str:
    if not s.passes:
        return "unknown" if s.total_cost_usd is None else "no successes"
    return fmt_usd(s.cost_per_success_usd) + estimated_text(s)


def table_rows(report: EvalReport) -> list[tuple[str, ...]]:
    rows = []
    for s in report.models:
        rows.append((
            s.label,
            s.passed_text,
            f"{_pct(s.pass_low)}–{_pct(s.pass_high)}" if s.n else "–",
            _ms(s.ttft_p50_ms),
            _ms(s.latency_p50_ms),
            _ms(s.latency_p95_ms, s.p95_unreliable and s.latency_p95_ms is not None),
            s.tokens_per_s_text,
            _cost_cell(s),
            _frac(s.json_valid, s.json_cases),
            _frac(s.schema_valid, s.schema_cases),
            errors_text(s),
        ))
    return rows


def errors_text(s: ModelStats) -> str:
    """"none", "timeout ×2", "none (3 retried)": retries count, even when they then succeeded."""
    text = ", ".join(f"{k} ×{v}" for k, v in s.errors_by_kind.items()) or "none"
    if s.retries:
        text += f" ({s.retries} retried)" if text == "none" else f"; {s.retries} retried"
    return text


HEADERS = ("Model", "Passed", "95% CI", "TTFT p50", "Latency p50", "Latency p95", "Tokens/s",
           "Cost per success", "JSON valid", "Schema valid", "Errors")


def spent_text(report: EvalReport) -> str:
    """"Spent $0.004 of a $1.00 cap", or with earlier runs on the same results file
    "Spent $0.004 this run, $0.012 in all on this results file, of a $1.00 cap"
    (the cap covers them all); "Spent unknown" when no price is known: money always
    through :func:`fmt_usd`."""
    priced = sum(m.n for m in report.models) - report.spend_unknown
    if report.spend_unknown and (priced <= 0 or report.spent_usd == 0):
        return "Spent unknown (no price for the models called)" + (
            f", under a {fmt_usd(report.max_spend_usd)} cap" if report.max_spend_usd is not None else "")
    text = f"Spent {fmt_usd(report.spent_usd)}"
    if report.spend_unknown:
        text += f" plus unknown for {report.spend_unknown} unpriced requests"
    if report.spent_before_usd:
        total = report.spent_usd + report.spent_before_usd
        text += f" this run, {fmt_usd(total)} in all on this results file,"
    return text + (f" of a {fmt_usd(report.max_spend_usd)} cap" if report.max_spend_usd is not None else "")


# -- the decision: the re-ranked shortlist, what changed and why -----------------

DECISION_HEADERS = ("Rank", "Was", "Model", "Passed", "95% CI", "Cost per success", "Per month (your token mix)",
                    "Per month at measured tokens", "Measured tokens in / out", "Note")


def _note(r: Any) -> str:
    notes = []
    if r.below_floor:
        notes.append("below your floor")
    elif r.passed_none:
        notes.append("passed no case")
    if not r.measured:
        notes.append("not measured")
    elif r.thin:
        notes.append(f"thin evidence ({r.n} cases)")
    if r.not_measured:
        notes.append(f"{r.not_measured} not measured")
    return "; ".join(notes)


def decision_rows(report: EvalReport) -> list[tuple[str, ...]]:
    """The re-ranked shortlist as text cells (Markdown, HTML and the app show the same)."""
    if report.rerank is None:
        return []
    rows = []
    for r in report.rerank.order:
        tokens = "–" if r.mean_input_tokens is None else f"{r.mean_input_tokens:,.0f} / {r.mean_output_tokens or 0:,.0f}"
        cps = "–" if not r.measured else "no successes" if r.passes == 0 else fmt_usd(r.cost_per_success_usd)
        rows.append((
            str(r.rank), str(r.previous_rank), r.label,
            f"{r.passes}/{r.n} ({_pct(r.pass_rate)})" if r.measured else "not measured",
            f"{_pct(r.pass_low)}–{_pct(r.pass_high)}" if r.measured else "–",
            cps,
            fmt_usd(r.monthly_at_answers_usd) if r.monthly_at_answers_usd is not None else "unknown",
            fmt_usd(r.monthly_cost_usd) if r.monthly_cost_usd is not None else "–",
            tokens,
            _note(r),
        ))
    return rows


def rule_text(report: EvalReport) -> str:
    return f"Rule: {report.rerank.rule}." if report.rerank is not None else ""


def decision_paragraph(report: EvalReport, with_rule: bool = False) -> str:
    """What the evidence recommends, what changed and why, in one paragraph (the rule
    applied is its last sentence; ``with_rule=False`` leaves it for a line of its own)."""
    rr = report.rerank
    if rr is None:
        return "Nothing was measured, so the shortlist stands as it was."
    rec = rr.recommended
    if rec is not None:
        lead = f"On {report.n_cases} of your cases, {rec.label} is recommended."
    elif rr.none_passed:
        lead = "No measured model passed a case, so none is recommended on this evidence."
    else:
        lead = "No measured model meets your quality floor, so none is recommended on this evidence."
    if report.answered == 0:
        lead = "No request returned an answer, so nothing was measured and the shortlist stands as it was."
    sentence = rr.sentence if with_rule else rr.sentence.replace(f" {rule_text(report)}", "")
    if rec is None:  # (the lead already says it)
        sentence = sentence.replace(" No measured model meets your floor.", "").replace(" No measured model passed a case.", "")
    return f"{lead} {sentence}"


def cost_basis_text(report: EvalReport, answers: dict[str, Any] | None = None) -> str:
    volume = report.monthly_requests
    mix = ""
    if answers and answers.get("avg_input_tokens") is not None:
        mix = f" ({int(answers['avg_input_tokens']):,} in / {int(answers.get('avg_output_tokens') or 0):,} out tokens a request)"
    at = f" at {volume:,} requests a month" if volume else ""
    return (f"Monthly costs are projected at your answers' token mix{mix}{at}, the same basis as the shortlist. "
            "The bake-off's measured mean tokens are shown beside them; the column 'at measured tokens' prices "
            "those instead, so it differs whenever your test cases are shorter or longer than your traffic.")


def render_decision_markdown(report: EvalReport, answers: dict[str, Any] | None = None) -> list[str]:
    out = ["## Decision", "", _md(decision_paragraph(report)), "", f"_{_md(rule_text(report))}_", ""]
    if report.rerank is not None:
        out.append("| " + " | ".join(DECISION_HEADERS) + " |")
        out.append("|" + "---|" * len(DECISION_HEADERS))
        for row in decision_rows(report):
            out.append("| " + " | ".join(_md(c) for c in row) + " |")
        out += ["", "_" + _md(cost_basis_text(report, answers)) + "_", ""]
    return out


def cost_table_markdown(points: list[tuple[str, list[Any]]], volumes: Sequence[int]) -> list[str]:
    """The cost-against-volume chart's figures as a table."""
    from advisor.render.charts import compact

    if not points:
        return []
    out = ["| Model | " + " | ".join(compact(v) for v in volumes) + " |", "|---|" + "---|" * len(volumes)]
    for label, costs in points:
        out.append(f"| {_md(label)} | " + " | ".join(fmt_usd(c) for c in costs) + " |")
    return out


def summary_line(report: EvalReport) -> str:
    """One plain-text line: how many cases, and what the run spent."""
    return (
        f"{report.n_cases} cases from {report.cases_file}"
        + (f", each run {report.repeat} times" if report.repeat > 1 else "")
        + f". {spent_text(report)}."
    )


def render_eval_markdown(report: EvalReport, *, marker: bool = False) -> str:
    """The eval section in Markdown; ``marker`` adds the advisor-report marker
    under the title (for a standalone file; the main report has its own)."""
    out: list[str] = []
    if marker:  # a standalone report: the decision first, then the evidence
        out += ["# Bake-off", MD_MARKER, ""] + render_decision_markdown(report)
    out += ["## Live eval", ""]
    out.append(
        f"{report.n_cases} cases from {_md(report.cases_file)}"
        + (f", each run {report.repeat} times" if report.repeat > 1 else "")
        + f". {spent_text(report)}."
    )
    out.append("")
    out.append("| " + " | ".join(HEADERS) + " |")
    out.append("|" + "---|" * len(HEADERS))
    for row in table_rows(report):
        out.append("| " + " | ".join(_md(c) for c in row) + " |")
    out.append("")
    checks = [(s.label, name, c) for s in report.models for name, c in s.checks.items()]
    if checks:
        out += ["### Pass rate per check", "", "| Model | Check | Passed | 95% CI |", "|---|---|---|---|"]
        for label, name, c in checks:
            out.append(f"| {_md(label)} | {_md(name)} | {c.passes}/{c.n} ({_pct(c.pass_rate)}) "
                       f"| {_pct(c.pass_low)}–{_pct(c.pass_high)} |")
        out.append("")
    if report.cases_fingerprint or report.settings:
        settings = ", ".join(f"{k} {v}" for k, v in report.settings.items())
        out.append(f"Case set fingerprint {_md(report.cases_fingerprint or 'unknown')}"
                   + (f"; request settings: {_md(settings)}" if settings else "") + ".")
        out.append("")
    if report.failures:
        out.append(f"### Failures ({len(report.failures)})")
        out.append("")
        for f in report.failures:
            out.append(f"- **{_md(f.label)}** · case {_md(f.case_id)} #{f.repeat} · score {f.score:.2f} — {_md(f.reason)}")
            if f.output_excerpt:
                out.append(f"  > {_md(f.output_excerpt)}")
        out.append("")
    for s in report.skipped:
        out.append(f"- Skipped {_md(s)}")
    for n in report.notes:
        out.append(f"- {_md(n)}")
    return "\n".join(out).rstrip() + "\n"
