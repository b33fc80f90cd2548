"""Who speaks in a sentence, by rule: reporting verbs, "according to", spokespeople, pronouns.

A small model often hands a quoted claim to the wrong actor: to "article", to the organisation a
speaker criticises, or to whoever the previous sentence was about. The sentence usually says who
speaks in plain words, and plain code can read them:

- a reporting verb next to an actor's name: "Blinken said ...", "..., Blinken said.", "said Blinken";
- "according to X";
- a spokesperson of an organisation: "a spokesperson for X said", "X spokesperson Jane Doe said" -> X (the
  nearest name before the verb, unless the spokesperson is a known alias of X);
- a pronoun before a reporting verb ("He said", "she warned") -> the previous sentence's speaker.

``speaker`` gives the one actor a sentence reports, or ``None`` when it finds none or more than one:
a repair is only made when the sentence leaves no doubt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.schemas import Actor

#: Verbs that report speech, belief or a demand (any tense the news uses).
REPORTING_VERBS = (
    r"said|says|say|told|tells|warned|warns|urged|urges|argued|argues|added|adds|insisted|insists|wrote|writes"
    r"|stated|states|noted|notes|announced|announces|called|calls|claimed|claims|believes|believed|accused"
    r"|accuses|demanded|demands|asked|asks|pressed|presses|vowed|vows|pledged|pledges|promised|promises"
    r"|threatened|threatens|rejected|rejects|welcomed|welcomes|criticised|criticized|criticises|criticizes"
    r"|complained|complains|conceded|concedes|acknowledged|acknowledges|predicted|predicts|fears|feared"
    r"|estimated|estimates|countered|counters|replied|replies|responded|responds|explained|explains|cautioned"
    r"|cautions|signalled|signaled|suggested|suggests|maintained|maintains|agreed|agrees|disputed|disputes"
)
_VERB = re.compile(rf"\b(?:{REPORTING_VERBS})\b")
_PRONOUN_SPEAKS = re.compile(
    rf"^\W*(?:he|she|they|it)\s+(?:(?:also|has|had|have|later|then)\s+)?(?:{REPORTING_VERBS})\b", re.IGNORECASE
)
_ACCORDING_TO = re.compile(r"\baccording to\b", re.IGNORECASE)
#: How far (in characters) a name may stand from its reporting verb: "Blinken, speaking in Cairo, said".
NEAR_CHARS = 40


@dataclass(frozen=True)
class _Mention:
    actor: str
    start: int
    end: int


def _names(actor: Actor) -> list[str]:
    """The ways an actor may be named: its name, aliases, and a person's surname."""
    names = [actor.name, *actor.aliases]
    words = actor.name.split()
    if len(words) in (2, 3) and all(word[:1].isupper() for word in words):
        names.append(words[-1])
    return [name for name in names if len(name) >= 3]


def mentions(sentence: str, actors: Sequence[Actor]) -> list[_Mention]:
    """Every place the sentence names an actor (longest names first; overlaps keep the first found)."""
    found: list[_Mention] = []
    candidates = sorted(((name, a.name) for a in actors for name in _names(a)), key=lambda c: -len(c[0]))
    for name, actor in candidates:
        flags = 0 if name[:1].isupper() else re.IGNORECASE
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", sentence, flags):
            if not any(m.start < match.end() and match.start() < m.end for m in found):
                found.append(_Mention(actor, match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def speakers(sentence: str, actors: Sequence[Actor], previous: str | None = None) -> set[str]:
    """The actors the sentence reports as speaking (see the module docstring)."""
    named = mentions(sentence, actors)
    found: set[str] = set()
    for verb in _VERB.finditer(sentence):
        after = [m for m in named if m.start >= verb.end() and m.start - verb.end() <= 12]
        inverted = sentence[: verb.start()].rstrip().endswith((",", '"', "\u201d"))
        before = [m for m in named if m.end <= verb.start() and verb.start() - m.end <= NEAR_CHARS]
        if inverted and after:  # '"...," said Blinken'
            found.add(after[0].actor)
        elif before and not inverted:  # 'Blinken said', 'Blinken, speaking in Cairo, said'
            found.add(before[-1].actor)
    for according in _ACCORDING_TO.finditer(sentence):
        after = [m for m in named if m.start >= according.end() and m.start - according.end() <= 20]
        if after:
            found.add(after[0].actor)
    if not found and previous is not None and _PRONOUN_SPEAKS.search(sentence):
        found.add(previous)
    return found


def speaker(sentence: str, actors: Sequence[Actor], previous: str | None = None) -> str | None:
    """The one actor the sentence reports, or ``None`` (no speaker, or several)."""
    found = speakers(sentence, actors, previous)
    return next(iter(found)) if len(found) == 1 else None


def speakers_in_order(sentences: Sequence[str], actors: Sequence[Actor]) -> list[str | None]:
    """The speaker of each sentence of an article, pronouns resolved to the last speaker before them."""
    result: list[str | None] = []
    last: str | None = None
    for text in sentences:
        found = speaker(text, actors, previous=last)
        result.append(found)
        if found is not None:
            last = found
    return result
