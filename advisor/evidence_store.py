"""Kept evidence: each bake-off's per-model summary, in the user's data folder.

Where: ``<data>/advisor/evidence/`` beside the catalog overlay's
``<data>/advisor/knowledge/`` (see :func:`advisor.cli.common.user_knowledge_dir`;
``ADVISOR_DATA_DIR`` wins). One JSON file per bake-off, written atomically,
never sent anywhere. A file this version cannot read is reported and left
alone (never deleted or rewritten), so an upgrade never loses evidence;
``schema_version`` says which layout a file has.

What is kept (:class:`KeptBakeOff`): the date, the case set's file name and
fingerprint, the check types, the request settings, and per model
(:class:`KeptModel`) the API model id called (its *version*), pass rate with n
and Wilson interval overall and per check type, TTFT and latency p50/p95,
tokens/s, cost per success and the mean tokens.

How it is used (:func:`claims_from`, :func:`apply_kept_evidence`): each kept
model becomes :class:`~advisor.core.schema.EvidenceClaim` s of kind ``bake_off``
on the dimensions its checks test (``CHECK_DIMENSIONS``), cited as "your
bake-off on DATE, N cases". A claim from at least ``MIN_SAMPLES`` checks is
added to the knowledge and ranks first on that dimension (your own measurement
outranks public benchmarks and the guides' matrix: ``KnowledgeBase.with_claims``);
a thinner one is cited but changes nothing. The shortlist then says, per
candidate, what your bake-off measured, and warns when that evidence is older than ``STALE_DAYS`` days or was measured
on another model version than the one the shortlist would call.

Mapping from check types to dimensions (documented, and the only place it lives):

* ``valid_json``, ``json_schema``, ``fields`` -> structured_output
* ``equals``, ``contains``, ``regex``, ``max_length``, ``llm_judge`` -> instruction_following

Levels from a pass rate (point estimate): >= 95% excellent, >= 85% good,
>= 70% moderate, >= 40% limited, else none. ("best" is a comparison across
models, which one bake-off on your cases cannot make.)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from advisor.errors import InputError, Location, Problem, display_path
from advisor.eval.stats import CheckStats, UsdOpt, wilson_interval
from advisor.userdirs import KEPT_GLOB, evidence_dir

__all__ = [
    "CHECK_DIMENSIONS", "STALE_DAYS", "MIN_SAMPLES", "KeptModel", "KeptBakeOff", "evidence_dir", "keep",
    "load_kept", "forget", "claims_from", "apply_kept_evidence", "cite_kept", "kept_from_report", "level_for",
    "knowledge_with_kept",
]

SCHEMA_VERSION = 1
STALE_DAYS = 90
MIN_SAMPLES = 5
CHECK_DIMENSIONS: dict[str, str] = {
    "valid_json": "structured_output",
    "json_schema": "structured_output",
    "fields": "structured_output",
    "equals": "instruction_following",
    "contains": "instruction_following",
    "regex": "instruction_following",
    "max_length": "instruction_following",
    "llm_judge": "instruction_following",
}


class KeptModel(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    model_key: str  # the option key the bake-off ran ("gpt-4o-mini@openai")
    model_id: str  # the knowledge model id (the part before "@")
    label: str
    version: str  # the API model id called
    n: int
    passes: int
    pass_low: float
    pass_high: float
    checks: dict[str, CheckStats] = Field(default_factory=dict)
    ttft_p50_ms: float | None = None
    ttft_p95_ms: float | None = None
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    tokens_per_s: float | None = None
    cost_per_success_usd: UsdOpt = None
    mean_input_tokens: float | None = None
    mean_output_tokens: float | None = None

    @property
    def pass_rate(self) -> float:
        return self.passes / self.n if self.n else 0.0


class KeptBakeOff(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    schema_version: int = SCHEMA_VERSION
    id: str
    kept_at: str  # ISO date-time (UTC)
    date: date
    cases_file: str
    cases_fingerprint: str
    n_cases: int
    repeat: int = 1
    check_types: list[str] = Field(default_factory=list)
    settings: dict[str, str] = Field(default_factory=dict)
    models: list[KeptModel]

    @property
    def dimensions(self) -> list[str]:
        return sorted({CHECK_DIMENSIONS[c] for c in self.check_types if c in CHECK_DIMENSIONS})

    def source(self, m: KeptModel) -> str:
        return f"your bake-off on {self.date.isoformat()}, {m.n} case{'s' if m.n != 1 else ''}"




# -- write / read / forget --------------------------------------------------------

def not_the_real_api(kb: Any, targets: Iterable[Any]) -> dict[str, str]:
    """Targets whose answers say nothing about the model knowledge names: a known
    model run against another base URL (a local server, a proxy, a fake), with why.
    Their runs are never kept as evidence for it; a model knowledge does not have
    is kept (it can never change advice on one)."""
    out: dict[str, str] = {}
    for t in targets:
        model, _, prov = t.model_key.partition("@")
        p = kb.providers.get(prov)
        if model not in kb.model_by_id or p is None:
            continue
        if p.base_url.rstrip("/") != t.base_url.rstrip("/"):
            out[t.model_key] = f"it ran against {t.base_url}, not {p.name}'s API"
    return out


def kept_from_report(report: Any, *, now: datetime | None = None, skip: set[str] = frozenset()) -> KeptBakeOff | None:
    """The summary worth keeping from an :class:`~advisor.eval.report.EvalReport`; None
    when nothing was answered (a run with no measurements is no evidence). ``skip``:
    model keys whose runs say nothing about the real model (another base URL)."""
    models = []
    for s in report.models:
        if not s.answered or s.model_key in skip:
            continue
        key = s.model_key
        models.append(KeptModel(
            model_key=key, model_id=key.split("@", 1)[0], label=s.label, version=report.versions.get(key, ""),
            n=s.n, passes=s.passes, pass_low=s.pass_low, pass_high=s.pass_high, checks=s.checks,
            ttft_p50_ms=s.ttft_p50_ms, ttft_p95_ms=s.ttft_p95_ms, latency_p50_ms=s.latency_p50_ms,
            latency_p95_ms=s.latency_p95_ms, tokens_per_s=s.tokens_per_s, cost_per_success_usd=s.cost_per_success_usd,
            mean_input_tokens=s.mean_input_tokens, mean_output_tokens=s.mean_output_tokens,
        ))
    if not models:
        return None
    when = now or datetime.now().astimezone()
    fp = report.cases_fingerprint or "unknown"
    return KeptBakeOff(
        id=f"{when.strftime('%Y%m%d-%H%M%S')}-{fp[:6]}", kept_at=when.isoformat(timespec="seconds"), date=when.date(),
        cases_file=report.cases_file, cases_fingerprint=fp, n_cases=report.n_cases, repeat=report.repeat,
        check_types=list(report.check_types), settings=dict(report.settings), models=models,
    )


def keep(kept: KeptBakeOff, directory: Path | None = None) -> Path:
    """Write one kept bake-off atomically; never replaces another bake-off's file."""
    from advisor.fileio import atomic_write

    folder = directory or evidence_dir()
    path = folder / f"bakeoff-{kept.id}.json"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"bakeoff-{kept.id}-{n}.json"
    text = json.dumps(kept.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    atomic_write(path, text, make_parents=True)
    return path


def load_kept(directory: Path | None = None) -> tuple[list[KeptBakeOff], list[str]]:
    """Every kept bake-off, newest first, and one line for each file that could not be read
    (left as it is: an unreadable file is never deleted or rewritten)."""
    folder = directory or evidence_dir()
    if not folder.is_dir():
        return [], []
    kept: list[KeptBakeOff] = []
    problems: list[str] = []
    for path in sorted(folder.glob(KEPT_GLOB)):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and int(data.get("schema_version", 1)) > SCHEMA_VERSION:
                problems.append(f"{display_path(path)}: written by a newer advisor (schema {data['schema_version']}); "
                                "left as it is and not used")
                continue
            kept.append(KeptBakeOff.model_validate(data))
        except (OSError, ValueError, ValidationError, TypeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            problems.append(f"{display_path(path)}: cannot read kept evidence ({first}); left as it is and not used")
    kept.sort(key=lambda k: k.kept_at, reverse=True)
    return kept, problems


def forget(ids: Sequence[str], directory: Path | None = None) -> list[str]:
    """Delete the kept bake-offs with these ids ("all" forgets every one); returns the ids removed."""
    folder = directory or evidence_dir()
    kept, _ = load_kept(folder)
    known = {k.id for k in kept}
    wanted = known if list(ids) == ["all"] else set(ids)
    missing = sorted(wanted - known)
    if missing:
        from advisor.core.yamlsrc import did_you_mean

        raise InputError([Problem(f"no kept bake-off {m!r}{did_you_mean(m, known)}", Location("advisor evidence forget"))
                          for m in missing])
    removed = []
    for path in folder.glob(KEPT_GLOB):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("id") in wanted:
            os.remove(path)
            removed.append(str(data["id"]))
    return sorted(removed)


# -- evidence claims --------------------------------------------------------------

def level_for(rate: float) -> str:
    for floor, level in ((0.95, "excellent"), (0.85, "good"), (0.70, "moderate"), (0.40, "limited")):
        if rate >= floor - 1e-12:
            return level
    return "none"


def _dimension_figures(kept: KeptBakeOff, m: KeptModel) -> dict[str, tuple[int, int]]:
    """(passes, n) per dimension, from the per-check outcomes that test it."""
    out: dict[str, tuple[int, int]] = {}
    for check, c in m.checks.items():
        dim = CHECK_DIMENSIONS.get(check)
        if dim is None:
            continue
        p, n = out.get(dim, (0, 0))
        out[dim] = (p + c.passes, n + c.n)
    return out


def claims_from(kept: Iterable[KeptBakeOff], model_ids: Iterable[str] | None = None,
                min_samples: int = MIN_SAMPLES) -> list[Any]:
    """EvidenceClaims (kind ``bake_off``): one per kept model and dimension its checks test,
    the newest bake-off first. ``model_ids`` keeps only models the knowledge knows;
    figures from fewer than ``min_samples`` checks make no claim (they are cited only)."""
    from advisor.core.schema import EvidenceClaim

    known = set(model_ids) if model_ids is not None else None
    claims = []
    for k in kept:
        for m in k.models:
            if known is not None and m.model_id not in known:
                continue
            for dim, (passes, n) in sorted(_dimension_figures(k, m).items()):
                if not n or n < min_samples:
                    continue
                low, high = wilson_interval(passes, n)
                claims.append(EvidenceClaim(
                    model=m.model_id, dimension=dim, level=level_for(passes / n), source=k.source(m), as_of=k.date,
                    metric=f"pass rate on your cases ({passes}/{n} checks, 95% CI {low * 100:.0f}–{high * 100:.0f}%)",
                    value=Decimal(passes * 100) / Decimal(n), unit="%",
                    measures=f"the {', '.join(c for c in k.check_types if CHECK_DIMENSIONS.get(c) == dim)} checks "
                             f"of {k.cases_file} (fingerprint {k.cases_fingerprint})",
                    kind="bake_off",
                ))
    return claims


def apply_kept_evidence(kb: Any, claims: Sequence[Any]) -> Any:
    """The knowledge with the kept claims added (:meth:`KnowledgeBase.with_claims`):
    the scoring then ranks a bake-off's claim ahead of public benchmarks and the
    guides' matrix (:mod:`advisor.core.evidence`)."""
    if not claims:
        return kb
    return kb.with_claims(list(claims), origin=str(evidence_dir()))


def knowledge_with_kept(kb: Any, use: bool = True, directory: Path | None = None) -> tuple[Any, list[KeptBakeOff], list[str]]:
    """(knowledge with the kept claims applied, kept bake-offs, problems reading them)."""
    if not use:
        return kb, [], []
    kept, problems = load_kept(directory)
    if not kept:
        return kb, [], problems
    return apply_kept_evidence(kb, claims_from(kept, kb.model_by_id)), kept, problems


def cite_kept(shortlist: Any, kept: Sequence[KeptBakeOff], today: date) -> Any:
    """The shortlist with each candidate's kept evidence cited in its reasons, and a
    warning when that evidence is stale or was measured on another model version."""
    from advisor.core.result import Warning_

    candidates = []
    warnings = list(shortlist.warnings)
    for c in shortlist.candidates:
        hit = next(((k, m) for k in kept for m in k.models if m.model_key == c.option.key), None)
        if hit is None:
            hit = next(((k, m) for k in kept for m in k.models if m.model_id == c.option.model_id), None)
        if hit is None:
            candidates.append(c)
            continue
        k, m = hit
        dims = ", ".join(d.replace("_", " ") for d in k.dimensions) or "your checks"
        reason = (f"Measured on your cases: passed {m.passes}/{m.n} ({m.pass_rate * 100:.0f}%, 95% CI "
                  f"{m.pass_low * 100:.0f}–{m.pass_high * 100:.0f}%) for {dims} — {k.source(m)}"
                  + ("" if m.n >= MIN_SAMPLES else " (too few cases to change the rating)"))
        candidates.append(c.model_copy(update={"reasons": (reason, *c.reasons)}))
        age = (today - k.date).days
        if age > STALE_DAYS:
            warnings.append(Warning_(code="kept_evidence_stale", model_id=c.option.model_id, message=(
                f"{c.option.label}: {k.source(m)} is {age} days old (over {STALE_DAYS}); run the bake-off again")))
        current = c.option.api_model_id
        if current and m.version and current != m.version:
            warnings.append(Warning_(code="kept_evidence_version", model_id=c.option.model_id, message=(
                f"{c.option.label}: {k.source(m)} measured {m.version}, but the shortlist would call {current}; "
                "run the bake-off again")))
    return shortlist.model_copy(update={"candidates": tuple(candidates), "warnings": tuple(warnings)})
