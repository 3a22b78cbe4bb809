"""The eval report as pure data: :class:`EvalReport` and :func:`build_report`.

``build_report`` turns a :class:`~advisor.eval.runner.RunSummary` into an
``EvalReport`` (pydantic, JSON-serialisable; money as exact decimal strings);
``render_eval_json`` is its JSON form. The renderers live with the others:
``advisor.render.eval_markdown`` (Markdown, and the plain-text table rows the
console shares) and ``advisor.render.eval_html`` (an embeddable ``<section>``
and a standalone page).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from advisor.eval.rerank import Rerank, rerank
from advisor.eval.stats import P95_MIN_SAMPLES, ModelStats, Usd, UsdOpt, model_stats

if TYPE_CHECKING:  # the runner pulls in httpx; renderers don't need it
    from advisor.eval.runner import RunSummary

__all__ = ["EvalReport", "FailureExample", "build_report", "render_eval_json", "cases_fingerprint", "check_types",
           "request_settings"]

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
    """What a bake-off measured. Money in JSON: see :mod:`advisor.eval.stats` (10 places)."""

    model_config = ConfigDict(frozen=True)

    generated_at: str
    cases_file: str
    n_cases: int
    repeat: int
    models: list[ModelStats]
    rerank: Rerank | None = None
    monthly_requests: int | None = None
    quality_floor: float | None = None
    spent_usd: Usd = Decimal(0)
    spent_before_usd: Usd = Decimal(0)  # earlier runs on the same results file (the cap covers both)
    spend_unknown: int = 0  # results of this run whose cost is unknown (no price)
    max_spend_usd: UsdOpt = None
    cancelled: bool = False
    not_run_budget: int = 0
    skipped: list[str] = Field(default_factory=list)
    failures: list[FailureExample] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    cases_fingerprint: str = ""  # sha256 of the cases as run (first 16 hex digits)
    check_types: list[str] = Field(default_factory=list)
    versions: dict[str, str] = Field(default_factory=dict)  # model_key -> the API model id called
    settings: dict[str, str] = Field(default_factory=dict)  # request settings, as text

    @property
    def answered(self) -> int:
        """Requests that returned an answer (pass or fail)."""
        return sum(m.answered for m in self.models)

    @property
    def recommended(self) -> ModelStats | None:
        rec = self.rerank.recommended if self.rerank is not None else None
        return next((m for m in self.models if rec is not None and m.model_key == rec.model_key), None)


def cases_fingerprint(cases: Any) -> str:
    """A short, stable fingerprint of a cases file's content (not its path or layout)."""
    data = [c.model_dump(mode="json", by_alias=True) for c in cases.cases]
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def request_settings(config: Any) -> dict[str, str]:
    """What was asked of every model (a RunConfig), as kept with the evidence."""
    return {"temperature": f"{config.temperature:g}", "timeout": f"{config.timeout:g} s", "repeat": str(config.repeat),
            "max_tokens": "per case"}


def check_types(cases: Any) -> list[str]:
    return sorted({c.type for case in cases.cases for c in case.checks})


def build_report(
    summary: RunSummary,
    *,
    cases_file: str,
    n_cases: int,
    repeat: int,
    candidate_order: Sequence[str] | None = None,
    monthly_requests: int | None = None,
    max_failures: int | None = None,
    generated_at: str | None = None,
    quality_floor: float | None = None,
    monthly_at_answers: Mapping[str, Decimal | None] | None = None,
    cases: Any = None,
    settings: Mapping[str, str] | None = None,
) -> EvalReport:
    """The report of one run. ``cases`` (the CasesFile) adds the fingerprint and check
    types; ``monthly_at_answers`` the shortlist's cost at the answers' token mix;
    every failure is listed unless ``max_failures`` says otherwise."""
    targets = {t.model_key: t for t in summary.targets}
    keys = [t.model_key for t in summary.targets]
    stats = {k: model_stats(summary.results, k, targets[k].label) for k in keys}
    order = list(candidate_order) if candidate_order else keys
    order = [k for k in order if k in stats] + [k for k in keys if k not in order]
    planned = {k: n_cases * repeat for k in keys}
    rr = rerank(order, stats, targets, monthly_requests, quality_floor=quality_floor, planned=planned,
                monthly_at_answers=monthly_at_answers) if order else None
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
        notes.append("The run was interrupted; completed results are kept. Resume the run to finish it.")
    if summary.not_run_budget:
        notes.append(
            f"{summary.not_run_budget} requests were not sent (or their answers not judged) because the spend cap "
            "left no room for their worst case; resuming the run sends them, within what is left of the cap (it "
            "covers every run on the same results file)."
        )
    retries = sum(s.retries for s in stats.values())
    if retries:
        notes.append(f"{retries} request{'s' if retries != 1 else ''} were retried (rate limits, timeouts or "
                     "server errors); latency includes the waits.")
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
        failures=failures if max_failures is None else failures[:max_failures],
        notes=notes,
        quality_floor=quality_floor,
        spend_unknown=sum(1 for r in summary.results if r.cost_usd is None),
        cases_fingerprint=cases_fingerprint(cases) if cases is not None else "",
        check_types=check_types(cases) if cases is not None else [],
        versions={t.model_key: t.model_id for t in summary.targets},
        settings=dict(settings or {}),
    )


def render_eval_json(report: EvalReport) -> str:
    """The report as JSON with ``"generator": "advisor"`` first, so a later run may replace it."""
    data = {"generator": "advisor", **report.model_dump(mode="json")}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
