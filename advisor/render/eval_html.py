"""The live eval in HTML: a ``<section>`` the main report embeds, or a page of its own.

Every piece of model output and user text is passed through ``fmt.html_escape``
(control characters shown escaped, then ``html.escape``).
The page leads with the decision (the re-ranked shortlist, what changed and
why), then the evidence (charts, per-model figures, every failure), then the
notes. The standalone page uses the main report's stylesheet and generator marker.
"""

from __future__ import annotations

from typing import Any

from advisor.eval.report import EvalReport
from advisor.fileio import REPORT_MARKERS
from advisor.render.charts import latency_chart_svg, quality_chart_svg
from advisor.render.fmt import html_escape
from advisor.render.eval_markdown import (
    DECISION_HEADERS,
    HEADERS,
    cost_basis_text,
    decision_paragraph,
    decision_rows,
    rule_text,
    spent_text,
    table_rows,
)

__all__ = ["render_eval_html_section", "render_eval_html_page", "render_decision_html", "table_html"]

NUMERIC = {"Passed", "95% CI", "TTFT p50", "Latency p50", "Latency p95", "Tokens/s", "Cost per success",
           "JSON valid", "Schema valid", "Rank", "Was", "Per month (your token mix)", "Per month at measured tokens",
           "Measured tokens in / out"}


def table_html(headers: tuple[str, ...] | list[str], rows: list[tuple[str, ...]], classes: str = "") -> str:
    """A table that reflows on a narrow screen: every cell carries its column's name."""
    e = html_escape
    head = "".join(f"<th{' class=num' if h in NUMERIC else ''}>{e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f"<td data-label=\"{e(h)}\"{' class=num' if h in NUMERIC else ''}>{e(c)}</td>"
            for h, c in zip(headers, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    cls = f" class=\"reflow {classes}\"" if classes else " class=reflow"
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>" + "".join(body) + "</tbody></table>"


def render_decision_html(report: EvalReport, answers: dict[str, Any] | None = None) -> str:
    e = html_escape
    parts = ['<section class="decision" id="decision">', "<h2>Decision</h2>", f"<p class=lead>{e(decision_paragraph(report))}</p>",
             f"<p class=muted>{e(rule_text(report))}</p>"]
    if report.rerank is not None:
        parts.append(table_html(DECISION_HEADERS, decision_rows(report), "decision"))
        parts.append(f"<p class=muted>{e(cost_basis_text(report, answers))}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _charts(report: EvalReport) -> str:
    floor = report.quality_floor
    stats = {m.model_key: m for m in report.models}
    order = [r.model_key for r in report.rerank.order] if report.rerank is not None else list(stats)
    points = [(stats[k].label, stats[k].pass_rate, stats[k].pass_low, stats[k].pass_high, stats[k].cost_per_success_usd)
              for k in order if k in stats and stats[k].n]
    lat = [(stats[k].label, stats[k].latency_p50_ms, stats[k].latency_p95_ms) for k in order if k in stats]
    return quality_chart_svg(points, floor) + latency_chart_svg(lat)


def render_eval_html_section(report: EvalReport) -> str:
    e = html_escape
    parts = ['<section class="eval" id="evidence">', "<h2>Live eval: the evidence</h2>"]
    summary = (
        f"{report.n_cases} cases from <code>{e(report.cases_file)}</code>"
        + (f", each run {report.repeat} times" if report.repeat > 1 else "")
        + f". {e(spent_text(report))}."
    )
    parts.append(f"<p>{summary}</p>")
    parts.append('<div class="charts">' + _charts(report) + "</div>")
    parts.append(table_html(HEADERS, table_rows(report)))
    checks = [(s.label, name, f"{c.passes}/{c.n} ({c.pass_rate * 100:.0f}%)",
               f"{c.pass_low * 100:.0f}%–{c.pass_high * 100:.0f}%") for s in report.models for name, c in s.checks.items()]
    if checks:
        parts.append("<h3 id=per-check>Pass rate per check</h3>")
        parts.append(table_html(("Model", "Check", "Passed", "95% CI"), checks))
    if report.cases_fingerprint or report.settings:
        settings = ", ".join(f"{k} {v}" for k, v in report.settings.items())
        parts.append(f"<p class=muted>Case set fingerprint <code>{e(report.cases_fingerprint or 'unknown')}</code>"
                     + (f"; request settings: {e(settings)}" if settings else "") + ".</p>")
    if report.failures:
        parts.append(f"<h3 id=failures>Failures ({len(report.failures)})</h3><ul class=failures>")
        for f in report.failures:
            parts.append(
                f"<li><strong>{e(f.label)}</strong> · case <code>{e(f.case_id)}</code> #{f.repeat} · "
                f"score {f.score:.2f} — {e(f.reason)}"
                + (f"<pre class=output>{e(f.output_excerpt)}</pre>" if f.output_excerpt else "")
                + "</li>"
            )
        parts.append("</ul>")
    if report.skipped or report.notes:
        parts.append("<h3>Notes</h3><ul class=\"notes\">")
        parts.extend(f"<li>Skipped {e(s)}</li>" for s in report.skipped)
        parts.extend(f"<li>{e(n)}</li>" for n in report.notes)
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"


def render_eval_html_page(report: EvalReport) -> str:
    """The decision and the evidence as a self-contained page (a standalone ``--report x.html``)."""
    from advisor.render.html import CSS

    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>\n"
        "<meta name=viewport content='width=device-width, initial-scale=1'>\n"
        + REPORT_MARKERS[2] + "\n<title>advisor bake-off</title><style>" + CSS + "</style></head><body>\n"
        + "<h1>Bake-off</h1>\n" + render_decision_html(report) + "\n"
        + render_eval_html_section(report) + "</body></html>\n"
    )
