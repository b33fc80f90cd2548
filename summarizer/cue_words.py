"""Words that tell a kind of claim: asking and urging, conditions and threats, danger and loss.

The lists were written while looking at the six original gold articles (now part of the dev split);
the sentence reader gates its questions with them (``readers.cues``) and the confidence features use
them as evidence (``confidence.features``).
"""

from __future__ import annotations

import re

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
