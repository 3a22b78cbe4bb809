"""The eval report as pure data: :class:`EvalReport` and :func:`build_report`.

``build_report`` turns a :class:`~advisor.eval.runner.RunSummary` into an
``EvalReport`` (pydantic, JSON-serialisable; money as exact decimal strings);
``render_eval_json`` is its JSON form. The renderers live with the others:
``advisor.render.eval_markdown`` (Markdown, and the plain-text table rows the
console shares) and ``advisor.render.eval_html`` (an embeddable ``<section>``
and a standalone page).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from advisor.eval.rerank import Rerank, rerank
from advisor.eval.stats import P95_MIN_SAMPLES, ModelStats, model_stats

if TYPE_CHECKING:  # the runner pulls in httpx; renderers don't need it
    from advisor.eval.runner import RunSummary

__all__ = ["EvalReport", "FailureExample", "build_report", "render_eval_json"]

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
    spent_before_usd: Decimal = Decimal(0)  # earlier runs on the same results file (the cap covers both)
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
    anomalies = [r for r in summary.results if r.usage_anomaly]
    if anomalies:
        first = anomalies[0]
        notes.append(
            f"Provider anomaly: {len(anomalies)} answers reported more tokens than the request allows "
            f"(first: {first.label} · {first.case_id}: {first.usage_anomaly}). The spend counts them at the "
            "request's limit; check the provider's bill."
        )
    if summary.cancelled:
        notes.append("The run was interrupted; completed results are kept. Run again with --resume to finish.")
    if summary.not_run_budget:
        notes.append(
            f"{summary.not_run_budget} requests were not sent (or their answers not judged) because the spend cap "
            "left no room for their worst case; --resume runs them, within what is left of the cap (it covers "
            "every run on the same results file)."
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
        spent_before_usd=summary.spent_before_usd,
        max_spend_usd=summary.max_spend_usd,
        cancelled=summary.cancelled,
        not_run_budget=summary.not_run_budget,
        skipped=[f"{t.label} ({t.model_key}): {why}" for t, why in summary.skipped_targets],
        failures=failures[:max_failures],
        notes=notes,
    )


def render_eval_json(report: EvalReport) -> str:
    """The report as JSON with ``"generator": "advisor"`` first, so a later run may replace it."""
    data = {"generator": "advisor", **report.model_dump(mode="json")}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
