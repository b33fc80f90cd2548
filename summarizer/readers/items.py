"""The ``items`` reader: one call per sentence, "what does THIS sentence state?", each item typed.

Like the ``sentences`` reader it sends the same prefix (the system prompt with the article, then the
task, the actors and the examples of ``prompts/sentence_items.j2``) for every sentence of an article,
so the engine evaluates it once; unlike it, it asks ONE question per sentence, and the model writes a
short list of items that each start with their kind (``readers.item_drafts``). One call instead of up
to four, one kind per claim instead of the same claim as a position and a demand, and at the tokens
where the answer decides (an item or none, which kind, which actor, one more or not) the model's own
probabilities, kept as each item's signals (``confidence.signals``).

Then, in code, as in the ``sentences`` reader: actor names resolved, example copies and conditions
with no conditional word dropped and reported, repeats across sentences merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel

from summarizer.actors import ActorIndex
from summarizer.confidence.signals import ItemSignals, item_signals
from summarizer.prompts import PromptLibrary
from summarizer.readers.base import Call, PlannedRequest, ReadContext, Reading
from summarizer.readers.examples import PromptExamples, example_copy, prompt_examples
from summarizer.readers.item_drafts import KIND_SECTIONS, SentenceItems
from summarizer.readers.sentences import (
    LONGEST_SENTENCE_CHARS,
    SENTENCE_MERGE_MIN_SCORE,
    finish_reading,
    not_a_condition,
    sentences_to_read,
    to_item,
)
from summarizer.schemas import SECTION_NAMES, DroppedItem, Evidence
from summarizer.sentences import Sentence

ITEMS_TEMPLATE = "sentence_items"
#: ``Meta.sections`` key under which the calls of an article are summed.
ITEMS_KEY = "items"
#: At most three items of about 40 tokens, with room to spare.
ITEMS_ANSWER_TOKENS = 256


@dataclass(frozen=True)
class ItemsReader:
    """One call per sentence over one cached article prefix; each item says its kind."""

    name: ClassVar[str] = "items"
    templates: ClassVar[tuple[str, ...]] = (ITEMS_TEMPLATE,)
    #: Items of one section, actor and much the same words from two sentences are one claim.
    merge_min_score: float = SENTENCE_MERGE_MIN_SCORE

    def requests(self, prompts: PromptLibrary, actors: list[str]) -> list[PlannedRequest]:
        user = prompts.get(ITEMS_TEMPLATE).render(actors=actors, sentence="X" * LONGEST_SENTENCE_CHARS)
        return [PlannedRequest(user, SentenceItems, ITEMS_ANSWER_TOKENS)]

    def schemas(self) -> dict[str, type[BaseModel]]:
        return {"sentence_items": SentenceItems}

    def read(self, context: ReadContext) -> Reading:
        ledger = context.ledger
        planned = sentences_to_read(context.shown, context.article, context.chunks)
        template = context.prompts.get(ITEMS_TEMPLATE)
        actors = context.actor_names
        draft = SentenceItems
        examples = prompt_examples(template.render(actors=actors, sentence=""), context.article)
        found: dict[str, list[tuple[int, Any]]] = {name: [] for name in SECTION_NAMES}
        drops: list[DroppedItem] = []
        group = max(1, getattr(context.caller.model, "parallel_calls", 1))
        for first in range(0, len(planned), group):
            batch = planned[first : first + group]
            calls = [
                Call(
                    ITEMS_KEY,
                    ITEMS_TEMPLATE,
                    context.systems[chunk.index],
                    template.render(actors=actors, sentence=sentence.text),
                    draft,
                    chunk.text,
                    max_tokens=ITEMS_ANSWER_TOKENS,
                )
                for chunk, sentence in batch
            ]
            context.notify(f"sentence {min(first + group, len(planned))} of {len(planned)}")
            for (_, sentence), answer in zip(batch, context.caller.call_all(calls), strict=True):
                if not isinstance(answer.value, draft):
                    where = f"sentence {sentence.index} ({sentence.start}:{sentence.end})"
                    ledger.drop(ITEMS_KEY, None, f"{where}: {answer.error or 'no answer'}", ITEMS_KEY)
                    continue
                signals = item_signals(answer.tokens, kinds=tuple(KIND_SECTIONS), actors=actors)
                drafts: Sequence[BaseModel] = answer.value.items
                for section, item in _items(drafts, signals, sentence, context.index, examples, drops):
                    found[section].append((sentence.index, item))
        return finish_reading(ledger, ITEMS_KEY, found, drops, self.merge_min_score, len(planned))


def _items(
    drafts: Sequence[BaseModel],
    signals: Sequence[ItemSignals],
    sentence: Sentence,
    index: ActorIndex,
    examples: PromptExamples,
    dropped: list[DroppedItem],
) -> list[tuple[str, BaseModel]]:
    """One answer's items as (section, output item) grounded on the sentence, each with its signals;
    example copies and conditions with no conditional word dropped (and reported), repeats left out."""
    evidence = [Evidence(quote=sentence.text, start=sentence.start, end=sentence.end)]
    seen: set[str] = set()
    items: list[tuple[str, BaseModel]] = []
    for rank, draft in enumerate(drafts):
        values = draft.model_dump()
        section = KIND_SECTIONS[values.pop("kind")]
        reason = example_copy(draft, sentence, examples) or not_a_condition(section, draft)
        if reason is not None:
            dropped.append(DroppedItem(section=section, item=values, reason=reason))
            continue
        item = to_item(section, values, evidence, index)
        identity = section + "|" + item.model_dump_json(exclude={"evidence"}).casefold()
        if identity in seen:
            continue
        seen.add(identity)
        item._signals = signals[rank] if rank < len(signals) else None  # type: ignore[attr-defined]
        items.append((section, item))
    return items
