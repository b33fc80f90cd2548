"""Article text in, ``Summary`` out: the model reads the article, evidence is verified in code.

Two reading strategies (``Pipeline(strategy=...)``, ``Settings.strategy``, recorded in ``meta.strategy``):

- ``sentences`` (the embedded model's default): a few small calls per sentence (its positions; its
  demands; its risks; its conditions), over one cached article prefix (``summarizer.sentence_reader``);
- ``sections``: one call per section for the whole article, with a follow-up call for a section
  answered with one or two items (``follow_up``).

Both start with one overview call that also lists the article's actors.

The pipeline knows prompts, schemas and grounding; it does not know which model or endpoint answers:
it receives a ``StructuredModel`` (see ``summarizer.extraction``).

An article too long for ``context_tokens`` is read in overlapping chunks (``summarizer.chunking``): the
overview once, on the first chunk; every section once per chunk, its evidence located in the chunk and
shifted back to article offsets; then the items of all chunks merged. An article that fits is one
chunk, and the requests are exactly those of a single pass.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from summarizer._version import __version__
from summarizer.actors import ActorIndex, plausible_alias, strip_title
from summarizer.chunking import Chunk, article_token_budget, merge_items, plan_chunks, shift_evidence
from summarizer.config import STRATEGIES, Strategy
from summarizer.drafts import (
    MAX_ITEMS,
    MAX_NAME_CHARS,
    SECTION_DRAFTS,
    SENTENCE_ASKS,
    GroundedDraft,
    OverviewDraft,
    schema_sha256,
    section_items,
    sentence_draft,
)
from summarizer.errors import ConfigError, InputError
from summarizer.extraction import EngineTimings, StructuredModel
from summarizer.prompts import PromptLibrary
from summarizer.schemas import (
    SECTION_NAMES,
    Actor,
    ChunkMeta,
    DroppedItem,
    MaskedSpan,
    Meta,
    SectionMeta,
    Summary,
    Usage,
)
from summarizer.screening import find_instructions, mask
from summarizer.sentence_reader import SENTENCE_TEMPLATE, prompt_examples, read_sentences, sentences_to_read
from summarizer.sentences import Sentence

SYSTEM_TEMPLATE = "system"
OVERVIEW_TEMPLATE = "overview"
MORE_TEMPLATE = "more"
#: Every template a summary is rendered from (``_fields`` is included by the section templates).
TEMPLATE_NAMES = [SYSTEM_TEMPLATE, "_fields", OVERVIEW_TEMPLATE, *SECTION_NAMES, MORE_TEMPLATE, SENTENCE_TEMPLATE]
#: ``Meta.sections`` key under which the sentence calls of an article are summed.
SENTENCES_KEY = "sentences"
#: With ``follow_up``, a section answered with at least one but fewer than this many items is asked once
#: for more ("gleaning"): a small model stops early, and most of what it misses is recall.
FOLLOW_UP_BELOW = 3

ProgressCallback = Callable[[str], None]

#: The context size assumed when none is given: the embedded engine's default ``n_ctx``.
DEFAULT_CONTEXT_TOKENS = 4096
#: The answer budget assumed when ``sampling`` gives no ``max_tokens``: ``Settings``' default.
DEFAULT_ANSWER_TOKENS = 900
#: The answer cap of one sentence question: at most two short items of one kind (about 70 tokens);
#: room for a few times that, so that an answer is never cut off, and far less than a section's.
SENTENCE_ANSWER_TOKENS = 256
#: The most actors an overview may list; the section prompts name them all.
_MAX_ACTORS: int = OverviewDraft.model_json_schema()["properties"]["actors"]["maxItems"]
#: The longest sentence the context budget allows for (a very long news sentence is about 400 characters).
_LONGEST_SENTENCE_CHARS = 600
#: Room for the words a client puts around a JSON schema it pastes into the prompt.
_SCHEMA_WRAPPER_CHARS = 300


def _add_usage(total: Usage, part: Usage) -> None:
    for name in Usage.model_fields:
        setattr(total, name, getattr(total, name) + getattr(part, name))


def check_article(text: object) -> str:
    """The article as text, or ``InputError`` saying what is wrong with it."""
    if isinstance(text, bytes):
        raise InputError("the article must be text (str), not bytes: decode it first, e.g. as UTF-8")
    if not isinstance(text, str):
        raise InputError(f"the article must be a str, got {type(text).__name__}")
    if not text.strip():
        raise InputError("the article is empty: there is nothing to summarise")
    if "\x00" in text:
        raise InputError("the article contains NUL bytes: it looks like a binary file, not text")
    return text


def _item_fields(draft: type[BaseModel]) -> list[dict[str, str]]:
    """Name and description of each field of a section's item, in the order the model writes them."""
    (list_field,) = draft.model_fields.values()
    item_model = list_field.annotation.__args__[0]  # type: ignore[union-attr]
    return [{"name": name, "description": info.description or ""} for name, info in item_model.model_fields.items()]


