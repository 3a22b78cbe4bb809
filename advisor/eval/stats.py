"""Per-model statistics over eval results.

* pass rate with a Wilson 95% score interval (honest at small n);
* p50/p95 of latency and time to first token — p95 is flagged as unreliable
  when there are fewer than 20 samples;
* median output tokens per second;
* total cost and cost per success (every request's cost, failed ones and
  repeats included, divided by the passes); unknown prices stay unknown, and
  ``estimated_costs`` counts the results whose cost is an estimate (the
  worst case of a failed call that may have been billed), not a measurement;
* JSON and schema compliance for the cases that ask for JSON;
* errors counted by kind; retried attempts counted too;
* pass rate per check type (``checks``), each with its n and interval.

Money in JSON: every USD amount of the eval (``Usd``) serialises as a decimal
string with exactly ``USD_PLACES`` (10) places. Costs are sums of
``price per 1M × tokens / 1,000,000``, exact at 10 places for any price with up
to 4 decimals per 1M tokens; quotients (per success, per request) are rounded
half-even to 10 places. Python values stay exact Decimals.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from advisor.eval.results import CaseResult

__all__ = ["wilson_interval", "percentile", "ModelStats", "CheckStats", "model_stats", "P95_MIN_SAMPLES",
           "Usd", "UsdOpt", "usd_json", "USD_PLACES"]

# the one money format for JSON, shared with the shortlist (advisor.core.money)
from advisor.core.money import USD_PLACES, Usd, UsdOpt, usd_json  # noqa: E402

Z95 = 1.959963984540054
P95_MIN_SAMPLES = 20


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion; (0, 1) when n == 0."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0–100), or None for no values."""
    if not values:
        return None
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


class CheckStats(BaseModel):
    """How often one check type passed, over the answers it was applied to."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    n: int
    passes: int
    pass_low: float
    pass_high: float

    @property
    def pass_rate(self) -> float:
        return self.passes / self.n if self.n else 0.0


class ModelStats(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    model_key: str
    label: str
    n: int  # measured cases (the pass rate's denominator)
    answered: int  # calls that returned an answer
    passes: int
    pass_rate: float
    pass_low: float
    pass_high: float
    mean_score: float
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    ttft_p50_ms: float | None = None
    ttft_p95_ms: float | None = None
    p95_unreliable: bool = True  # fewer than 20 samples
    tokens_per_s: float | None = None
    mean_input_tokens: float | None = None
    mean_output_tokens: float | None = None
    tokens_approximate: bool = False
    total_cost_usd: UsdOpt = None
    cost_per_request_usd: UsdOpt = None
    cost_per_success_usd: UsdOpt = None
    estimated_costs: int = 0  # results whose cost is the worst case of a failed call, not measured
    json_cases: int = 0
    json_valid: int = 0
    schema_cases: int = 0
    schema_valid: int = 0
    errors_by_kind: dict[str, int] = Field(default_factory=dict)
    retries: int = 0
    failed: int = 0  # results that are not passes (errors included)
    checks: dict[str, CheckStats] = Field(default_factory=dict)  # by check type
    # rate-limited or unreachable after every retry: left out of n and the pass rate
    not_measured: int = 0
    burst: int = 0  # answers that arrived at once (no tokens/s)
    retry_wait_ms: float = 0.0  # time spent waiting to retry (Retry-After or backoff)

    @property
    def passed_text(self) -> str:
        """"3/4 (75%)", with ", 2 not measured" when some cases were rate-limited or unreachable."""
        text = f"{self.passes}/{self.n} ({self.pass_rate * 100:.0f}%)" if self.n else "not measured"
        return text + (f", {self.not_measured} not measured" if self.not_measured and self.n else "")

    @property
    def tokens_per_s_text(self) -> str:
        """Tokens/s, or "burst" when the answers arrived all at once, or "–"."""
        if self.tokens_per_s is not None:
            return f"{self.tokens_per_s:,.0f}"
        return "burst" if self.burst else "–"

    @property
    def json_compliance(self) -> float | None:
        return self.json_valid / self.json_cases if self.json_cases else None

    @property
    def schema_compliance(self) -> float | None:
        return self.schema_valid / self.schema_cases if self.schema_cases else None


def model_stats(results: Iterable[CaseResult], model_key: str, label: str | None = None) -> ModelStats:
    every = [r for r in results if r.model_key == model_key]
    rs = [r for r in every if not r.not_measured]
    n = len(rs)
    passes = sum(1 for r in rs if r.passed)
    low, high = wilson_interval(passes, n)
    answered = [r for r in rs if r.ok]
    lat = [r.latency_ms for r in answered if r.latency_ms is not None]
    ttft = [r.ttft_ms for r in answered if r.ttft_ms is not None]
    tps = [t for t in (r.tokens_per_s for r in answered) if t is not None]
    ins = [r.input_tokens for r in answered if r.input_tokens is not None]
    outs = [r.output_tokens for r in answered if r.output_tokens is not None]
    # Cost: unknown if any request's cost is unknown.
    costs = [r.cost_usd for r in rs]
    total: Decimal | None
    if rs and all(c is not None for c in costs):
        total = sum((c for c in costs if c is not None), Decimal(0))
        total += sum((r.judge_cost_usd or Decimal(0) for r in rs), Decimal(0))
    else:
        total = None
    per_req = total / n if total is not None and n else None
    per_success = total / passes if total is not None and passes else None
    json_rs = [r for r in answered if r.wants_json]
    schema_rs = [r for r in answered if r.schema_valid is not None]
    errors = Counter(r.error_kind for r in every if r.error_kind)
    by_check: dict[str, list[bool]] = {}
    for r in answered:
        for c in r.checks:
            by_check.setdefault(c.name, []).append(c.passed)
    checks = {}
    for name, outcomes in sorted(by_check.items()):
        lo, hi = wilson_interval(sum(outcomes), len(outcomes))
        checks[name] = CheckStats(n=len(outcomes), passes=sum(outcomes), pass_low=lo, pass_high=hi)
    return ModelStats(
        model_key=model_key,
        label=label or (every[0].label if every else model_key),
        n=n,
        answered=len(answered),
        passes=passes,
        pass_rate=passes / n if n else 0.0,
        pass_low=low,
        pass_high=high,
        mean_score=sum(r.score for r in rs) / n if n else 0.0,
        latency_p50_ms=percentile(lat, 50),
        latency_p95_ms=percentile(lat, 95),
        ttft_p50_ms=percentile(ttft, 50),
        ttft_p95_ms=percentile(ttft, 95),
        p95_unreliable=len(lat) < P95_MIN_SAMPLES,
        tokens_per_s=percentile(tps, 50),
        mean_input_tokens=sum(ins) / len(ins) if ins else None,
        mean_output_tokens=sum(outs) / len(outs) if outs else None,
        tokens_approximate=any(not r.tokens_reported for r in answered),
        total_cost_usd=total,
        cost_per_request_usd=per_req,
        cost_per_success_usd=per_success,
        estimated_costs=sum(1 for r in rs if r.cost_estimated and r.cost_usd),
        json_cases=len(json_rs),
        json_valid=sum(1 for r in json_rs if r.json_valid),
        schema_cases=len(schema_rs),
        schema_valid=sum(1 for r in schema_rs if r.schema_valid),
        errors_by_kind=dict(sorted(errors.items())),
        retries=sum(max(0, r.attempts - 1) for r in every),
        failed=n - passes,
        checks=checks,
        not_measured=len(every) - n,
        burst=sum(1 for r in answered if r.burst),
        retry_wait_ms=sum(r.retry_wait_ms for r in every),
    )
