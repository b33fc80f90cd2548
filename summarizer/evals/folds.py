"""Leave-one-article-out: score each article with what was fitted on the other articles only.

What a reader fits on gold, refitted per fold:

- the merge threshold of the sentence readers (``evals.merge_fit``: the lowest threshold that keeps the
  other articles' distinct gold claims apart);
- the calibration map and its thresholds (``evals.calibrate``), fitted on the other articles' items as
  the reader gives them with that fold's merge threshold and no confidence decision.

The cue words that gate the ``sentences`` reader's questions are a hand-written list, not something a
fold can refit: their cost shows on the articles that were not read when they were written (the dev
articles added later, and the test split).

Only replayed runs can be cross-validated (each fold replays the other articles).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from summarizer.api import Summarizer
from summarizer.confidence.calibration import CalibrationMap
from summarizer.confidence.decide import ConfidencePolicy
from summarizer.config import Settings
from summarizer.evals.calibrate import Candidate, candidate_rows, fit_map
from summarizer.evals.gold import GoldArticle
from summarizer.evals.matching import Matcher
from summarizer.evals.merge_fit import fit_merge_threshold
from summarizer.evals.runfiles import FoldFit, Folds
from summarizer.llm.recording import ResponseStore
from summarizer.readers import make_reader
from summarizer.schemas import SECTION_NAMES, Summary

#: Readers that merge repeats with a fitted threshold, and readers whose answers carry probabilities.
MERGING_READERS = ("sentences", "items")


@dataclass
class Fold:
    """What was fitted without ``held_out``."""

    held_out: str
    merge_min_score: float | None = None
    calibration: CalibrationMap | None = None


@dataclass
class LeaveOneOut:
    """A ``summarize(text)`` that scores each gold article with its own fold's fit."""

    articles: Sequence[GoldArticle]
    settings: Settings
    store: ResponseStore
    matcher: Matcher
    progress: Callable[[str], None] = lambda _message: None
    #: The rules every fold keeps (actor repair, one kind per claim); each fold adds its own map and
    #: thresholds (any ``min_confidence`` here is replaced by them).
    policy: ConfidencePolicy = field(default_factory=ConfidencePolicy)
    folds: dict[str, Fold] = field(default_factory=dict)
    _candidates: dict[tuple[float | None, str], list[Candidate]] = field(default_factory=dict)
    #: The model the recordings answer as (a fold's map is fitted for it, with any prompts).
    _model: str = ""

    def __call__(self, text: str) -> Summary:
        held = next(a for a in self.articles if a.text == text)
        fold = self.fold(held.article_id)
        policy = replace(self.policy, calibration=fold.calibration, min_confidence=None)  # the fold's thresholds
        with self._summarizer(fold.merge_min_score, policy) as summarizer:
            return summarizer.summarize(text)

    def report(self) -> Folds:
        """What each fold fitted, for ``metrics.json``."""
        fits = {
            held: FoldFit(
                merge_min_score=fold.merge_min_score,
                thresholds={s: m.threshold for s, m in fold.calibration.sections.items()} if fold.calibration else {},
            )
            for held, fold in sorted(self.folds.items())
        }
        return Folds(method="loao", fits=fits)

    def fold(self, held_out: str) -> Fold:
        """Fit (once) the fold that leaves ``held_out`` out."""
        if held_out in self.folds:
            return self.folds[held_out]
        others = [a for a in self.articles if a.article_id != held_out]
        strategy = self.settings.strategy
        merge = fit_merge_threshold(others) if strategy in MERGING_READERS else None
        rows = [row for article in others for row in self._rows(merge, article)]
        calibration = None
        if any(row.features["exists"] != 0.0 for row in rows):  # the answers carried probabilities
            gold: dict[str, dict[str, int]] = {
                a.article_id: {s: len(getattr(a.gold, s)) for s in SECTION_NAMES} for a in others
            }
            calibration = fit_map(rows, gold, strategy=strategy, model=self._model, prompts={})
        self.progress(
            f"fold without {held_out}: merge threshold {merge}, calibration {'fitted' if calibration else 'none'}"
        )
        self.folds[held_out] = Fold(held_out, merge, calibration)
        return self.folds[held_out]

    def _rows(self, merge: float | None, article: GoldArticle) -> list[Candidate]:
        """``article``'s candidates as the reader gives them with merge threshold ``merge`` (cached)."""
        key = (merge, article.article_id)
        if key not in self._candidates:
            everything = replace(ConfidencePolicy.everything(), repair_actors=self.policy.repair_actors)  # same who
            with self._summarizer(merge, everything) as summarizer:
                summary = summarizer.summarize(article.text)
            self._model = summary.meta.model
            self._candidates[key] = candidate_rows(
                article.article_id, article.text, summary, article.gold, self.matcher
            )
        return self._candidates[key]

    def _summarizer(self, merge: float | None, confidence: ConfidencePolicy) -> Summarizer:
        options: dict[str, object] = {"follow_up": self.settings.follow_up}
        if merge is not None:
            options["merge_min_score"] = merge
        reader = make_reader(self.settings.strategy, **options)
        return Summarizer(self.settings, response_store=self.store, reader=reader, confidence=confidence)
