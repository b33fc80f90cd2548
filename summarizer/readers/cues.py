"""Cue words: which questions the sentence reader puts to which sentence.

Asked about a sentence that states none of a kind, the small model answers with one anyway (the
sentence's facts or actions as demands). The demands, risks and conditions questions therefore go only
to sentences with a word of their kind; positions go to every sentence. The word lists were written
while looking at the six original gold articles (now part of the dev split); ``summarizer eval ...
--folds loao`` and ``benchmarks/measure_cue_gating.py`` measure what they keep and cost.
"""

from __future__ import annotations

import re

from summarizer.cue_words import CONDITION_CUES, DEMAND_CUES, RISK_CUES
from summarizer.drafts import SENTENCE_ASKS
from summarizer.sentences import Sentence


def _either(*patterns: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)


#: The asks of ``drafts.SENTENCE_ASKS`` put only to sentences matching a pattern; positions go to all.
#: Asked about a sentence that states none, the model answers with one anyway (the sentence's facts
#: or actions as demands). On the 6 gold articles (``benchmarks/measure_cue_gating.py``) the gates
#: keep the sentences of 44/45 gold demands, 52/55 risks and 31/31 conditions, and replaying the
#: recorded ungated run through them raised overall soft F1 from .359 to .400 (demands .32 -> .37,
#: risks .20 -> .24, conditions .46 -> .60 with the term check below).
ASK_CUES: dict[tuple[str, ...], re.Pattern[str]] = {
    ("demands",): _either(DEMAND_CUES, CONDITION_CUES),
    ("risks",): _either(RISK_CUES, CONDITION_CUES),
    ("conditions",): CONDITION_CUES,
}


def asks_for(sentence: Sentence) -> list[tuple[str, ...]]:
    """The questions of ``drafts.SENTENCE_ASKS`` to put to ``sentence`` (see ``ASK_CUES``)."""
    return [kinds for kinds in SENTENCE_ASKS if kinds not in ASK_CUES or ASK_CUES[kinds].search(sentence.text)]


__all__ = ["ASK_CUES", "CONDITION_CUES", "DEMAND_CUES", "RISK_CUES", "asks_for"]
