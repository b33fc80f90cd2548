"""The sentence prompt's made-up examples, and answers that copy them instead of reading the sentence.

A small model sometimes answers an unrelated sentence with an example's item, word for word, or
borrows an example's speaker. The examples are read from the rendered prompt itself (its
``ANSWER: {...}`` lines), so that they can never drift from what the model was shown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from rapidfuzz import fuzz, utils

from summarizer.actors import SPECIAL_NAMES, normalise_name
from summarizer.schemas import ACTOR_FIELDS
from summarizer.sentences import Sentence

#: An item whose text scores at least this (``token_set_ratio``) against an item of the prompt's
#: examples ...
EXAMPLE_COPY_MIN_SCORE = 85.0
#: ... while sharing less than this share of its content words with the sentence copies the example.
EXAMPLE_COPY_MAX_SENTENCE_SHARE = 0.5
_ANSWER_PREFIX = "ANSWER:"


@dataclass(frozen=True)
class PromptExamples:
    """What the examples of a rendered sentence prompt say (its ``ANSWER: {...}`` lines)."""

    #: Each example item's text.
    texts: list[str]
    #: The examples' actors (normalised) that the article never names: an item given to one of them
    #: borrowed the example's speaker.
    foreign_actors: frozenset[str]


def prompt_examples(prompt: str, article: str) -> PromptExamples:
    """The example items of ``prompt``, and which of their actors ``article`` does not name."""
    texts: list[str] = []
    actors: set[str] = set()
    for line in prompt.splitlines():
        if not line.startswith(_ANSWER_PREFIX):
            continue
        answer = json.loads(line[len(_ANSWER_PREFIX) :])  # {"positions": [...]} or {"items": [...]}
        for items in answer.values():
            texts.extend(text_of(item) for item in items)
            actors.update(normalise_name(item[name]) for item in items for name in ACTOR_FIELDS if name in item)
    named = f" {normalise_name(article)} "
    foreign = {actor for actor in actors if actor not in SPECIAL_NAMES and f" {actor} " not in named}
    return PromptExamples(texts=texts, foreign_actors=frozenset(foreign))


def text_of(item: dict[str, Any] | BaseModel) -> str:
    """An item's words other than its actors and evidence."""
    values = item.model_dump() if isinstance(item, BaseModel) else item
    return " ".join(str(v) for k, v in values.items() if k not in (*ACTOR_FIELDS, "evidence", "kind"))


def copies_example(text: str, sentence: str, examples: Sequence[str]) -> bool:
    """Whether ``text`` is an example's item rather than something ``sentence`` says."""
    if not any(fuzz.token_set_ratio(text, ex, processor=utils.default_process) >= EXAMPLE_COPY_MIN_SCORE
               for ex in examples):  # fmt: skip
        return False
    words = set(utils.default_process(text).split())
    in_sentence = words & set(utils.default_process(sentence).split())
    return len(in_sentence) < EXAMPLE_COPY_MAX_SENTENCE_SHARE * max(len(words), 1)


def example_copy(draft: BaseModel, sentence: Sentence, examples: PromptExamples) -> str | None:
    """Why ``draft`` comes from the prompt's examples rather than ``sentence``, or ``None``."""
    if copies_example(text_of(draft), sentence.text, examples.texts):
        return f"copies an example of the prompt, not sentence {sentence.index}"
    values = draft.model_dump()
    borrowed = [
        values[name] for name in ACTOR_FIELDS if normalise_name(values.get(name) or "") in examples.foreign_actors
    ]
    if borrowed:
        return f"names {borrowed[0]!r}, an actor of the prompt's examples that the article never names"
    return None
