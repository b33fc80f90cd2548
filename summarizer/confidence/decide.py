"""Decide, in code and without another call, what a summary keeps: how sure to be of each item, and
which items clear the bar.

1. Each item's features (``confidence.features``) become a probability that it is right: through the
   calibration map fitted for this model and these prompts (``confidence.calibration``), else the raw
   product P(item is there) x P(its kind), said so in ``meta.confidence``.
2. Items under the threshold (the map's, per section, chosen for the best F1 on the dev gold; or the
   caller's ``min_confidence``) are dropped, each listed in ``meta.dropped`` with its probability.

Two rules can run before that (``ConfidencePolicy``), measured on the dev split as the reader read it
(``benchmarks/compare_designs.py``, soft F1 .414 as read):

- who (on for risks only): an item given to "article", or to an actor its sentence does not name, goes
  to the sentence's one speaker when the sentence has exactly one (``summarizer.speakers``). For risks
  it helps (.424 overall, risks .27 -> .32); for the other sections it cost what it gained (.414);
- one kind per claim (off): when a sentence gives the same actor saying much the same thing as a
  position and as a demand, condition or risk, the position goes. It cost recall (.402): a third of
  the gold positions share their sentence and actor with a demand, condition or risk.

Readers whose answers carry no token probabilities (another server, or the ``sections`` reader) pass
through unchanged, with ``confidence`` null.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from summarizer.confidence.calibration import CalibrationMap
from summarizer.confidence.features import ArticleView, item_features
from summarizer.schemas import SECTION_NAMES, SECTIONS, ConfidenceMeta, DroppedItem
from summarizer.speakers import mentions
from summarizer.wording import lexical_similarity

#: Two items of one sentence and actor, of different kinds, whose words are this alike are one claim.
ONE_CLAIM_MIN_SIMILARITY = 0.5
#: How the reason of an item dropped under the threshold starts (``DroppedItem.reason``).
UNDER_THRESHOLD = "confidence under the threshold"


def under_threshold(dropped: DroppedItem) -> bool:
    """Whether ``dropped`` is an item the confidence threshold dropped (its ``item`` has ``confidence``)."""
    return dropped.reason.startswith(UNDER_THRESHOLD) and dropped.item is not None


OneClaim = Literal["off", "specific", "confidence"]


@dataclass(frozen=True)
class ConfidencePolicy:
    """How to decide: the map to use (if it fits the model and prompts), an optional fixed bar, and rules."""

    calibration: CalibrationMap | None = None
    #: Keep items at least this probable (``None``: the map's threshold per section, or keep all).
    min_confidence: float | None = None
    #: One kind per claim in a sentence: "specific" keeps the demand, condition or risk over a position
    #: that restates it; "confidence" keeps the more probable of any two kinds; "off" keeps both.
    one_claim: OneClaim = "off"
    #: Sections whose items go to their sentence's one speaker (``summarizer.speakers``) when the model
    #: gave them to "article" or to an actor the sentence does not name: risks, whose actor the small
    #: model gets wrong most (on dev: risks soft F1 .27 -> .32 as read; the other sections lost by it).
    repair_actors: tuple[str, ...] = ("risks",)

    @classmethod
    def everything(cls) -> ConfidencePolicy:
        """Keep every item the reader gave, with raw confidences: what calibration is fitted on (the
        actor repair stays: it changes who, not whether)."""
        return cls(calibration=None, min_confidence=0.0, one_claim="off")  # the default repair stays


def _raw(features: dict[str, float]) -> float:
    """P(item is there) x P(its kind), from the features' log-odds and probability."""
    exists = 1.0 / (1.0 + math.exp(-features["exists"]))
    return exists * features["kind"]


