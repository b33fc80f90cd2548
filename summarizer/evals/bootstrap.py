"""How much an F1 would move had other articles been drawn: bootstrap intervals over articles.

Articles are the unit of resampling, not items: the items of one article stand or fall together (one
misread paragraph costs several). A resample draws as many articles as there are, with replacement,
adds up their counts and recomputes the micro F1 (``metrics.Counts``); the interval is the central
``level`` share of the resampled values (percentiles, linearly interpolated). A fixed seed makes every
number reproducible. Pure functions of per-article counts.

- ``f1_interval``: one run's overall F1;
- ``f1_difference``: two runs scored on the same articles, paired (the same draw for both runs), for
  the interval of B's F1 minus A's. When it holds 0, the difference is within the noise of which
  articles happen to be in the gold.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from summarizer.evals.metrics import Counts, total

RESAMPLES = 1000
LEVEL = 0.9
SEED = 15


@dataclass(frozen=True)
class Interval:
    """A bootstrap percentile interval, and how it was drawn."""

    low: float
    high: float
    level: float = LEVEL
    resamples: int = RESAMPLES

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


def _draws(n: int, resamples: int, seed: int) -> Iterator[list[int]]:
    """``resamples`` lists of ``n`` article indices drawn with replacement."""
    if n < 1:
        raise ValueError("a bootstrap needs at least one article")
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}")
    rng = random.Random(seed)
    for _ in range(resamples):
        yield [rng.randrange(n) for _ in range(n)]


def percentile(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of sorted values, linearly interpolated between neighbours."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _interval(values: list[float], level: float) -> Interval:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    ordered = sorted(values)
    tail = (1.0 - level) / 2
    return Interval(percentile(ordered, tail), percentile(ordered, 1.0 - tail), level, len(values))


def _f1(articles: Sequence[Counts], draw: list[int]) -> float:
    return total(articles[i] for i in draw).f1


def f1_interval(
    articles: Sequence[Counts], *, resamples: int = RESAMPLES, level: float = LEVEL, seed: int = SEED
) -> Interval:
    """The interval of the micro F1 of ``articles`` (one ``Counts`` per article) under resampling."""
    return _interval([_f1(articles, draw) for draw in _draws(len(articles), resamples, seed)], level)


def f1_difference(
    before: Sequence[Counts],
    after: Sequence[Counts],
    *,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = SEED,
) -> Interval:
    """The interval of F1(after) - F1(before); ``before[i]`` and ``after[i]`` are the same article."""
    if len(before) != len(after):
        raise ValueError(f"paired runs need the same articles, got {len(before)} and {len(after)}")
    draws = _draws(len(before), resamples, seed)
    return _interval([_f1(after, draw) - _f1(before, draw) for draw in draws], level)
