"""Results are durable before their futures complete, and what queues up while the
thread writes goes out together, with one fsync."""

from __future__ import annotations

import asyncio
import threading

import pytest

from advisor.eval import results as results_mod
from advisor.eval.durable import DurableAppender
from advisor.eval.results import CaseResult, ResultsWriter, read_results


def _r(i: int) -> CaseResult:
    return CaseResult(model_key="m", label="M", case_id=f"c{i}", repeat=0, ok=True)


async def test_a_burst_is_one_fsync_and_every_future_waits_for_it(tmp_path, monkeypatch):
    calls, first_in, release = [], threading.Event(), threading.Event()
    real = results_mod.os.fsync

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 1:
            first_in.set()
            release.wait(10)
        real(fd)

    monkeypatch.setattr(results_mod.os, "fsync", fsync)
    writer = ResultsWriter(tmp_path / "r.jsonl", redact=lambda s: s)
    appender = DurableAppender(writer, asyncio.get_running_loop())
    first = appender.append(_r(0))
    assert await asyncio.to_thread(first_in.wait, 10)
    rest = [appender.append(_r(i)) for i in range(1, 11)]  # queued while the first is in its fsync
    await asyncio.sleep(0.05)
    assert not first.done() and not any(f.done() for f in rest)  # nothing is done before it is durable
    release.set()
    await asyncio.wait_for(asyncio.gather(first, *rest), 10)
    appender.close()
    writer.close()
    assert len(calls) == 3  # the first line, then the ten together, then the close
    assert [r.case_id for r in read_results(tmp_path / "r.jsonl")] == [f"c{i}" for i in range(11)]


async def test_a_failed_write_fails_every_result_in_its_batch(tmp_path, monkeypatch):
    writer = ResultsWriter(tmp_path / "r.jsonl", redact=lambda s: s)

    def broken(results):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "append_all", broken)
    appender = DurableAppender(writer, asyncio.get_running_loop())
    futs = [appender.append(_r(i)) for i in range(3)]
    for f in futs:
        with pytest.raises(OSError, match="No space left"):
            await asyncio.wait_for(f, 10)
    appender.close()
    writer.close()
