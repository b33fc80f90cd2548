"""One item's work, the same whichever engine runs it (threads here, Ray actors elsewhere): summarise the
article, or say why not, as the record to write.

Errors that would fail every item too (bad credentials, a dead engine, a broken prompt: ``FATAL_ERRORS``)
are raised, to stop the run; any other error becomes the item's error record, tried again on a re-run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from summarizer.batch.inputs import BatchItem
from summarizer.batch.ledger import error_record, ok_record
from summarizer.errors import (
    ConfigError,
    EngineError,
    ModelAuthError,
    ModelNotInstalledError,
    TemplateError,
)

if TYPE_CHECKING:
    from summarizer.api import Summarizer

#: Errors that would fail every remaining item too: they stop the batch instead of being recorded.
FATAL_ERRORS = (ConfigError, EngineError, ModelAuthError, ModelNotInstalledError, TemplateError)


@dataclass(frozen=True)
class ItemResult:
    """A finished item: the ``record`` to write, how long it took, and ``error`` ("Type: message") if it failed."""

    item: BatchItem
    record: dict[str, Any]
    seconds: float
    error: str | None = None


def summarize_item(summarizer: Summarizer, item: BatchItem) -> ItemResult:
    """Summarise ``item`` into its ok record, or its error record; raises only ``FATAL_ERRORS``."""
    started = time.perf_counter()
    try:
        summary = summarizer.summarize(item.load())
        record = ok_record(item.id, summary.model_dump(mode="json"))
        error_text = None
    except FATAL_ERRORS:
        raise
    except Exception as error:  # recorded per item; a re-run tries it again
        record = error_record(item, error)
        error_text = f"{type(error).__name__}: {error}"
    return ItemResult(item, record, time.perf_counter() - started, error_text)
