"""Hand-made summaries with confidences, and their hand-made gold: the eval's confidence block on them.

``harbour``: three kept positions (two right, one wrong at 0.55) and two dropped under the threshold
0.5 (one right at 0.3, one wrong at 0.2), against three gold positions; ``mayor``: one right position
at 0.8. ``block()`` is their confidence block with the soft matcher on hashed words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from summarizer.evals.confidence_report import confidence_block
from summarizer.evals.embedder import HashingEmbedder
from summarizer.evals.items import Annotation, Item
from summarizer.evals.matching import SoftMatcher, StrictMatcher
from summarizer.evals.runfiles import ConfidenceBlock
from summarizer.schemas import Actor, ConfidenceMeta, DroppedItem, Summary

EV = [{"quote": "x", "start": 0, "end": 1}]
ACTORS = [Actor(name="Union"), Actor(name="Council"), Actor(name="Mayor")]
RIGHT_1 = "wants a pay rise of five percent"
RIGHT_2 = "opposes the night timetable"
RIGHT_3 = "supports the new ferry route"  # dropped under the threshold, yet right
WRONG_1 = "bans dogs from beaches"
WRONG_2 = "demands free parking for staff"
MAYOR = "backs the harbour plan"


def meta(dropped: Sequence[DroppedItem], thresholds: dict[str, float] | None) -> dict[str, Any]:
    """A summary's meta: its drops, and its thresholds (None: no ``meta.confidence``)."""
    confidence = None if thresholds is None else ConfidenceMeta(method="raw", note="test", thresholds=thresholds)
    return {
        "summarizer_version": "test", "model": "fake", "backend": "custom", "base_url": None,
        "article_sha256": "0" * 64, "article_chars": 1, "prompts": {}, "schema_sha256": "0" * 64,
        "sampling": {}, "usage": {}, "sections": {}, "seconds": 1.0,
        "dropped": [d.model_dump() for d in dropped],
        "confidence": None if confidence is None else confidence.model_dump(),
    }  # fmt: skip


def position(actor: str, stance: str, confidence: float | None) -> dict[str, Any]:
    return {"actor": actor, "stance": stance, "evidence": EV, "confidence": confidence}


def under(actor: str, stance: str, confidence: float, threshold: float = 0.5) -> DroppedItem:
    return DroppedItem(
        section="positions",
        item={"actor": actor, "stance": stance, "confidence": confidence},
        reason=f"confidence under the threshold ({confidence:.2f} < {threshold:.2f})",
    )


def summary(
    kept: list[dict[str, Any]], dropped: Sequence[DroppedItem] = (), thresholds: dict[str, float] | None = None
) -> Summary:
    """A summary of ``kept`` positions; ``thresholds`` default to 0.5 for the positions."""
    data = {
        "overview": "o",
        "actors": [a.model_dump() for a in ACTORS],
        "positions": kept,
        "meta": meta(dropped, {"positions": 0.5} if thresholds is None else thresholds),
    }
    return Summary.model_validate(data)


def gold(*items: tuple[str, str]) -> Annotation:
    return Annotation(actors=tuple(ACTORS), sections={"positions": tuple(Item(actor=a, text=t) for a, t in items)})


def harbour(threshold: float = 0.5) -> Summary:
    """Three kept positions (two right, one wrong at 0.55) and two dropped (one right at 0.3, one wrong at 0.2)."""
    return summary(
        [position("Union", RIGHT_1, 0.9), position("Union", RIGHT_2, 0.7), position("Council", WRONG_1, 0.55)],
        [
            under("Council", RIGHT_3, 0.3, threshold),
            under("Union", WRONG_2, 0.2, threshold),
            DroppedItem(
                section="positions",
                item={"actor": "Union", "stance": RIGHT_1, "confidence": 0.95},
                reason="the same claim as a more probable demand",
            ),
            DroppedItem(section="risks", item=None, reason="the section call failed"),
        ],
        {"positions": threshold},
    )


ARTICLES = {
    "harbour": (harbour(), gold(("Union", RIGHT_1), ("Union", RIGHT_2), ("Council", RIGHT_3))),
    "mayor": (summary([position("Mayor", MAYOR, 0.8)]), gold(("Mayor", MAYOR))),
}


def block(articles: dict[str, tuple[Summary | None, Annotation]] = ARTICLES, matchers: Any = None) -> ConfidenceBlock:
    """The confidence block of ``articles`` (by default the soft matcher on hashed words decides)."""
    found = confidence_block(
        {a: s for a, (s, _) in articles.items()},
        {a: g for a, (_, g) in articles.items()},
        matchers if matchers is not None else [StrictMatcher(), SoftMatcher(HashingEmbedder())],
    )
    assert found is not None
    return found
