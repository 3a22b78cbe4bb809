"""The shortlist as a Markdown report."""

from __future__ import annotations

from typing import Any

from advisor.core.result import Candidate, Shortlist
from advisor.fileio import REPORT_MARKERS
from advisor.render import fmt
from advisor.render.fmt import md_escape as _md


def _candidate_section(c: Candidate) -> list[str]:
    co = c.costs
    out = [f"### {fmt.role(c)}: {_md(c.option.label)}", ""]
    if c.option.api_model_id:
        out.append(f"- API model id: {_md(c.option.api_model_id)}")
    out.append(f"- Score {c.score.total:.3f} (quality {c.score.quality:.2f}, fit {c.score.fit:.2f}, "
               f"cost {c.score.cost:.2f}, speed {c.score.speed:.2f}, tree bonus {c.score.tree_bonus:.2f})")
    out.append("")
    out.append("Why:")
    out.extend(f"- {_md(r)}" for r in c.reasons)
    if c.below_recommended:
        out += ["", "Why not the recommendation:"]
        out.extend(f"- {_md(r)}" for r in c.below_recommended)
    out.append("")
    out.append("| Cost | Per request | Per month | Per year |")
    out.append("|---|---|---|---|")
    out.append(f"| total | {fmt.usd(co.per_request)} | {fmt.usd(co.per_month)} | {fmt.usd(co.per_year)} |")
    if co.per_success_at_floor is not None and co.quality_floor is not None:
        out.append(f"| per success at pass rate {co.quality_floor:.0%} | {fmt.usd(co.per_success_at_floor)} | | |")
    if co.input_per_request is not None and co.self_host is None:
        out.append(f"| input ({co.input_tokens:,} tokens) | {fmt.usd(co.input_per_request)} | | |")
        out.append(f"| output ({co.output_tokens:,} tokens) | {fmt.usd(co.output_per_request)} | | |")
    out.append("")
    if co.price_source:
        out.append(
            f"Price: {fmt.per_m(co.price_input_per_m)} in / {fmt.per_m(co.price_output_per_m)} out per 1M tokens "
            f"(as of {co.price_as_of}, {_md(co.price_source)})."
        )
    if co.self_host:
        sh = co.self_host
        out.append(
            f"Self-hosting: {sh.gpus} × {_md(sh.gpu)} ({sh.replicas} replica(s) of {sh.gpus_per_replica} GPU(s)); "
            f"GPUs {fmt.usd(sh.gpu_monthly)}/month + operations {fmt.usd(sh.ops_monthly)}/month "
            f"= {fmt.usd(sh.total_monthly)}/month."
        )
        out.append("Assumptions: " + "; ".join(_md(a) for a in sh.assumptions) + ".")
    if co.break_even:
        out.append(f"Break-even: {_md(co.break_even.note)}.")
    out.append("")
    out.append("Ratings: " + _md(fmt.ratings_line(c)) + ".")
    out.append("")
    if c.evidence:
        out.append("Evidence:")
        out.extend(f"- {_md(line)}" for line in fmt.citations(c) + fmt.disagreements(c))
        out.append("")
    return out


def render_markdown(s: Shortlist, evaluation: Any | None = None, kb: Any | None = None) -> str:
    out: list[str] = [f"# {_md(fmt.title(s))}", REPORT_MARKERS[0], "", f"_{fmt.generated(s)}; {s.models_considered} models, "
                      f"{s.options_considered} ways to run them, {s.options_surviving} passed the hard filters._", ""]
    if evaluation is not None:  # the decision first: the re-ranked shortlist and why
        from advisor.render.eval_markdown import render_decision_markdown

        out += render_decision_markdown(evaluation, s.answers)
    out += ["## Shortlist" + (" before the bake-off" if evaluation is not None else ""), "", "| Role | Model | Where | Per request | Per month | TTFT | Key ratings |", "|---|---|---|---|---|---|---|"]
    for c in s.candidates:
        out.append(
            f"| {fmt.role(c)} | {_md(fmt.model_cell(c))} | {_md(c.option.where)} | {fmt.usd(c.costs.per_request)} "
            f"| {fmt.usd(c.costs.per_month)} | {fmt.latency(c)} | {_md(fmt.key_ratings(c))} |"
        )
    if not s.candidates:
        out.append("| — | no model passed every hard filter | | | | | |")
    out.append("")
    from advisor.render.charts import VOLUMES, cost_points, series_for
    from advisor.render.eval_markdown import cost_table_markdown

    cost_rows = cost_table_markdown(cost_points(series_for(s, kb)), VOLUMES)
    if cost_rows:
        out += ["### Monthly cost against volume (requests a month)", ""] + cost_rows + [""]
    if s.warnings:
        out += ["## Warnings", ""]
        out += [f"- {_md(w.message)}" for w in s.warnings]
        out.append("")
    out += ["## Candidates", ""]
    for c in s.candidates:
        out += _candidate_section(c)
    if s.why_not:
        out += ["## Why not…?", ""]
        for summary, details in fmt.why_not_lines(s):
            out.append(f"- **{_md(summary)}**")
            out += [f"  - {_md(d)}" for d in details]
        out.append("")
    if s.break_even:
        out += ["## Self-hosting break-even", "", _md(s.break_even.note) + ".", ""]
    out += ["## Decision tree path", ""]
    for i, step in enumerate(s.tree_path, 1):
        out.append(f"{i}. **{_md(step.question)}** {_md(step.answer)} → {step.decision}. {_md(step.rationale)}")
    out.append(f"{len(s.tree_path) + 1}. **Outcome: {_md(s.outcome.label)}.** {_md(s.outcome.rationale)}")
    out.append("")
    out += ["## Eliminated models", ""]
    if not s.eliminated:
        out.append("None: every model has at least one way to run it that passes the filters.")
    else:
        out += ["| Model | Rule | Why |", "|---|---|---|"]
        for e in s.eliminated:
            seen: set[tuple[str, str]] = set()
            for r in e.reasons:
                if (r.rule, r.message) in seen:
                    continue
                seen.add((r.rule, r.message))
                out.append(f"| {_md(e.model_name)} ({_md(r.option.where)}) | {r.rule} | {_md(r.message)} |")
    out.append("")
    if evaluation is not None:  # the evidence, before the assumptions
        from advisor.render.eval_markdown import render_eval_markdown

        out.append(render_eval_markdown(evaluation))
    out += ["## Your answers", "", "| Question | Answer |", "|---|---|"]
    for key, value in s.answers.items():
        out.append(f"| {key} | {_md(fmt.answer_value(value))} |")
    out.append("")
    return "\n".join(out).rstrip() + "\n"
