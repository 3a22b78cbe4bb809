"""Results made durable off the event loop, in batches.

One thread appends results to the results file and fsyncs them; the event loop
hands it each result and awaits its future. Whatever has queued up while the
thread was writing goes out together with one fsync, and the futures of a batch
are resolved with one wake-up of the loop: at concurrency 16 results finish in
bursts, and a thread hop plus an fsync per result was most of what the runner
spent beside the HTTP client. A result's future is done only once its line is
durable, so its event still comes after the file has it."""

from __future__ import annotations

import asyncio
import queue
import threading
from typing import Any

from advisor.eval.results import CaseResult, ResultsWriter

__all__ = ["DurableAppender"]

_STOP = object()


class DurableAppender:
    def __init__(self, writer: ResultsWriter, loop: asyncio.AbstractEventLoop):
        self._writer = writer
        self._loop = loop
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="eval-results", daemon=True)
        self._thread.start()

    def append(self, result: CaseResult) -> asyncio.Future[None]:
        """A future done when ``result`` is in the file and fsynced (or failed with the error)."""
        fut: asyncio.Future[None] = self._loop.create_future()
        self._queue.put((result, fut))
        return fut

    def close(self) -> None:
        """Write what is queued, then stop the thread (blocks until it has)."""
        self._queue.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        stop = False
        while not stop:
            batch = [self._queue.get()]
            while True:  # what queued up meanwhile goes with it
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in batch:
                stop = True
                batch = [b for b in batch if b is not _STOP]
            if not batch:
                continue
            error: BaseException | None = None
            try:
                self._writer.append_all([r for r, _ in batch])
            except BaseException as exc:  # noqa: BLE001 - handed to every waiting result
                error = exc
            self._loop.call_soon_threadsafe(_settle, [f for _, f in batch], error)


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for f in futures:
        if f.done():
            continue
        if error is None:
            f.set_result(None)
        else:
            f.set_exception(error)
