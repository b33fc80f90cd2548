"""What is known about one item when deciding how sure to be of it: the model's probabilities and rules.

Every feature is a number, so that a calibration map (``confidence.calibration``) can weigh them:

    exists     log-odds that the item is there at all (the list opened with it, or one more followed)
    kind       P(the kind the model wrote) among the four kinds (1 when the question fixed the kind)
    actor      P(the actor the model wrote) among the article's actors
    rank       the item's place in its answer (0 first)
    cue        the sentence has a word of the item's kind ("urged", "unless", "warned", a reporting verb)
    speaker    +1 the actor is who the sentence says speaks, -1 the sentence names someone else, 0 no one
    named      the actor (by a name or alias) is named in the sentence
    article    the risk is the article's own ("article" as raised_by)
    crowd      how many items the same sentence gave (all kinds)
    twin       another item of the sentence has the same actor and much the same words, in another kind
    repeated   how many sentences say it (a claim said twice was merged into one item with both spans)
    known      the actor is named somewhere in the article (not a name the model made up on the way)
    words      how many words the item's text has
    echo       how much of the sentence's wording the item repeats (lexical similarity, 0-1)
    quoted     the sentence quotes someone (a quotation mark)
    place      where the sentence stands in the article (0 the lede, 1 the last)
    others     how many other kinds' cue words the sentence has (0-3)
    second     the log-odds that one more item followed (0 for an answer's first item)
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from summarizer.cue_words import CONDITION_CUES, DEMAND_CUES, RISK_CUES
from summarizer.schemas import SECTION_NAMES, SECTIONS, Actor
from summarizer.sentences import Sentence
from summarizer.speakers import REPORTING_VERBS, mentions, speakers_in_order
from summarizer.wording import lexical_similarity

FEATURES = (
    "exists", "kind", "actor", "rank", "cue", "speaker", "named", "article", "crowd", "twin",
    "repeated", "known", "words", "echo", "quoted", "place", "others", "second",
)  # fmt: skip
_QUOTES = ('"', "\u201c", "\u201d")
#: Two items of one sentence and actor whose words are this alike say the same thing.
TWIN_MIN_SIMILARITY = 0.5
_POSITION_CUES = re.compile(
    rf"\b(?:{REPORTING_VERBS}|support\w*|oppos\w*|back\w*|reject\w*|plan\w*|will|would)\b", re.I
)
CUES: dict[str, re.Pattern[str]] = {
    "positions": _POSITION_CUES,
    "demands": DEMAND_CUES,
    "conditions": CONDITION_CUES,
    "risks": RISK_CUES,
}
_EDGE = 1e-4


def log_odds(p: float | None) -> float:
    """``log(p / (1 - p))``, clipped; 0 (even odds) when unknown."""
    if p is None:
        return 0.0
    p = min(max(p, _EDGE), 1 - _EDGE)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class ArticleView:
    """What the features of one article's items need: its sentences, their speakers, its actors."""

    sentences: Sequence[Sentence]
    speakers: Sequence[str | None]
    actors: Sequence[Actor]
    #: The actors the article names somewhere.
    named: frozenset[str] = frozenset()

    @classmethod
    def of(cls, sentences: Sequence[Sentence], actors: Sequence[Actor]) -> ArticleView:
        named = frozenset(m.actor for s in sentences for m in mentions(s.text, actors))
        return cls(sentences, speakers_in_order([s.text for s in sentences], actors), actors, named)

    def sentence_at(self, start: int) -> int | None:
        """The index of the sentence that starts at ``start`` (an item's evidence is its sentence)."""
        return next((s.index for s in self.sentences if s.start <= start < max(s.end, s.start + 1)), None)


def _actor(section: str, item: BaseModel) -> str:
    return str(getattr(item, SECTIONS[section].actor_field))


def _text(section: str, item: BaseModel) -> str:
    return SECTIONS[section].text(item)


def item_features(
    section: str, item: BaseModel, view: ArticleView, neighbours: Sequence[tuple[str, BaseModel]]
) -> dict[str, float]:
    """The features of ``item`` of ``section``; ``neighbours`` are the other items of its sentence."""
    signals: Any = getattr(item, "_signals", None)
    evidence = item.evidence[0]  # type: ignore[attr-defined]
    at = view.sentence_at(evidence.start)
    sentence = view.sentences[at].text if at is not None else evidence.quote
    speaker = view.speakers[at] if at is not None else None
    actor = _actor(section, item)
    named = {m.actor for m in mentions(sentence, view.actors)}
    twin = any(
        other_section != section
        and _actor(other_section, other) == actor
        and lexical_similarity(_text(other_section, other), _text(section, item)) >= TWIN_MIN_SIMILARITY
        for other_section, other in neighbours
    )
    return {
        "exists": log_odds(signals.exists if signals is not None and signals.rank == 0 else None),
        "kind": signals.kind if signals is not None and signals.kind is not None else 1.0,
        "actor": signals.actor if signals is not None and signals.actor is not None else 1.0,
        "rank": float(signals.rank) if signals is not None else 0.0,
        "cue": float(bool(CUES[section].search(sentence))),
        "speaker": 0.0 if speaker is None else (1.0 if speaker == actor else -1.0),
        "named": float(actor in named),
        "article": float(actor == "article"),
        "crowd": float(len(neighbours) + 1),
        "twin": float(twin),
        "repeated": float(len(item.evidence)),  # type: ignore[attr-defined]
        "known": float(actor in view.named or actor == "article"),
        "words": float(len(_text(section, item).split())),
        "echo": lexical_similarity(_text(section, item), sentence),
        "quoted": float(any(mark in sentence for mark in _QUOTES)),
        "place": (at / max(len(view.sentences) - 1, 1)) if at is not None else 0.5,
        "others": float(sum(bool(cue.search(sentence)) for name, cue in CUES.items() if name != section)),
        "second": log_odds(signals.exists) if signals is not None and signals.rank > 0 else 0.0,
    }


def summary_features(summary: Any, view: ArticleView) -> list[tuple[str, int, dict[str, float]]]:
    """(section, index, features) of every item of a summary."""
    by_sentence: dict[int | None, list[tuple[str, BaseModel]]] = {}
    for section in SECTION_NAMES:
        for item in getattr(summary, section):
            by_sentence.setdefault(view.sentence_at(item.evidence[0].start), []).append((section, item))
    out: list[tuple[str, int, dict[str, float]]] = []
    for section in SECTION_NAMES:
        for index, item in enumerate(getattr(summary, section)):
            group = by_sentence[view.sentence_at(item.evidence[0].start)]
            neighbours = [(s, other) for s, other in group if other is not item]
            out.append((section, index, item_features(section, item, view, neighbours)))
    return out
