"""The shortlist as one self-contained HTML file (inline CSS, no scripts, no network).

Every piece of text that came from a user file, the knowledge base or a
model is escaped with ``html.escape``.
"""

from __future__ import annotations

from typing import Any

from advisor.core.result import Candidate, Shortlist
from advisor.render import fmt
from advisor.render.fmt import html_escape

CSS = """
:root { --fg:#1d2330; --muted:#5b6475; --line:#d9dee7; --accent:#2456d6; --warn:#9a5b00; --bg:#fff; --soft:#f4f6fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg);
       max-width: 1100px; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid var(--line); padding-bottom: .3rem; }
h3 { margin-bottom: .4rem; } .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .92rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.role { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-size: .8rem; background: var(--soft); border: 1px solid var(--line); }
.role.recommended { background: #e6eeff; border-color: #b7c9f5; color: #17369a; }
.card { border: 1px solid var(--line); border-radius: .6rem; padding: .8rem 1.1rem; margin: 1rem 0; }
.warn { color: var(--warn); } ul.warnings li { margin: .2rem 0; }
ol.path li { margin: .35rem 0; } code { background: var(--soft); padding: 0 .25rem; border-radius: .25rem; }
.bar { display:inline-block; height:.55rem; background: var(--accent); border-radius:.3rem; vertical-align: middle; }
td { overflow-wrap: break-word; } .role { white-space: nowrap; } pre { white-space: pre-wrap; overflow-wrap: anywhere; }
pre.output { max-height: 14rem; overflow: auto; background: var(--soft); padding: .5rem .7rem; border-radius: .4rem; }
p.lead { font-size: 1.05rem; } section.decision { border-left: 4px solid var(--accent); padding-left: 1rem; }
figure.chart { margin: 1rem 0 1.6rem; max-width: 760px; } svg.chart { width: 100%; height: auto; display: block; }
figure.chart figcaption { color: var(--muted); font-size: .85rem; }
ul.legend { list-style: none; padding: 0; margin: .4rem 0; font-size: .88rem; }
ul.legend li { margin: .15rem 0; } .swatch { display: inline-block; width: 1.4rem; height: 0; margin-right: .45rem;
  vertical-align: middle; border-top: 3px solid var(--c); } .swatch.dash { border-top-style: dashed; }
.swatch.dot { width: .7rem; height: .7rem; border: 0; border-radius: 50%; background: var(--c); }
.swatch.vline, .swatch.vdash { width: 0; height: 1rem; border-top: 0; border-left: 2px solid var(--c); margin: 0 .6rem; }
.swatch.vdash { border-left-style: dashed; }
body { overflow-wrap: break-word; }
@media (max-width: 640px) {
  body { margin: 1rem auto; padding: 0 .75rem; font-size: 14px; }
  table:not(.reflow) { display: block; overflow-x: auto; }
  table.reflow td:empty { display: none; }
  svg.chart text { font-size: 17px; }
  table.reflow, table.reflow tbody, table.reflow tr, table.reflow td { display: block; width: 100%; }
  table.reflow thead, table.reflow th { display: none; }
  table.reflow tr { border: 1px solid var(--line); border-radius: .4rem; margin: .5rem 0; padding: .2rem 0; }
  table.reflow td { border: 0; padding: .2rem .6rem; text-align: left; }
  table.reflow td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
"""


def _e(value: object) -> str:
    return html_escape(value)


