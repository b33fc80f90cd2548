"""Article text in, ``Summary`` out: screen, plan, read, assemble.

    check the article -> hide instructions aimed at the model (screening) -> plan chunks that fit the
    context -> overview and actors (one call) -> the reader asks the model (``summarizer.readers``)
    -> ``Summary`` with ``meta``: model, prompt and schema hashes, usage per call, engine counters,
    what was dropped and why

The pipeline knows prompts, schemas and grounding; it does not know which model or endpoint answers:
it receives a ``StructuredModel`` (see ``summarizer.extraction``). How the article is read is the
reader's business (``Pipeline(reader=...)``, a ``Reader`` or a strategy name).

An article too long for ``context_tokens`` is read in overlapping chunks (``summarizer.chunking``): the
overview once, on the first chunk; the reader then reads every chunk with that chunk's system prompt.
An article that fits is one chunk.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from summarizer import defaults
from summarizer._version import __version__
from summarizer.chunking import Chunk, article_token_budget, plan_chunks
from summarizer.confidence.calibration import shipped_map
from summarizer.confidence.decide import ConfidencePolicy, decide
from summarizer.confidence.features import ArticleView
from summarizer.drafts import MAX_NAME_CHARS, OverviewDraft
from summarizer.errors import ConfigError
from summarizer.extraction import StructuredModel
from summarizer.inputs import check_article
from summarizer.overview import OVERVIEW_TEMPLATE, actor_index, read_overview
from summarizer.prompts import PromptLibrary
from summarizer.readers import make_reader
from summarizer.readers.base import Ledger, ModelCaller, PlannedRequest, ProgressCallback, ReadContext, Reader
from summarizer.schemas import ChunkMeta, MaskedSpan, Meta, Summary
from summarizer.screening import find_instructions, mask
from summarizer.sentences import split_sentences

SYSTEM_TEMPLATE = "system"
#: The most actors an overview may list; the readers' prompts name them all.
_MAX_ACTORS: int = OverviewDraft.model_json_schema()["properties"]["actors"]["maxItems"]
#: Room for the words a client puts around a JSON schema it pastes into the prompt.
_SCHEMA_WRAPPER_CHARS = 300

__all__ = ["SYSTEM_TEMPLATE", "Pipeline", "ProgressCallback", "check_article", "schema_sha256", "template_names"]


def template_names(reader: Reader) -> list[str]:
    """The templates a summary read by ``reader`` is rendered from (``Meta.prompts`` holds their hashes)."""
    return [SYSTEM_TEMPLATE, OVERVIEW_TEMPLATE, *reader.templates]


def schema_sha256(reader: Reader) -> str:
    """A hash of every schema the model is asked to fill when ``reader`` reads: part of ``meta``."""
    schemas: dict[str, Any] = {"overview": OverviewDraft.model_json_schema()}
    schemas.update({name: model.model_json_schema() for name, model in reader.schemas().items()})
    return hashlib.sha256(json.dumps(schemas, sort_keys=True).encode()).hexdigest()


class Pipeline:
    """Screens, plans and assembles; the reader asks the model."""

    def __init__(
        self,
        model: StructuredModel,
        *,
        reader: Reader | str = "sections",
        confidence: ConfidencePolicy | None = None,
        prompts: PromptLibrary | None = None,
        backend: str = "custom",
        base_url: str | None = None,
        sampling: dict[str, Any] | None = None,
        context_tokens: int = defaults.N_CTX,
    ) -> None:
        if isinstance(context_tokens, bool) or not isinstance(context_tokens, int) or context_tokens < 1:
            raise ConfigError(f"context_tokens must be a positive number of tokens (n_ctx), got {context_tokens!r}")
        if isinstance(reader, str):
            try:
                reader = make_reader(reader)
            except ValueError as error:
                raise ConfigError(str(error)) from None
        self.reader: Reader = reader
        #: How items are kept or dropped by how sure the model was (default: the map shipped for the reader).
        self.confidence = confidence or ConfidencePolicy(calibration=shipped_map(reader.name))
        self.model = model
        self.prompts = prompts or PromptLibrary()
        self.backend = backend
        self.base_url = base_url
        self.sampling = dict(sampling or {})
        self.context_tokens = context_tokens
        self._article_budget: int | None = None

    @property
    def strategy(self) -> str:
        return self.reader.name

    def _answer_tokens(self, cap: int | None = None) -> int:
        """The answer budget of a call: ``sampling["max_tokens"]``, at most ``cap``."""
        answer = self.sampling.get("max_tokens")
        tokens = answer if isinstance(answer, int) and answer > 0 else defaults.MAX_TOKENS
        return tokens if cap is None else min(tokens, cap)

    def article_budget(self) -> int:
        """Estimated tokens of article one call can carry within ``context_tokens`` (may be negative).

        The smallest over the kinds of request (the overview's and the reader's): the context less the
        request's answer cap, the system template, and the request around the article, rendered with
        the most actors an overview can give, plus the JSON schema when the model pastes it into the
        prompt (assumed unless the model's ``schema_in_prompt`` is false, as with a grammar).
        """
        if self._article_budget is None:
            schema_in_prompt = getattr(self.model, "schema_in_prompt", True) is not False
            actors = ["X" * MAX_NAME_CHARS] * _MAX_ACTORS
            requests = [
                PlannedRequest(self.prompts.get(OVERVIEW_TEMPLATE).render(), OverviewDraft),
                *self.reader.requests(self.prompts, actors),
            ]
            system = self.prompts.get(SYSTEM_TEMPLATE).render(article="")
            self._article_budget = min(
                article_token_budget(
                    self.context_tokens,
                    self._answer_tokens(request.answer_tokens),
                    [system, request.user, *([_schema_text(request.response_model)] if schema_in_prompt else [])],
                )
                for request in requests
            )
        return self._article_budget

    def chunks(self, article: str) -> list[Chunk]:
        """How ``summarize`` reads ``article``: one chunk when it fits the context, else several."""
        try:
            return plan_chunks(article, self.article_budget())
        except ValueError as error:
            raise ConfigError(f"context_tokens={self.context_tokens} is too small for this article: {error}") from error

    def summarize(self, text: str, *, progress: ProgressCallback | None = None) -> Summary:
        article = check_article(text)
        started = time.perf_counter()
        notify: Callable[[str], None] = progress or (lambda _message: None)
        # Instructions aimed at the model are blanked out of what it is shown; offsets stay the same.
        hidden = find_instructions(article)
        shown = mask(article, hidden)
        chunks = self.chunks(shown)
        systems = [self.prompts.get(SYSTEM_TEMPLATE).render(article=chunk.text) for chunk in chunks]
        caller = ModelCaller(self.model, Ledger(article))

        notify("overview")
        overview = read_overview(caller, self.prompts, systems[0], chunks[0])
        index = actor_index(overview, article)
        context = ReadContext(article, shown, chunks, systems, index, self.prompts, caller, notify)
        reading = self.reader.read(context)
        ledger = caller.ledger
        view = ArticleView.of(split_sentences(shown), index.actors)
        used = self.prompts.hashes(template_names(self.reader))
        sections, dropped, confidence = decide(
            reading.sections, view, self.confidence, model=self.model.model, prompts=used
        )
        ledger.dropped.extend(dropped)

        meta = Meta(
            summarizer_version=__version__,
            model=self.model.model,
            backend=self.backend,
            base_url=self.base_url,
            strategy=self.reader.name,
            article_sha256=hashlib.sha256(article.encode("utf-8")).hexdigest(),
            article_chars=len(article),
            prompts=used,
            schema_sha256=schema_sha256(self.reader),
            sampling=self.sampling,
            usage=ledger.usage,
            sections=ledger.sections,
            seconds=round(time.perf_counter() - started, 3),
            dropped=ledger.dropped,
            engine=ledger.engine.as_dict() if ledger.engine is not None else None,
            chunks=[ChunkMeta(start=chunk.start, end=chunk.end) for chunk in chunks],
            sentences=reading.sentences,
            confidence=confidence,
            masked=[MaskedSpan(start=s.start, end=s.end, text=article[s.start : s.end]) for s in hidden],
        )
        return Summary(overview=overview.overview, actors=index.actors, meta=meta, **sections)


def _schema_text(draft: type[BaseModel]) -> str:
    """About what a JSON-mode client pastes into the prompt for ``draft``: its schema, indented."""
    return json.dumps(draft.model_json_schema(), indent=2) + " " * _SCHEMA_WRAPPER_CHARS
