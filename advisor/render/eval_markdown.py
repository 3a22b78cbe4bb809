"""The live eval in Markdown, and the plain-text pieces every eval renderer shares.

``table_rows`` / ``HEADERS`` are the per-model figures as text (the Markdown
table, the HTML table and the console table show the same cells);
``spent_text`` / ``summary_line`` say what the run spent. Every untrusted
string (model output, labels, case ids, error text) goes through
:func:`advisor.render.fmt.md_escape`.
"""

from __future__ import annotations

from advisor.core.costs import format_usd as fmt_usd
from advisor.eval.report import EvalReport
from advisor.eval.stats import ModelStats
from advisor.fileio import REPORT_MARKERS
from advisor.render.fmt import md_escape

__all__ = ["HEADERS", "table_rows", "estimated_text", "spent_text", "summary_line", "render_eval_markdown", "MD_MARKER"]

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
            ", ".join(f"{k} ×{v}" for k, v in s.errors_by_kind.items()) or "none",
        ))
    return rows


HEADERS = ("Model", "Passed", "95% CI", "TTFT p50", "Latency p50", "Latency p95", "Tokens/s",
           "Cost per success", "JSON valid", "Schema valid", "Errors")


def spent_text(report: EvalReport) -> str:
    """"Spent $0.004 of a $1.00 cap", or with earlier runs on the same results file
    "Spent $0.004 this run, $0.012 in all on this results file, of a $1.00 cap"
    (the cap covers them all): money always through :func:`fmt_usd`."""
    text = f"Spent {fmt_usd(report.spent_usd)}"
    if report.spent_before_usd:
        total = report.spent_usd + report.spent_before_usd
        text += f" this run, {fmt_usd(total)} in all on this results file,"
    return text + (f" of a {fmt_usd(report.max_spend_usd)} cap" if report.max_spend_usd is not None else "")


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
    out = ["## Live eval"] + ([MD_MARKER] if marker else []) + [""]
    out.append(
        f"{report.n_cases} cases from {_md(report.cases_file)}"
        + (f", each run {report.repeat} times" if report.repeat > 1 else "")
        + f". {spent_text(report)}."
    )
    out.append("")
    if report.rerank is not None:
        out.append(f"**{_md(report.rerank.sentence)}**")
        out.append("")
    out.append("| " + " | ".join(HEADERS) + " |")
    out.append("|" + "---|" * len(HEADERS))
    for row in table_rows(report):
        out.append("| " + " | ".join(_md(c) for c in row) + " |")
    out.append("")
    if report.rerank is not None:
        out.append("### Ranking on measured evidence")
        out.append("")
        monthly_head = f" | Monthly at {report.rerank.monthly_requests:,} requests" if report.rerank.monthly_requests else ""
        out.append(f"| Rank | Was | Model | Successes per $1{monthly_head} |")
        out.append("|---|---|---|---|" + ("---|" if monthly_head else ""))
        for r in report.rerank.order:
            spd = "unknown" if r.successes_per_usd is None else f"{r.successes_per_usd:,.0f}"
            if not r.measured:
                spd = "not measured"
            monthly = f" | {fmt_usd(r.monthly_cost_usd)}" if monthly_head else ""
            out.append(f"| {r.rank} | {r.previous_rank} | {_md(r.label)} | {spd}{monthly} |")
        out.append("")
    if report.failures:
        out.append("### Failures (first few)")
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
