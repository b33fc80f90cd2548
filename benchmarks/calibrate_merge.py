"""Print the score distributions that justify the sentence reader's merge threshold.

    python benchmarks/calibrate_merge.py

The sentence reader merges two items of one section when they name the same actor(s) and their texts
score at least ``SENTENCE_MERGE_MIN_SCORE`` (``summarizer.wording.lexical_similarity``, 0-1) apart:
the same claim read twice (the lead, then a later quote). A threshold too low merges distinct claims of
one speaker, which costs recall; too high keeps repeats, which costs precision.

- Must stay apart: every pair of *distinct* gold items of the same section and the same actor, on every
  gold article (annotators split these on purpose: "Backs a pause" / "Argues a pause lets aid in").
- Should merge: the same claim in two wordings: each seed gold item and its hand paraphrase
  (tests/data/seed_gold_paraphrased.json, the same evidence), and each seed gold item and the item of a
  second annotator (evals/agreement/*.json) with the same actor that overlaps its evidence most.

The chosen threshold is the lowest that merges at most ``MAX_WRONG_MERGES`` of the distinct pairs.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.evals.aliases import AliasResolver  # noqa: E402
from summarizer.evals.gold import load_gold_dir, load_gold_file  # noqa: E402
from summarizer.evals.items import Annotation, annotation_of  # noqa: E402
from summarizer.evals.merge_fit import MAX_WRONG_MERGES, THRESHOLDS, distinct_pairs, share_at_least  # noqa: E402
from summarizer.evals.metrics import span_overlap  # noqa: E402
from summarizer.schemas import SECTION_NAMES  # noqa: E402
from summarizer.wording import lexical_similarity  # noqa: E402

GOLD_DIR = ROOT / "evals" / "gold" / "dev"  # fitted on dev only: test is never tuned on
SEED = GOLD_DIR / "blinken-gaza-ceasefire"
PARAPHRASED = ROOT / "tests" / "data" / "seed_gold_paraphrased.json"
AGREEMENT = ROOT / "evals" / "agreement"
def same_claim_pairs(gold: Annotation, other: Annotation) -> list[float]:
    """Per gold item, its score against the other annotation's same-actor item with the most shared evidence."""
    names = AliasResolver(gold.actors, extra=other.actors)
    scores: list[float] = []
    for section in SECTION_NAMES:
        for item in gold.section(section):
            candidates = [
                (span_overlap(o.evidence, item.evidence)[0], o)
                for o in other.section(section)
                if names.resolve(o.actor) == names.resolve(item.actor)
            ]
            candidates = [c for c in candidates if c[0] > 0.0]
            if candidates:
                best = max(candidates, key=lambda c: c[0])[1]
                scores.append(lexical_similarity(item.text, best.text))
    return scores


def main() -> None:
    articles = [load_gold_dir(folder) for folder in sorted(GOLD_DIR.iterdir()) if (folder / "gold.json").is_file()]
    seed = next(a for a in articles if a.folder == SEED)
    seed_gold = annotation_of(seed.gold)
    apart = distinct_pairs(articles)
    paraphrase = same_claim_pairs(seed_gold, annotation_of(load_gold_file(PARAPHRASED, seed.text)))
    second = [
        score
        for path in sorted(AGREEMENT.glob(f"{seed.article_id}.*.json"))
        for score in same_claim_pairs(seed_gold, annotation_of(load_gold_file(path, seed.text)))
    ]
    print(f"{len(articles)} gold articles; {len(apart)} distinct same-actor pairs; "
          f"{len(paraphrase)} paraphrase pairs; {len(second)} second-annotator pairs\n")
    print("threshold  distinct merged  paraphrase merged  second annotator merged")
    chosen = None
    for threshold in THRESHOLDS:
        wrong = share_at_least(apart, threshold)
        if chosen is None and wrong <= MAX_WRONG_MERGES:
            chosen = threshold
        print(
            f"{threshold:9.2f}  {wrong:15.1%}  {share_at_least(paraphrase, threshold):17.1%}  "
            f"{share_at_least(second, threshold):23.1%}"
        )
    ordered = sorted(apart)
    print(f"\ndistinct pairs: median {ordered[len(ordered) // 2]:.2f}, max {ordered[-1]:.2f}")
    print(f"lowest threshold merging <= {MAX_WRONG_MERGES:.0%} of distinct pairs: {chosen}")


if __name__ == "__main__":
    main()
