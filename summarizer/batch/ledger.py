"""The batch output: a JSON-lines file that is appended to one whole record at a time, and resumed from.

**Resume.** The newest record of each id says whether it is done (``ok``); ids whose newest record is
an error are tried again, and the new record (appended) supersedes the old one.

**Atomicity.** Each record is one ``write`` of one complete line to a file opened ``O_APPEND``, then
``fsync``; writers take a lock, and the whole file is ``flock``-ed so that two runs cannot share it.
A crash can only tear the last line: on opening, a last line without its newline is cut off (or, if it
parses, completed), and a write that fails half-way is cut back before the error is raised.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.batch.inputs import BatchItem, ItemId, valid_id
from summarizer.errors import InputError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no cross-process lock, the rest still holds
    fcntl = None  # type: ignore[assignment]


def ok_record(item_id: ItemId | None, summary: dict[str, Any]) -> dict[str, Any]:
    """The record of an article summarised (``summary`` as JSON-ready data)."""
    return {"id": item_id, "ok": True, "summary": summary}


def error_record(item: BatchItem, error: BaseException) -> dict[str, Any]:
    """The record of an article that failed; a re-run tries it again."""
    record: dict[str, Any] = {
        "id": item.id,
        "ok": False,
        "error": {"type": type(error).__name__, "message": str(error)},
    }
    if item.line is not None:
        record["line"] = item.line
    return record


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
    return (item_id if valid_id(item_id) else None), record["ok"]


class OutputLedger:
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
