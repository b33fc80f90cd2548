"""The sentence reader: one small question per sentence, "what does THIS sentence state?".

A small model asked for a whole section at once lists two or three items from the first paragraphs.
Asked about one sentence at a time it reads the whole article. Every call of an article sends the
same prefix (the system prompt with the article, then the task, the actors list and the examples of
``prompts/sentence.j2``) and only the sentence itself is new at its end, so the engine's prompt cache
evaluates the prefix once and each call costs the sentence's few tokens plus the answer.

Each sentence gets one call per question of ``drafts.SENTENCE_ASKS`` (its positions; its demands;
its risks; its conditions), which differ only after the sentence, so a further call re-reads a line.
The demands, risks and conditions questions go only to sentences with a word of their kind
(``ASK_CUES``): on the gold articles that keeps the sentences of 127 of 131 such gold items
(``benchmarks/measure_cue_gating.py``) and spares the model sentences where it invents one. An
answer holds 0..k items of each kind asked; each item's evidence is the sentence's own span of the
article, so it is grounded by construction. Then, in code:

- actor names go through the article's ``ActorIndex`` (titles stripped, aliases added);
- an item whose wording copies one of the prompt's examples rather than the sentence, or whose actor
  is an example's actor the article never names, is dropped and reported (a small model sometimes
  answers an unrelated sentence with an example's item, or borrows an example's speaker);
- a condition whose term has no conditional word ("if", "unless", "only", ...) is dropped and
  reported: it is a reason or a date the model put in the term's place;
- the same actor saying the same thing in two sentences (the lead and a later quote) becomes one item
  carrying both spans (``chunking.merge_items`` at ``SENTENCE_MERGE_MIN_SCORE``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from rapidfuzz import fuzz, utils

from summarizer.actors import SPECIAL_NAMES, ActorIndex, normalise_name
from summarizer.chunking import Chunk, content, merge_items
from summarizer.drafts import SENTENCE_ASKS
from summarizer.schemas import ACTOR_FIELDS, SECTION_NAMES, SECTIONS, DroppedItem, Evidence
from summarizer.sentences import Sentence, split_sentences
from summarizer.wording import lexical_similarity

SENTENCE_TEMPLATE = "sentence"
#: Two items of one section with the same actor(s), from different sentences, are one item when the
#: ``summarizer.wording.lexical_similarity`` (0-1) of their texts reaches this. Calibrated with
#: ``benchmarks/calibrate_merge.py`` on the 6 gold articles: of 354 pairs of distinct gold items with the
#: same actor and section, 1.1% score 0.55 or more, 0.3% (one pair) 0.60 or more, none 0.70; of 32
#: seed items and a second annotator's wording of the same claim, 81% score 0.60 or more. 0.60 is the
#: lowest threshold that joins at most 1% of distinct claims.
SENTENCE_MERGE_MIN_SCORE = 0.60
#: An item whose text scores at least this (``token_set_ratio``) against an item of the prompt's
#: examples ...
EXAMPLE_COPY_MIN_SCORE = 85.0
#: ... while sharing less than this share of its content words with the sentence copies the example.
EXAMPLE_COPY_MAX_SENTENCE_SHARE = 0.5

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

_ANSWER_PREFIX = "ANSWER:"

#: ``call(user_message, sentence, kinds)`` -> the validated answer (a ``drafts.sentence_draft(kinds)``),
#: or ``None`` when the call failed (the caller records why).
SentenceCall = Callable[[str, Sentence, tuple[str, ...]], BaseModel | None]
#: ``render(sentence, kinds)`` -> the user message asking for ``kinds`` in ``sentence``.
SentenceRender = Callable[[Sentence, tuple[str, ...]], str]


@dataclass
class SentenceReading:
    """What reading the sentences gave: items per section, and what was dropped on the way."""

    sections: dict[str, list[Any]] = field(default_factory=lambda: {name: [] for name in SECTION_NAMES})
    dropped: list[DroppedItem] = field(default_factory=list)
    sentences: int = 0


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


def asks_for(sentence: Sentence) -> list[tuple[str, ...]]:
    """The questions of ``drafts.SENTENCE_ASKS`` to put to ``sentence`` (see ``ASK_CUES``)."""
    return [kinds for kinds in SENTENCE_ASKS if kinds not in ASK_CUES or ASK_CUES[kinds].search(sentence.text)]


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
        answer = json.loads(line[len(_ANSWER_PREFIX) :])
        for items in answer.values():
            texts.extend(_text_of(item) for item in items)
            actors.update(normalise_name(item[name]) for item in items for name in ACTOR_FIELDS if name in item)
    named = f" {normalise_name(article)} "
    foreign = {actor for actor in actors if actor not in SPECIAL_NAMES and f" {actor} " not in named}
    return PromptExamples(texts=texts, foreign_actors=frozenset(foreign))


def _text_of(item: dict[str, Any] | BaseModel) -> str:
    values = item.model_dump() if isinstance(item, BaseModel) else item
    return " ".join(str(v) for k, v in values.items() if k not in ACTOR_FIELDS and k != "evidence")


def copies_example(text: str, sentence: str, examples: Sequence[str]) -> bool:
    """Whether ``text`` is an example's item rather than something ``sentence`` says."""
    if not any(fuzz.token_set_ratio(text, ex, processor=utils.default_process) >= EXAMPLE_COPY_MIN_SCORE
               for ex in examples):
        return False
    words = set(utils.default_process(text).split())
    in_sentence = words & set(utils.default_process(sentence).split())
    return len(in_sentence) < EXAMPLE_COPY_MAX_SENTENCE_SHARE * max(len(words), 1)


