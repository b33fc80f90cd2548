"""How well confidences say how often items are right: equal-width bins and the expected calibration error.

    bins = reliability_bins([(0.9, True), (0.35, False), ...])   # 10 bins over 0-1
    ece = expected_calibration_error(pairs)                      # their weighted mean |predicted - observed|

A pair is (an item's confidence, whether it matched a gold item). Bin ``b`` of ``n`` holds confidences
in ``[b/n, (b+1)/n)``; the last one holds 1.0 too. Pure, no model and no fitting: the calibration map
(``evals.calibrate``) and the eval report (``evals.confidence_report``) both read their numbers here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: The reliability table's and the error's bins, equal width over 0-1.
BINS = 10


@dataclass(frozen=True)
class ReliabilityBin:
    """The items whose confidence is in ``[low, high)``: how many, how sure, how often right."""

    low: float
    high: float
    items: int
    mean_confidence: float | None  # None for an empty bin
    share_right: float | None


def reliability_bins(pairs: Sequence[tuple[float, bool]], bins: int = BINS) -> list[ReliabilityBin]:
    """Every bin of ``pairs`` (confidence, right), empty ones included, lowest first."""
    table: list[ReliabilityBin] = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(p, y) for p, y in pairs if low <= p < high or (b == bins - 1 and p == high)]
        predicted = sum(p for p, _ in inside) / len(inside) if inside else None
        observed = sum(y for _, y in inside) / len(inside) if inside else None
        table.append(ReliabilityBin(low, high, len(inside), predicted, observed))
    return table


def expected_calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = BINS) -> float | None:
    """Mean |predicted - observed| over equal-width confidence bins, weighted by the items in each."""
    if not pairs:
        return None
    error = 0.0
    for row in reliability_bins(pairs, bins):
        if row.mean_confidence is not None and row.share_right is not None:
            error += row.items / len(pairs) * abs(row.mean_confidence - row.share_right)
    return round(error, 4)
