"""Compare ways of deciding what a summary keeps, on recorded answers: one table, every design scored alike.

    python benchmarks/compare_designs.py GOLD_DIR... --strategy sentences --record-dir runs/rec-all-asks
                                         [--designs as-read repair one-claim rules calibrated] [--out runs/designs]

Every design replays the same recorded answers (no model) through the pipeline with another confidence
policy (``summarizer.confidence.decide``), and is scored by the eval harness (``summarizer eval``):

    as-read      every item the reader gave (what the reader did before the decision step)
    repair       + items given to their sentence's one speaker (``summarizer.speakers``)
    one-claim    + a position that restates a demand, condition or risk of its sentence dropped
    rules        repair and one-claim together
    calibrated   rules + the calibration map and thresholds, fitted leave-one-article-out
                 (``summarizer.evals.folds``): each article scored with what the others fitted
    calibrated-plain   the calibration map and thresholds alone (no rules), leave-one-article-out
    repair-risks       the repair for risks only; calibrated-risks: it, calibrated leave-one-article-out

The rules are fixed, not fitted (they were chosen from the error analysis of the dev split: their dev
figures are on the articles that motivated them); the calibrated design is cross-validated.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from summarizer.api import Summarizer
from summarizer.confidence.decide import ConfidencePolicy
from summarizer.config import Settings
from summarizer.evals.cli import default_matchers
from summarizer.evals.folds import LeaveOneOut
from summarizer.evals.runner import evaluate, load_articles
from summarizer.llm.recording import ResponseStore
from summarizer.schemas import SECTION_NAMES

AS_READ = ConfidencePolicy(min_confidence=0.0, one_claim="off", repair_actors=())
POLICIES = {
    "as-read": AS_READ,
    "repair": ConfidencePolicy(min_confidence=0.0, one_claim="off", repair_actors=SECTION_NAMES),
    "one-claim": ConfidencePolicy(min_confidence=0.0, one_claim="specific", repair_actors=()),
    "rules": ConfidencePolicy(min_confidence=0.0, one_claim="specific", repair_actors=SECTION_NAMES),
    "repair-risks": ConfidencePolicy(min_confidence=0.0, one_claim="off", repair_actors=("risks",)),
}


def row(name: str, metrics: Any) -> dict[str, Any]:
    data = metrics.model_dump()
    soft, strict, usage = data["overall"]["soft"], data["overall"]["strict"], data["usage"]
    sections = {s: data["sections"][s]["soft"]["f1"] for s in data["sections"]}
    return {
        "design": name,
        "soft_P": soft["precision"], "soft_R": soft["recall"], "soft_F1": soft["f1"], "strict_F1": strict["f1"],
        "predicted": soft["n_pred"], "gold": soft["n_gold"],
        "calls": usage["calls"], "generated_tokens": usage["completion_tokens"],
        "interval": (data.get("f1_interval") or {}).get("soft"),
        **{f"{s}_F1": f1 for s, f1 in sections.items()},
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", nargs="+")
    parser.add_argument("--strategy", default="sentences")
    parser.add_argument("--record-dir", required=True)
    parser.add_argument("--top-logprobs", type=int, default=10)
    parser.add_argument("--designs", nargs="+", default=[*POLICIES, "calibrated", "calibrated-plain"])
    parser.add_argument("--out", default="runs/designs")
    args = parser.parse_args()
    settings = Settings.resolve(strategy=args.strategy, top_logprobs=args.top_logprobs)
    store = ResponseStore(args.record_dir, mode="replay")
    matchers = default_matchers()
    rows = []
    for name in args.designs:
        out = Path(args.out) / f"{args.strategy}-{name}"
        if name.startswith("calibrated"):
            articles = load_articles(args.gold)
            soft = next(m for m in matchers if m.name == "soft")
            base = {"calibrated": POLICIES["rules"], "calibrated-plain": POLICIES["as-read"]}.get(
                name, POLICIES["repair-risks"]
            )
            folds = LeaveOneOut(articles, settings, store, soft, policy=base)
            metrics = evaluate(args.gold, out, folds, matchers=matchers, folds=folds.report)
        else:
            with Summarizer(settings, response_store=store, confidence=POLICIES[name]) as summarizer:
                metrics = evaluate(args.gold, out, summarizer.summarize, matchers=matchers)
        rows.append(row(name, metrics))
        print(json.dumps(rows[-1]), flush=True)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / f"{args.strategy}.json").write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
