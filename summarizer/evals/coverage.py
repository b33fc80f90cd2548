"""Reading coverage: did the summarizer find *anything* where a gold item is, in that item's section?

A missed gold item is either a reading miss (nothing was predicted from its sentence in its section:
the model did not look there, or saw nothing) or a wording miss (something was predicted from that
sentence, but the matcher did not pair it: other words, another actor, a merged item). Coverage is the
share of gold items whose evidence sentence yielded at least one prediction in the same section; the
gap between coverage and recall is the wording misses.

Sentences are those of ``summarizer.sentences`` (the segmenter the reader uses). A gold item's
sentences are every sentence its evidence spans touch; a prediction touches a sentence when one of its
evidence spans overlaps it. Pure functions of (gold items, predicted items, article).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.evals.items import Item, Span
from summarizer.sentences import split_sentences


@dataclass(frozen=True)
class Coverage:
    """Gold items whose sentence yielded a prediction in their section, out of the gold items."""

    covered: int = 0
    gold: int = 0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(self.covered + other.covered, self.gold + other.gold)

    @property
    def rate(self) -> float | None:
        return self.covered / self.gold if self.gold else None

    def as_dict(self) -> dict[str, float | int | None]:
        rate = self.rate
        return {"rate": None if rate is None else round(rate, 4), "covered": self.covered, "gold": self.gold}


class SentenceIndex:
    """Which sentences of one article a set of evidence spans touches."""

    def __init__(self, article: str) -> None:
        self._sentences = split_sentences(article)
        self._starts = [sentence.start for sentence in self._sentences]

    def touched(self, spans: Sequence[Span]) -> set[int]:
        """Indices of the sentences that overlap any of ``spans`` (empty spans touch nothing)."""
        found: set[int] = set()
        for span in spans:
            if span.end <= span.start:
                continue
            first = max(bisect_right(self._starts, span.start) - 1, 0)
            for sentence in self._sentences[first:]:
                if sentence.start >= span.end:
                    break
                if sentence.end > span.start:
                    found.add(sentence.index)
        return found


def section_coverage(gold: Sequence[Item], pred: Sequence[Item], sentences: SentenceIndex) -> Coverage:
    """``Coverage`` of one section: gold items whose sentences some prediction of the section touches."""
    predicted: set[int] = set()
    for item in pred:
        predicted |= sentences.touched(item.evidence)
    covered = sum(bool(sentences.touched(item.evidence) & predicted) for item in gold)
    return Coverage(covered=covered, gold=len(gold))
