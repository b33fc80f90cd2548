"""The report's numbers: how they are formatted, and the view models of the tables and chips that show them.

Built from the typed run files (``summarizer.evals.runfiles``); every value leaves here as text. A
number the file lacks (or had malformed, now ``None``) shows as ``MISSING``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from summarizer.evals.runfiles import PRF, AnnotationRecord, ArticleMetrics, CoverageCount, RunMetrics
from summarizer.schemas import SECTION_NAMES, SECTIONS

MISSING = "—"
COVERAGE_NOTE = (
    "Coverage: the share of gold items whose evidence sentence yielded any prediction in that section "
    "(covered/gold). Coverage below 1 means reading misses; recall below coverage means wording misses."
)
#: The matchers the tables have columns for, in column order.
MATCHERS = ("strict", "soft")
_LABELS = {"reasks": "re-asks"}


# --- formatting ------------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 3) -> str:
    """A score or a rate: a fixed number of decimals (P/R/F1 keep 3)."""
    return MISSING if value is None else f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    return MISSING if value is None else f"{value * 100:.1f}%"


def count(value: float | None) -> str:
    """A count (tokens, calls, items), or a mean of counts: a whole number has no decimals ("8,062")."""
    if value is None:
        return MISSING
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def label(key: str) -> str:
    return _LABELS.get(key, key.replace("_", " "))


def scalar(key: str, value: Any) -> str | None:
    """A value shown by its key: scores and rates with 3 decimals, seconds with 1, other numbers as
    counts, text as it is; ``None`` for what is not a single value (an object, a list, NaN, null)."""
    if isinstance(value, str | bool):
        return str(value)
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if key.endswith(("_f1", "_rate")) or key in {"precision", "recall", "f1"}:
        return fmt(value)
    if key.endswith("_s") or key == "seconds":
        return fmt(value, 1)
    return count(value)


def shown(pairs: Iterable[tuple[str, Any]], name: Callable[[str], str] = label) -> tuple[tuple[str, str], ...]:
    """``(name(key), text)`` of each ``(key, value)`` that is a single value."""
    return tuple((name(key), text) for key, value in pairs if (text := scalar(key, value)) is not None)


# --- view models -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A table cell for a 0..1 score: its text, the width of the bar behind it, and an optional detail."""

    text: str
    bar: str | None = None  # CSS width ("53.3%"), None when there is no number
    detail: str = ""


@dataclass(frozen=True)
class SectionRow:
    title: str
    coverage: Cell
    strict: tuple[Cell, ...]
    soft: tuple[Cell, ...]


@dataclass(frozen=True)
class SectionTable:
    caption: str
    rows: tuple[SectionRow, ...]
    total: SectionRow | None = None  # all sections together, set apart below the rows
    compact: bool = False


@dataclass(frozen=True)
class MatcherRow:
    name: str
    cells: tuple[Cell, ...]
    f1_std: str
    f1_interval: str  # "0.512–0.611", the bootstrap interval over articles


@dataclass(frozen=True)
class Tile:
    key: str
    value: str


@dataclass(frozen=True)
class Overall:
    matchers: tuple[MatcherRow, ...]
    tiles: tuple[Tile, ...]
    usage: tuple[tuple[str, str], ...]
    extras: tuple[tuple[str, str], ...]
    interval_note: str  # what the F1 interval is, for the column's tooltip


@dataclass(frozen=True)
class IndexRow:
    uid: str
    article_id: str
    strict_f1: Cell
    soft_f1: Cell
    failed: bool


# --- builders --------------------------------------------------------------------------------------


def score_cell(value: float | None, detail: str = "") -> Cell:
    if value is None:
        return Cell(MISSING, None, detail)
    return Cell(f"{value:.3f}", f"{max(0.0, min(1.0, value)) * 100:.1f}%", detail)


def _prf(scores: PRF | None) -> tuple[Cell, ...]:
    scores = scores or PRF()
    return (score_cell(scores.precision), score_cell(scores.recall), score_cell(scores.f1))


def coverage_cell(coverage: CoverageCount | None) -> Cell:
    """The coverage rate with a bar, "covered/gold" beside it."""
    coverage = coverage or CoverageCount()
    covered, gold = coverage.covered, coverage.gold
    return score_cell(coverage.rate, f"{covered:,}/{gold:,}" if covered is not None and gold is not None else "")


