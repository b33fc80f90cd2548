"""Pair predicted items with gold items, one section at a time.

A pair's score is ``actor factor x text similarity``:

- actor factor: 0 unless both name the same actor after alias resolution (gold actors, plus the
  prediction's own actors list); for demands the addressee counts too, but softer (a mismatch scales
  the score down instead of zeroing it, because annotators disagree on addressees);
- text similarity of the section's text fields: lexical for ``StrictMatcher``, embedding cosine for
  ``SoftMatcher``.

Pairs are made one-to-one with the Hungarian algorithm (``scipy.optimize.linear_sum_assignment``),
maximising the total *margin above the threshold*: a pair under the threshold weighs nothing (it is
not a match), and two pairs just over the line cannot displace one clear match, as raw scores would.
The thresholds below were calibrated with ``benchmarks/calibrate_thresholds.py`` on the gold itself;
the numbers are in each comment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.optimize import linear_sum_assignment

from summarizer.evals.aliases import AliasResolver
from summarizer.evals.embedder import Embedder, MiniLMEmbedder
from summarizer.evals.items import Annotation, Item
from summarizer.schemas import SECTION_NAMES
from summarizer.wording import lexical_similarity

#: STRICT match threshold on the lexical score (0-1). Calibration (benchmarks/calibrate_thresholds.py,
#: 4 gold articles): wrong pairs of the same actor and section median 0.19, p99 0.47; share of
#: "shuffled" predictions (an actor given another actor's item text) that still match: 0.30 -> 21%,
#: 0.40 -> 5%, 0.45 -> 4%, 0.50 -> 3%; wrong actor 4%. True pairs that are only lightly reworded score
#: 0.46-0.59 (analyst-b vs analyst-a: "Supports measures to stop aid being diverted to Hamas..." /
#: "Wants safeguards so aid supplies are not diverted to Hamas" 0.49), while the hand paraphrase, with
#: every word swapped, scores median 0.34 (max 0.58): STRICT is meant to miss those. 0.45 keeps the
#: lightly reworded pairs and sits just under the p99 of wrong pairs.
STRICT_THRESHOLD = 0.45
#: SOFT match threshold on the cosine of all-MiniLM-L6-v2 embeddings. Calibration: the paraphrase's
#: true pairs score min 0.37, p10 0.50, median 0.72; wrong same-actor pairs median 0.32, p90 0.53
#: (MiniLM scores same-topic sentences ~0.5 even with opposite stances). Paraphrase F1 / shuffled
#: share matched / wrong-actor share by threshold: 0.40 -> 0.97/32%/20%, 0.45 -> 0.95/26%/15%,
#: 0.47 -> 0.95/21%/12%, 0.50 -> 0.92/19%/10%, 0.55 -> 0.76/13%/6%. 0.47 keeps paraphrase F1 at 0.95
#: (>= 0.9 with a pair to spare) with the fewest false matches that allows. SOFT is the lenient view:
#: read it beside STRICT, never alone.
SOFT_THRESHOLD = 0.47
#: Demands: the score is multiplied by this when the addressees resolve to different actors. On the
#: seed article the two analysts agree on Nasrallah's demand ("Israel must halt its assault on Gaza" /
#: "Halt the assault on Gaza": lexical 0.93, cosine 0.93) but address it to the United States and to
#: Israel; x0.8 keeps that a match (0.74) under either threshold, while a mediocre text with the wrong
#: addressee (cosine < 0.59) drops below SOFT_THRESHOLD.
ADDRESSEE_MISMATCH_FACTOR = 0.8
#: Demands: ... and by this when one side leaves the addressee "unspecified" (half the mismatch penalty).
ADDRESSEE_UNSPECIFIED_FACTOR = 0.9
_EPSILON = 1e-9
_MARGIN_FLOOR = 1e-3


class Matcher(Protocol):
    """Scores texts pairwise; ``threshold`` is the least score that counts as a match."""

    name: str
    threshold: float

    def text_similarity(self, pred: Sequence[str], gold: Sequence[str]) -> np.ndarray: ...


class StrictMatcher:
    """Lexical: ``summarizer.evals.lexical.lexical_similarity``."""

    name = "strict"

    def __init__(self, threshold: float = STRICT_THRESHOLD) -> None:
        self.threshold = threshold

    def text_similarity(self, pred: Sequence[str], gold: Sequence[str]) -> np.ndarray:
        scores = [[lexical_similarity(p, g) for g in gold] for p in pred]
        return np.asarray(scores, dtype=np.float64).reshape(len(pred), len(gold))


class SoftMatcher:
    """Semantic: cosine of sentence embeddings (negative cosines count as 0). Caches vectors per text."""

    name = "soft"

    def __init__(self, embedder: Embedder | None = None, threshold: float = SOFT_THRESHOLD) -> None:
        self.embedder: Embedder = embedder if embedder is not None else MiniLMEmbedder()
        self.threshold = threshold
        self._cache: dict[str, np.ndarray] = {}

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t not in self._cache})
        if missing:
            for text, vector in zip(missing, self.embedder.embed(missing), strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float64)
        return np.stack([self._cache[t] for t in texts])

    def text_similarity(self, pred: Sequence[str], gold: Sequence[str]) -> np.ndarray:
        if not pred or not gold:
            return np.zeros((len(pred), len(gold)), dtype=np.float64)
        cosine = self._vectors(pred) @ self._vectors(gold).T
        same = np.asarray([[p == g for g in gold] for p in pred])
        return np.where(same, 1.0, np.clip(cosine, 0.0, 1.0))


@dataclass(frozen=True)
class Pair:
    """A match: gold item ``gold`` is matched by predicted item ``pred`` with ``score``."""

    gold: int
    pred: int
    score: float


@dataclass(frozen=True)
class SectionMatch:
    """The scores of one section (rows: predictions, columns: gold) and the one-to-one pairs."""

    scores: np.ndarray
    threshold: float
    pairs: tuple[Pair, ...]

    @property
    def n_pred(self) -> int:
        return int(self.scores.shape[0])

    @property
    def n_gold(self) -> int:
        return int(self.scores.shape[1])

    @property
    def missed(self) -> list[int]:
        matched = {pair.gold for pair in self.pairs}
        return [g for g in range(self.n_gold) if g not in matched]

    @property
    def spurious(self) -> list[int]:
        matched = {pair.pred for pair in self.pairs}
        return [p for p in range(self.n_pred) if p not in matched]

    @property
    def gold_covered(self) -> list[int]:
        """Gold items that some prediction matches (many-to-one)."""
        if not self.scores.size:
            return []
        return [int(g) for g in np.flatnonzero((self.scores >= self.threshold - _EPSILON).any(axis=0))]

    @property
    def pred_supported(self) -> list[int]:
        """Predictions that match some gold item (many-to-one)."""
        if not self.scores.size:
            return []
        return [int(p) for p in np.flatnonzero((self.scores >= self.threshold - _EPSILON).any(axis=1))]


def addressee_factor(pred: str | None, gold: str | None) -> float:
    """1.0 for the same addressee, softer penalties for 'unspecified' and for a different one."""
    if pred == gold:
        return 1.0
    if "unspecified" in (pred, gold):
        return ADDRESSEE_UNSPECIFIED_FACTOR
    return ADDRESSEE_MISMATCH_FACTOR


def actor_factors(
    pred: Sequence[Item], gold: Sequence[Item], pred_names: AliasResolver, gold_names: AliasResolver
) -> np.ndarray:
    """Per pair: 0 for different actors, else 1 (times the addressee factor where there are addressees)."""
    factors = np.zeros((len(pred), len(gold)), dtype=np.float64)
    gold_actors = [gold_names.resolve(item.actor) for item in gold]
    gold_addressees = [gold_names.resolve(item.addressee) if item.addressee else None for item in gold]
    for row, item in enumerate(pred):
        actor = pred_names.resolve(item.actor)
        addressee = pred_names.resolve(item.addressee) if item.addressee else None
        for col, gold_actor in enumerate(gold_actors):
            if actor == gold_actor:
                both = addressee is not None and gold_addressees[col] is not None
                factors[row, col] = addressee_factor(addressee, gold_addressees[col]) if both else 1.0
    return factors


def assign(scores: np.ndarray, threshold: float) -> tuple[Pair, ...]:
    """One-to-one pairs at or above ``threshold`` maximising the total score (Hungarian algorithm)."""
    # Weight = margin above the threshold (plus a sliver so a pair exactly at it still counts): two
    # pairs just over the line must not outweigh one clear match that they would displace.
    eligible = np.where(scores >= threshold - _EPSILON, scores - threshold + _MARGIN_FLOOR, 0.0)
    if eligible.size == 0 or not eligible.any():
        return ()
    rows, cols = linear_sum_assignment(eligible, maximize=True)
    pairs = [
        Pair(gold=int(c), pred=int(r), score=round(float(scores[r, c]), 6))
        for r, c in zip(rows, cols, strict=True)
        if eligible[r, c] > 0.0
    ]
    return tuple(sorted(pairs, key=lambda pair: pair.gold))


def match_section(
    pred: Sequence[Item],
    gold: Sequence[Item],
    matcher: Matcher,
    pred_names: AliasResolver,
    gold_names: AliasResolver,
) -> SectionMatch:
    """Score every (prediction, gold) pair of one section and pair them one-to-one."""
    factors = actor_factors(pred, gold, pred_names, gold_names)
    if factors.any():
        scores = factors * matcher.text_similarity([i.text for i in pred], [i.text for i in gold])
    else:  # no actor in common: no text needs comparing (and no model call is made)
        scores = factors
    return SectionMatch(scores=scores, threshold=matcher.threshold, pairs=assign(scores, matcher.threshold))


def match_annotations(pred: Annotation, gold: Annotation, matcher: Matcher) -> dict[str, SectionMatch]:
    """``match_section`` for every section; actor names resolve against the gold's actors list."""
    gold_names = AliasResolver(gold.actors)
    pred_names = AliasResolver(gold.actors, extra=pred.actors)
    return {
        section: match_section(pred.section(section), gold.section(section), matcher, pred_names, gold_names)
        for section in SECTION_NAMES
    }
