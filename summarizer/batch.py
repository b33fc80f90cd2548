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
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.errors import (
    ConfigError,
    EngineError,
    InputError,
    ModelAuthError,
    ModelNotInstalledError,
    TemplateError,
)
from summarizer.pipeline import check_article

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no cross-process lock, the rest still holds
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from summarizer.api import Summarizer

__all__ = [
    "BatchInterrupted",
    "BatchItem",
    "BatchReport",
    "ItemOutcome",
    "read_items",
    "summarize_batch",
]

ItemId = str | int
_POLL_SECONDS = 0.1
#: Errors that would fail every remaining item too: they stop the batch instead of being recorded.
FATAL_ERRORS = (ConfigError, EngineError, ModelAuthError, ModelNotInstalledError, TemplateError)


@dataclass(frozen=True)
class BatchItem:
    """One article to summarise: its ``text``, or a ``path`` to read it from.

    ``problem`` marks an input line that cannot be used; the item is then recorded as an error.
    """

    id: ItemId | None
    text: str | None = None
    path: Path | None = None
    line: int | None = None
    problem: str | None = None

    def __post_init__(self) -> None:
        if self.problem is None and (self.text is None) == (self.path is None):
            raise ValueError(f"item {self.id!r}: give exactly one of text= or path=")
        if self.problem is None and not _valid_id(self.id):
            raise ValueError(f"item id must be a non-empty str or an int, got {self.id!r}")

    def load(self) -> str:
        """The article text; ``InputError`` if this item cannot be summarised."""
        if self.problem is not None:
            raise InputError(self.problem)
        if self.text is not None:
            return check_article(self.text)
        assert self.path is not None  # __post_init__ guarantees one of the two
        return _read_article_file(self.path)


@dataclass
class BatchReport:
    """What one run did: ``done`` and ``failed`` were written now, ``skipped`` were done before."""

    total: int = 0
    done: int = 0
    failed: int = 0
    skipped: int = 0
    repaired: bool = False
    seconds: float = 0.0

    @property
    def not_run(self) -> int:
        """Items left for the next run (after an interrupt or a fatal error)."""
        return self.total - self.done - self.failed - self.skipped

    def __str__(self) -> str:
        parts = [f"{self.done} ok", f"{self.failed} failed", f"{self.skipped} skipped (already done)"]
        if self.not_run:
            parts.append(f"{self.not_run} not run")
        repaired = "; dropped a torn last line" if self.repaired else ""
        return f"{', '.join(parts)} of {self.total} in {self.seconds:.1f}s{repaired}"


@dataclass(frozen=True)
class ItemOutcome:
    """One finished item, as passed to ``progress``; ``str()`` gives the progress line."""

    index: int
    total: int
    id: ItemId | None
    line: int | None
    ok: bool
    seconds: float
    error: str | None = None

    def __str__(self) -> str:
        name = str(self.id) if self.id is not None else f"line {self.line}"
        result = f"ok {self.seconds:.1f}s" if self.ok else f"error: {self.error}"
        return f"[{self.index}/{self.total}] {name} {result}"


class BatchInterrupted(KeyboardInterrupt):
    """The run was interrupted; ``report`` holds the counts so far. Run again to finish."""

    def __init__(self, report: BatchReport) -> None:
        super().__init__("batch interrupted")
        self.report = report


def read_items(input_path: str | Path) -> list[BatchItem]:
    """The items of a JSON-lines file; unusable lines come back as items with a ``problem``."""
    path = Path(input_path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a JSON-lines file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from error
    data = data.removeprefix(b"\xef\xbb\xbf")
    items = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.strip():
            items.append(_parse_line(raw, number, path.parent))
    return items


def _parse_line(raw: bytes, line: int, folder: Path) -> BatchItem:
    def bad(reason: str, item_id: ItemId | None = None) -> BatchItem:
        return BatchItem(id=item_id, line=line, problem=f"line {line}: {reason}")

    try:
        entry = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return bad("not UTF-8 text")
    except json.JSONDecodeError as error:
        return bad(f"not JSON ({error.msg} at column {error.colno})")
    if not isinstance(entry, dict):
        return bad(f'not a JSON object but {type(entry).__name__}; write {{"id": ..., "text": ...}}')
    if "id" not in entry:
        return bad('no "id"')
    item_id = entry["id"]
    if not _valid_id(item_id):
        return bad(f'"id" must be a non-empty string or an integer, got {json.dumps(item_id)}')
    text, where = entry.get("text"), entry.get("path")
    if (text is None) == (where is None):
        return bad('give exactly one of "text" or "path"', item_id)
    if text is not None:
        if not isinstance(text, str):
            return bad(f'"text" must be a string, got {type(text).__name__}', item_id)
        return BatchItem(id=item_id, text=text, line=line)
    if not isinstance(where, str) or not where:
        return bad('"path" must be a non-empty string', item_id)
    return BatchItem(id=item_id, path=folder / where, line=line)


def _valid_id(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value != "")


def _read_article_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not an article file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})") from None
    try:
        return check_article(text)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None


