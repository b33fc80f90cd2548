"""Evidence in the article: where each quote sits, and the article cut into highlighted segments.

Gold spans are marked by a bar under the text in their section's colour, predicted spans by the same
colour as a tint behind it; where spans of several sections overlap, the bars stack and the tints
share the background. A quote is located from its offsets (checked against the text) or, for gold
given as a plain string (``GOLD_FORMAT.md``), by its first occurrence.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.evals.runfiles import AnnotationRecord, EvidenceRecord, ItemRecord
from summarizer.schemas import SECTION_NAMES, SECTIONS

# One colour per section: a solid bar under gold spans, the same colour as a tint behind predicted spans.
COLOURS = {"positions": "#2563eb", "demands": "#d97706", "conditions": "#7c3aed", "risks": "#e11d48"}
TINTS = {
    "positions": "rgba(37,99,235,.22)",
    "demands": "rgba(217,119,6,.26)",
    "conditions": "rgba(124,58,237,.22)",
    "risks": "rgba(225,29,72,.20)",
}
_ORDER: dict[str, int] = {section: n for n, section in enumerate(SECTION_NAMES)}


@dataclass(frozen=True)
class Quote:
    """One evidence entry as the report shows it: the quote and where it sits in the article, if anywhere."""

    quote: str
    start: int | None
    end: int | None
    problem: str | None  # None when article[start:end] == quote

    @property
    def where(self) -> str:
        return f"chars {self.start}–{self.end}" if self.start is not None else ""


@dataclass(frozen=True)
class Segment:
    """A piece of the article text; ``classes`` is empty for text that no span covers."""

    text: str
    classes: str = ""
    style: str = ""
    title: str = ""


@dataclass(frozen=True)
class LegendKey:
    title: str
    colour: str
    tint: str


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str  # "gold" or "pred"
    section: str
    index: int


def locate(evidence: str | EvidenceRecord, text: str) -> Quote:
    """An evidence entry checked against the article: an object with offsets, or a plain string to find."""
    if isinstance(evidence, str):
        at = text.find(evidence) if evidence else -1
        if at < 0:
            return Quote(evidence, None, None, "not found in the article")
        return Quote(evidence, at, at + len(evidence), None)
    start, end = evidence.start, evidence.end
    if start is None or end is None or not start < end <= len(text):
        return Quote(evidence.quote, None, None, "no usable offsets")
    if text[start:end] != evidence.quote:
        return Quote(evidence.quote, start, end, "offsets do not match the quote")
    return Quote(evidence.quote, start, end, None)


def item_quotes(item: ItemRecord, text: str) -> tuple[Quote, ...]:
    return tuple(locate(evidence, text) for evidence in item.evidence)


def spans(kind: str, annotation: AnnotationRecord, text: str) -> list[_Span]:
    """Every located evidence span of ``annotation`` (``kind`` "gold" or "pred")."""
    found: list[_Span] = []
    for section in SECTION_NAMES:
        for index, item in enumerate(annotation.section(section)):
            for quote in item_quotes(item, text):
                if quote.start is not None and quote.end is not None:
                    found.append(_Span(quote.start, quote.end, kind, section, index))
    return found


def _segment_style(gold: Sequence[str], pred: Sequence[str]) -> str:
    """The inline CSS of a segment (a style value, not markup): gold sections stack as coloured bars
    under the text; predicted sections share the background. Computed here because the bands depend
    on how many sections cover the segment."""
    rules: list[str] = []
    if gold:
        rules.append("box-shadow:" + ",".join(f"0 {3 * (n + 1)}px 0 {COLOURS[s]}" for n, s in enumerate(gold)))
    if len(pred) == 1:
        rules.append(f"background:{TINTS[pred[0]]}")
    elif pred:
        step = 100 / len(pred)
        bands = ",".join(f"{TINTS[s]} {n * step:.1f}% {(n + 1) * step:.1f}%" for n, s in enumerate(pred))
        rules.append(f"background:linear-gradient(to bottom,{bands})")
    return ";".join(rules)


def segments(text: str, found: list[_Span]) -> tuple[Segment, ...]:
    """The article cut into non-overlapping segments at every span boundary."""
    bounds = sorted({0, len(text)} | {s.start for s in found} | {s.end for s in found})
    out: list[Segment] = []
    for a, b in itertools.pairwise(bounds):
        cover = [s for s in found if s.start <= a and b <= s.end]
        if not cover:
            out.append(Segment(text[a:b]))
            continue
        gold = [s for s in SECTION_NAMES if any(c.kind == "gold" and c.section == s for c in cover)]
        pred = [s for s in SECTION_NAMES if any(c.kind == "pred" and c.section == s for c in cover)]
        classes = " ".join(["hl", *(f"g-{s}" for s in gold), *(f"p-{s}" for s in pred)])
        title = "; ".join(
            f"{'gold' if c.kind == 'gold' else 'predicted'} {c.section} {'G' if c.kind == 'gold' else 'P'}{c.index}"
            for c in sorted(cover, key=lambda c: (c.kind != "gold", _ORDER[c.section], c.index))
        )
        out.append(Segment(text[a:b], classes, _segment_style(gold, pred), title))
    return tuple(out)


def highlight(text: str, gold: AnnotationRecord, prediction: AnnotationRecord) -> tuple[Segment, ...]:
    """The article's segments with every gold and predicted evidence span marked."""
    return segments(text, spans("gold", gold, text) + spans("pred", prediction, text)) if text else ()


def legend() -> tuple[LegendKey, ...]:
    return tuple(LegendKey(SECTIONS[s].title, COLOURS[s], TINTS[s]) for s in SECTION_NAMES)
