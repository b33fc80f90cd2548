"""The files of an eval run folder, typed: ``metrics.json`` and ``articles/<article_id>.json``.

The runner builds these models and writes them (``write_json``); the report and ``eval compare`` read
them back (``read_metrics``, ``read_article``). The layout on disk is fixed: keys, their order, the
rounding and the indentation stay what they were, so run folders of different versions compare.

Some keys are spelled per matcher on disk (``strict_f1``; an article's P/R/F1 block under the
matcher's own name; the F1 intervals). The models hold them as dicts keyed by matcher and splice them
back in their place when written. ``gold`` and ``prediction`` of an article file are the gold file's
and the ``Summary``'s own JSON: the fields the eval code reads are typed, the rest rides along, and a
record is written back with the keys it was given, in their order.

Writing validates strictly. Reading forgives (``LENIENT``), for run folders of older versions and
hand-made ones: a missing key takes its default, and so does a malformed value (a string where a
number belongs, a negative count, NaN, a list where an object belongs), so that the report shows "—"
for what is off and never fails on a value.

base.py             number types, strict writes and lenient reads, per-matcher keys, objects as given
metrics_file.py     ``metrics.json``
confidence_file.py  ``metrics.json``'s ``confidence`` block (runs whose items carry a confidence)
article_file.py     ``articles/<article_id>.json``
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer.evals.runfiles.article_file import (
    ActorRecord,
    AnnotationRecord,
    ArticleRecord,
    EvidenceRecord,
    ItemRecord,
    MetaRecord,
    PairRecord,
    SectionMatches,
    UsageRecord,
)
from summarizer.evals.runfiles.base import DIGITS, LENIENT, RunFile
from summarizer.evals.runfiles.confidence_file import ConfidenceBlock, CurvePoint, ReliabilityRow
from summarizer.evals.runfiles.metrics_file import (
    PRF,
    ArticleMetrics,
    CoverageCount,
    CoverageSummary,
    F1Interval,
    FoldFit,
    Folds,
    MatcherInfo,
    Overlap,
    PRFBlock,
    RunError,
    RunF1,
    RunMetrics,
    UsageMeans,
)

__all__ = [
    "DIGITS",
    "LENIENT",
    "PRF",
    "ActorRecord",
    "AnnotationRecord",
    "ArticleMetrics",
    "ArticleRecord",
    "ConfidenceBlock",
    "CoverageCount",
    "CoverageSummary",
    "CurvePoint",
    "EvidenceRecord",
    "F1Interval",
    "FoldFit",
    "Folds",
    "ItemRecord",
    "MatcherInfo",
    "MetaRecord",
    "Overlap",
    "PRFBlock",
    "PairRecord",
    "ReliabilityRow",
    "RunError",
    "RunF1",
    "RunFile",
    "RunMetrics",
    "SectionMatches",
    "UsageMeans",
    "UsageRecord",
    "read_article",
    "read_metrics",
    "write_json",
]


def write_json(path: Path, model: BaseModel) -> None:
    """``model`` as indented UTF-8 JSON (the runner's one way of writing a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _read_object(path: Path) -> Mapping[str, Any]:
    """The JSON object in ``path``; ``OSError``, or ``ValueError`` when it is not UTF-8 JSON or no object."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"holds a JSON {type(data).__name__}, not an object")
    return data


def read_metrics(path: Path) -> RunMetrics:
    """``metrics.json`` read leniently; ``OSError`` or ``ValueError`` when it cannot be read at all."""
    return RunMetrics.model_validate(_read_object(path), context=LENIENT)


def read_article(path: Path) -> ArticleRecord:
    """An ``articles/<id>.json`` read leniently; ``OSError`` or ``ValueError`` when it cannot be read at all."""
    return ArticleRecord.model_validate(_read_object(path), context=LENIENT)
