"""Resumable batch runs: many articles in (JSON lines), one JSON line per article out.

Input, one JSON object a line (blank lines are skipped, other keys are ignored)::

    {"id": "a1", "text": "The article ..."}
    {"id": 2, "path": "articles/two.txt"}          # relative to the input file's folder

Output, one JSON object a line, appended as each item ends::

    {"id": "a1", "ok": true, "summary": {...}}
    {"id": 2, "ok": false, "line": 2, "error": {"type": "InputError", "message": "..."}}

A bad input line (not JSON, no usable id, a duplicate id, an unreadable path, empty text) becomes an
error record instead of stopping the run. A line with no usable id, and every repeat of an id, is
recorded with ``"id": null`` and its ``line``, so it can never stand for the item that owns the id.

**Resume.** Running again with the same output skips every id whose *newest* record is ``ok``; ids
whose newest record is an error are tried again, and the new record (appended) supersedes the old one.
Resume goes by id only: an id that is done stays done even if its text changed. Records without an id
(bad lines) are written again on each run until the input line is fixed.

**Atomicity.** Each record is one ``write`` of one complete line to a file opened ``O_APPEND``, then
``fsync``; writers take a lock, and the whole file is ``flock``-ed so that two runs cannot share it.
A crash can only tear the last line: on resume a last line without its newline is cut off (or, if it
parses, completed), and a write that fails half-way is cut back before the error is raised.

**Interrupts.** Items run in daemon worker threads; the calling thread only waits. On
``KeyboardInterrupt`` (the CLI turns SIGTERM into one) the output is closed under the write lock, so no
record is written after that point and none is half written; items still in flight are abandoned and
run again next time. ``BatchInterrupted`` (a ``KeyboardInterrupt``) carries the counts so far.

**Concurrency.** ``concurrency`` threads share one ``Summarizer`` (one model server). Errors that would
fail every item (bad credentials, a dead engine, a broken prompt) stop the batch and are raised.

    inputs.py    the input lines as items      ledger.py   the output file, resume, atomic appends
    planning.py  what is left to do            pool.py     the worker threads
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.batch.inputs import BatchItem, ItemId, read_items
from summarizer.batch.ledger import OutputLedger
from summarizer.batch.planning import plan
from summarizer.batch.pool import FATAL_ERRORS, WorkerPool
from summarizer.batch.report import BatchInterrupted, BatchReport, ItemOutcome
from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from summarizer.api import Summarizer

__all__ = [
    "FATAL_ERRORS",
    "BatchInterrupted",
    "BatchItem",
    "BatchReport",
    "ItemId",
    "ItemOutcome",
    "read_items",
    "summarize_batch",
]


def summarize_batch(
    items: Iterable[BatchItem],
    output_path: str | Path,
    summarizer: Summarizer,
    concurrency: int = 1,
    progress: Callable[[ItemOutcome], None] | None = None,
) -> BatchReport:
    """Summarise ``items`` into the JSON-lines file ``output_path``, skipping ids already done there.

    Raises ``BatchInterrupted`` on ``KeyboardInterrupt`` (after closing the output cleanly), and the
    first fatal error (see ``FATAL_ERRORS``) if one stops the batch.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ConfigError(f"concurrency must be a whole number of at least 1, got {concurrency!r}")
    started = time.perf_counter()
    output = OutputLedger(Path(output_path))
    report = BatchReport(repaired=output.repaired)
    run = None
    try:
        summarizer.open()  # here, not in the workers: it may start the model server
        run = WorkerPool(plan(items, output.latest, report), output, summarizer, report, progress)
        run.run(concurrency)
    except KeyboardInterrupt:
        if run is not None:
            run.stop()
        output.close()  # waits for a write in progress; nothing is written after this
        report.seconds = time.perf_counter() - started
        raise BatchInterrupted(report) from None
    finally:
        output.close()
    report.seconds = time.perf_counter() - started
    if run is not None and run.fatal is not None:
        raise run.fatal
    return report
