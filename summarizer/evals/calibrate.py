"""Fit the calibration map: item features to P(the item matches a gold item), per section, on gold.

    rows = candidate_rows(article_id, article_text, summary, gold, matcher)   # per article, no threshold
    calibration = fit_map(rows, gold_counts, strategy=..., model=..., prompts=...)

A candidate is an item the reader gave before any confidence decision (``ConfidencePolicy.everything``):
its features (``confidence.features``) and whether the SOFT matcher pairs it with a gold item, one to
one. Per section a logistic model (scikit-learn) maps features to that probability, and the threshold
kept with the map is the one that maximises F1 over the articles it was fitted on (recall counted
against all their gold items). ``summarizer eval calibrate`` fits on all the articles it is given and
writes the map; ``--folds loao`` fits once per held-out article, on the others.

``expected_calibration_error`` is importable from here too; it lives with the reliability bins in
``evals.reliability``, which the eval report reads without importing scikit-learn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from summarizer.confidence.calibration import CalibrationMap, SectionMap
from summarizer.confidence.features import FEATURES, ArticleView, summary_features
from summarizer.evals.items import annotation_of
from summarizer.evals.matching import Matcher
from summarizer.evals.reliability import expected_calibration_error as expected_calibration_error
from summarizer.evals.scoring import score_annotation
from summarizer.schemas import SECTION_NAMES, Summary
from summarizer.sentences import split_sentences

#: Inverse regularisation strength: the features are few and the dev items a few hundred per section.
REGULARISATION_C = 1.0


@dataclass(frozen=True)
class Candidate:
    """One item before any confidence decision: its features and whether it matched a gold item."""

    article_id: str
    section: str
    features: dict[str, float]
    right: bool


def candidate_rows(article_id: str, text: str, summary: Summary, gold: Any, matcher: Matcher) -> list[Candidate]:
    """Every item of ``summary`` (read with no confidence decision) as a labelled candidate."""
    score = score_annotation(annotation_of(summary), annotation_of(gold), [matcher])[matcher.name]
    matched: dict[str, set[int]] = {s: {pair.pred for pair in score.matches[s].pairs} for s in SECTION_NAMES}
    view = ArticleView.of(split_sentences(text), summary.actors)
    return [
        Candidate(article_id, section, features, index in matched[section])
        for section, index, features in summary_features(summary, view)
    ]


def best_threshold(probabilities: Sequence[float], right: Sequence[bool], gold: int) -> float:
    """The least probability to keep that maximises F1 over these items (recall over ``gold`` items)."""
    pairs = sorted(zip(probabilities, right, strict=True), key=lambda pair: -pair[0])
    best, best_f1, kept, correct = 0.0, 0.0, 0, 0
    for at, (p, is_right) in enumerate(pairs):
        kept += 1
        correct += is_right
        if at + 1 < len(pairs) and pairs[at + 1][0] == p:
            continue  # a threshold keeps all items of one probability or none
        precision, recall = correct / kept, correct / max(gold, 1)
        f1 = 2 * precision * recall / (precision + recall) if correct else 0.0
        if f1 > best_f1:
            best, best_f1 = p, f1
    return round(float(best), 4)


def fit_section(rows: Sequence[Candidate], gold: int) -> SectionMap:
    """The logistic map of one section's candidates, and its F1-best threshold on them."""
    labels = np.array([row.right for row in rows], dtype=bool)
    if len(rows) == 0 or labels.all() or not labels.any():
        rate = float(labels.mean()) if len(rows) else 0.5
        intercept = float(np.log(max(rate, 1e-3) / max(1 - rate, 1e-3)))
        return SectionMap(weights={}, intercept=round(intercept, 4), threshold=0.0)
    x = np.array([[row.features[name] for name in FEATURES] for row in rows])
    model = LogisticRegression(C=REGULARISATION_C, max_iter=2000).fit(x, labels)
    weights = {name: round(float(w), 4) for name, w in zip(FEATURES, model.coef_[0], strict=True)}
    section_map = SectionMap(weights=weights, intercept=round(float(model.intercept_[0]), 4), threshold=0.0)
    probabilities = [section_map.probability(row.features) for row in rows]
    threshold = best_threshold(probabilities, labels.tolist(), gold)
    return SectionMap(weights=weights, intercept=section_map.intercept, threshold=threshold)


def fit_map(
    rows: Sequence[Candidate],
    gold_counts: dict[str, dict[str, int]],
    *,
    strategy: str,
    model: str,
    prompts: dict[str, str],
) -> CalibrationMap:
    """A map fitted on ``rows`` (the candidates of the articles in ``gold_counts``)."""
    sections: dict[str, SectionMap] = {
        section: fit_section(
            [row for row in rows if row.section == section], sum(c[section] for c in gold_counts.values())
        )
        for section in SECTION_NAMES
    }
    return CalibrationMap(
        strategy=strategy, model=model, prompts=prompts, sections=sections, fitted_on=sorted(gold_counts)
    )