def _section_row(title: str, scores: Mapping[str, PRF], coverage: CoverageCount | None) -> SectionRow:
    return SectionRow(title, coverage_cell(coverage), _prf(scores.get("strict")), _prf(scores.get("soft")))


def section_table(
    scores: Mapping[str, Mapping[str, PRF]], coverage: Mapping[str, CoverageCount], caption: str, *, compact: bool
) -> SectionTable:
    """One row per section: coverage, then strict and soft P/R/F1 (``scores[section][matcher]``)."""
    present = [*scores, *(s for s in coverage if s not in scores)]
    names = [s for s in SECTION_NAMES if s in present] + [s for s in present if s not in SECTION_NAMES]
    rows = tuple(
        _section_row(SECTIONS[name].title if name in SECTIONS else name, scores.get(name, {}), coverage.get(name))
        for name in names
    )
    return SectionTable(caption, rows, compact=compact)


def run_sections(metrics: RunMetrics) -> SectionTable:
    """The run's table by section, with a row for all sections together (``overall`` and coverage)."""
    table = section_table(metrics.sections, metrics.coverage.sections, "By section", compact=False)
    if not table.rows:
        return table
    total = _section_row("All sections", metrics.overall, metrics.coverage.overall)
    return SectionTable(table.caption, table.rows, total)


def _interval(metrics: RunMetrics, matcher: str) -> str:
    bounds = metrics.f1_interval.bounds.get(matcher) if metrics.f1_interval is not None else None
    return MISSING if bounds is None else f"{fmt(bounds[0])}–{fmt(bounds[1])}"


def _interval_note(metrics: RunMetrics) -> str:
    interval = metrics.f1_interval
    if interval is None or interval.level is None or interval.resamples is None:
        return "bootstrap interval of the overall F1 over articles (this run's metrics.json has none)"
    return (
        f"{interval.level:.0%} bootstrap interval of the overall F1: the articles resampled with replacement "
        f"{interval.resamples:,} times"
    )


def overall(metrics: RunMetrics, n_articles: int) -> Overall:
    matchers = tuple(
        MatcherRow(m, _prf(metrics.overall.get(m)), fmt(metrics.f1_std.get(m)), _interval(metrics, m)) for m in MATCHERS
    )
    tiles = (
        Tile("grounded rate", pct(metrics.grounded_rate)),
        Tile("schema-valid rate", pct(metrics.schema_valid_rate)),
        Tile("runs", count(metrics.runs)),
        Tile("articles", count(n_articles)),
    )
    known = [("summarizer_version", metrics.summarizer_version), ("articles_count", metrics.articles_count)]
    extras = shown([*known, *(metrics.model_extra or {}).items()], name=str)  # as metrics.json spells them
    return Overall(matchers, tiles, shown(metrics.usage), extras, _interval_note(metrics))


def chips(entry: ArticleMetrics) -> tuple[tuple[str, str], ...]:
    """An article's run-level numbers (``metrics.json``'s entry for it); coverage overall at the end."""
    rates = [("grounded_rate", entry.grounded_rate), ("schema_valid_rate", entry.schema_valid_rate)]
    values = [*((f"{name}_f1", f1) for name, f1 in entry.f1.items()), *rates, *entry.usage]
    found = shown([*values, *(entry.model_extra or {}).items()])
    if entry.coverage.overall is None:
        return found
    cell = coverage_cell(entry.coverage.overall)
    return (*found, ("coverage", f"{cell.text} ({cell.detail})" if cell.detail else cell.text))


def meta(prediction: AnnotationRecord | None) -> tuple[tuple[str, str], ...]:
    """What a prediction's ``meta`` says of its model, time and cost."""
    if prediction is None or prediction.meta is None:
        return ()
    m, usage = prediction.meta, prediction.meta.usage
    return shown(
        [
            ("model", m.model or None),
            ("backend", m.backend or None),
            ("seconds", m.seconds),
            ("prompt tokens", usage.prompt_tokens),
            ("completion tokens", usage.completion_tokens),
            ("calls", usage.calls),
            ("re-asks", usage.reasks),
            ("dropped", None if m.dropped is None else len(m.dropped)),
        ]
    )


def index_row(uid: str, article_id: str, entry: ArticleMetrics, failed: bool) -> IndexRow:
    return IndexRow(uid, article_id, score_cell(entry.f1.get("strict")), score_cell(entry.f1.get("soft")), failed)
