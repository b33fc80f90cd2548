"""What every way of reading shares: the ``Reader`` protocol, and what a reader is given to read with.

A reader turns an article into items of the four sections by asking the model. The pipeline prepares
what every reader needs (the text shown to the model, its chunks and their system prompts, the actors
found by the overview) in a ``ReadContext``, calls ``Reader.read``, and then builds the ``Summary``.

Every model call goes through ``ModelCaller.call``: metered under a key of ``Meta.sections`` (tokens,
time, engine counters), and an answer that failed validation is parsed once more leniently, keeping
what is grounded. What a reader drops goes into ``Ledger.dropped`` with its reason, so nothing is lost
silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ValidationError

from summarizer.actors import ActorIndex
from summarizer.chunking import Chunk
from summarizer.extraction import EngineTimings, Extraction, ExtractRequest, StructuredModel, TokenLogprob
from summarizer.prompts import PromptLibrary
from summarizer.schemas import DroppedItem, SectionMeta, Usage

ProgressCallback = Callable[[str], None]


def add_usage(total: Usage, part: Usage) -> None:
    for name in Usage.model_fields:
        setattr(total, name, getattr(total, name) + getattr(part, name))


@dataclass
class Ledger:
    """What one summary accumulates: usage per call key, engine counters, and what was dropped."""

    article: str
    usage: Usage = field(default_factory=Usage)
    sections: dict[str, SectionMeta] = field(default_factory=dict)
    dropped: list[DroppedItem] = field(default_factory=list)
    #: What a llama.cpp server reported doing for this summary's calls (``None`` from other servers).
    engine: EngineTimings | None = None

    def drop(self, section: str, item: dict[str, Any] | None, reason: str, key: str | None = None) -> None:
        """Record a dropped item (``None``: a whole answer) and count it under the call key ``key``."""
        self.dropped.append(DroppedItem(section=section, item=item, reason=reason))
        if key is not None:
            self.sections[key].dropped += 1


@dataclass(frozen=True)
class Answer:
    """One model call's outcome: the validated (or leniently parsed) answer, or why there is none."""

    value: BaseModel | None
    raw_text: str | None = None
    error: str | None = None
    #: The answer's tokens with their log-probabilities, when the server sent them.
    tokens: list[TokenLogprob] | None = None


@dataclass(frozen=True)
class Call:
    """One model call a reader makes: metered under ``key`` in ``Meta.sections``.

    ``source`` is the text the model was shown, where quotes are located; ``max_tokens`` caps the
    answer below the model's default; ``history`` continues a conversation after the user message.
    """

    key: str
    template: str
    system: str
    user: str
    response_model: type[BaseModel]
    source: str
    history: tuple[dict[str, str], ...] = ()
    max_tokens: int | None = None

    def request(self) -> ExtractRequest:
        messages = [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]
        return (self.response_model, [*messages, *self.history], {"article": self.source}, self.max_tokens)


class ModelCaller:
    """The metered model calls every reader makes."""

    def __init__(self, model: StructuredModel, ledger: Ledger) -> None:
        self.model = model
        self.ledger = ledger

    def call(self, call: Call) -> Answer:
        """Ask one call of the model (see ``call_all``)."""
        (answer,) = self.call_all([call])
        return answer

    def call_all(self, calls: Sequence[Call]) -> list[Answer]:
        """Ask each call of the model (as many at once as the model allows), metered, in order.

        An answer that failed validation is parsed leniently (only its grounded quotes kept);
        ``Answer.value`` is ``None`` when even that fails.
        """
        if len(calls) == 1:
            (call,) = calls
            extractions = [self.model.extract(*call.request()[:3], max_tokens=call.max_tokens)]
        else:
            extractions = self.model.extract_many([call.request() for call in calls])
        return [self._metered(call, extraction) for call, extraction in zip(calls, extractions, strict=True)]

    def _metered(self, call: Call, extraction: Extraction) -> Answer:
        ledger = self.ledger
        add_usage(ledger.usage, extraction.usage)
        if extraction.engine is not None:
            if ledger.engine is None:
                ledger.engine = EngineTimings()
            ledger.engine.add(extraction.engine)
        metered = ledger.sections.get(call.key)
        if metered is None:
            ledger.sections[call.key] = SectionMeta(
                template=call.template, usage=extraction.usage, seconds=round(extraction.seconds, 3), kept=0, dropped=0
            )
        else:  # several calls under one key (the sentence reader's): summed
            add_usage(metered.usage, extraction.usage)
            metered.seconds = round(metered.seconds + extraction.seconds, 3)
        value = extraction.value
        if value is None:
            value = parse_lenient(call.response_model, extraction.raw_text, call.source)
        return Answer(value=value, raw_text=extraction.raw_text, error=extraction.error, tokens=extraction.tokens)


def parse_lenient(draft_model: type[BaseModel], raw_text: str | None, article: str) -> BaseModel | None:
    """Validate the model's last answer keeping only grounded quotes; ``None`` if it is not valid JSON."""
    if not raw_text:
        return None
    try:
        return draft_model.model_validate_json(raw_text, context={"article": article, "lenient": True})
    except ValidationError:
        return None


@dataclass(frozen=True)
class PlannedRequest:
    """A kind of request a reader sends: the user message around the article, the schema to fill, and
    the answer cap (``None``: the model's default). The pipeline sizes chunks so that each fits."""

    user: str
    response_model: type[BaseModel]
    answer_tokens: int | None = None


@dataclass(frozen=True)
class ReadContext:
    """What the pipeline hands a reader for one article."""

    #: The article as given (evidence offsets point into it).
    article: str
    #: The article as the model is shown it: instructions to an AI blanked out, same length.
    shown: str
    #: The parts the article is read in (one when it fits the context).
    chunks: Sequence[Chunk]
    #: The system prompt (holding the chunk's text) of each chunk, by chunk index.
    systems: Sequence[str]
    #: The article's actors, to resolve the names the model gives.
    index: ActorIndex
    prompts: PromptLibrary
    caller: ModelCaller
    notify: ProgressCallback

    @property
    def ledger(self) -> Ledger:
        return self.caller.ledger

    @property
    def actor_names(self) -> list[str]:
        return [actor.name for actor in self.index.actors]


@dataclass
class Reading:
    """What a reader found: items per section (evidence as offsets in the article)."""

    sections: dict[str, list[Any]]
    #: Sentences read, for readers that read sentence by sentence (``Meta.sentences``).
    sentences: int = 0


class Reader(Protocol):
    """A way of reading an article. Register new ones in ``summarizer.readers.READERS``."""

    #: Its name: the ``strategy`` that selects it.
    name: ClassVar[str]
    #: The prompt templates it renders (their hashes go into ``Meta.prompts``).
    templates: ClassVar[tuple[str, ...]]

    def requests(self, prompts: PromptLibrary, actors: list[str]) -> list[PlannedRequest]:
        """The largest requests it will send for an article with ``actors`` (for the token budget)."""
        ...

    def schemas(self) -> dict[str, type[BaseModel]]:
        """Every schema it asks the model to fill, by a stable name (part of ``Meta.schema_sha256``)."""
        ...

    def read(self, context: ReadContext) -> Reading:
        """Ask the model about the article and return its items."""
        ...
