"""Fit the threshold at which the sentence readers merge two items as one claim, on gold alone.

Two gold items of one section and the same actor(s) are distinct claims (annotators split them on
purpose); a merge threshold must keep them apart. The threshold is the lowest of ``THRESHOLDS`` that
joins at most ``MAX_WRONG_MERGES`` of those pairs (``summarizer.wording.lexical_similarity``).
``benchmarks/calibrate_merge.py`` prints the whole table, with what each threshold joins of a second
wording of the same claims.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

from summarizer.evals.aliases import AliasResolver
from summarizer.evals.gold import GoldArticle
from summarizer.evals.items import Item, annotation_of
from summarizer.schemas import SECTION_NAMES
from summarizer.wording import lexical_similarity

#: The share of distinct gold pairs a merge threshold may join.
MAX_WRONG_MERGES = 0.01
THRESHOLDS = (0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90)


def _who(section: str, item: Item, names: AliasResolver) -> tuple[str, ...]:
    actor = names.resolve(item.actor)
    return (actor, names.resolve(item.addressee)) if section == "demands" and item.addressee else (actor,)


def distinct_pairs(articles: Iterable[GoldArticle]) -> list[float]:
    """Scores of every pair of distinct gold items with the same section and actor(s)."""
    scores: list[float] = []
    for article in articles:
        gold = annotation_of(article.gold)
        names = AliasResolver(gold.actors)
        for section in SECTION_NAMES:
            for a, b in combinations(gold.section(section), 2):
                if _who(section, a, names) == _who(section, b, names):
                    scores.append(lexical_similarity(a.text, b.text))
    return scores


def share_at_least(scores: list[float], threshold: float) -> float:
    return sum(score >= threshold for score in scores) / len(scores) if scores else 0.0


def fit_merge_threshold(articles: Iterable[GoldArticle]) -> float:
    """The lowest threshold that merges at most ``MAX_WRONG_MERGES`` of the distinct gold pairs."""
    apart = distinct_pairs(articles)
    return next((t for t in THRESHOLDS if share_at_least(apart, t) <= MAX_WRONG_MERGES), THRESHOLDS[-1])
