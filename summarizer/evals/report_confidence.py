"""The report's "Confidence" part: the two figures, the run's own thresholds, the calibration error in words.

Built from ``metrics.json``'s ``confidence`` block (``runfiles.ConfidenceBlock``); a run without one
has no such part. The figures come from ``figures``, the numbers leave here as text.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from summarizer.evals.figures import precision_recall_figure, reliability_figure
from summarizer.evals.report_metrics import MISSING, Cell, count, fmt, score_cell
from summarizer.evals.runfiles import ConfidenceBlock, CurvePoint, RunMetrics
from summarizer.schemas import SECTION_NAMES, SECTIONS

NOTE = (
    "Candidates: the items of each article's first run that were kept, and those dropped under the "
    "confidence threshold; an item is right when the {matcher} matcher pairs it with a gold item."
)


@dataclass(frozen=True)
class DefaultRow:
    """One section at the run's own threshold: what it kept, and how right that was."""

    title: str
    threshold: str
    precision: Cell
    recall: Cell
    kept: str  # "3 of 5"


@dataclass(frozen=True)
class ConfidenceView:
    precision_recall: Markup
    reliability: Markup
    rows: tuple[DefaultRow, ...]
    ece: str
    note: str


def _threshold(point: CurvePoint) -> str:
    if point.threshold_range is not None:
        low, high = point.threshold_range
        return f"{fmt(low, 2)}–{fmt(high, 2)} by article"
    return fmt(point.threshold, 2)


def _row(section: str, points: list[CurvePoint]) -> DefaultRow | None:
    default = next((point for point in points if point.default), None)
    if default is None:
        return None
    candidates = max((point.kept for point in points if point.kept is not None), default=None)
    kept = MISSING if default.kept is None else f"{count(default.kept)} of {count(candidates)}"
    title = SECTIONS[section].title if section in SECTIONS else section
    return DefaultRow(title, _threshold(default), score_cell(default.precision), score_cell(default.recall), kept)


def ece_sentence(block: ConfidenceBlock) -> str:
    """The expected calibration error in words, with the direction of the miss."""
    if block.ece is None:
        return "No item carried a confidence, so there is no calibration error."
    bins = block.filled_bins()
    items = sum(b.items for b in bins)
    signed = sum(b.items * (b.mean_confidence - b.share_right) for b in bins) / items if items else 0.0
    direction = (
        "on the whole the confidences are too high (over-confident)"
        if signed > 0
        else "on the whole the confidences are too low (under-confident)"
        if signed < 0
        else "with no lean either way"
    )
    return (
        f"Expected calibration error {fmt(block.ece)} over {count(block.items)} items: in a bin of similar "
        f"confidence, the confidence is on average {block.ece * 100:.1f} percentage points away from the share of its "
        f"items that match a gold item (bins weighted by their items; 0 is perfectly calibrated), and "
        f"{direction}."
    )


def confidence_view(metrics: RunMetrics) -> ConfidenceView | None:
    """The part of the page for ``metrics.confidence``; None when the run has no such block."""
    block = metrics.confidence
    if block is None:
        return None
    names = [s for s in SECTION_NAMES if s in block.curves] + [s for s in block.curves if s not in SECTION_NAMES]
    rows = tuple(row for name in names if (row := _row(name, block.curves[name])) is not None)
    return ConfidenceView(
        precision_recall=precision_recall_figure(block),
        reliability=reliability_figure(block),
        rows=rows,
        ece=ece_sentence(block),
        note=NOTE.format(matcher=block.matcher or MISSING),
    )
