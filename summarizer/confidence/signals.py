"""Read the model's own token probabilities at the points where an answer decides something.

An answer about one sentence, ``{"items": [{"kind": "demand", "actor": "...", ...}, ...]}``, makes a few
decisions, each at one token: whether the list holds anything (``[]`` or ``[{``), each item's kind,
its actor, and after each item whether another follows (``,`` or ``]``). The server reports, for every
generated token, the most likely alternatives with their log-probabilities (``top_logprobs``), taken
from the model's distribution before the grammar constrained it. At a decision, the alternatives that
write each possible character there are summed and compared with each other: a ratio between valid
choices, not the absolute probability of one token (the model says "yes" to almost anything).

Nothing here calls a model: it reads ``Extraction.tokens``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from summarizer.extraction import TokenLogprob


@dataclass(frozen=True)
class ItemSignals:
    """What the tokens say about one item of an answer (``None`` where they do not tell)."""

    #: P(this item exists): that the list opens with an item (first item), or that another item follows.
    exists: float | None
    #: P(the kind written) among the four kinds, at the kind's first token.
    kind: float | None
    #: P(the actor written) among the article's actors, at the actor's first token.
    actor: float | None
    #: The item's place in its answer (0 for the first).
    rank: int


def choices_at(tokens: Sequence[TokenLogprob], offset: int) -> list[tuple[str, float]]:
    """At the token that writes character ``offset`` of the answer: what each alternative would write
    from there on, with its probability. Alternatives that differ from the written token before
    ``offset`` (they would have written something else earlier), or end before it, are left out."""
    start = 0
    for token in tokens:
        end = start + len(token.token)
        if start <= offset < end:
            skip = offset - start
            written = token.token[:skip]
            return [
                (alternative[skip:], math.exp(logprob))
                for alternative, logprob in token.top.items()
                if alternative[:skip] == written and len(alternative) > skip
            ]
        start = end
    return []


def share(
    choices: Sequence[tuple[str, float]], wanted: Callable[[str], bool], valid: Callable[[str], bool]
) -> float | None:
    """The probability of the ``wanted`` choices among the ``valid`` ones; ``None`` if none is valid."""
    total = sum(p for text, p in choices if valid(text))
    if total <= 0:
        return None
    return sum(p for text, p in choices if valid(text) and wanted(text)) / total


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _string_end(text: str, opening_quote: int) -> int:
    """The offset just past the JSON string whose opening quote is at ``opening_quote``."""
    at = opening_quote + 1
    while at < len(text):
        if text[at] == "\\":
            at += 2
            continue
        if text[at] == '"':
            return at + 1
        at += 1
    return len(text)


@dataclass(frozen=True)
class _ItemSpan:
    start: int
    end: int
    #: Where the value of each string field starts (just past its opening quote).
    values: dict[str, int]


def _items(text: str, key: str) -> tuple[int, list[_ItemSpan]] | None:
    """Where the list under ``key`` opens, and each of its objects with its string values' offsets."""
    found = text.find(f'"{key}"')
    if found < 0:
        return None
    at = text.find("[", found)
    if at < 0:
        return None
    opening = at
    items: list[_ItemSpan] = []
    at = _skip_space(text, at + 1)
    while at < len(text) and text[at] == "{":
        start, values, at = at, {}, at + 1
        while at < len(text) and text[at] != "}":
            if text[at] == '"':
                name_end = _string_end(text, at)
                name = text[at + 1 : name_end - 1]
                at = _skip_space(text, name_end)
                if at < len(text) and text[at] == ":":
                    at = _skip_space(text, at + 1)
                    if at < len(text) and text[at] == '"':
                        values[name] = at + 1
                        at = _string_end(text, at)
                        continue
                continue
            at += 1
        items.append(_ItemSpan(start, at + 1, values))
        at = _skip_space(text, at + 1)
        if at < len(text) and text[at] == ",":
            at = _skip_space(text, at + 1)
    return opening, items


def item_signals(
    tokens: Sequence[TokenLogprob] | None,
    *,
    key: str = "items",
    kinds: Sequence[str] = (),
    actors: Sequence[str] = (),
    actor_fields: Sequence[str] = ("actor", "raised_by"),
) -> list[ItemSignals]:
    """The signals of each item of an answer whose tokens are ``tokens``; ``[]`` without tokens."""
    if not tokens:
        return []
    text = "".join(token.token for token in tokens)
    parsed = _items(text, key)
    if parsed is None:
        return []
    opening, spans = parsed
    signals: list[ItemSignals] = []
    after = _skip_space(text, opening + 1)  # where the list says "an item" or "nothing"
    for rank, span in enumerate(spans):
        exists = share(
            choices_at(tokens, after),
            wanted=lambda c: c.lstrip().startswith(("{", ",")),
            valid=lambda c: c.lstrip()[:1] in ("{", ",", "]"),
        )
        kind = _value_share(tokens, span.values.get("kind"), kinds)
        actor_at = next((span.values[f] for f in actor_fields if f in span.values), None)
        actor = _value_share(tokens, actor_at, actors)
        signals.append(ItemSignals(exists=exists, kind=kind, actor=actor, rank=rank))
        after = _skip_space(text, span.end)  # "," for another item, "]" for the end
    return signals


def list_opens(tokens: Sequence[TokenLogprob] | None, key: str) -> float | None:
    """P(the list under ``key`` holds an item) at the token that opens it or closes it empty."""
    if not tokens:
        return None
    text = "".join(token.token for token in tokens)
    parsed = _items(text, key)
    if parsed is None:
        return None
    after = _skip_space(text, parsed[0] + 1)
    return share(
        choices_at(tokens, after),
        wanted=lambda c: c.lstrip().startswith("{"),
        valid=lambda c: c.lstrip()[:1] in ("{", "]"),
    )


def _value_share(tokens: Sequence[TokenLogprob], at: int | None, values: Sequence[str]) -> float | None:
    """P(the value written at ``at``) among ``values``: each alternative counts for the values it starts."""
    if at is None or not values:
        return None
    text = "".join(token.token for token in tokens)
    written = next((v for v in sorted(values, key=len, reverse=True) if text.startswith(v, at)), None)
    if written is None:
        return None
    choices = choices_at(tokens, at)
    return share(
        choices,
        wanted=lambda c: written.startswith(c) or c.startswith(written),
        valid=lambda c: any(v.startswith(c) or c.startswith(v) for v in values),
    )
