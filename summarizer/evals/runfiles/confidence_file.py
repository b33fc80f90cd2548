"""``metrics.json``'s ``confidence`` block: how the items' confidence ranks and how well it is calibrated.

Present only for a run whose items carry a confidence (``summarizer.evals.confidence_report`` builds it).
"""

from __future__ import annotations

from typing import Annotated, NamedTuple

from pydantic import Field, Strict

from summarizer.evals.runfiles.base import Count, Real, RunFile


class CurvePoint(RunFile):
    """The candidates kept at ``threshold``, matched one-to-one to the gold, summed over articles.

    ``precision`` is null where nothing was kept, ``recall`` where there is no gold item: a curve has
    no point there (the P/R/F1 tables count those as 0 or 1 instead).
    """

    threshold: Real | None = None
    kept: Count | None = None
    matched: Count | None = None
    gold: Count | None = None
    precision: Real | None = None
    recall: Real | None = None
    #: True on the point of the run's own thresholds (``meta.confidence.thresholds``): what it kept.
    default: Annotated[bool, Strict()] | None = Field(None, exclude_if=lambda value: value is None)
    #: The default point only, when articles had different thresholds (leave-one-article-out folds):
    #: the least and the most; ``threshold`` is then their mean, and each article kept what its own kept.
    threshold_range: tuple[Real, Real] | None = Field(None, exclude_if=lambda value: value is None)


class ReliabilityRow(RunFile):
    """The candidates whose confidence is in ``[low, high)`` (the last bin holds 1.0 too)."""

    low: Real | None = None
    high: Real | None = None
    items: Count = 0
    mean_confidence: Real | None = None
    share_right: Real | None = None


class FilledBin(NamedTuple):
    """A reliability bin that holds items and has every number (a file read leniently may lack some)."""

    low: float
    high: float
    items: int
    mean_confidence: float
    share_right: float


class PlotPoint(NamedTuple):
    """A curve point that has both numbers: where it stands, and whether it is the run's own threshold."""

    recall: float
    precision: float
    default: bool


class ConfidenceBlock(RunFile):
    """Run 0 of every article: its items kept and dropped under the threshold, against the gold."""

    #: The matcher that said which items are right (the soft one).
    matcher: str | None = None
    #: Candidates with a confidence, over all articles and sections.
    items: Count | None = None
    #: Per section, precision and recall by confidence threshold, lowest threshold first.
    curves: dict[str, list[CurvePoint]] = Field(default_factory=dict)
    #: Equal-width confidence bins over every candidate, and the share that matched a gold item.
    reliability: list[ReliabilityRow] = Field(default_factory=list)
    #: Expected calibration error: the bins' |mean confidence - share right|, weighted by their items.
    ece: Real | None = None

    def filled_bins(self) -> list[FilledBin]:
        """The bins of ``reliability`` that hold items, with all their numbers, lowest first."""
        return [
            FilledBin(row.low, row.high, row.items, row.mean_confidence, row.share_right)
            for row in self.reliability
            if row.items
            and row.low is not None
            and row.high is not None
            and row.mean_confidence is not None
            and row.share_right is not None
        ]

    def plotted(self, section: str) -> list[PlotPoint]:
        """The points of ``section``'s curve that have a precision and a recall, lowest threshold first."""
        return [
            PlotPoint(point.recall, point.precision, bool(point.default))
            for point in self.curves.get(section, [])
            if point.recall is not None and point.precision is not None
        ]
