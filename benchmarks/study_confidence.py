"""Study: how well do the model's own probabilities (and rules) tell right items from wrong ones?

    python benchmarks/study_confidence.py GOLD_DIR... --strategy items --record-dir runs/rec-items
                                          [--out runs/study-items.json]

Replays a reader over gold articles from recorded responses (no model), keeps every item it gives
(no threshold), and labels each one by whether the SOFT matcher pairs it with a gold item (one-to-one,
per section). Then, per section: how many items, how many right, and how well each signal ranks right
above wrong (ROC AUC); and a leave-one-article-out estimate of what a confidence threshold would buy:
for each held-out article, a logistic model fitted on the others maps the features to a probability,
the threshold that maximises F1 on the others is applied, and the held-out items are counted.
Everything fitted is fitted without the article it is scored on.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from summarizer.api import Summarizer
from summarizer.confidence.features import FEATURES, ArticleView, summary_features
from summarizer.config import Settings
from summarizer.evals.gold import find_gold_dirs, load_gold_dir
from summarizer.evals.items import annotation_of
from summarizer.evals.matching import SoftMatcher
from summarizer.evals.scoring import score_annotation
from summarizer.llm.recording import ResponseStore
from summarizer.schemas import SECTION_NAMES, Summary
from summarizer.sentences import split_sentences


def rows_of(article_id: str, text: str, summary: Summary, gold: Any, matcher: SoftMatcher) -> list[dict[str, Any]]:
    """One row per predicted item: its features and whether it matched a gold item."""
    score = score_annotation(annotation_of(summary), annotation_of(gold), [matcher])[matcher.name]
    view = ArticleView.of(split_sentences(text), summary.actors)
    matched = {section: {pair.pred for pair in score.matches[section].pairs} for section in SECTION_NAMES}
    return [
        {"article": article_id, "section": section, "right": index in matched[section], **features}
        for section, index, features in summary_features(summary, view)
    ]


def auc(labels: list[bool], scores: list[float]) -> float | None:
    if len(set(labels)) < 2:
        return None
    return float(roc_auc_score(labels, scores))


def best_threshold(probabilities: np.ndarray, right: np.ndarray, gold: int) -> float:
    """The threshold on ``probabilities`` that maximises F1 (recall over ``gold`` items)."""
    best, best_f1 = 0.0, -1.0
    for threshold in [0.0, *sorted(set(np.round(probabilities, 3).tolist()))]:
        kept = probabilities >= threshold
        tp = int(right[kept].sum())
        p = tp / max(int(kept.sum()), 1)
        r = tp / max(gold, 1)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return best


def matrix(rows: list[dict[str, Any]]) -> np.ndarray:
    return np.array([[float(row[name]) for name in FEATURES] for row in rows])


def cross_validate(rows: list[dict[str, Any]], gold_counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Leave-one-article-out: fit per section on the other articles, threshold there, count here."""
    articles = sorted({row["article"] for row in rows})
    totals: dict[str, dict[str, float]] = defaultdict(lambda: {"kept": 0, "tp": 0, "gold": 0, "all_tp": 0, "all": 0})
    calibration: list[tuple[float, bool]] = []
    for held in articles:
        for section in SECTION_NAMES:
            train = [r for r in rows if r["section"] == section and r["article"] != held]
            test = [r for r in rows if r["section"] == section and r["article"] == held]
            gold_here = gold_counts[held][section]
            t = totals[section]
            t["gold"] += gold_here
            t["all"] += len(test)
            t["all_tp"] += sum(r["right"] for r in test)
            if not test:
                continue
            labels = np.array([r["right"] for r in train])
            if len(set(labels.tolist())) < 2:
                probabilities = np.full(len(test), labels.mean() if len(labels) else 0.5)
                threshold = 0.0
            else:
                model = LogisticRegression(C=1.0, max_iter=1000).fit(matrix(train), labels)
                train_gold = sum(gold_counts[a][section] for a in articles if a != held)
                threshold = best_threshold(model.predict_proba(matrix(train))[:, 1], labels, train_gold)
                probabilities = model.predict_proba(matrix(test))[:, 1]
            kept = probabilities >= threshold
            right = np.array([r["right"] for r in test])
            t["kept"] += int(kept.sum())
            t["tp"] += int(right[kept].sum())
            calibration += list(zip(probabilities.tolist(), right.tolist(), strict=True))
    result: dict[str, Any] = {}
    for section, t in {**totals, "overall": _sum(totals)}.items():
        result[section] = {
            "before": _prf(t["all_tp"], t["all"], t["gold"]),
            "after": _prf(t["tp"], t["kept"], t["gold"]),
        }
    result["ece"] = expected_calibration_error(calibration)
    return result


def _sum(totals: dict[str, dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for t in totals.values():
        for key, value in t.items():
            out[key] += value
    return out


def _prf(tp: float, predicted: float, gold: float) -> dict[str, float]:
    p, r = tp / max(predicted, 1), tp / max(gold, 1)
    return {"P": round(p, 3), "R": round(r, 3), "F1": round(2 * p * r / (p + r) if p + r else 0.0, 3),
            "predicted": predicted, "right": tp, "gold": gold}  # fmt: skip


def expected_calibration_error(pairs: list[tuple[float, bool]], bins: int = 10) -> float | None:
    if not pairs:
        return None
    error = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(p, y) for p, y in pairs if low <= p < high or (b == bins - 1 and p == 1.0)]
        if inside:
            error += (
                len(inside)
                / len(pairs)
                * abs(sum(p for p, _ in inside) / len(inside) - sum(y for _, y in inside) / len(inside))
            )
    return round(error, 4)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", nargs="+")
    parser.add_argument("--strategy", default="items")
    parser.add_argument("--record-dir", required=True)
    parser.add_argument("--top-logprobs", type=int, default=10)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    matcher = SoftMatcher()
    store = ResponseStore(args.record_dir, mode="replay")
    settings = Settings.resolve(strategy=args.strategy, top_logprobs=args.top_logprobs)
    rows: list[dict[str, Any]] = []
    gold_counts: dict[str, dict[str, int]] = {}
    with Summarizer(settings, response_store=store) as summarizer:
        for folder in find_gold_dirs(args.gold):
            article = load_gold_dir(folder)
            summary = summarizer.summarize(article.text)
            rows += rows_of(article.article_id, article.text, summary, article.gold, matcher)
            gold_counts[article.article_id] = {s: len(getattr(article.gold, s)) for s in SECTION_NAMES}
    report: dict[str, Any] = {"items": len(rows), "sections": {}}
    for section in SECTION_NAMES:
        mine = [r for r in rows if r["section"] == section]
        labels = [r["right"] for r in mine]
        report["sections"][section] = {
            "items": len(mine),
            "right": sum(labels),
            "gold": sum(c[section] for c in gold_counts.values()),
            "auc": {name: auc(labels, [r[name] for r in mine]) for name in FEATURES},
        }
    report["cross_validated"] = cross_validate(rows, gold_counts)
    text = json.dumps(report, indent=1, default=lambda v: None if isinstance(v, float) and math.isnan(v) else v)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
        Path(args.out).with_suffix(".rows.json").write_text(json.dumps(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
