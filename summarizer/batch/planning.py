"""Which items a batch run still has to do: each id once, and not those already done."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

from summarizer.batch.inputs import BatchItem, ItemId
from summarizer.batch.report import BatchReport


def plan(items: Iterable[BatchItem], latest: dict[ItemId, bool], report: BatchReport) -> list[BatchItem]:
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
