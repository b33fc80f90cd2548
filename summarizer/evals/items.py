"""One flat view of an annotation's items, the same for a gold file and for a ``Summary``.

Gold and output share field names, so one reader serves both: per section, each item becomes an
``Item`` holding who (``actor``, ``addressee``), the text to compare (the section's text fields, from
``schemas.SECTIONS``) and the evidence spans. The matcher and the metrics see nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from summarizer.evals.aliases import ActorLike
from summarizer.schemas import SECTION_NAMES, SECTIONS


@dataclass(frozen=True)
class Span:
    """A character span of the article, with the quote the annotation gave for it."""

    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Item:
    """One position, demand, condition or risk, reduced to what scoring compares."""

    actor: str
    text: str
    evidence: tuple[Span, ...] = ()
    addressee: str | None = None


@dataclass(frozen=True)
class Annotation:
    """The actors and the items of every section of one annotation (gold or prediction)."""

    actors: tuple[ActorLike, ...]
    sections: dict[str, tuple[Item, ...]]

    def section(self, name: str) -> tuple[Item, ...]:
        return self.sections.get(name, ())


def item_of(section: str, raw: Any) -> Item:
    """One item of ``section`` as an ``Item``: an output or gold item, or a dict of one without its
    evidence (as ``meta.dropped`` keeps it)."""
    spec = SECTIONS[section]
    if isinstance(raw, dict):
        return Item(actor=str(raw.get(spec.actor_field, "")), text=spec.text(raw), addressee=raw.get("addressee"))
    spans = tuple(Span(start=ev.start, end=ev.end, quote=ev.quote) for ev in getattr(raw, "evidence", []))
    return Item(
        actor=str(getattr(raw, spec.actor_field)),
        text=spec.text(raw),
        evidence=spans,
        addressee=getattr(raw, "addressee", None),
    )


def annotation_of(source: Any) -> Annotation:
    """The ``Annotation`` of a ``Summary``, a ``gold.Gold``, or anything with the same attributes."""
    actors: Sequence[ActorLike] = getattr(source, "actors", []) or []
    sections: dict[str, tuple[Item, ...]] = {
        name: tuple(item_of(name, raw) for raw in getattr(source, name, []) or []) for name in SECTION_NAMES
    }
    return Annotation(actors=tuple(actors), sections=sections)