def read_sentences(
    planned: Sequence[tuple[Chunk, Sentence]],
    render: SentenceRender,
    call: SentenceCall,
    index: ActorIndex,
    examples: PromptExamples,
) -> SentenceReading:
    """Ask about every planned sentence, turn the answers into items, and merge repeats."""
    reading = SentenceReading(sentences=len(planned))
    found: dict[str, list[tuple[int, Any]]] = {name: [] for name in SECTION_NAMES}
    for _chunk, sentence in planned:
        seen: set[str] = set()
        for kinds in asks_for(sentence):
            answer = call(render(sentence, kinds), sentence, kinds)
            if answer is None:
                continue
            for section in kinds:
                drafts = getattr(answer, section)
                found[section] += _items(section, drafts, sentence, index, examples, seen, reading.dropped)
    reading.sections = {
        section: merge_items(items, min_score=SENTENCE_MERGE_MIN_SCORE, score=_alike)
        for section, items in found.items()
    }
    return reading


def _items(
    section: str,
    drafts: Sequence[BaseModel],
    sentence: Sentence,
    index: ActorIndex,
    examples: PromptExamples,
    seen: set[str],
    dropped: list[DroppedItem],
) -> list[tuple[int, Any]]:
    """One kind's items of one answer, as output items grounded on the sentence; example copies (reported
    in ``dropped``) and items already given for this sentence left out."""
    evidence = [Evidence(quote=sentence.text, start=sentence.start, end=sentence.end)]
    items: list[tuple[int, Any]] = []
    for draft in drafts:
        reason = _example_copy(draft, sentence, examples) or _not_a_condition(section, draft)
        if reason is not None:
            dropped.append(DroppedItem(section=section, item=draft.model_dump(), reason=reason))
            continue
        item = _to_item(section, draft, evidence, index)
        identity = section + "|" + item.model_dump_json(exclude={"evidence"}).casefold()
        if identity in seen:  # the same item twice in one answer
            continue
        seen.add(identity)
        items.append((sentence.index, item))
    return items


def _not_a_condition(section: str, draft: BaseModel) -> str | None:
    """Why a condition's term states no condition, or ``None``.

    Asked for the conditions of a sentence, the model also answers with a reason, a date or a manner as
    the term ("Delay production" / "2027 from late 2025"). The term of every gold condition (31 of 31)
    has a ``CONDITION_CUES`` word; ``benchmarks/measure_cue_gating.py`` shows what the check keeps.
    """
    term = getattr(draft, "condition", None) if section == "conditions" else None
    if term is None or CONDITION_CUES.search(term):
        return None
    return f"its term {term!r} states no condition (no 'if', 'unless', 'only', 'until', ...)"


def _example_copy(draft: BaseModel, sentence: Sentence, examples: PromptExamples) -> str | None:
    """Why ``draft`` comes from the prompt's examples rather than ``sentence``, or ``None``."""
    if copies_example(_text_of(draft), sentence.text, examples.texts):
        return f"copies an example of the prompt, not sentence {sentence.index}"
    values = draft.model_dump()
    borrowed = [
        values[name] for name in ACTOR_FIELDS if normalise_name(values.get(name) or "") in examples.foreign_actors
    ]
    if borrowed:
        return f"names {borrowed[0]!r}, an actor of the prompt's examples that the article never names"
    return None


def _alike(a: BaseModel, b: BaseModel) -> float:
    return lexical_similarity(content(a), content(b))


def _to_item(section: str, draft: BaseModel, evidence: list[Evidence], index: ActorIndex) -> BaseModel:
    values = draft.model_dump()
    for name in ACTOR_FIELDS:
        if name in values:
            values[name] = index.resolve(values[name])
    return SECTIONS[section].item_model(**values, evidence=evidence)
