"""Measure what gating a sentence-reader question on a cue word costs in recall, and what it saves.

    python benchmarks/measure_cue_gating.py

The sentence reader puts its conditions question only to sentences that match
``summarizer.sentence_reader.CONDITION_CUES`` ("if", "unless", "only", "until", threats, ...). A
skipped sentence can yield no condition, so the gate is allowed only if every gold condition's
evidence lies in a sentence the gate keeps. For every gold article this prints the gold conditions
whose evidence sentences all lack a cue (the recall the gate would cost), and how many sentences are
asked (the calls it saves). The same is printed for the other sections, for information: they are not
gated. It also counts the gold conditions whose term (the ``condition`` field) has a cue: the reader
drops a predicted condition whose term has none.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.evals.gold import load_gold_dir  # noqa: E402
from summarizer.schemas import SECTION_NAMES  # noqa: E402
from summarizer.sentence_reader import CONDITION_CUES  # noqa: E402
from summarizer.sentences import Sentence, split_sentences  # noqa: E402

GOLD_DIR = ROOT / "evals" / "gold"


def _touched(sentences: list[Sentence], spans: list[tuple[int, int]]) -> list[Sentence]:
    return [s for s in sentences if any(start < s.end and end > s.start for start, end in spans)]


def measure(cue: re.Pattern[str]) -> int:
    """Print the figures; return how many gold conditions the gate or the term check would lose."""
    kept = {name: 0 for name in SECTION_NAMES}
    total = {name: 0 for name in SECTION_NAMES}
    asked = all_sentences = terms_with_cue = 0
    for folder in sorted(p for p in GOLD_DIR.iterdir() if p.is_dir()):
        article = load_gold_dir(folder)
        sentences = split_sentences(article.text)
        all_sentences += len(sentences)
        asked += sum(bool(cue.search(s.text)) for s in sentences)
        for section in SECTION_NAMES:
            for item in getattr(article.gold, section):
                if section == "conditions":
                    terms_with_cue += bool(cue.search(item.condition))
                    if not cue.search(item.condition):
                        print(f"TERM WITHOUT CUE {folder.name}: {item.condition!r}")
                touched = _touched(sentences, [(e.start, e.end) for e in item.evidence])
                total[section] += 1
                if any(cue.search(s.text) for s in touched):
                    kept[section] += 1
                elif section == "conditions":
                    print(f"MISSED {folder.name}: {[s.text for s in touched]}")
    for section in SECTION_NAMES:
        gated = " (gated)" if section == "conditions" else ""
        print(f"{section:10s} gold items whose sentence has a cue: {kept[section]}/{total[section]}{gated}")
    print(f"sentences asked the conditions question: {asked}/{all_sentences}")
    print(f"gold conditions whose term has a cue: {terms_with_cue}/{total['conditions']}")
    return (total["conditions"] - kept["conditions"]) + (total["conditions"] - terms_with_cue)


if __name__ == "__main__":
    sys.exit(1 if measure(CONDITION_CUES) else 0)