def _encode(record: dict[str, Any]) -> bytes:
    try:
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON "\ud800" escape: keep it escaped
        return (json.dumps(record) + "\n").encode("ascii")


def _record_key(raw: bytes) -> tuple[ItemId | None, bool] | None:
    """(id, ok) of an output line, or ``None`` if it is not one of our records."""
    try:
        record = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("ok"), bool):
        return None
    item_id = record.get("id")
    return (item_id if _valid_id(item_id) else None), record["ok"]


class _Output:
    """The output file: locked, repaired, and appended to one whole line at a time."""

    def __init__(self, path: Path) -> None:
        if path.is_dir():
            raise InputError(f"-o {path}: is a directory")
        if not path.parent.is_dir():
            raise InputError(f"-o {path}: folder {path.parent} does not exist")
        self.path = path
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise InputError(f"-o {path}: cannot be opened ({error.strerror})") from error
        self._lock = threading.Lock()
        self._closed = False
        try:
            self._claim()
            self.latest, self.repaired = self._load()
        except BaseException:
            self.close()
            raise

    def _claim(self) -> None:
        if fcntl is None:
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"-o {self.path}: another batch is writing to it; wait for it to end") from None

    def _load(self) -> tuple[dict[ItemId, bool], bool]:
        """The newest ok/error state of each id; a torn last line is cut off (or completed)."""
        latest: dict[ItemId, bool] = {}
        complete = 0
        with open(self.path, "rb") as existing:
            for raw in existing:
                key = _record_key(raw)
                if not raw.endswith(b"\n"):
                    if key is None:  # a crash mid-line: cut it off
                        os.ftruncate(self._fd, complete)
                        os.fsync(self._fd)
                        return latest, True
                    self._write(b"\n")  # only the newline was lost
                complete += len(raw)
                if key is not None and key[0] is not None:
                    latest[key[0]] = key[1]
        return latest, False

    def _write(self, data: bytes) -> None:
        size = os.fstat(self._fd).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, size)  # never leave half a line behind
            raise InputError(f"-o {self.path}: cannot be written ({error.strerror})") from error

    def append(self, record: dict[str, Any], then: Callable[[], None]) -> None:
        """Write one record and call ``then`` under the lock; nothing once the output is closed."""
        data = _encode(record)
        with self._lock:
            if self._closed:
                return
            self._write(data)
            then()

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                os.close(self._fd)  # also releases the flock


class _Run:
    """The worker threads of one batch and what they share."""

    def __init__(
        self,
        pending: list[BatchItem],
        output: _Output,
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
            record: dict[str, Any] = {"id": item.id, "ok": True, "summary": summary.model_dump(mode="json")}
        except FATAL_ERRORS:
            raise
        except Exception as error:  # recorded per item; a re-run tries it again
            error_text = f"{type(error).__name__}: {error}"
            record = {"id": item.id, "ok": False, "error": {"type": type(error).__name__, "message": str(error)}}
            if item.line is not None:
                record["line"] = item.line
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


def _plan(items: Iterable[BatchItem], latest: dict[ItemId, bool], report: BatchReport) -> list[BatchItem]:
    """The items to run: not yet done, each id once (a repeat becomes an id-less error item)."""
    seen: dict[ItemId, int | None] = {}
    pending = []
    for item in items:
        report.total += 1
        if item.id is not None and item.id in seen:
            first = seen[item.id]
            where = f" (first on line {first})" if first is not None else ""
            problem = f"duplicate id {json.dumps(item.id)}{where}; ids must be unique"
            if item.line is not None:
                problem = f"line {item.line}: {problem}"
            pending.append(replace(item, id=None, problem=problem))
            continue
        if item.id is not None:
            seen[item.id] = item.line
            if latest.get(item.id) is True:
                report.skipped += 1
                continue
        pending.append(item)
    return pending


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
    output = _Output(Path(output_path))
    report = BatchReport(repaired=output.repaired)
    run = None
    try:
        summarizer.open()  # here, not in the workers: it may start the model server
        run = _Run(_plan(items, output.latest, report), output, summarizer, report, progress)
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