def _candidate(c: Candidate) -> str:
    co = c.costs
    rows = [
        f"<tr><td>Total</td><td class=num>{_e(fmt.usd(co.per_request))}</td><td class=num>{_e(fmt.usd(co.per_month))}</td>"
        f"<td class=num>{_e(fmt.usd(co.per_year))}</td></tr>"
    ]
    if co.per_success_at_floor is not None and co.quality_floor is not None:
        rows.append(
            f"<tr><td>Per success at pass rate {co.quality_floor:.0%}</td>"
            f"<td class=num>{_e(fmt.usd(co.per_success_at_floor))}</td><td></td><td></td></tr>"
        )
    if co.input_per_request is not None and co.self_host is None:
        rows.append(f"<tr><td>Input ({co.input_tokens:,} tokens)</td><td class=num>{_e(fmt.usd(co.input_per_request))}</td><td></td><td></td></tr>")
        rows.append(f"<tr><td>Output ({co.output_tokens:,} tokens)</td><td class=num>{_e(fmt.usd(co.output_per_request))}</td><td></td><td></td></tr>")
    extra = []
    if co.price_source:
        extra.append(
            f"<p class=muted>Price {_e(fmt.per_m(co.price_input_per_m))} in / {_e(fmt.per_m(co.price_output_per_m))} out per 1M tokens, "
            f"as of {_e(co.price_as_of)} ({_e(co.price_source)}).</p>"
        )
    if co.self_host:
        sh = co.self_host
        extra.append(
            f"<p>Self-hosting: {sh.gpus} × {_e(sh.gpu)} ({sh.replicas} replica(s) of {sh.gpus_per_replica} GPU(s)); GPUs "
            f"{_e(fmt.usd(sh.gpu_monthly))}/month + operations {_e(fmt.usd(sh.ops_monthly))}/month = "
            f"<strong>{_e(fmt.usd(sh.total_monthly))}/month</strong>.</p>"
            "<ul class=muted>" + "".join(f"<li>{_e(a)}</li>" for a in sh.assumptions) + "</ul>"
        )
    if co.break_even:
        extra.append(f"<p>Break-even: {_e(co.break_even.note)}.</p>")
    ratings = "".join(f"<tr><td>{_e(fmt.dim(d))}</td><td>{_e(fmt.level_with_source(c, d))}</td></tr>" for d in c.ratings)
    evidence = "".join(f"<li>{_e(line)}</li>" for line in fmt.citations(c))
    evidence += "".join(f"<li class=warn>{_e(line)}</li>" for line in fmt.disagreements(c))
    api = f" · <code>{_e(c.option.api_model_id)}</code>" if c.option.api_model_id else ""
    return (
        f"<div class=card><h3><span class='role {_e(c.role)}'>{_e(fmt.role(c))}</span> {_e(c.option.label)}</h3>"
        f"<p class=muted>score {c.score.total:.3f} · quality {c.score.quality:.2f} · fit {c.score.fit:.2f} · "
        f"cost {c.score.cost:.2f} · speed {c.score.speed:.2f} · tree bonus {c.score.tree_bonus:.2f}{api}</p>"
        "<ul>" + "".join(f"<li>{_e(r)}</li>" for r in c.reasons) + "</ul>"
        "<table><tr><th>Cost</th><th class=num>Per request</th><th class=num>Per month</th><th class=num>Per year</th></tr>"
        + "".join(rows) + "</table>" + "".join(extra)
        + ("<h4>Evidence</h4><ul class=evidence>" + evidence + "</ul>" if evidence else "")
        + "<details><summary>Capability ratings</summary><table>" + ratings + "</table></details></div>"
    )


def _group_tables(parts: list[str]) -> list[str]:
    """Join each top-level table's pieces into one string (so it can be reflowed whole)."""
    out: list[str] = []
    open_table = False
    for p in parts:
        if open_table:
            out[-1] += p
            open_table = "</table>" not in p
        else:
            out.append(p)
            open_table = "<table>" in p and "</table>" not in p
    return out


def _reflow(chunk: str) -> str:
    """Name each cell after its column (``data-label``) so the table reflows on a narrow screen."""
    import re

    head, sep, rest = chunk.partition("</tr>")
    heads = re.findall(r"<th[^>]*>(.*?)</th>", head)
    if not heads or not sep:
        return chunk

    def row(m: re.Match[str]) -> str:
        cells = iter(heads)
        return re.sub(r"<td(?![^>]*colspan)", lambda _: f'<td data-label="{next(cells, "")}"', m.group(0))

    return head.replace("<table>", "<table class=reflow>", 1) + sep + re.sub(r"<tr>.*?</tr>", row, rest, flags=re.S)


