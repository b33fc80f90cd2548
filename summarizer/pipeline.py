"""Article text in, ``Summary`` out: one focused model call per section, evidence verified in code.

The pipeline knows prompts, schemas and grounding; it does not know which model or endpoint answers:
it receives a ``StructuredModel`` (see ``summarizer.extraction``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from summarizer._version import __version__
from summarizer.actors import ActorIndex, plausible_alias
from summarizer.drafts import (
    MAX_ITEMS,
    SECTION_DRAFTS,
    GroundedDraft,
    OverviewDraft,
    schema_sha256,
    section_items,
)
from summarizer.errors import InputError
from summarizer.extraction import StructuredModel
from summarizer.prompts import PromptLibrary
from summarizer.schemas import (
    SECTION_NAMES,
    Actor,
    DroppedItem,
    Meta,
    SectionMeta,
    Summary,
    Usage,
)

SYSTEM_TEMPLATE = "system"
OVERVIEW_TEMPLATE = "overview"
#: Every template a summary is rendered from (``_fields`` is included by the section templates).
TEMPLATE_NAMES = [SYSTEM_TEMPLATE, "_fields", OVERVIEW_TEMPLATE, *SECTION_NAMES]

ProgressCallback = Callable[[str], None]


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
        engine_counters: Callable[[], dict[str, Any] | None] | None = None,
    ) -> None:
        self.model = model
        self.prompts = prompts or PromptLibrary()
        self.backend = backend
        self.base_url = base_url
        self.sampling = dict(sampling or {})
        self._engine_counters = engine_counters

    def summarize(self, text: str, *, progress: ProgressCallback | None = None) -> Summary:
        article = check_article(text)
        started = time.perf_counter()
        run = _Run(article)
        notify = progress or (lambda _message: None)
        engine_before = self._engine_counters() if self._engine_counters else None
        system = self.prompts.get(SYSTEM_TEMPLATE).render(article=article)

        notify("overview")
        overview = self._overview(run, system)
        index = ActorIndex(
            [Actor(name=a.name, aliases=[x for x in a.aliases if plausible_alias(a.name, x)]) for a in overview.actors]
        )
        actor_names = [a.name for a in index.actors]

        sections: dict[str, list[Any]] = {}
        for section in SECTION_NAMES:
            notify(section)
            drafts = self._section(run, system, section, actor_names)
            sections[section] = [draft.to_item(index.resolve) for draft in drafts]

        engine_after = self._engine_counters() if self._engine_counters else None
        meta = Meta(
            summarizer_version=__version__,
            model=self.model.model,
            backend=self.backend,
            base_url=self.base_url,
            article_sha256=hashlib.sha256(article.encode("utf-8")).hexdigest(),
            article_chars=len(article),
            prompts=self.prompts.hashes(TEMPLATE_NAMES),
            schema_sha256=schema_sha256(),
            sampling=self.sampling,
            usage=run.usage,
            sections=run.sections,
            seconds=round(time.perf_counter() - started, 3),
            dropped=run.dropped,
            engine=_counter_delta(engine_before, engine_after),
        )
        return Summary(overview=overview.overview, actors=index.actors, meta=meta, **sections)

    def _call(
        self, run: _Run, name: str, system: str, user: str, response_model: type[BaseModel]
    ) -> tuple[BaseModel | None, str | None, str | None]:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        started = time.perf_counter()
        extraction = self.model.extract(response_model, messages, {"article": run.article})
        _add_usage(run.usage, extraction.usage)
        run.sections[name] = SectionMeta(
            template=name,
            usage=extraction.usage,
            seconds=round(time.perf_counter() - started, 3),
            kept=0,
            dropped=0,
        )
        return extraction.value, extraction.raw_text, extraction.error

    def _overview(self, run: _Run, system: str) -> OverviewDraft:
        user = self.prompts.get(OVERVIEW_TEMPLATE).render()
        value, raw_text, error = self._call(run, OVERVIEW_TEMPLATE, system, user, OverviewDraft)
        if isinstance(value, OverviewDraft):
            run.sections[OVERVIEW_TEMPLATE].kept = 1
            return value
        salvaged = _parse_lenient(OverviewDraft, raw_text, run.article)
        if isinstance(salvaged, OverviewDraft):
            run.sections[OVERVIEW_TEMPLATE].kept = 1
            return salvaged
        run.dropped.append(DroppedItem(section=OVERVIEW_TEMPLATE, item=None, reason=error or "no answer"))
        run.sections[OVERVIEW_TEMPLATE].dropped = 1
        return OverviewDraft.model_construct(overview="", actors=[])

    def _section(self, run: _Run, system: str, section: str, actors: list[str]) -> list[GroundedDraft]:
        draft_model = SECTION_DRAFTS[section]
        user = self.prompts.get(section).render(actors=actors, fields=_item_fields(draft_model), max_items=MAX_ITEMS)
        value, raw_text, error = self._call(run, section, system, user, draft_model)
        if value is None:
            value = _parse_lenient(draft_model, raw_text, run.article)
        if value is None:
            run.dropped.append(DroppedItem(section=section, item=None, reason=error or "no answer"))
            run.sections[section].dropped += 1
            return []
        kept: list[GroundedDraft] = []
        seen: set[tuple[str, ...]] = set()
        for item in section_items(value):
            dump = item.model_dump()
            if not item.spans:
                quotes = "; ".join(repr(q) for q in item.unfound)
                reason = f"no evidence quote could be found in the article ({quotes})"
                run.dropped.append(DroppedItem(section=section, item=dump, reason=reason))
                run.sections[section].dropped += 1
                continue
            key = tuple(str(v).casefold() for k, v in sorted(dump.items()) if k != "evidence")
            if key in seen:
                run.dropped.append(DroppedItem(section=section, item=dump, reason="duplicate of an earlier item"))
                run.sections[section].dropped += 1
                continue
            seen.add(key)
            kept.append(item)
        run.sections[section].kept = len(kept)
        return kept


def _parse_lenient(draft_model: type[BaseModel], raw_text: str | None, article: str) -> BaseModel | None:
    """Validate the model's last answer keeping only grounded quotes; ``None`` if it is not valid JSON."""
    if not raw_text:
        return None
    try:
        return draft_model.model_validate_json(raw_text, context={"article": article, "lenient": True})
    except ValidationError:
        return None


def _counter_delta(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any] | None:
    if before is None or after is None:
        return None
    delta: dict[str, Any] = {}
    for key, value in after.items():
        if isinstance(value, int | float) and isinstance(before.get(key), int | float):
            delta[key] = round(value - before[key], 3)
    return delta
