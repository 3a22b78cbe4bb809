"""One result per (model × case × repeat), appended to a JSONL file as it completes.

The first line is advisor's marker, ``{"advisor": "eval-results", "format": 1}``;
every other line is a :class:`CaseResult` as JSON. Writing appends one line,
flushes and fsyncs, so an interrupt or crash loses at most the line being
written; a torn last line is ignored when the file is read back (resume).

The marker is how a run knows a file is its own: ``--results`` never appends to
a file without it (an answers file, a report, someone's notes). A file written
before the marker existed is recognised by its first line being a result.
Readers skip the marker like any line that is not a result, so an older advisor
still reads a file with one.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from advisor.core import jsonload
from advisor.errors import InputError, Location, Problem, display_path

__all__ = ["CaseResult", "CheckOutcome", "result_key", "ResultsWriter", "read_results", "is_results_file",
           "check_results_target", "MARKER"]

#: the first line of every results file advisor writes
MARKER = {"advisor": "eval-results", "format": 1}


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

    @property
    def key(self) -> str:
        return result_key(self.model_key, self.case_id, self.repeat)

    @property
    def tokens_per_s(self) -> float | None:
        """Output tokens per second of generation (after the first token)."""
        if not self.output_tokens or self.latency_ms is None:
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
            if append:
                check_results_target(self.path)
            self._fh = open(self.path, "a" if append else "w", encoding="utf-8")
            if self._fh.tell() == 0:
                self._fh.write(json.dumps(MARKER) + "\n")
                self._fh.flush()
            elif not self._ends_clean():
                # a crash left a torn last line: end it, or the next result would be
                # glued onto the fragment and lost with it when read back
                self._fh.write("\n")
                self._fh.flush()
        except OSError as exc:
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


def _first_line(path: Path, limit: int = 1 << 20) -> bytes:
    with open(path, "rb") as fh:
        return fh.readline(limit)


def is_results_file(path: str | Path) -> bool:
    """True when ``path`` starts with advisor's marker, or (a file from before the
    marker) with a result line."""
    try:
        line = _first_line(Path(path)).strip()
        data = jsonload.loads(line)
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    if data.get("advisor") == MARKER["advisor"]:
        return True
    try:
        CaseResult.model_validate(data)
    except ValueError:
        return False
    return True


def check_results_target(path: str | Path, flag: str = "--results") -> None:
    """Refuse a results path advisor must not append to: a folder, or a file with
    content that is not an advisor results file. Nothing is written."""
    p = Path(path)
    where = Location(display_path(p), None, flag)
    if p.is_dir():
        raise InputError(Problem("is a directory; give a results file name (.jsonl)", where), title="results file")
    try:
        empty = p.stat().st_size == 0
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(Problem(f"cannot read: {exc.strerror or exc}", where), title="results file") from None
    if not p.is_file():
        raise InputError(Problem("is not a regular file; give a results file name (.jsonl)", where), title="results file")
    if not empty and not is_results_file(p):
        raise InputError(Problem(
            "is not an advisor results file (it does not start with advisor's marker); "
            "not touching it: choose another results file", where), title="results file")


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
            try:  # (bounded: a line nested 100,000 deep is skipped, not a RecursionError)
                r = CaseResult.model_validate(jsonload.loads(line))
            except (ValueError, TypeError):
                continue
            by_key[r.key] = r
    return list(by_key.values())
