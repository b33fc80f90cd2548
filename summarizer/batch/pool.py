"""The worker threads of one batch run: each takes the next item, summarises it, and appends its record.

Errors that would fail every item (bad credentials, a dead engine, a broken prompt: ``FATAL_ERRORS``)
stop the run and are raised by the caller; any other error becomes the item's error record.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from summarizer.batch.inputs import BatchItem
from summarizer.batch.ledger import OutputLedger, error_record, ok_record
from summarizer.batch.report import BatchReport, ItemOutcome
from summarizer.errors import (
    ConfigError,
    EngineError,
    ModelAuthError,
    ModelNotInstalledError,
    TemplateError,
)

if TYPE_CHECKING:
    from summarizer.api import Summarizer

_POLL_SECONDS = 0.1
#: Errors that would fail every remaining item too: they stop the batch instead of being recorded.
FATAL_ERRORS = (ConfigError, EngineError, ModelAuthError, ModelNotInstalledError, TemplateError)


class WorkerPool:
    """The worker threads of one batch and what they share."""

    def __init__(
        self,
        pending: list[BatchItem],
        output: OutputLedger,
        summarizer: Summarizer,
        report: BatchReport,
        progress: Callable[[ItemOutcome], None] | None,
    ) -> None:
        self._queue = deque(pending)
        self._total = len(pending)
        self._output = output
        self._summarizer = summarizer
        self._report = report
        self._progress = progress
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._workers = 0
        self.fatal: BaseException | None = None

    def run(self, concurrency: int) -> None:
        """Start the workers and wait for them (or for a fatal error). Interruptible."""
        self._workers = min(concurrency, len(self._queue))
        if self._workers == 0:
            return
        for number in range(self._workers):
            threading.Thread(target=self._work, name=f"summarizer-batch-{number + 1}", daemon=True).start()
        # Wake up now and then: a signal the kernel hands to a worker thread does not interrupt a blocked
        # wait in this thread, and Python only runs its handler here, between two bytecodes.
        while not self._finished.wait(_POLL_SECONDS):
            pass

    def stop(self) -> None:
        self._stop.set()

    def _next(self) -> BatchItem | None:
        with self._lock:
            return self._queue.popleft() if self._queue and not self._stop.is_set() else None

    def _work(self) -> None:
        try:
            while (item := self._next()) is not None:
                self._process(item)
        except BaseException as error:  # a fatal error, or a bug: stop everything and let the caller raise it
            with self._lock:
                self.fatal = self.fatal or error
            self._stop.set()
            self._finished.set()
        finally:
            with self._lock:
                self._workers -= 1
                if self._workers == 0:
                    self._finished.set()

    def _process(self, item: BatchItem) -> None:
        started = time.perf_counter()
        error_text = None
        try:
            summary = self._summarizer.summarize(item.load())
            record: dict[str, Any] = ok_record(item.id, summary.model_dump(mode="json"))
        except FATAL_ERRORS:
            raise
        except Exception as error:  # recorded per item; a re-run tries it again
            error_text = f"{type(error).__name__}: {error}"
            record = error_record(item, error)
        seconds = time.perf_counter() - started

        def count() -> None:  # under the output lock: counts and progress lines stay in write order
            report = self._report
            if error_text is None:
                report.done += 1
            else:
                report.failed += 1
            if self._progress is not None:
                index, ok = report.done + report.failed, error_text is None
                self._progress(ItemOutcome(index, self._total, item.id, item.line, ok, seconds, error_text))

        self._output.append(record, count)
