"""Print the score distributions that justify the STRICT and SOFT match thresholds.

    python benchmarks/calibrate_thresholds.py [--embedder minilm|hashing]

Positives: the seed gold against its hand paraphrase (tests/data/seed_gold_paraphrased.json): items
reordered and reworded, evidence unchanged, so the true pair of each paraphrased item is the gold item
of the same section with the same evidence. Negatives, on every gold article:

- wrong pairs: every other pair of the same section and the same actor (the hardest confusions);
- shuffled: each item keeps its actor but takes the text of another actor's item of its section;
- wrong section: each section's items scored against the next section's gold;
- wrong actor: each item given to another actor (scores 0 by construction).

A good threshold keeps paraphrase F1 high and the negatives' match rate near 0.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.evals.aliases import AliasResolver  # noqa: E402
from summarizer.evals.embedder import HashingEmbedder, MiniLMEmbedder  # noqa: E402
from summarizer.evals.gold import load_gold_dir, load_gold_file  # noqa: E402
from summarizer.evals.items import Annotation, Item, annotation_of  # noqa: E402
from summarizer.evals.matching import Matcher, SoftMatcher, StrictMatcher, assign, match_section  # noqa: E402
from summarizer.schemas import SECTION_NAMES  # noqa: E402

GOLD_DIR = ROOT / "evals" / "gold" / "dev"  # fitted on dev only: test is never tuned on
SEED = GOLD_DIR / "blinken-gaza-ceasefire"
PARAPHRASED = ROOT / "tests" / "data" / "seed_gold_paraphrased.json"
THRESHOLDS = [0.30, 0.35, 0.40, 0.42, 0.45, 0.47, 0.50, 0.52, 0.55, 0.60, 0.65, 0.70]


def _scores(
    pred: Annotation, gold: Annotation, matcher: Matcher, pred_sections: dict[str, str]
) -> dict[str, np.ndarray]:
    """Score matrices per gold section; ``pred_sections`` says which predicted section is scored against it."""
    gold_names = AliasResolver(gold.actors)
    pred_names = AliasResolver(gold.actors, extra=pred.actors)
    return {
        section: match_section(
            pred.section(pred_sections[section]), gold.section(section), matcher, pred_names, gold_names
        ).scores
        for section in SECTION_NAMES
    }


def _rates(scores: dict[str, np.ndarray], threshold: float) -> tuple[float, float]:
    """(F1, share of predictions matched) over all sections at ``threshold``."""
    tp = sum(len(assign(s, threshold)) for s in scores.values())
    n_pred = sum(s.shape[0] for s in scores.values())
    n_gold = sum(s.shape[1] for s in scores.values())
    f1 = 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 1.0
    return f1, (tp / n_pred if n_pred else 0.0)


def _describe(name: str, values: list[float]) -> None:
    if not values:
        print(f"  {name:<34} (none)")
        return
    q = np.quantile(values, [0.0, 0.1, 0.5, 0.9, 0.99, 1.0])
    print(
        f"  {name:<34} n={len(values):<4} min {q[0]:.2f}  p10 {q[1]:.2f}  median {q[2]:.2f}  "
        f"p90 {q[3]:.2f}  p99 {q[4]:.2f}  max {q[5]:.2f}"
    )


def _true_pairs(pred: Annotation, gold: Annotation, section: str) -> set[tuple[int, int]]:
    """(pred, gold) index pairs with the same evidence and the same actor: the paraphrase's true pairs."""
    pred_names = AliasResolver(gold.actors, extra=pred.actors)
    gold_names = AliasResolver(gold.actors)

    def key(item: Item, names: AliasResolver) -> tuple[object, ...]:
        return (names.resolve(item.actor), *sorted(span.quote for span in item.evidence))

    index = {key(item, gold_names): g for g, item in enumerate(gold.section(section))}
    pairs = {(p, index.get(key(item, pred_names), -1)) for p, item in enumerate(pred.section(section))}
    return {pair for pair in pairs if pair[1] >= 0}


