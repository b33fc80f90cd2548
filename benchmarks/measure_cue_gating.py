"""Measure what gating a sentence-reader question on a cue word costs in recall, and what it saves.

    python benchmarks/measure_cue_gating.py [--verbose]

The sentence reader puts its demands, risks and conditions questions only to sentences that match
``summarizer.readers.cues.ASK_CUES`` (words of asking; of danger; "if", "unless", "only", threats).
A skipped sentence can yield no item of that kind, so a gate may cost recall. For every gold article
this prints the gold items whose evidence sentences all fail their section's gate (the recall the gate
costs), and how many sentences are asked (the calls it saves). It also counts the gold conditions
whose term (the ``condition`` field) has a cue: the reader drops a predicted condition whose term has
none. The cue words were written while reading the six original gold articles: the figures are given
for those six and, separately, for the six written later (two in dev, four in test), which no one read
while choosing the words. Measuring the test split here chooses nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.evals.coverage import SentenceIndex  # noqa: E402
from summarizer.evals.gold import load_gold_dir  # noqa: E402
from summarizer.evals.items import Span  # noqa: E402
from summarizer.readers.cues import ASK_CUES, CONDITION_CUES  # noqa: E402
from summarizer.sentences import split_sentences  # noqa: E402

GOLD = ROOT / "evals" / "gold"
ORIGINAL = ("blinken-gaza-ceasefire", "chipmaker-profit-warning", "measles-school-exemptions",
            "rail-signallers-strike", "steel-tariff-talks", "water-merger-ruling")  # fmt: skip
GROUPS = {
    "the six the words were written on": [GOLD / "dev" / name for name in ORIGINAL],
    "the six written later": sorted(p.parent for p in GOLD.glob("*/*/gold.json") if p.parent.name not in ORIGINAL),
}


def measure(folders: list[Path], verbose: bool) -> int:
    """Print the figures; return how many gold items the gates and the term check would lose."""
    gates = {kinds[0]: pattern for kinds, pattern in ASK_CUES.items()}
    kept = {name: 0 for name in gates}
    total = {name: 0 for name in gates}
    asked = {name: 0 for name in gates}
    all_sentences = terms_with_cue = 0
    for folder in folders:
        article = load_gold_dir(folder)
        sentences = split_sentences(article.text)
        index = SentenceIndex(article.text)
        all_sentences += len(sentences)
        for section, cue in gates.items():
            asked[section] += sum(bool(cue.search(s.text)) for s in sentences)
            for item in getattr(article.gold, section):
                if section == "conditions":
                    terms_with_cue += bool(CONDITION_CUES.search(item.condition))
                    if not CONDITION_CUES.search(item.condition) and verbose:
                        print(f"TERM WITHOUT CUE {folder.name}: {item.condition!r}")
                spans = [Span(start=e.start, end=e.end, quote=e.quote) for e in item.evidence]
                touched = [sentences[i] for i in sorted(index.touched(spans))]
                total[section] += 1
                if any(cue.search(s.text) for s in touched):
                    kept[section] += 1
                elif verbose:
                    print(f"MISSED {section} {folder.name}: {[s.text[:100] for s in touched]}")
    for section in gates:
        print(
            f"{section:10s} gold items whose sentence passes the gate: {kept[section]}/{total[section]}; "
            f"sentences asked: {asked[section]}/{all_sentences}"
        )
    print(f"gold conditions whose term has a conditional word: {terms_with_cue}/{total['conditions']}")
    return sum(total.values()) - sum(kept.values()) + total["conditions"] - terms_with_cue


if __name__ == "__main__":
    for name, folders in GROUPS.items():
        print(f"== {name} ({len(folders)} articles)")
        print(f"gold items lost: {measure(folders, '--verbose' in sys.argv)}")
