"""Cue words: which questions the sentence reader puts to which sentence.

Asked about a sentence that states none of a kind, the small model answers with one anyway (the
sentence's facts or actions as demands). The demands, risks and conditions questions therefore go only
to sentences with a word of their kind; positions go to every sentence. The word lists were written
while looking at the six original gold articles (now part of the dev split); ``summarizer eval ...
--folds loao`` and ``benchmarks/measure_cue_gating.py`` measure what they keep and cost.
"""

from __future__ import annotations

import re

from summarizer.drafts import SENTENCE_ASKS
from summarizer.sentences import Sentence

#: Words without which a sentence states no condition: "only if", "unless", "until", threats,
#: "would"/"will not". On the 6 gold articles the sentences of all 31 gold conditions have one, and 82
#: of 183 sentences do (``benchmarks/measure_cue_gating.py``), so the conditions question is put to
#: those sentences only.
CONDITION_CUES = re.compile(
    r"\b(if|unless|only|provided|providing|until|otherwise|conditions?|conditional|depend\w*|threat\w*"
    r"|ultimatum|would|will not|won't|refus\w*|as long as|so long as|in exchange|in return|once)\b",
    re.IGNORECASE,
)
#: Words of asking, urging and requiring. A demand may also sit inside a condition ("would call off
#: the strike only if ..."), so the demands question goes to sentences with either kind of word.
DEMAND_CUES = re.compile(
    r"\b(urg\w*|call(s|ed|ing)? (on|for)|calls? to|ask\w*|demand\w*|press\w*|must|should|want\w*|seek\w*"
    r"|sought|request\w*|insist\w*|appeal\w*|order\w*|need\w* to|has to|have to|told|tell\w*|push\w*"
    r"|pleaded|plea|invit\w*|require\w*|direct\w*|recommend\w*)\b",
    re.IGNORECASE,
)
#: Words of danger, possibility and loss; with the conditional words (a conditional warning).
RISK_CUES = re.compile(
    r"\b(warn\w*|risk\w*|fear\w*|could|may|might|danger\w*|threat\w*|concern\w*|worr\w*|harm\w*"
    r"|jeopard\w*|lose|loss\w*|cost\w*|hurt\w*|damag\w*|escalat\w*|collaps\w*|shortage\w*|spread\w*"
    r"|exploit\w*|divert\w*|punish\w*|accident\w*|fail\w*|crisis|threaten\w*|would|prone|unsafe|strand\w*"
    r"|death|die\w*|disrupt\w*|challeng\w*|difficult\w*|hard|problem\w*|impact\w*|suffer\w*|pain\w*)\b",
    re.IGNORECASE,
)


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
