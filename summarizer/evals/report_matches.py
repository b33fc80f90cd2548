"""The report's item cards: gold and predicted items side by side, as each matcher paired them.

Per matcher a tab, per section a panel, per row a gold card and a predicted card: matched pairs first
(with the partner's label, headline and score), then missed gold items, spurious predictions, and any
item the match names in no list ("not scored"). Built from an article file
(``runfiles.ArticleRecord``); every value leaves here as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from summarizer.evals.highlight import COLOURS, Quote, item_quotes
from summarizer.evals.report_metrics import MATCHERS, MISSING
from summarizer.evals.runfiles import AnnotationRecord, ItemRecord, SectionMatches
from summarizer.schemas import SECTION_NAMES, SECTIONS

_STATUS_TEXT = {"matched": "matched", "missed": "missed", "spurious": "spurious", "unscored": "not scored"}


@dataclass(frozen=True)
class Partner:
    label: str
    score: str
    headline: str


@dataclass(frozen=True)
class Card:
    """One gold or predicted item; ``missing`` when the match names an index the list does not have."""

    label: str
    kind: str
    status: str
    status_text: str
    missing: bool = False
    who: str = ""
    what: tuple[tuple[str, str], ...] = ()  # (field name, or "" when the section has one text field; text)
    quotes: tuple[Quote, ...] = ()
    partner: Partner | None = None


@dataclass(frozen=True)
class SectionPanel:
    section: str
    title: str
    colour: str
    matched: int
    missed: int
    spurious: int
    n_gold: int
    n_pred: int
    rows: tuple[tuple[Card | None, Card | None], ...]


@dataclass(frozen=True)
class MatcherTab:
    input_id: str
    name: str
    sections: tuple[SectionPanel, ...]


@dataclass(frozen=True)
class _Pairing:
    gold_to_pred: dict[int, tuple[int, float | None]]
    pred_to_gold: dict[int, tuple[int, float | None]]
    missed: set[int]
    spurious: set[int]


def _pairing(match: SectionMatches) -> _Pairing:
    gold_to_pred: dict[int, tuple[int, float | None]] = {}
    pred_to_gold: dict[int, tuple[int, float | None]] = {}
    for pair in match.pairs:
        if pair.gold is not None and pair.pred is not None:
            gold_to_pred[pair.gold] = (pair.pred, pair.score)
            pred_to_gold[pair.pred] = (pair.gold, pair.score)
    return _Pairing(gold_to_pred, pred_to_gold, set(match.missed), set(match.spurious))


def _headline(section: str, item: ItemRecord) -> str:
    texts = (getattr(item, name) for name in SECTIONS[section].text_fields)
    return next((text for text in texts if text), "(no text)")


def _partner(kind: str, other: int, score: float | None, others: list[ItemRecord], section: str) -> Partner:
    return Partner(
        label=f"{'P' if kind == 'gold' else 'G'}{other}",
        score=MISSING if score is None else f"{score:.2f}",
        headline=_headline(section, others[other]) if other < len(others) else "(missing item)",
    )


def _card(
    section: str,
    kind: str,
    index: int,
    items: list[ItemRecord],
    status: str,
    text: str,
    partner: Partner | None = None,
) -> Card:
    label = f"{'G' if kind == 'gold' else 'P'}{index}"
    if index >= len(items):
        return Card(label, kind, status, _STATUS_TEXT[status], missing=True)
    item, spec = items[index], SECTIONS[section]
    who = getattr(item, spec.actor_field) or MISSING
    if section == "demands":
        who += f" → {item.addressee or MISSING}"
    names = spec.text_fields
    what = tuple((name if len(names) > 1 else "", getattr(item, name) or MISSING) for name in names)
    return Card(label, kind, status, _STATUS_TEXT[status], False, who, what, item_quotes(item, text), partner)


def _section_panel(
    section: str, gold: list[ItemRecord], pred: list[ItemRecord], pairing: _Pairing, text: str
) -> SectionPanel:
    rows: list[tuple[Card | None, Card | None]] = []
    seen_gold: set[int] = set()
    seen_pred: set[int] = set()
    for gi, (pi, score) in sorted(pairing.gold_to_pred.items()):
        seen_gold.add(gi)
        seen_pred.add(pi)
        left = _card(section, "gold", gi, gold, "matched", text, _partner("gold", pi, score, pred, section))
        right = _card(section, "pred", pi, pred, "matched", text, _partner("pred", gi, score, gold, section))
        rows.append((left, right))
    for gi in sorted(pairing.missed - seen_gold):
        seen_gold.add(gi)
        rows.append((_card(section, "gold", gi, gold, "missed", text), None))
    for pi in sorted(pairing.spurious - seen_pred):
        seen_pred.add(pi)
        rows.append((None, _card(section, "pred", pi, pred, "spurious", text)))
    rows.extend(
        (_card(section, "gold", gi, gold, "unscored", text), None) for gi in range(len(gold)) if gi not in seen_gold
    )
    rows.extend(
        (None, _card(section, "pred", pi, pred, "unscored", text)) for pi in range(len(pred)) if pi not in seen_pred
    )
    return SectionPanel(
        section=section,
        title=SECTIONS[section].title,
        colour=COLOURS[section],
        matched=len(pairing.gold_to_pred),
        missed=len(pairing.missed),
        spurious=len(pairing.spurious),
        n_gold=len(gold),
        n_pred=len(pred),
        rows=tuple(rows),
    )


def matcher_tabs(
    uid: str,
    matches: Mapping[str, Mapping[str, SectionMatches]],
    gold: AnnotationRecord,
    pred: AnnotationRecord,
    text: str,
) -> tuple[MatcherTab, ...]:
    """One tab per matcher of ``matches`` (strict and soft first; both even when the file has none)."""
    matchers = [m for m in MATCHERS if m in matches] + [m for m in matches if m not in MATCHERS]
    tabs = []
    for n, matcher in enumerate(matchers or MATCHERS):
        by_section = matches.get(matcher, {})
        sections = tuple(
            _section_panel(s, gold.section(s), pred.section(s), _pairing(by_section.get(s, SectionMatches())), text)
            for s in SECTION_NAMES
        )
        tabs.append(MatcherTab(f"{uid}-m{n}", matcher, sections))
    return tuple(tabs)
