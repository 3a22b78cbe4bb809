"""The live eval in HTML: a ``<section>`` the main report embeds, or a page of its own.

Every piece of model output and user text is passed through ``fmt.html_escape``
(control characters shown escaped, then ``html.escape``).
The standalone page uses the main report's stylesheet and generator marker.
"""

from __future__ import annotations

from advisor.core.costs import format_usd as fmt_usd
from advisor.eval.report import EvalReport
from advisor.fileio import REPORT_MARKERS
from advisor.render.eval_markdown import HEADERS, spent_text, table_rows
from advisor.render.fmt import html_escape

__all__ = ["render_eval_html_section", "render_eval_html_page"]


def render_eval_html_section(report: EvalReport) -> str:
    e = html_escape
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
    for row in table_rows(report):
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
        parts.append("<h3>Notes</h3><ul class=\"notes\">")
        parts.extend(f"<li>Skipped {e(s)}</li>" for s in report.skipped)
        parts.extend(f"<li>{e(n)}</li>" for n in report.notes)
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"


def render_eval_html_page(report: EvalReport) -> str:
    """The eval section as a self-contained page (a standalone ``--report x.html``)."""
    from advisor.render.html import CSS

    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>\n"
        "<meta name=viewport content='width=device-width, initial-scale=1'>\n"
        + REPORT_MARKERS[2] + "\n<title>advisor eval</title><style>" + CSS + "</style></head><body>\n"
        + render_eval_html_section(report) + "</body></html>\n"
    )
