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

**Interrupts.** On ``KeyboardInterrupt`` (the CLI turns SIGTERM into one) the output is closed under
the write lock, so no record is written after that point and none is half written; items still in
flight are abandoned and run again next time. ``BatchInterrupted`` (a ``KeyboardInterrupt``) carries
the counts so far.

**Engines.** ``summarize_batch`` runs ``concurrency`` threads in this process sharing one ``Summarizer``
(one model server). ``ray_engine.RayEngine`` (the ``ray`` extra) runs the items on Ray actors, on this
machine or a cluster, while this process reads, plans and writes as before. Errors that would fail
every item (bad credentials, a dead engine, a broken prompt) stop the batch and are raised.

    inputs.py    the input lines as items      ledger.py      the output file, resume, atomic appends
    planning.py  what is left to do            report.py      the counts and progress lines
    work.py      one item, in any engine       run.py         one run, whichever engine
    pool.py      the thread engine             ray_engine.py  the Ray engine (imports ray)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from summarizer.batch.inputs import BatchItem, ItemId, read_items
from summarizer.batch.pool import WorkerPool
from summarizer.batch.report import BatchInterrupted, BatchReport, ItemOutcome
from summarizer.batch.run import run_batch
from summarizer.batch.work import FATAL_ERRORS

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
    "run_batch",
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
    return run_batch(items, output_path, WorkerPool(summarizer, concurrency), progress)