@dataclass
class _Run:
    """What one ``summarize`` call accumulates."""

    article: str
    usage: Usage = field(default_factory=Usage)
    sections: dict[str, SectionMeta] = field(default_factory=dict)
    dropped: list[DroppedItem] = field(default_factory=list)
    chunks: int = 1
    sentences: int = 0
    #: What a llama.cpp server reported doing for this summary's calls (``None`` from other servers).
    engine: EngineTimings | None = None


def section_key(section: str, chunk: Chunk, chunks: int) -> str:
    """The key of a section call in ``Meta.sections``: ``positions``, or ``positions[2]`` for chunk 2."""
    return section if chunks == 1 else f"{section}[{chunk.index}]"


class Pipeline:
    """Renders the prompts, calls the model per section, grounds and assembles the ``Summary``."""

    def __init__(
        self,
        model: StructuredModel,
        *,
        prompts: PromptLibrary | None = None,
        backend: str = "custom",
        base_url: str | None = None,
        sampling: dict[str, Any] | None = None,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        follow_up: bool = False,
        strategy: Strategy = "sections",
    ) -> None:
        if isinstance(context_tokens, bool) or not isinstance(context_tokens, int) or context_tokens < 1:
            raise ConfigError(f"context_tokens must be a positive number of tokens (n_ctx), got {context_tokens!r}")
        if strategy not in STRATEGIES:
            raise ConfigError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
        self.strategy: Strategy = strategy
        self.model = model
        self.prompts = prompts or PromptLibrary()
        self.backend = backend
        self.base_url = base_url
        self.sampling = dict(sampling or {})
        self.context_tokens = context_tokens
        self.follow_up = follow_up
        self._article_budget: int | None = None

    def article_budget(self) -> int:
        """Estimated tokens of article one call can carry within ``context_tokens`` (may be negative).

        The smallest over the kinds of request: the context less the request's answer cap
        (``sampling["max_tokens"]``; ``SENTENCE_ANSWER_TOKENS`` for a sentence question), the system
        template, and the request around the article: a section or sentence prompt listing the most
        actors an overview can give, plus the JSON schema when the model pastes it into the prompt
        (assumed unless the model's ``schema_in_prompt`` is false, as with a grammar).
        """
        if self._article_budget is None:
            answer_tokens = self._answer_tokens()
            schema_in_prompt = getattr(self.model, "schema_in_prompt", True) is not False
            actors = ["X" * MAX_NAME_CHARS] * _MAX_ACTORS
            # (prompt around the article, schema, answer cap) of every kind of request
            requests: list[tuple[str, type[BaseModel], int]] = [
                (self.prompts.get(OVERVIEW_TEMPLATE).render(), OverviewDraft, answer_tokens)
            ]
            if self.strategy == "sentences":
                template, sentence = self.prompts.get(SENTENCE_TEMPLATE), "X" * _LONGEST_SENTENCE_CHARS
                requests += [
                    (
                        template.render(actors=actors, sentence=sentence, kinds=kinds),
                        sentence_draft(kinds),
                        self._answer_tokens(SENTENCE_ANSWER_TOKENS),
                    )
                    for kinds in SENTENCE_ASKS
                ]
            else:
                for section, draft in SECTION_DRAFTS.items():
                    fields = _item_fields(draft)
                    user = self.prompts.get(section).render(actors=actors, fields=fields, max_items=MAX_ITEMS)
                    requests.append((user, draft, answer_tokens))
            system = self.prompts.get(SYSTEM_TEMPLATE).render(article="")
            self._article_budget = min(
                article_token_budget(
                    self.context_tokens,
                    answer,
                    [system, user, _schema_text(draft)] if schema_in_prompt else [system, user],
                )
                for user, draft, answer in requests
            )
        return self._article_budget

    def _answer_tokens(self, cap: int | None = None) -> int:
        """The answer budget of a call: ``sampling["max_tokens"]``, at most ``cap``."""
        answer = self.sampling.get("max_tokens")
        tokens = answer if isinstance(answer, int) and answer > 0 else DEFAULT_ANSWER_TOKENS
        return tokens if cap is None else min(tokens, cap)

    def chunks(self, article: str) -> list[Chunk]:
        """How ``summarize`` reads ``article``: one chunk when it fits the context, else several."""
        try:
            return plan_chunks(article, self.article_budget())
        except ValueError as error:
            raise ConfigError(f"context_tokens={self.context_tokens} is too small for this article: {error}") from error

    def summarize(self, text: str, *, progress: ProgressCallback | None = None) -> Summary:
        article = check_article(text)
        started = time.perf_counter()
        run = _Run(article)
        notify = progress or (lambda _message: None)
        # Instructions aimed at the model are blanked out of what it is shown; offsets stay the same.
        hidden = find_instructions(article)
        shown = mask(article, hidden)
        chunks = self.chunks(shown)
        run.chunks = len(chunks)
        systems = [self.prompts.get(SYSTEM_TEMPLATE).render(article=chunk.text) for chunk in chunks]

        notify("overview")
        overview = self._overview(run, systems[0], chunks[0])
        index = ActorIndex([_canonical_actor(a.name, a.aliases) for a in overview.actors])
        actor_names = [a.name for a in index.actors]

        if self.strategy == "sentences":
            sections = self._read_sentences(run, shown, chunks, systems, index, actor_names, notify)
        else:
            sections = self._read_sections(run, chunks, systems, index, actor_names, notify)

        meta = Meta(
            summarizer_version=__version__,
            model=self.model.model,
            backend=self.backend,
            base_url=self.base_url,
            strategy=self.strategy,
            article_sha256=hashlib.sha256(article.encode("utf-8")).hexdigest(),
            article_chars=len(article),
            prompts=self.prompts.hashes(TEMPLATE_NAMES),
            schema_sha256=schema_sha256(),
            sampling=self.sampling,
            usage=run.usage,
            sections=run.sections,
            seconds=round(time.perf_counter() - started, 3),
            dropped=run.dropped,
            engine=run.engine.as_dict() if run.engine is not None else None,
            chunks=[ChunkMeta(start=chunk.start, end=chunk.end) for chunk in chunks],
            sentences=run.sentences,
            masked=[MaskedSpan(start=s.start, end=s.end, text=article[s.start : s.end]) for s in hidden],
        )
        return Summary(overview=overview.overview, actors=index.actors, meta=meta, **sections)

    def _read_sections(
        self,
        run: _Run,
        chunks: list[Chunk],
        systems: list[str],
        index: ActorIndex,
        actor_names: list[str],
        notify: ProgressCallback,
    ) -> dict[str, list[Any]]:
        """The ``sections`` strategy: one call per section and chunk, items merged across chunks."""
        found: dict[str, list[tuple[int, Any]]] = {section: [] for section in SECTION_NAMES}
        for chunk, system in zip(chunks, systems, strict=True):
            # Chunk by chunk, so that the calls of one chunk share the system prompt (the engine's cache).
            for section in SECTION_NAMES:
                notify(section if len(chunks) == 1 else f"{section} (chunk {chunk.index + 1} of {len(chunks)})")
                drafts = self._section(run, system, section, actor_names, chunk)
                # Spans were located in the chunk: shift them to offsets in the whole article.
                found[section] += [(chunk.index, shift_evidence(d.to_item(index.resolve), chunk.start)) for d in drafts]
        if len(chunks) == 1:
            return {section: [item for _, item in items] for section, items in found.items()}
        return {section: merge_items(items) for section, items in found.items()}

    def _read_sentences(
        self,
        run: _Run,
        shown: str,
        chunks: list[Chunk],
        systems: list[str],
        index: ActorIndex,
        actor_names: list[str],
        notify: ProgressCallback,
    ) -> dict[str, list[Any]]:
        """The ``sentences`` strategy: one call per sentence over the cached article prefix."""
        planned = sentences_to_read(shown, run.article, chunks)
        run.sentences = len(planned)
        template = self.prompts.get(SENTENCE_TEMPLATE)
        system_of = {chunk.index: system for chunk, system in zip(chunks, systems, strict=True)}
        chunk_of = {sentence.index: chunk for chunk, sentence in planned}
        examples = prompt_examples(
            template.render(actors=actor_names, sentence="", kinds=SENTENCE_ASKS[0]), run.article
        )
        position = {sentence.index: n for n, (_, sentence) in enumerate(planned, start=1)}

        def render(sentence: Sentence, kinds: tuple[str, ...]) -> str:
            return template.render(actors=actor_names, sentence=sentence.text, kinds=kinds)

        def call(user: str, sentence: Sentence, kinds: tuple[str, ...]) -> BaseModel | None:
            if kinds == SENTENCE_ASKS[0]:
                notify(f"sentence {position[sentence.index]} of {len(planned)}")
            chunk = chunk_of[sentence.index]
            draft = sentence_draft(kinds)
            value, raw_text, error = self._call(
                run,
                SENTENCES_KEY,
                SENTENCE_TEMPLATE,
                system_of[chunk.index],
                user,
                draft,
                chunk.text,
                max_tokens=self._answer_tokens(SENTENCE_ANSWER_TOKENS),
            )
            if value is None:
                value = _parse_lenient(draft, raw_text, chunk.text)
            if isinstance(value, draft):
                return value
            asked = ", ".join(kinds)
            reason = (
                f"sentence {sentence.index} ({sentence.start}:{sentence.end}), {asked}: {error or 'no answer'}"
            )
            run.dropped.append(DroppedItem(section=SENTENCES_KEY, item=None, reason=reason))
            run.sections[SENTENCES_KEY].dropped += 1
            return None

        reading = read_sentences(planned, render, call, index, examples)
        run.dropped.extend(reading.dropped)
        if SENTENCES_KEY in run.sections:
            run.sections[SENTENCES_KEY].dropped += len(reading.dropped)
            run.sections[SENTENCES_KEY].kept = sum(len(items) for items in reading.sections.values())
        return reading.sections

    def _call(
        self,
        run: _Run,
        key: str,
        template: str,
        system: str,
        user: str,
        response_model: type[BaseModel],
        source: str,
        history: list[dict[str, str]] | None = None,
        max_tokens: int | None = None,
    ) -> tuple[BaseModel | None, str | None, str | None]:
        """One call, metered under ``key``; ``source`` is the text shown, where quotes are located;
        ``max_tokens`` caps the answer below the model's default."""
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}, *(history or [])]
        started = time.perf_counter()
        extraction = self.model.extract(response_model, messages, {"article": source}, max_tokens=max_tokens)
        seconds = time.perf_counter() - started
        _add_usage(run.usage, extraction.usage)
        if extraction.engine is not None:
            if run.engine is None:
                run.engine = EngineTimings()
            run.engine.add(extraction.engine)
        metered = run.sections.get(key)
        if metered is None:
            run.sections[key] = SectionMeta(
                template=template, usage=extraction.usage, seconds=round(seconds, 3), kept=0, dropped=0
            )
        else:  # several calls under one key (the sentence reader's): summed
            _add_usage(metered.usage, extraction.usage)
            metered.seconds = round(metered.seconds + seconds, 3)
        return extraction.value, extraction.raw_text, extraction.error

    def _overview(self, run: _Run, system: str, chunk: Chunk) -> OverviewDraft:
        user = self.prompts.get(OVERVIEW_TEMPLATE).render()
        value, raw_text, error = self._call(
            run, OVERVIEW_TEMPLATE, OVERVIEW_TEMPLATE, system, user, OverviewDraft, chunk.text
        )
        if isinstance(value, OverviewDraft):
            run.sections[OVERVIEW_TEMPLATE].kept = 1
            return value
        salvaged = _parse_lenient(OverviewDraft, raw_text, chunk.text)
        if isinstance(salvaged, OverviewDraft):
            run.sections[OVERVIEW_TEMPLATE].kept = 1
            return salvaged
        run.dropped.append(DroppedItem(section=OVERVIEW_TEMPLATE, item=None, reason=error or "no answer"))
        run.sections[OVERVIEW_TEMPLATE].dropped = 1
        return OverviewDraft.model_construct(overview="", actors=[])

    def _section(self, run: _Run, system: str, section: str, actors: list[str], chunk: Chunk) -> list[GroundedDraft]:
        """One section's grounded drafts for one chunk; their spans are offsets in ``chunk.text``."""
        draft_model = SECTION_DRAFTS[section]
        key = section_key(section, chunk, run.chunks)
        # Drop reasons name the chunk when there are several; ``DroppedItem.section`` stays the section.
        where = "" if run.chunks == 1 else f"chunk {chunk.index} ({chunk.start}:{chunk.end}): "
        user = self.prompts.get(section).render(actors=actors, fields=_item_fields(draft_model), max_items=MAX_ITEMS)
        value, raw_text, error = self._call(run, key, section, system, user, draft_model, chunk.text)
        if value is None:
            value = _parse_lenient(draft_model, raw_text, chunk.text)
        if value is None:
            run.dropped.append(DroppedItem(section=section, item=None, reason=where + (error or "no answer")))
            run.sections[key].dropped += 1
            return []
        kept: list[GroundedDraft] = []
        seen: set[tuple[str, ...]] = set()
        self._keep(run, key, section, where, chunk, section_items(value), kept, seen, spans_seen=None)
        if self.follow_up and 0 < len(kept) < FOLLOW_UP_BELOW:
            more_key = f"{key}+more"
            answer = raw_text or value.model_dump_json()  # the model's answer as it gave it (quotes unlocated)
            history = [
                {"role": "assistant", "content": answer},
                {"role": "user", "content": self.prompts.get(MORE_TEMPLATE).render(section=section)},
            ]
            more, more_raw, _ = self._call(
                run, more_key, MORE_TEMPLATE, system, user, draft_model, chunk.text, history=history
            )
            if more is None:
                more = _parse_lenient(draft_model, more_raw, chunk.text)
            if more is not None:
                # A repeat may be worded anew: the same evidence spans as a kept item also make a repeat.
                spans_seen = {_span_key(item) for item in kept}
                self._keep(
                    run, more_key, section, where, chunk, section_items(more), kept, seen, spans_seen=spans_seen
                )
        return kept

    def _keep(
        self,
        run: _Run,
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
        before = len(kept)
        for item in items:
            dump = item.model_dump()
            reason = None
            identity = tuple(str(v).casefold() for k, v in sorted(dump.items()) if k != "evidence")
            shown = [s for s in item.spans if run.article[chunk.start + s.start : chunk.start + s.end] == s.quote]
            if not item.spans:
                quotes = "; ".join(repr(q) for q in item.unfound)
                reason = f"no evidence quote could be found in the article ({quotes})"
            elif not shown:
                reason = "its evidence runs into text hidden from the model as an instruction to an AI"
            elif identity in seen or (spans_seen is not None and _span_key(item) in spans_seen):
                reason = "duplicate of an earlier item"
            if reason is not None:
                run.dropped.append(DroppedItem(section=section, item=dump, reason=where + reason))
                run.sections[key].dropped += 1
                continue
            seen.add(identity)
            item.keep_spans(shown)
            kept.append(item)
        run.sections[key].kept = len(kept) - before


def _canonical_actor(name: str, aliases: list[str]) -> Actor:
    """An overview actor under its name without a job title, the titled form kept as an alias."""
    canonical = strip_title(name)
    names = [name, *aliases] if canonical != name.strip() else aliases
    return Actor(name=canonical, aliases=[alias for alias in names if plausible_alias(canonical, alias)])


def _span_key(item: GroundedDraft) -> tuple[tuple[int, int], ...]:
    return tuple(sorted((span.start, span.end) for span in item.spans))


def _schema_text(draft: type[BaseModel]) -> str:
    """About what a JSON-mode client pastes into the prompt for ``draft``: its schema, indented."""
    return json.dumps(draft.model_json_schema(), indent=2) + " " * _SCHEMA_WRAPPER_CHARS


def _parse_lenient(draft_model: type[BaseModel], raw_text: str | None, article: str) -> BaseModel | None:
    """Validate the model's last answer keeping only grounded quotes; ``None`` if it is not valid JSON."""
    if not raw_text:
        return None
    try:
        return draft_model.model_validate_json(raw_text, context={"article": article, "lenient": True})
    except ValidationError:
        return None
