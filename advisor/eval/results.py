"""One result per (model × case × repeat), appended to a JSONL file as it completes.

Each line is a :class:`CaseResult` as JSON. Writing appends one line, flushes
and fsyncs, so an interrupt or crash loses at most the line being written; a
torn last line is ignored when the file is read back (resume).

The first line is advisor's marker (:data:`MARKER`, a record of kind
``marker``). It is how a run knows a file is its own: ``--results`` never
appends to a file without it (an answers file, a report, someone's notes). A
file written before the marker existed is recognised by its first line being a
result or a spend record.

Lines that are not results are *records*: a JSON object whose ``"record"``
field names its kind (:data:`RECORD`). Readers of results skip them, readers
of a kind read only theirs, and an unknown kind is ignored, so new kinds can
be added without breaking old files or old readers. Kinds so far:

* ``marker``: ``{"record": "marker", "advisor": "eval-results", "format": 1}``,
  the first line of every results file (:func:`is_results_file`);
* ``spend``: ``{"record": "spend", "usd": "0.0042", "key": "m|case|0"}``, one
  per request or judge call that cost money, written as it settles
  (:meth:`ResultsWriter.append_spend`); :func:`read_spend` sums them, so the
  spend cap covers every run that shares the results file (``--resume``
  continues the same budget). A result's ``cost_usd`` is not summed: a retried
  result replaces an earlier one, but both were paid for.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from advisor.core import jsonload
from advisor.errors import InputError, Location, Problem, display_path

__all__ = ["CaseResult", "CheckOutcome", "result_key", "ResultsWriter", "read_results", "read_records", "read_spend",
           "RECORD", "MARKER", "NOT_MEASURED_KINDS", "is_results_file", "check_results_target"]

RECORD = "record"  # the field that marks a line as a record, not a result
#: the first line of every results file advisor writes
MARKER = {RECORD: "marker", "advisor": "eval-results", "format": 1}

#: a case that failed this way after every retry says nothing about the model (rate-limited,
#: unreachable, or a key the API refused): it is "not measured", not a failure, and the pass
#: rate leaves it out (and says so)
NOT_MEASURED_KINDS = frozenset({"rate_limited", "connection", "auth"})


def result_key(model_key: str, case_id: str, repeat: int) -> str:
    return f"{model_key}|{case_id}|{repeat}"


class CheckOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    score: float
    passed: bool
    detail: str = ""


class CaseResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

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
    # the provider reported usage beyond what the request allows (said in the report);
    # cost_usd then counts the allowed maximum, not the reported figure
    usage_anomaly: str | None = None
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
        """Rate-limited or unreachable after every retry, or refused for its key (401/403):
        no evidence about the model."""
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

    def __init__(self, path: str | Path, *, append: bool = True, redact: Callable[[str], str] | None = None):
        """Raises InputError (located at the file) when the file cannot be opened for writing.
        ``redact`` (default: every key in the environment, :mod:`advisor.secrets`) is applied
        to every line written, whatever it holds."""
        self.path = Path(path)
        if redact is None:
            from advisor.secrets import redactor_for_env

            redact = redactor_for_env()
        self._redact = redact
        self._lock = threading.Lock()
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
        self._write(result.model_dump_json() + "\n")

    def append_all(self, results: list[CaseResult]) -> None:
        """Several results, durable together: one fsync for the lot."""
        self._write("".join(r.model_dump_json() + "\n" for r in results))

    def append_record(self, kind: str, **fields: Any) -> None:
        """One record line ``{"record": kind, **fields}`` (Decimals as strings)."""
        data = {RECORD: kind, **{k: str(v) if isinstance(v, Decimal) else v for k, v in fields.items()}}
        self._write(json.dumps(data, ensure_ascii=False) + "\n")

    def append_spend(self, usd: Decimal, key: str) -> None:
        """Record money spent (a request, a judge call or a cancelled call's worst case).
        Written and flushed at once, made durable by the next fsync (the next result
        line, or the close): cheap enough to call on the event loop."""
        if usd:
            data = json.dumps({RECORD: "spend", "usd": str(usd), "key": key}, ensure_ascii=False)
            self._write(data + "\n", sync=False)

    def _write(self, line: str, sync: bool = True) -> None:
        text = self._redact(line)
        with self._lock:  # results are written from a thread, spend records from the loop
            if self._fh.closed:
                return
            self._fh.write(text)
            self._fh.flush()
            fd = self._fh.fileno()
        if sync:
            # outside the lock: a spend record written on the event loop never waits for
            # this thread's fsync (which makes every line flushed so far durable, its too)
            try:
                os.fsync(fd)
            except OSError:
                with self._lock:
                    if self._fh.closed:  # closed (and synced) meanwhile by close()
                        return
                raise

    def close(self) -> None:
        with self._lock:
            if not self._fh.closed:
                self._fh.flush()
                os.fsync(self._fh.fileno())
                self._fh.close()

    def __enter__(self) -> "ResultsWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _first_line(path: Path, limit: int = 1 << 20) -> bytes:
    with open(path, "rb") as fh:
        return fh.readline(limit)


def is_results_file(path: str | Path) -> bool:
    """True when ``path`` starts with advisor's marker or (a file from before the
    marker) with a result or a spend record."""
    try:
        data = jsonload.loads(_first_line(Path(path)).strip())
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    if data.get(RECORD) == MARKER[RECORD]:
        return data.get("advisor") == MARKER["advisor"]
    if data.get(RECORD) == "spend":
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


def read_results(path: str | Path, skipped: list[str] | None = None) -> list[CaseResult]:
    """Results from a JSONL file. Last one wins per key. A line that is not a result
    is skipped, and said in ``skipped`` ("r.jsonl:7: not JSON"): a torn last line
    is what an interrupted write leaves (its case runs again on resume); one in the
    middle was edited or damaged."""
    by_key: dict[str, CaseResult] = {}
    for n, data in _objects(path, skipped):
        if RECORD in data:
            continue
        try:
            r = CaseResult.model_validate(data)
        except (ValueError, TypeError):
            _skip(skipped, path, n, "not a result (fields missing or of the wrong type)")
            continue
        by_key[r.key] = r
    return list(by_key.values())


def _skip(skipped: list[str] | None, path: str | Path, n: int, why: str) -> None:
    if skipped is not None:
        skipped.append(f"{display_path(path)}:{n}: skipped: {why}")


def _objects(path: str | Path, skipped: list[str] | None = None) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for every line of the file that is a JSON object; each
    other line is said in ``skipped``."""
    p = Path(path)
    if not p.is_file():
        return []
    out = []
    with open(p, encoding="utf-8", errors="replace") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.strip()
            if not line:
                continue
            try:  # (bounded: a line nested 100,000 deep or a 5,000-digit number is skipped)
                data = jsonload.loads(line)
            except ValueError:
                torn = not raw.endswith("\n")
                _skip(skipped, p, n, "torn (an interrupted write; that case runs again)" if torn else "not JSON")
                continue
            if isinstance(data, dict):
                out.append((n, data))
            else:
                _skip(skipped, p, n, "not a JSON object")
    return out


def read_records(path: str | Path, kind: str) -> list[dict[str, Any]]:
    """The records of one kind, in file order."""
    return [d for _, d in _objects(path) if d.get(RECORD) == kind]


def read_spend(path: str | Path) -> Decimal:
    """Money spent by every run that wrote to this results file (sum of spend records)."""
    total = Decimal(0)
    for d in read_records(path, "spend"):
        try:
            usd = Decimal(str(d.get("usd")))
        except ArithmeticError:
            continue
        if usd.is_finite() and usd > 0:
            total += usd
    return total
