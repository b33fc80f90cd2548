"""Study: how well do the model's own probabilities (and rules) tell right items from wrong ones?

    python benchmarks/study_confidence.py GOLD_DIR... --strategy items --record-dir runs/rec-items
                                          [--out runs/study-items.json] [--features exists kind ...]

Replays a reader over gold articles from recorded responses (no model), keeps every item it gives
(``ConfidencePolicy.everything``), and labels each one by whether the SOFT matcher pairs it with a gold
item (``summarizer.evals.calibrate.candidate_rows``). Then, per section: items, right ones, and how well
each feature ranks right above wrong (ROC AUC); and a quick leave-one-article-out estimate of what a
calibrated threshold buys: for each held-out article a map is fitted on the others
(``evals.calibrate.fit_map``, optionally on a subset of the features) and its thresholds applied to the
held-out items, whose labels stay those of the full set (``summarizer eval dev --folds loao`` gives the
exact figure, re-matching after the threshold). Fitted without the article it is scored on, always.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sklearn.metrics import roc_auc_score

import summarizer.confidence.features as features_module
from summarizer.api import Summarizer
from summarizer.confidence.decide import ConfidencePolicy
from summarizer.config import Settings
from summarizer.evals.calibrate import Candidate, candidate_rows, expected_calibration_error, fit_map
from summarizer.evals.gold import find_gold_dirs, load_gold_dir
from summarizer.evals.matching import SoftMatcher
from summarizer.llm.recording import ResponseStore
from summarizer.schemas import SECTION_NAMES


def prf(tp: float, predicted: float, gold: float) -> dict[str, float]:
    p, r = tp / max(predicted, 1), tp / max(gold, 1)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"P": round(p, 3), "R": round(r, 3), "F1": round(f1, 3), "predicted": predicted, "right": tp, "gold": gold}


def loao(rows: list[Candidate], gold_counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    totals = {s: [0, 0, 0, 0, 0] for s in SECTION_NAMES}  # kept, kept right, all, all right, gold
    pairs: list[tuple[float, bool]] = []
    for held in sorted(gold_counts):
        train = [r for r in rows if r.article_id != held]
        others = {a: c for a, c in gold_counts.items() if a != held}
        fitted = fit_map(train, others, strategy="study", model="", prompts={})
        for row in (r for r in rows if r.article_id == held):
            section_map = fitted.sections[row.section]
            p = section_map.probability(row.features)
            t = totals[row.section]
            t[2] += 1
            t[3] += row.right
            pairs.append((p, row.right))
            if p >= section_map.threshold:
                t[0] += 1
                t[1] += row.right
        for section in SECTION_NAMES:
            totals[section][4] += gold_counts[held][section]
    out: dict[str, Any] = {}
    overall = [sum(t[i] for t in totals.values()) for i in range(5)]
    for name, t in [*totals.items(), ("overall", overall)]:
        out[name] = {"before": prf(t[3], t[2], t[4]), "after": prf(t[1], t[0], t[4])}
    out["ece"] = expected_calibration_error(pairs)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", nargs="+")
    parser.add_argument("--strategy", default="items")
    parser.add_argument("--record-dir", required=True)
    parser.add_argument("--top-logprobs", type=int, default=10)
    parser.add_argument("--features", nargs="+", default=None, help="fit on these features only")
    parser.add_argument("--out", default=None)
    parser.add_argument("--rows", default=None, help="a JSON file of candidates: read it if it exists, else write it")
    args = parser.parse_args()
    matcher = SoftMatcher()
    store = ResponseStore(args.record_dir, mode="replay")
    settings = Settings.resolve(strategy=args.strategy, top_logprobs=args.top_logprobs)
    rows: list[Candidate] = []
    gold_counts: dict[str, dict[str, int]] = {}
    cache = Path(args.rows) if args.rows else None
    if cache is not None and cache.is_file():
        saved = json.loads(cache.read_text())
        rows, gold_counts = [Candidate(**row) for row in saved["rows"]], saved["gold"]
    else:
        with Summarizer(settings, response_store=store, confidence=ConfidencePolicy.everything()) as summarizer:
            for folder in find_gold_dirs(args.gold):
                article = load_gold_dir(folder)
                summary = summarizer.summarize(article.text)
                rows += candidate_rows(article.article_id, article.text, summary, article.gold, matcher)
                gold_counts[article.article_id] = {s: len(getattr(article.gold, s)) for s in SECTION_NAMES}
        if cache is not None:
            cache.write_text(json.dumps({"rows": [row.__dict__ for row in rows], "gold": gold_counts}))
    report: dict[str, Any] = {"items": len(rows), "sections": {}}
    for section in SECTION_NAMES:
        mine = [r for r in rows if r.section == section]
        labels = [r.right for r in mine]
        report["sections"][section] = {
            "items": len(mine),
            "right": sum(labels),
            "gold": sum(c[section] for c in gold_counts.values()),
            "auc": {
                name: round(float(roc_auc_score(labels, [r.features[name] for r in mine])), 3)
                if len(set(labels)) == 2
                else None
                for name in features_module.FEATURES
            },
        }
    if args.features:
        features_module.FEATURES = tuple(args.features)  # the maps are fitted on these only
        import summarizer.evals.calibrate as calibrate_module

        calibrate_module.FEATURES = tuple(args.features)
    report["loao"] = loao(rows, gold_counts)
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
