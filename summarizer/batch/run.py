"""One batch run, whichever engine summarises the items: the output ledger, what is left to do, the
counts, the progress lines, interrupts and the error that stops a run.

An engine is a callable that runs the pending items and hands each ``ItemResult`` to ``record`` as it
finishes; it raises the first fatal error (``work.FATAL_ERRORS``). Everything else is here, once: the
thread engine (``pool.WorkerPool``) and the Ray engine (``ray_engine.RayEngine``) write through the same
ledger, skip the same ids and count the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from summarizer.batch.inputs import BatchItem
from summarizer.batch.ledger import OutputLedger
from summarizer.batch.planning import plan
from summarizer.batch.report import BatchInterrupted, BatchReport, ItemOutcome
from summarizer.batch.work import ItemResult
from summarizer.errors import ConfigError

Record = Callable[[ItemResult], None]
Engine = Callable[[list[BatchItem], Record], None]


def check_concurrency(concurrency: object) -> int:
    """``concurrency`` if it is a whole number of at least 1; ``ConfigError`` otherwise."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ConfigError(f"concurrency must be a whole number of at least 1, got {concurrency!r}")
    return concurrency


class Recorder:
    """Writes each finished item's record, then counts it and reports its progress line, in write order."""

    def __init__(
        self,
        output: OutputLedger,
        report: BatchReport,
        total: int,
        progress: Callable[[ItemOutcome], None] | None,
    ) -> None:
        self._output = output
        self._report = report
        self._total = total
        self._progress = progress

    def __call__(self, result: ItemResult) -> None:
        def count() -> None:  # under the output lock: counts and progress lines stay in write order
            report = self._report
            if result.error is None:
                report.done += 1
            else:
                report.failed += 1
            if self._progress is not None:
                index, item, ok = report.done + report.failed, result.item, result.error is None
                self._progress(ItemOutcome(index, self._total, item.id, item.line, ok, result.seconds, result.error))

        self._output.append(result.record, count)


def run_batch(
    items: Iterable[BatchItem],
    output_path: str | Path,
    engine: Engine,
    progress: Callable[[ItemOutcome], None] | None = None,
) -> BatchReport:
    """Run ``engine`` on the ``items`` not yet done in the JSON-lines file ``output_path``.

    Raises ``BatchInterrupted`` on ``KeyboardInterrupt`` (after closing the output: nothing is written
    after that), and the fatal error that stopped the engine, if one did.
    """
    started = time.perf_counter()
    output = OutputLedger(Path(output_path))
    report = BatchReport(repaired=output.repaired)
    try:
        pending = plan(items, output.latest, report)
        engine(pending, Recorder(output, report, len(pending), progress))
    except KeyboardInterrupt:
        output.close()  # waits for a write in progress; nothing is written after this
        report.seconds = time.perf_counter() - started
        raise BatchInterrupted(report) from None
    finally:
        output.close()
    report.seconds = time.perf_counter() - started
    return report
