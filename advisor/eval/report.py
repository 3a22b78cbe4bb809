"""The eval report as pure data (:class:`EvalReport`) and two renderings.

``build_report`` turns a :class:`~advisor.eval.runner.RunSummary` into an
``EvalReport`` (pydantic, JSON-serialisable; money as exact decimal strings).
``render_eval_markdown`` and ``render_eval_html_section`` render it; the HTML
is a ``<section>`` the main report can embed, with every piece of model output
and user text passed through ``html.escape``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from advisor.eval.rerank import Rerank, fmt_usd, rerank
from advisor.eval.stats import P95_MIN_SAMPLES, ModelStats, model_stats
from advisor.fileio import REPORT_MARKERS
from advisor.render.fmt import md_escape

if TYPE_CHECKING:  # the runner pulls in httpx; renderers don't need it
    from advisor.eval.runner import RunSummary

__all__ = [
    "EvalReport", "FailureExample", "build_report", "render_eval_markdown", "render_eval_html_section",
    "render_eval_json", "spent_text", "summary_line",
]

MD_MARKER = REPORT_MARKERS[0]  # "<!-- advisor report -->": a later run may replace the file

EXCERPT = 240


class FailureExample(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_key: str
    label: str
    case_id: str
    repeat: int
    score: float
    reason: str
    output_excerpt: str


class EvalReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    generated_at: str
    cases_file: str
    n_cases: int
    repeat: int
    models: list[ModelStats]
    rerank: Rerank | None = None
    monthly_requests: int | None = None
    spent_usd: Decimal = Decimal(0)
    max_spend_usd: Decimal | None = None
    cancelled: bool = False
    not_run_budget: int = 0
    skipped: list[str] = Field(default_factory=list)
    failures: list[FailureExample] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def build_report(
    summary: RunSummary,
    *,
    cases_file: str,
    n_cases: int,
    repeat: int,
    candidate_order: Sequence[str] | None = None,
    monthly_requests: int | None = None,
    max_failures: int = 12,
    generated_at: str | None = None,
) -> EvalReport:
    targets = {t.model_key: t for t in summary.targets}
    keys = [t.model_key for t in summary.targets]
    stats = {k: model_stats(summary.results, k, targets[k].label) for k in keys}
    order = list(candidate_order) if candidate_order else keys
    order = [k for k in order if k in stats] + [k for k in keys if k not in order]
    rr = rerank(order, stats, targets, monthly_requests) if order else None
    failures = []
    for r in sorted(summary.results, key=lambda r: (r.model_key, r.case_id, r.repeat)):
        if r.passed:
            continue
        if r.error_kind:
            reason = f"{r.error_kind}: {r.error or ''}".strip()
        else:
            reason = "; ".join(f"{c.name}: {c.detail}" for c in r.checks if not c.passed and c.detail) or "below threshold"
        failures.append(FailureExample(
            model_key=r.model_key, label=r.label, case_id=r.case_id, repeat=r.repeat, score=r.score,
            reason=reason, output_excerpt=r.output[:EXCERPT] + ("…" if len(r.output) > EXCERPT else ""),
        ))
    notes = []
    if any(s.tokens_approximate for s in stats.values()):
        notes.append("Some token counts were estimated locally with tiktoken because the server did not report usage.")
    if any(s.n and s.p95_unreliable for s in stats.values()):
        notes.append(f"p95 figures come from fewer than {P95_MIN_SAMPLES} samples; treat them as rough.")
    n_est = sum(s.estimated_costs for s in stats.values() if s.total_cost_usd is not None)
    if n_est:
        notes.append(
            f"Costs include {n_est} estimated: calls that failed after they may have been billed are counted "
            "at their worst case (counted input + max_tokens output), not a measured cost."
        )
    if summary.cancelled:
        notes.append("The run was interrupted; completed results are kept. Run again with --resume to finish.")
    if summary.not_run_budget:
        notes.append(
            f"{summary.not_run_budget} requests were not sent (or their answers not judged) because the spend cap "
            "left no room for their worst case; --resume runs them."
        )
    return EvalReport(
        generated_at=generated_at or datetime.now(UTC).isoformat(timespec="seconds"),
        cases_file=cases_file,
        n_cases=n_cases,
        repeat=repeat,
        models=[stats[k] for k in keys],
        rerank=rr,
        monthly_requests=monthly_requests,
        spent_usd=summary.spent_usd,
        max_spend_usd=summary.max_spend_usd,
        cancelled=summary.cancelled,
        not_run_budget=summary.not_run_budget,
        skipped=[f"{t.label} ({t.model_key}): {why}" for t, why in summary.skipped_targets],
        failures=failures[:max_failures],
        notes=notes,
    )


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


def _rows(report: EvalReport) -> list[tuple[str, ...]]:
    rows = []
    for s in report.models:
        rows.append((
            s.label,
            f"{s.passes}/{s.n} ({_pct(s.pass_rate if s.n else None)})",
            f"{_pct(s.pass_low)}–{_pct(s.pass_high)}" if s.n else "–",
            _ms(s.ttft_p50_ms),
            _ms(s.latency_p50_ms),
            _ms(s.latency_p95_ms, s.p95_unreliable and s.latency_p95_ms is not None),
            "–" if s.tokens_per_s is None else f"{s.tokens_per_s:,.0f}",
            _cost_cell(s),
            _frac(s.json_valid, s.json_cases),
            _frac(s.schema_valid, s.schema_cases),
            ", ".join(f"{k} ×{v}" for k, v in s.errors_by_kind.items()) or "none",
        ))
    return rows


HEADERS = ("Model", "Passed", "95% CI", "TTFT p50", "Latency p50", "Latency p95", "Tokens/s",
           "Cost per success", "JSON valid", "Schema valid", "Errors")


def spent_text(report: EvalReport) -> str:
    """"Spent $0.004 of a $1.00 cap": money always through :func:`fmt_usd`."""
    return f"Spent {fmt_usd(report.spent_usd)}" + (
        f" of a {fmt_usd(report.max_spend_usd)} cap" if report.max_spend_usd is not None else ""
    )


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
    for row in _rows(report):
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


def render_eval_html_section(report: EvalReport) -> str:
    e = html.escape
    parts = ['<section class="eval">', "<h2>Live eval</h2>"]
    summary = (
        f"{report.n_cases} cases from <code>{e(report.cases_file)}</code>"
        + (f", each run {report.repeat} times" if report.repeat > 1 else "")
        + f". {e(spent_text(report))}."
    )
    parts.append(f"<p>{summary}</p>")
    if report.rerank is not None:
        parts.append(f'<p class="rerank"><strong>{e(report.rerank.sentence)}</strong></p>')
    parts.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in HEADERS) + "</tr></thead><tbody>")
    for row in _rows(report):
        parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    if report.rerank is not None:
        monthly = report.rerank.monthly_requests
        parts.append("<h3>Ranking on measured evidence</h3>")
        head = ["Rank", "Was", "Model", "Successes per $1"] + ([f"Monthly at {monthly:,} requests"] if monthly else [])
        parts.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>")
        for r in report.rerank.order:
            spd = "not measured" if not r.measured else "unknown" if r.successes_per_usd is None else f"{r.successes_per_usd:,.0f}"
            cells = [str(r.rank), str(r.previous_rank), r.label, spd] + ([fmt_usd(r.monthly_cost_usd)] if monthly else [])
            parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table>")
    if report.failures:
        parts.append("<h3>Failures (first few)</h3><ul>")
        for f in report.failures:
            parts.append(
                f"<li><strong>{e(f.label)}</strong> · case <code>{e(f.case_id)}</code> #{f.repeat} · "
                f"score {f.score:.2f} — {e(f.reason)}"
                + (f"<pre>{e(f.output_excerpt)}</pre>" if f.output_excerpt else "")
                + "</li>"
            )
        parts.append("</ul>")
    if report.skipped or report.notes:
        parts.append("<ul class=\"notes\">")
        parts.extend(f"<li>Skipped {e(s)}</li>" for s in report.skipped)
        parts.extend(f"<li>{e(n)}</li>" for n in report.notes)
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"


def render_eval_json(report: EvalReport) -> str:
    """The report as JSON with ``"generator": "advisor"`` first, so a later run may replace it."""
    data = {"generator": "advisor", **report.model_dump(mode="json")}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
