"""The thread engine (the default): worker threads in this process share one ``Summarizer``; each takes
the next item, summarises it and hands the result to be written.

Items run in daemon worker threads; the calling thread only waits, so a ``KeyboardInterrupt`` (the CLI
turns SIGTERM into one) lands there and never in the middle of a write. The first fatal error stops
the workers from taking new items and is raised.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import TYPE_CHECKING

from summarizer.batch.inputs import BatchItem
from summarizer.batch.run import Record, check_concurrency
from summarizer.batch.work import summarize_item

if TYPE_CHECKING:
    from summarizer.api import Summarizer

_POLL_SECONDS = 0.1


class WorkerPool:
    """An engine for ``run.run_batch``: ``concurrency`` threads sharing ``summarizer``."""

    def __init__(self, summarizer: Summarizer, concurrency: int = 1) -> None:
        self._summarizer = summarizer
        self._concurrency = check_concurrency(concurrency)

    def __call__(self, pending: list[BatchItem], record: Record) -> None:
        """Run ``pending`` and wait for the workers (or for a fatal error, which is raised). Interruptible."""
        self._summarizer.open()  # here, not in the workers: it may start the model server
        _Workers(pending, self._summarizer, record).run(self._concurrency)


class _Workers:
    """The worker threads of one run and what they share."""

    def __init__(self, pending: list[BatchItem], summarizer: Summarizer, record: Record) -> None:
        self._queue = deque(pending)
        self._summarizer = summarizer
        self._record = record
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._workers = 0
        self._fatal: BaseException | None = None

    def run(self, concurrency: int) -> None:
        self._workers = min(concurrency, len(self._queue))
        if self._workers == 0:
            return
        for number in range(self._workers):
            threading.Thread(target=self._work, name=f"summarizer-batch-{number + 1}", daemon=True).start()
        try:
            # Wake up now and then: a signal the kernel hands to a worker thread does not interrupt a
            # blocked wait in this thread, and Python only runs its handler here, between two bytecodes.
            while not self._finished.wait(_POLL_SECONDS):
                pass
        finally:
            self._stop.set()  # on an interrupt too: in-flight items are abandoned, no new one starts
        if self._fatal is not None:
            raise self._fatal

    def _next(self) -> BatchItem | None:
        with self._lock:
            return self._queue.popleft() if self._queue and not self._stop.is_set() else None

    def _work(self) -> None:
        try:
            while (item := self._next()) is not None:
                self._record(summarize_item(self._summarizer, item))
        except BaseException as error:  # a fatal error, or a bug: stop everything and let the caller raise it
            with self._lock:
                self._fatal = self._fatal or error
            self._stop.set()
            self._finished.set()
        finally:
            with self._lock:
                self._workers -= 1
                if self._workers == 0:
                    self._finished.set()