def render_html(s: Shortlist, evaluation: Any | None = None, kb: Any | None = None) -> str:
    parts: list[str] = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width, initial-scale=1'>",
        "<meta name=generator content=advisor>",
        f"<title>{_e(fmt.title(s))}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(fmt.title(s))}</h1>",
        f"<p class=muted>{_e(fmt.generated(s))}; {s.models_considered} models, {s.options_considered} ways to run them, "
        f"{s.options_surviving} passed the hard filters.</p>",
    ]
    if evaluation is not None:  # the decision first: the re-ranked shortlist and why
        from advisor.render.eval_html import render_decision_html

        parts.append(render_decision_html(evaluation, s.answers))
    parts += [
        "<h2>Shortlist" + (" before the bake-off" if evaluation is not None else "") + "</h2><table><tr><th>Role</th><th>Model</th><th>Where</th><th class=num>Per request</th>"
        "<th class=num>Per month</th><th>TTFT</th><th>Key ratings</th></tr>",
    ]
    for c in s.candidates:
        parts.append(
            f"<tr><td><span class='role {_e(c.role)}'>{_e(fmt.role(c))}</span></td><td>{_e(fmt.model_cell(c))}</td>"
            f"<td>{_e(c.option.where)}</td><td class=num>{_e(fmt.usd(c.costs.per_request))}</td>"
            f"<td class=num>{_e(fmt.usd(c.costs.per_month))}</td><td>{_e(fmt.latency(c))}</td><td>{_e(fmt.key_ratings(c))}</td></tr>"
        )
    if not s.candidates:
        parts.append("<tr><td colspan=7>No model passed every hard filter.</td></tr>")
    parts.append("</table>")
    from advisor.render.charts import cost_chart_svg, series_for

    volume = s.answers.get("monthly_requests")
    parts.append(cost_chart_svg(series_for(s, kb), user_volume=int(volume) if volume else None,
                                break_even=s.break_even.monthly_requests if s.break_even else None))
    if s.warnings:
        parts.append("<h2>Warnings</h2><ul class=warnings>")
        parts += [f"<li class=warn>{_e(w.message)}</li>" for w in s.warnings]
        parts.append("</ul>")
    parts.append("<h2>Candidates</h2>")
    parts += [_candidate(c) for c in s.candidates]
    if s.why_not:
        parts.append("<h2>Why not…?</h2><ul class=whynot>")
        for summary, details in fmt.why_not_lines(s):
            parts.append(f"<li><strong>{_e(summary)}</strong>" + ("<ul>" + "".join(f"<li>{_e(d)}</li>" for d in details) + "</ul>" if details else "") + "</li>")
        parts.append("</ul>")
    if s.break_even:
        parts.append(f"<h2>Self-hosting break-even</h2><p>{_e(s.break_even.note)}.</p>")
    parts.append("<h2>Decision tree path</h2><ol class=path>")
    for step in s.tree_path:
        parts.append(
            f"<li><strong>{_e(step.question)}</strong> <code>{_e(step.answer)}</code> → <strong>{_e(step.decision)}</strong>. "
            f"<span class=muted>{_e(step.rationale)}</span></li>"
        )
    parts.append(f"<li><strong>Outcome: {_e(s.outcome.label)}.</strong> <span class=muted>{_e(s.outcome.rationale)}</span></li></ol>")
    parts.append("<h2>Eliminated models</h2>")
    if not s.eliminated:
        parts.append("<p>None.</p>")
    else:
        parts.append("<table><tr><th>Model</th><th>Where</th><th>Rule</th><th>Why</th></tr>")
        for e in s.eliminated:
            for r in fmt.distinct_reasons(e):
                parts.append(
                    f"<tr><td>{_e(e.model_name)}</td><td>{_e(r.option.where)}</td><td><code>{_e(r.rule)}</code></td><td>{_e(r.message)}</td></tr>"
                )
        parts.append("</table>")
    if evaluation is not None:  # the evidence, before the assumptions
        from advisor.render.eval_html import render_eval_html_section

        parts.append(render_eval_html_section(evaluation))
    parts.append("<h2>Your answers</h2><table><tr><th>Question</th><th>Answer</th></tr>")
    parts += [f"<tr><td><code>{_e(k)}</code></td><td>{_e(fmt.answer_value(v))}</td></tr>" for k, v in s.answers.items()]
    parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(_reflow(p) if p.startswith("<h2>Shortlist") or p.startswith("<table><tr><th>Model</th>")
                     else p for p in _group_tables(parts))
