"""Precision, recall and F1 from matches, and the evidence metrics. Pure functions, no model calls.

Counting conventions (they matter for empty sections):

- one-to-one: a match is a Hungarian pair; precision = pairs / predictions, recall = pairs / gold;
- many-to-one (granularity-tolerant): recall = share of gold items that *some* prediction matches,
  precision = share of predictions that match *some* gold item, so one broad prediction covering two
  gold items, or two halves of one gold item, are credited;
- an empty side: nothing predicted and nothing in gold is perfect agreement (1, 1, 1); predictions
  against an empty gold get precision 0 (and recall 0); no predictions against gold get recall 0
  (and precision 0). Micro-averages add the counts first, so they are unaffected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from summarizer.evals.items import Item, Span
from summarizer.evals.matching import SectionMatch


@dataclass(frozen=True)
class Counts:
    """Matched predictions, matched gold items, and the totals of each."""

    pred_matched: int = 0
    gold_matched: int = 0
    n_pred: int = 0
    n_gold: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.pred_matched + other.pred_matched,
            self.gold_matched + other.gold_matched,
            self.n_pred + other.n_pred,
            self.n_gold + other.n_gold,
        )

    @property
    def precision(self) -> float:
        if self.n_pred == 0:
            return 1.0 if self.n_gold == 0 else 0.0
        return self.pred_matched / self.n_pred

    @property
    def recall(self) -> float:
        if self.n_gold == 0:
            return 1.0 if self.n_pred == 0 else 0.0
        return self.gold_matched / self.n_gold

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def one_to_one(match: SectionMatch) -> Counts:
    """Counts of the one-to-one pairs of one section."""
    pairs = len(match.pairs)
    return Counts(pairs, pairs, match.n_pred, match.n_gold)


def many_to_one(match: SectionMatch) -> Counts:
    """Counts of the granularity-tolerant view of one section."""
    return Counts(len(match.pred_supported), len(match.gold_covered), match.n_pred, match.n_gold)


def total(counts: Iterable[Counts]) -> Counts:
    """The micro-average's counts: everything added up."""
    result = Counts()
    for part in counts:
        result = result + part
    return result


def grounded_counts(items: Iterable[Item], article: str) -> tuple[int, int]:
    """(evidence spans with ``article[start:end] == quote``, all evidence spans)."""
    spans = [span for item in items for span in item.evidence]
    return sum(article[s.start : s.end] == s.quote for s in spans), len(spans)


def _characters(spans: Sequence[Span]) -> set[int]:
    return {offset for span in spans for offset in range(span.start, max(span.start, span.end))}


def span_overlap(pred: Sequence[Span], gold: Sequence[Span]) -> tuple[float, float]:
    """(IoU, coverage of gold) of the characters under two sets of evidence spans."""
    pred_chars, gold_chars = _characters(pred), _characters(gold)
    union = pred_chars | gold_chars
    if not union:
        return 1.0, 1.0
    shared = len(pred_chars & gold_chars)
    return shared / len(union), (shared / len(gold_chars) if gold_chars else 0.0)


def evidence_overlap(match: SectionMatch, pred: Sequence[Item], gold: Sequence[Item]) -> list[tuple[float, float]]:
    """``span_overlap`` of each matched pair's evidence."""
    return [span_overlap(pred[pair.pred].evidence, gold[pair.gold].evidence) for pair in match.pairs]


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or ``None`` for no values."""
    return sum(values) / len(values) if values else None


def std(values: Sequence[float]) -> float:
    """Population standard deviation (0.0 for fewer than two values)."""
    if len(values) < 2:
        return 0.0
    centre = sum(values) / len(values)
    return (sum((v - centre) ** 2 for v in values) / len(values)) ** 0.5
