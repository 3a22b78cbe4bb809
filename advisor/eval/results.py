"""One result per (model × case × repeat), appended to a JSONL file as it completes.

Each line is a :class:`CaseResult` as JSON. Writing appends one line, flushes
and fsyncs, so an interrupt or crash loses at most the line being written; a
torn last line is ignored when the file is read back (resume).
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CaseResult", "CheckOutcome", "result_key", "ResultsWriter", "read_results", "NOT_MEASURED_KINDS"]

#: a case that failed this way after every retry says nothing about the model:
#: it is "not measured", not a failure, and the pass rate leaves it out (and says so)
NOT_MEASURED_KINDS = frozenset({"rate_limited", "connection"})


def result_key(model_key: str, case_id: str, repeat: int) -> str:
    return f"{model_key}|{case_id}|{repeat}"


class CheckOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    score: float
    passed: bool
    detail: str = ""


class CaseResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_key: str
    label: str
    case_id: str
    repeat: int
    ok: bool  # the call succeeded (an answer was received)
    passed: bool = False  # the answer reached the case threshold
    score: float = 0.0
    output: str = ""
    error_kind: str | None = None
    error: str | None = None
    checks: list[CheckOutcome] = Field(default_factory=list)
    input_tokens: int | None = None
    output_tokens: int | None = None
    tokens_reported: bool = False  # False: counted locally with tiktoken (approximate)
    ttft_ms: float | None = None
    latency_ms: float | None = None
    attempts: int = 1
    cost_usd: Decimal | None = None  # None = unknown price (never $0)
    # True: cost_usd is not measured but the worst case reserved for a failed call that
    # may have been billed (files written before this field read as False)
    cost_estimated: bool = False
    judge_cost_usd: Decimal | None = None
    wants_json: bool = False
    json_valid: bool | None = None
    schema_valid: bool | None = None
    finished_at: str = ""
    # what the input and output totals above hold (None: not reported)
    cached_input_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    reasoning_mode: str | None = None  # the mode id the request ran
    # the attempts before the one that answered (or all of them, for a failure),
    # e.g. "HTTP 429 after 3 ms, waited 2.0 s"; latency and TTFT exclude them
    failed_attempts: list[str] = Field(default_factory=list)
    retry_wait_ms: float = 0.0
    burst: bool = False  # the answer arrived at once: no tokens/s
    generation_ms: float | None = None  # first to last content token
    notes: list[str] = Field(default_factory=list)

    @property
    def key(self) -> str:
        return result_key(self.model_key, self.case_id, self.repeat)

    @property
    def not_measured(self) -> bool:
        """Rate-limited or unreachable after every retry: no evidence about the model."""
        return not self.ok and self.error_kind in NOT_MEASURED_KINDS

    @property
    def tokens_per_s(self) -> float | None:
        """Output tokens per second while the answer streamed; None for a burst."""
        if self.burst or not self.output_tokens:
            return None
        if self.generation_ms is not None:
            visible = self.output_tokens - (self.reasoning_tokens or 0)
            return visible / (self.generation_ms / 1000.0) if self.generation_ms > 0 and visible > 0 else None
        if self.latency_ms is None:  # files written before generation_ms was kept
            return None
        gen_ms = self.latency_ms - (self.ttft_ms or 0.0)
        if gen_ms <= 0:
            gen_ms = self.latency_ms
        if gen_ms <= 0:
            return None
        return self.output_tokens / (gen_ms / 1000.0)


class ResultsWriter:
    """Append CaseResults to a JSONL file, one durable line each."""

    def __init__(self, path: str | Path, *, append: bool = True):
        """Raises InputError (located at the file) when the file cannot be opened for writing."""
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a" if append else "w", encoding="utf-8")
            if append and not self._ends_clean():
                # a crash left a torn last line: end it, or the next result would be
                # glued onto the fragment and lost with it when read back
                self._fh.write("\n")
                self._fh.flush()
        except OSError as exc:
            from advisor.errors import InputError, Location, Problem, display_path

            reason = exc.strerror or type(exc).__name__
            raise InputError(
                Problem(f"cannot write the results file: {reason}", Location(display_path(self.path))),
                title="results file",
            ) from None

    def _ends_clean(self) -> bool:
        """True when the file is empty or its last byte is a newline."""
        with open(self.path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return True
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def append(self, result: CaseResult) -> None:
        line = result.model_dump_json() + "\n"
        self._fh.write(line)
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> "ResultsWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def read_results(path: str | Path) -> list[CaseResult]:
    """Results from a JSONL file; unreadable or torn lines are skipped. Last one wins per key."""
    p = Path(path)
    if not p.exists():
        return []
    by_key: dict[str, CaseResult] = {}
    with open(p, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                r = CaseResult.model_validate(json.loads(line))
            except (ValueError, TypeError):
                continue
            by_key[r.key] = r
    return list(by_key.values())
