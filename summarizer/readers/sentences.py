"""The ``sentences`` reader: one small question per sentence, "what does THIS sentence state?".

A small model asked for a whole section at once lists two or three items from the first paragraphs.
Asked about one sentence at a time it reads the whole article. Every call of an article sends the
same prefix (the system prompt with the article, then the task, the actors list and the examples of
``prompts/sentence.j2``) and only the sentence itself is new at its end, so the engine's prompt cache
evaluates the prefix once and each call costs the sentence's few tokens plus the answer.

Each sentence gets one call per question of ``drafts.SENTENCE_ASKS`` (its positions; its demands;
its risks; its conditions), which differ only after the sentence. The demands, risks and conditions
questions go only to sentences with a word of their kind (``readers.cues``). An answer holds 0..k
items of each kind asked; each item's evidence is the sentence's own span of the article, so it is
grounded by construction. Then, in code:

- actor names go through the article's ``ActorIndex`` (titles stripped, aliases added);
- an item that copies one of the prompt's examples rather than the sentence, or whose actor is an
  example's actor the article never names, is dropped and reported (``readers.examples``);
- a condition whose term has no conditional word ("if", "unless", "only", ...) is dropped and
  reported: it is a reason or a date the model put in the term's place;
- the same actor saying the same thing in two sentences (the lead and a later quote) becomes one item
  carrying both spans (``merging.merge_items`` at ``SENTENCE_MERGE_MIN_SCORE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel

from summarizer.actors import ActorIndex
from summarizer.chunking import Chunk
from summarizer.confidence.signals import ItemSignals, item_signals
from summarizer.drafts import SENTENCE_ASKS, sentence_draft
from summarizer.merging import content, merge_items
from summarizer.prompts import PromptLibrary
from summarizer.readers import cues
from summarizer.readers.base import Call, Ledger, PlannedRequest, ReadContext, Reading
from summarizer.readers.examples import PromptExamples, example_copy, prompt_examples
from summarizer.schemas import ACTOR_FIELDS, SECTION_NAMES, SECTIONS, DroppedItem, Evidence
from summarizer.sentences import Sentence, split_sentences
from summarizer.wording import lexical_similarity

SENTENCE_TEMPLATE = "sentence"
#: ``Meta.sections`` key under which the sentence calls of an article are summed.
SENTENCES_KEY = "sentences"
#: Two items of one section with the same actor(s), from different sentences, are one item when the
#: ``summarizer.wording.lexical_similarity`` (0-1) of their texts reaches this: the lowest threshold
#: that joins at most 1% of the distinct same-actor gold claims of the dev split
#: (``summarizer.evals.merge_fit``; ``benchmarks/calibrate_merge.py`` prints the table: 1.0% at 0.55,
#: 0.2% at 0.60). ``summarizer eval dev --folds loao`` refits it without each article (0.50-0.60).
SENTENCE_MERGE_MIN_SCORE = 0.55
#: The answer cap of one sentence question: at most two short items of one kind (about 70 tokens);
#: room for a few times that, so that an answer is never cut off, and far less than a section's.
SENTENCE_ANSWER_TOKENS = 256
#: The longest sentence the context budget allows for (a very long news sentence is about 400 characters).
LONGEST_SENTENCE_CHARS = 600


def sentences_to_read(article_shown: str, article: str, chunks: Sequence[Chunk]) -> list[tuple[Chunk, Sentence]]:
    """Each sentence of the text shown to the model once, with the first chunk that holds all of it.

    Sentences hidden from the model (``summarizer.screening``) are blank in ``article_shown`` and so
    are not read; one that differs from the article anywhere is skipped too.
    """
    planned: list[tuple[Chunk, Sentence]] = []
    for sentence in split_sentences(article_shown):
        if article[sentence.start : sentence.end] != sentence.text:
            continue
        chunk = next((c for c in chunks if c.start <= sentence.start and sentence.end <= c.end), None)
        if chunk is not None:
            planned.append((chunk, sentence))
    return planned


@dataclass(frozen=True)
class SentenceReader:
    """A few small calls per sentence over one cached article prefix."""

    name: ClassVar[str] = "sentences"
    templates: ClassVar[tuple[str, ...]] = (SENTENCE_TEMPLATE,)
    #: Items of one section, actor and much the same words from two sentences are one claim.
    merge_min_score: float = SENTENCE_MERGE_MIN_SCORE

    def requests(self, prompts: PromptLibrary, actors: list[str]) -> list[PlannedRequest]:
        template, sentence = prompts.get(SENTENCE_TEMPLATE), "X" * LONGEST_SENTENCE_CHARS
        return [
            PlannedRequest(
                template.render(actors=actors, sentence=sentence, kinds=kinds),
                sentence_draft(kinds),
                SENTENCE_ANSWER_TOKENS,
            )
            for kinds in SENTENCE_ASKS
        ]

    def schemas(self) -> dict[str, type[BaseModel]]:
        return {"sentence:" + ",".join(kinds): sentence_draft(kinds) for kinds in SENTENCE_ASKS}

    def read(self, context: ReadContext) -> Reading:
        ledger = context.ledger
        planned = sentences_to_read(context.shown, context.article, context.chunks)
        template = context.prompts.get(SENTENCE_TEMPLATE)
        actors = context.actor_names
        examples = prompt_examples(template.render(actors=actors, sentence="", kinds=SENTENCE_ASKS[0]), context.article)
        found: dict[str, list[tuple[int, Any]]] = {name: [] for name in SECTION_NAMES}
        item_drops: list[DroppedItem] = []
        # Sentences in groups as large as the model takes calls at once (one by one for the embedded
        # engine, whose one slot per article answers in turn), so that progress shows as it goes.
        group = max(1, getattr(context.caller.model, "parallel_calls", 1))
        for first in range(0, len(planned), group):
            asked = [
                (chunk, sentence, kinds)
                for chunk, sentence in planned[first : first + group]
                for kinds in cues.asks_for(sentence)
            ]
            calls = [
                Call(
                    SENTENCES_KEY,
                    SENTENCE_TEMPLATE,
                    context.systems[chunk.index],
                    template.render(actors=actors, sentence=sentence.text, kinds=kinds),
                    sentence_draft(kinds),
                    chunk.text,
                    max_tokens=SENTENCE_ANSWER_TOKENS,
                )
                for chunk, sentence, kinds in asked
            ]
            context.notify(f"sentence {min(first + group, len(planned))} of {len(planned)}")
            seen: dict[int, set[str]] = {}
            for (_, sentence, kinds), call, answer in zip(asked, calls, context.caller.call_all(calls), strict=True):
                if not isinstance(answer.value, call.response_model):
                    where = f"sentence {sentence.index} ({sentence.start}:{sentence.end}), {', '.join(kinds)}"
                    ledger.drop(SENTENCES_KEY, None, f"{where}: {answer.error or 'no answer'}", SENTENCES_KEY)
                    continue
                for section in kinds:
                    drafts = getattr(answer.value, section)
                    signals = item_signals(answer.tokens, key=section, actors=actors)
                    found[section] += _items(
                        section, drafts, signals, sentence, context.index, examples,
                        seen.setdefault(sentence.index, set()), item_drops,
                    )  # fmt: skip
        return finish_reading(ledger, SENTENCES_KEY, found, item_drops, self.merge_min_score, len(planned))


def finish_reading(
    ledger: Ledger,
    key: str,
    found: dict[str, list[tuple[int, Any]]],
    drops: list[DroppedItem],
    merge_min_score: float,
    sentences: int,
) -> Reading:
    """The items found sentence by sentence, repeats merged, what was dropped reported under ``key``."""
    ledger.dropped.extend(drops)
    sections = {
        section: merge_items(items, min_score=merge_min_score, score=alike) for section, items in found.items()
    }
    if key in ledger.sections:
        ledger.sections[key].dropped += len(drops)
        ledger.sections[key].kept = sum(len(items) for items in sections.values())
    return Reading(sections, sentences=sentences)


def _items(
    section: str,
    drafts: Sequence[BaseModel],
    signals: Sequence[ItemSignals],
    sentence: Sentence,
    index: ActorIndex,
    examples: PromptExamples,
    seen: set[str],
    dropped: list[DroppedItem],
) -> list[tuple[int, Any]]:
    """One kind's items of one answer, as output items grounded on the sentence, each with its signals;
    example copies (reported in ``dropped``) and items already given for this sentence left out."""
    evidence = [Evidence(quote=sentence.text, start=sentence.start, end=sentence.end)]
    items: list[tuple[int, Any]] = []
    for rank, draft in enumerate(drafts):
        reason = example_copy(draft, sentence, examples) or not_a_condition(section, draft)
        if reason is not None:
            dropped.append(DroppedItem(section=section, item=draft.model_dump(), reason=reason))
            continue
        item = to_item(section, draft.model_dump(), evidence, index)
        identity = section + "|" + item.model_dump_json(exclude={"evidence"}).casefold()
        if identity in seen:  # the same item twice in one answer
            continue
        seen.add(identity)
        item._signals = signals[rank] if rank < len(signals) else None  # type: ignore[attr-defined]
        items.append((sentence.index, item))
    return items


def not_a_condition(section: str, draft: BaseModel) -> str | None:
    """Why a condition's term states no condition, or ``None``.

    Asked for the conditions of a sentence, the model also answers with a reason, a date or a manner as
    the term ("Delay production" / "2027 from late 2025"). The term of every gold condition (31 of 31)
    has a ``cues.CONDITION_CUES`` word; ``benchmarks/measure_cue_gating.py`` shows what the check keeps.
    """
    term = getattr(draft, "condition", None) if section == "conditions" else None
    if term is None or cues.CONDITION_CUES.search(term):
        return None
    return f"its term {term!r} states no condition (no 'if', 'unless', 'only', 'until', ...)"


def alike(a: BaseModel, b: BaseModel) -> float:
    """How alike two items' words are (``summarizer.wording.lexical_similarity``), for merging repeats."""
    return lexical_similarity(content(a), content(b))


def to_item(section: str, values: dict[str, Any], evidence: list[Evidence], index: ActorIndex) -> BaseModel:
    """The output item of ``section`` from a draft's ``values``, actors resolved, grounded on ``evidence``."""
    values = dict(values)
    for name in ACTOR_FIELDS:
        if name in values:
            values[name] = index.resolve(values[name])
    return SECTIONS[section].item_model(**values, evidence=evidence)
