"""Decisions read from token probabilities: an item or none, which kind, which actor, one more or not."""

from __future__ import annotations

import math

import pytest

from summarizer.confidence.signals import choices_at, item_signals, list_opens
from summarizer.extraction import TokenLogprob


def token(text: str, **alternatives: float) -> TokenLogprob:
    """A generated token and its alternatives' probabilities (the token itself among them, p=1 if absent)."""
    top = {k.replace("_", " "): math.log(p) for k, p in alternatives.items()} or {text: 0.0}
    return TokenLogprob(token=text, logprob=top.get(text, 0.0), top=top)


def tokens_of(*parts: TokenLogprob) -> list[TokenLogprob]:
    return list(parts)


KINDS = ("position", "demand", "condition", "risk")
ACTORS = ("Harbour Board", "Maya Stone")

# {"items": [{"kind": "demand", "actor": "Maya Stone", "demand": "Keep it open"}, {"kind": "risk", ...}]}
ANSWER = tokens_of(
    token('{"'),
    token("items"),
    token('":'),
    TokenLogprob(' [{"', math.log(0.6), {' [{"': math.log(0.6), " []": math.log(0.2), ' ["': math.log(0.2)}),
    token("kind"),
    token('":'),
    token(' "'),
    TokenLogprob("demand", math.log(0.5), {"demand": math.log(0.5), "position": math.log(0.3), "Dem": math.log(0.2)}),
    token('",'),
    token(' "'),
    token("actor"),
    token('":'),
    token(' "'),
    TokenLogprob("Maya", math.log(0.7), {"Maya": math.log(0.7), "Har": math.log(0.1), "Union": math.log(0.2)}),
    token(" Stone"),
    token('",'),
    token(' "'),
    token("demand"),
    token('":'),
    token(' "'),
    token("Keep it open"),
    TokenLogprob('"},', math.log(0.25), {'"},': math.log(0.25), '"}]': math.log(0.75)}),
    token(' {"'),
    token("kind"),
    token('":'),
    token(' "'),
    TokenLogprob("risk", math.log(0.9), {"risk": math.log(0.9), "position": math.log(0.1)}),
    token('",'),
    token(' "'),
    token("raised_by"),
    token('":'),
    token(' "'),
    token("article"),
    token('",'),
    token(' "'),
    token("risk"),
    token('":'),
    token(' "'),
    token("Jobs lost"),
    token('"}'),
    token("]}"),
)


def test_choices_at_a_character_follow_the_tokens_that_agree_before_it():
    text = "".join(t.token for t in ANSWER)
    opening = text.index("[") + 1  # the character that says "an item" or "nothing"
    assert sorted(choices_at(ANSWER, opening)) == sorted(
        [('{"', pytest.approx(0.6)), ("]", pytest.approx(0.2)), ('"', pytest.approx(0.2))]
    )
    assert choices_at(ANSWER, len(text)) == []


def test_each_item_gets_the_probability_of_being_there_of_its_kind_and_of_its_actor():
    first, second = item_signals(ANSWER, kinds=KINDS, actors=(*ACTORS, "article"))
    # '{' against ']' at the opening: 0.6 / (0.6 + 0.2); '"' writes neither and does not count.
    assert first.exists == pytest.approx(0.75)
    assert first.kind == pytest.approx(0.5 / 0.8)  # "Dem" starts no kind's name
    assert first.actor == pytest.approx(0.7 / 0.8)  # "Union" starts no actor's name
    assert first.rank == 0
    # After the first item, "," (another item) against "]" (the end).
    assert second.exists == pytest.approx(0.25)
    assert second.kind == pytest.approx(0.9)
    assert second.actor == pytest.approx(1.0)  # "article" was the only alternative the server listed
    assert list_opens(ANSWER, "items") == pytest.approx(0.75)


def test_no_tokens_no_signals():
    assert item_signals(None) == [] and item_signals([]) == []
    assert list_opens(None, "items") is None
