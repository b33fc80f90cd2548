"""The ``sections`` reader: one call per section for the whole article (and per chunk of a long one).

Each section's prompt (``prompts/positions.j2`` ...) asks for all of that section's items with an
evidence quote each; the quotes are located in the article in validation (``summarizer.drafts``), and
an item whose quote cannot be found after the re-asks is dropped. With ``follow_up``, a section
answered with one or two items is asked once more, in the same conversation, for what it left out
(a small model stops early). Items of the chunks of a long article are merged. The better choice for a
large model: fewer, larger calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel

from summarizer.chunking import Chunk, shift_evidence
from summarizer.drafts import MAX_ITEMS, SECTION_DRAFTS, GroundedDraft, section_items
from summarizer.merging import merge_items
from summarizer.prompts import PromptLibrary
from summarizer.readers.base import Answer, Call, PlannedRequest, ReadContext, Reading
from summarizer.schemas import SECTION_NAMES

MORE_TEMPLATE = "more"
#: With ``follow_up``, a section answered with at least one but fewer than this many items is asked once
#: for more ("gleaning"): a small model stops early, and most of what it misses is recall.
FOLLOW_UP_BELOW = 3


def section_key(section: str, chunk: Chunk, chunks: int) -> str:
    """The key of a section call in ``Meta.sections``: ``positions``, or ``positions[2]`` for chunk 2."""
    return section if chunks == 1 else f"{section}[{chunk.index}]"


def item_fields(draft: type[BaseModel]) -> list[dict[str, str]]:
    """Name and description of each field of a section's item, in the order the model writes them."""
    (list_field,) = draft.model_fields.values()
    item_model = list_field.annotation.__args__[0]  # type: ignore[union-attr]
    return [{"name": name, "description": info.description or ""} for name, info in item_model.model_fields.items()]


def _span_key(item: GroundedDraft) -> tuple[tuple[int, int], ...]:
    return tuple(sorted((span.start, span.end) for span in item.spans))


@dataclass(frozen=True)
class SectionReader:
    """One call per section and chunk; ``follow_up`` asks once more when a section gave one or two."""

    name: ClassVar[str] = "sections"
    templates: ClassVar[tuple[str, ...]] = ("_fields", *SECTION_NAMES, MORE_TEMPLATE)
    follow_up: bool = False

    def requests(self, prompts: PromptLibrary, actors: list[str]) -> list[PlannedRequest]:
        return [
            PlannedRequest(
                prompts.get(section).render(actors=actors, fields=item_fields(draft), max_items=MAX_ITEMS), draft
            )
            for section, draft in SECTION_DRAFTS.items()
        ]

    def schemas(self) -> dict[str, type[BaseModel]]:
        return dict(SECTION_DRAFTS)

    def read(self, context: ReadContext) -> Reading:
        found: dict[str, list[tuple[int, Any]]] = {section: [] for section in SECTION_NAMES}
        chunks = context.chunks
        for chunk in chunks:
            # Chunk by chunk, so that the calls of one chunk share the system prompt (the engine's cache);
            # the sections of a chunk are independent (asked at once where the model allows it).
            answers = context.caller.call_all([self._call(context, section, chunk) for section in SECTION_NAMES])
            for section, answer in zip(SECTION_NAMES, answers, strict=True):
                context.notify(section if len(chunks) == 1 else f"{section} (chunk {chunk.index + 1} of {len(chunks)})")
                drafts = self._section(context, section, chunk, answer)
                # Spans were located in the chunk: shift them to offsets in the whole article.
                found[section] += [
                    (chunk.index, shift_evidence(d.to_item(context.index.resolve), chunk.start)) for d in drafts
                ]
        if len(chunks) == 1:
            return Reading({section: [item for _, item in items] for section, items in found.items()})
        return Reading({section: merge_items(items) for section, items in found.items()})

    def _call(self, context: ReadContext, section: str, chunk: Chunk) -> Call:
        """The call asking for one section's items in one chunk."""
        draft_model = SECTION_DRAFTS[section]
        user = context.prompts.get(section).render(
            actors=context.actor_names, fields=item_fields(draft_model), max_items=MAX_ITEMS
        )
        key = section_key(section, chunk, len(context.chunks))
        return Call(key, section, context.systems[chunk.index], user, draft_model, chunk.text)

    def _section(self, context: ReadContext, section: str, chunk: Chunk, answer: Answer) -> list[GroundedDraft]:
        """One section's grounded drafts for one chunk (with a follow-up call when it gave one or two);
        their spans are offsets in ``chunk.text``."""
        ledger = context.ledger
        draft_model = SECTION_DRAFTS[section]
        chunks = len(context.chunks)
        key = section_key(section, chunk, chunks)
        # Drop reasons name the chunk when there are several; ``DroppedItem.section`` stays the section.
        where = "" if chunks == 1 else f"chunk {chunk.index} ({chunk.start}:{chunk.end}): "
        first = self._call(context, section, chunk)
        if answer.value is None:
            ledger.drop(section, None, where + (answer.error or "no answer"), key)
            return []
        kept: list[GroundedDraft] = []
        seen: set[tuple[str, ...]] = set()
        self._keep(context, key, section, where, chunk, section_items(answer.value), kept, seen, spans_seen=None)
        if self.follow_up and 0 < len(kept) < FOLLOW_UP_BELOW:
            more_key = f"{key}+more"
            said = answer.raw_text or answer.value.model_dump_json()  # the answer as given (quotes unlocated)
            history = [
                {"role": "assistant", "content": said},
                {"role": "user", "content": context.prompts.get(MORE_TEMPLATE).render(section=section)},
            ]
            more = context.caller.call(
                Call(more_key, MORE_TEMPLATE, first.system, first.user, draft_model, chunk.text, tuple(history))
            )
            if more.value is not None:
                # A repeat may be worded anew: the same evidence spans as a kept item also make a repeat.
                spans_seen = {_span_key(item) for item in kept}
                self._keep(context, more_key, section, where, chunk, section_items(more.value), kept, seen, spans_seen)
        return kept

    def _keep(
        self,
        context: ReadContext,
        key: str,
        section: str,
        where: str,
        chunk: Chunk,
        items: list[GroundedDraft],
        kept: list[GroundedDraft],
        seen: set[tuple[str, ...]],
        spans_seen: set[tuple[tuple[int, int], ...]] | None,
    ) -> None:
        """Append the grounded, new ``items`` to ``kept``; report the rest in ``meta.dropped``.

        Evidence is the article's own text: a quote located in text hidden from the model (as an
        instruction to an AI) is not, and an item left with no other evidence is dropped.
        """
        ledger = context.ledger
        before = len(kept)
        for item in items:
            dump = item.model_dump()
            reason = None
            identity = tuple(str(v).casefold() for k, v in sorted(dump.items()) if k != "evidence")
            shown = [s for s in item.spans if context.article[chunk.start + s.start : chunk.start + s.end] == s.quote]
            if not item.spans:
                quotes = "; ".join(repr(q) for q in item.unfound)
                reason = f"no evidence quote could be found in the article ({quotes})"
            elif not shown:
                reason = "its evidence runs into text hidden from the model as an instruction to an AI"
            elif identity in seen or (spans_seen is not None and _span_key(item) in spans_seen):
                reason = "duplicate of an earlier item"
            if reason is not None:
                ledger.drop(section, dump, where + reason, key)
                continue
            seen.add(identity)
            item.keep_spans(shown)
            kept.append(item)
        ledger.sections[key].kept = len(kept) - before