def decide(
    sections: dict[str, list[Any]],
    view: ArticleView,
    policy: ConfidencePolicy,
    *,
    model: str,
    prompts: dict[str, str],
) -> tuple[dict[str, list[Any]], list[DroppedItem], ConfidenceMeta]:
    """The items to keep, each with its ``confidence``; the ones dropped; how confidence was decided."""
    items: list[tuple[str, Any]] = [(section, item) for section in SECTION_NAMES for item in sections.get(section, [])]
    if not any(getattr(item, "_signals", None) is not None for _, item in items):
        return sections, [], ConfidenceMeta(method="none", note="the model's answers carried no token probabilities")
    calibration = (
        policy.calibration if policy.calibration is not None and policy.calibration.fits(model, prompts) else None
    )
    repaired = _repair_actors([(s, i) for s, i in items if s in policy.repair_actors], view)
    by_sentence: dict[int | None, list[tuple[str, Any]]] = {}
    for section, item in items:
        by_sentence.setdefault(view.sentence_at(item.evidence[0].start), []).append((section, item))
    for group in by_sentence.values():
        for section, item in group:
            neighbours = [(s, other) for s, other in group if other is not item]
            features = item_features(section, item, view, neighbours)
            p = calibration.sections[section].probability(features) if calibration else _raw(features)
            item.confidence = round(p, 4)
    dropped: list[DroppedItem] = []
    kept_ids = {id(item) for _, item in items}
    if policy.one_claim != "off":
        kept_ids -= _second_kinds(list(by_sentence.values()), dropped, by_confidence=policy.one_claim == "confidence")
    thresholds: dict[str, float] = {
        section: (
            policy.min_confidence
            if policy.min_confidence is not None
            else (calibration.sections[section].threshold if calibration else 0.0)
        )
        for section in SECTION_NAMES
    }
    kept: dict[str, list[Any]] = {section: [] for section in SECTION_NAMES}
    for section, item in items:
        if id(item) not in kept_ids:
            continue
        if item.confidence < thresholds[section]:
            reason = f"{UNDER_THRESHOLD} ({item.confidence:.2f} < {thresholds[section]:.2f})"
            dropped.append(_dropped(section, item, reason))
            continue
        kept[section].append(item)
    if calibration is not None:
        meta = ConfidenceMeta(
            method="calibrated",
            note=f"calibrated on {len(calibration.fitted_on)} gold articles (dev split) for this model and prompts",
            thresholds=thresholds,
            actors_repaired=repaired,
        )
    else:
        reason = (
            "no calibration map" if policy.calibration is None else "the map was fitted for another model or prompt"
        )
        meta = ConfidenceMeta(
            method="raw", note=f"{reason}: raw P(item) x P(kind)", thresholds=thresholds, actors_repaired=repaired
        )
    return kept, dropped, meta


def _second_kinds(
    groups: Sequence[list[tuple[str, Any]]], dropped: list[DroppedItem], *, by_confidence: bool
) -> set[int]:
    """Items that restate, as another kind, what an item of their sentence says: a position restating a
    demand, condition or risk (or, ``by_confidence``, the less probable of any two kinds)."""
    losers: set[int] = set()
    for group in groups:
        if by_confidence:
            ranked = sorted(group, key=lambda pair: -pair[1].confidence)
        else:  # the specific kinds first; a position only after them
            ranked = sorted(group, key=lambda pair: pair[0] == "positions")
        for n, (section, item) in enumerate(ranked):
            for other_section, other in ranked[:n]:
                if id(other) in losers or other_section == section:
                    continue
                if not by_confidence and section != "positions":
                    continue
                if (
                    _actor(other_section, other) == _actor(section, item)
                    and lexical_similarity(SECTIONS[other_section].text(other), SECTIONS[section].text(item))
                    >= ONE_CLAIM_MIN_SIMILARITY
                ):
                    losers.add(id(item))
                    dropped.append(_dropped(section, item, f"the same claim as a {other_section[:-1]} of its sentence"))
                    break
    return losers


def _repair_actors(items: Sequence[tuple[str, Any]], view: ArticleView) -> int:
    """Give items to their sentence's one speaker where the model named "article" or someone the sentence
    does not name; how many were given."""
    repaired = 0
    for section, item in items:
        at = view.sentence_at(item.evidence[0].start)
        speaker = view.speakers[at] if at is not None else None
        if speaker is None:
            continue
        field = SECTIONS[section].actor_field
        actor = getattr(item, field)
        named = {m.actor for m in mentions(view.sentences[at].text, view.actors)} if at is not None else set()
        if actor != speaker and (actor == "article" or actor not in named):
            setattr(item, field, speaker)
            repaired += 1
    return repaired


def _actor(section: str, item: BaseModel) -> str:
    return str(getattr(item, SECTIONS[section].actor_field))


def _dropped(section: str, item: BaseModel, reason: str) -> DroppedItem:
    return DroppedItem(section=section, item=item.model_dump(mode="json", exclude={"evidence"}), reason=reason)
