"""P/R/F1 conventions, micro-averaging, and the evidence metrics, on hand-made numbers."""

from __future__ import annotations

import numpy as np
import pytest

from summarizer.evals.items import Item, Span
from summarizer.evals.matching import SectionMatch, assign
from summarizer.evals.metrics import (
    Counts,
    evidence_overlap,
    grounded_counts,
    many_to_one,
    mean,
    one_to_one,
    span_overlap,
    std,
    total,
)
from summarizer.evals.runfiles import PRF


def _match(scores: list[list[float]], threshold: float = 0.5) -> SectionMatch:
    matrix = np.asarray(scores, dtype=np.float64).reshape(len(scores), len(scores[0]) if scores else 0)
    return SectionMatch(scores=matrix, threshold=threshold, pairs=assign(matrix, threshold))


def test_precision_recall_f1() -> None:
    counts = Counts(pred_matched=2, gold_matched=2, n_pred=4, n_gold=2)
    assert (counts.precision, counts.recall) == (0.5, 1.0)
    assert counts.f1 == pytest.approx(2 / 3)
    assert PRF.of(counts) == PRF(precision=0.5, recall=1.0, f1=0.6667)  # as the run files round it


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (Counts(0, 0, 0, 0), (1.0, 1.0, 1.0)),
        (Counts(0, 0, 0, 3), (0.0, 0.0, 0.0)),
        (Counts(0, 0, 3, 0), (0.0, 0.0, 0.0)),
        (Counts(0, 0, 2, 2), (0.0, 0.0, 0.0)),
    ],
)
def test_empty_side_conventions(counts: Counts, expected: tuple[float, float, float]) -> None:
    assert (counts.precision, counts.recall, counts.f1) == expected


def test_micro_average_adds_counts_first() -> None:
    empty_section = Counts(0, 0, 0, 0)  # F1 1.0 on its own, but adds nothing to the micro-average
    poor = Counts(1, 1, 4, 4)
    assert total([empty_section, poor]).f1 == poor.f1 == 0.25
    assert total([]) == Counts()


def test_one_to_one_and_many_to_one_from_a_match() -> None:
    # Two predictions both resemble gold 0; gold 1 is resembled by nothing.
    match = _match([[0.9, 0.1], [0.8, 0.2]])
    assert one_to_one(match) == Counts(1, 1, 2, 2)
    assert many_to_one(match) == Counts(2, 1, 2, 2)
    assert (match.missed, match.spurious) == ([1], [1])
    assert (match.gold_covered, match.pred_supported) == ([0], [0, 1])


def test_empty_match() -> None:
    match = SectionMatch(scores=np.zeros((0, 0)), threshold=0.5, pairs=())
    assert (match.gold_covered, match.pred_supported, match.missed, match.spurious) == ([], [], [], [])


def test_span_overlap_iou_and_coverage() -> None:
    gold = [Span(0, 10, "x" * 10)]
    assert span_overlap([Span(0, 10, "x" * 10)], gold) == (1.0, 1.0)
    assert span_overlap([Span(5, 15, "x" * 10)], gold) == (5 / 15, 0.5)
    assert span_overlap([Span(20, 30, "x" * 10)], gold) == (0.0, 0.0)
    assert span_overlap([Span(0, 4, "xxxx"), Span(2, 6, "xxxx")], gold) == (0.6, 0.6)  # union, no double count
    assert span_overlap([], []) == (1.0, 1.0)


def test_evidence_overlap_of_matched_pairs_only() -> None:
    pred = [Item("A", "x", (Span(0, 5, "abcde"),)), Item("A", "y", (Span(50, 60, "z" * 10),))]
    gold = [Item("A", "x", (Span(0, 10, "abcdefghij"),))]
    match = _match([[0.9], [0.0]])
    assert evidence_overlap(match, pred, gold) == [(0.5, 0.5)]


def test_grounded_counts() -> None:
    article = "The guild rejected the plan."
    items = [
        Item("A", "x", (Span(4, 9, "guild"), Span(0, 3, "The"))),
        Item("B", "y", (Span(4, 9, "plan."),)),
    ]
    assert grounded_counts(items, article) == (2, 3)
    assert grounded_counts([], article) == (0, 0)


def test_mean_and_std() -> None:
    assert mean([]) is None
    assert mean([1.0, 3.0]) == 2.0
    assert std([0.5]) == 0.0
    assert std([0.2, 0.4]) == pytest.approx(0.1)