def _shuffled(gold: Annotation) -> Annotation:
    """Each item keeps its actor but takes the text of the next item (cyclically) of another actor."""
    resolver = AliasResolver(gold.actors)
    sections: dict[str, tuple[Item, ...]] = {}
    for section, items in gold.sections.items():
        moved: list[Item] = []
        for k, item in enumerate(items):
            donors = [items[(k + d) % len(items)] for d in range(1, len(items))]
            donor = next((d for d in donors if resolver.resolve(d.actor) != resolver.resolve(item.actor)), None)
            if donor is not None and donor.text != item.text:
                moved.append(replace(item, text=donor.text))
        sections[section] = tuple(moved)
    return Annotation(actors=gold.actors, sections=sections)


def _wrong_actor(gold: Annotation) -> Annotation:
    names = [actor.name for actor in gold.actors]
    resolver = AliasResolver(gold.actors)

    def other(name: str) -> str:
        canonical = resolver.resolve(name)
        index = names.index(canonical) if canonical in names else -1
        return names[(index + 1) % len(names)]

    sections = {s: tuple(replace(i, actor=other(i.actor)) for i in items) for s, items in gold.sections.items()}
    return Annotation(actors=gold.actors, sections=sections)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", choices=["minilm", "hashing"], default="minilm")
    args = parser.parse_args()
    embedder = MiniLMEmbedder() if args.embedder == "minilm" else HashingEmbedder()
    seed = load_gold_dir(SEED)
    gold_seed = annotation_of(seed.gold)
    paraphrased = annotation_of(load_gold_file(PARAPHRASED, seed.text))
    golds = [annotation_of(load_gold_dir(folder).gold) for folder in sorted(GOLD_DIR.iterdir())]
    identity: dict[str, str] = {s: s for s in SECTION_NAMES}
    next_section: dict[str, str] = {s: SECTION_NAMES[(k + 1) % len(SECTION_NAMES)] for k, s in enumerate(SECTION_NAMES)}

    for matcher in (StrictMatcher(), SoftMatcher(embedder)):
        print(f"\n=== {matcher.name} (current threshold {matcher.threshold}) ===")
        para = _scores(paraphrased, gold_seed, matcher, identity)
        truth: dict[str, set[tuple[int, int]]] = {s: _true_pairs(paraphrased, gold_seed, s) for s in SECTION_NAMES}
        positives: list[float] = []
        wrong_pairs: list[float] = []
        for section, scores in para.items():
            for p in range(scores.shape[0]):
                for g in range(scores.shape[1]):
                    if (p, g) in truth[section]:
                        positives.append(float(scores[p, g]))
                    elif scores[p, g] > 0:
                        wrong_pairs.append(float(scores[p, g]))
        variants = {
            "self": [_scores(g, g, matcher, identity) for g in golds],
            "paraphrase": [para],
            "shuffled": [_scores(_shuffled(g), g, matcher, identity) for g in golds],
            "wrong section": [_scores(g, g, matcher, next_section) for g in golds],
            "wrong actor": [_scores(_wrong_actor(g), g, matcher, identity) for g in golds],
        }
        for gold in golds:
            for scores in _scores(gold, gold, matcher, identity).values():
                n = min(scores.shape)
                off = scores[~np.eye(scores.shape[0], scores.shape[1], dtype=bool)] if n else scores.ravel()
                wrong_pairs.extend(float(v) for v in off if v > 0)
        print("score distributions:")
        _describe("paraphrase, true pairs", positives)
        _describe("wrong pairs, same actor+section", wrong_pairs)
        print("F1 (and share of predictions matched) by threshold; last column: paraphrase pairs that are true:")
        print("  thr   " + "  ".join(f"{name:>18}" for name in variants) + "   true pairs")
        for threshold in THRESHOLDS:
            right = sum(
                (pair.pred, pair.gold) in truth[section]
                for section, scores in para.items()
                for pair in assign(scores, threshold)
            )
            cells = []
            for runs in variants.values():
                merged = {f"{k}{s}": m for k, run in enumerate(runs) for s, m in run.items()}
                f1, matched = _rates(merged, threshold)
                cells.append(f"{f1:5.2f} ({matched:4.2f})".rjust(18))
            print(
                f"  {threshold:.2f}  " + "  ".join(cells) + f"   {right}/{sum(len(pairs) for pairs in truth.values())}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
