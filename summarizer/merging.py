"""Fold repeats into one item: what two chunks, or two sentences, found twice.

The same canonical actor(s) and near-identical text, or the same actor quoting an overlapping span,
become one item whose evidence is the union of theirs. Used for the chunks of a long article and for
the sentences of the sentence reader (with its own similarity and threshold).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from rapidfuzz import fuzz, utils

from summarizer.actors import normalise_name
from summarizer.schemas import ACTOR_FIELDS, SECTIONS, Evidence

#: Two items from different chunks with the same actor(s) are one item when the rapidfuzz
#: ``token_set_ratio`` (0-100, case and punctuation folded) of their text fields reaches this score.
#: token_set_ratio is 100 when one wording's words are a subset of the other's ("Keep the pier open"
#: and "Keep the pier open until June"); a one-word paraphrase of a five-word stance scores about 86
#: and stays apart, since it may be a negation ("Backs the deal" / "Opposes the deal").
MERGE_MIN_SCORE = 90.0

ItemT = TypeVar("ItemT", bound=BaseModel)


def _actor_key(item: BaseModel) -> tuple[str, ...]:
    return tuple(normalise_name(str(getattr(item, name))) for name in ACTOR_FIELDS if name in type(item).model_fields)


def content(item: BaseModel) -> str:
    """What an item says: its section's text fields (``schemas.SECTIONS``), in order."""
    fields = next((s.text_fields for s in SECTIONS.values() if isinstance(item, s.item_model)), ())
    return " ".join(str(getattr(item, name)) for name in fields)


def similarity(a: BaseModel, b: BaseModel) -> float:
    """How alike two items' text fields are: rapidfuzz ``token_set_ratio`` (0-100), case folded."""
    return float(fuzz.token_set_ratio(content(a), content(b), processor=utils.default_process))


def _overlapping(a: Sequence[Evidence], b: Sequence[Evidence]) -> bool:
    return any(max(x.start, y.start) < min(x.end, y.end) for x in a for y in b)


def union_evidence(evidence: Iterable[Evidence]) -> list[Evidence]:
    """Evidence with identical spans kept once, sorted by where it starts in the article."""
    unique = {(e.start, e.end): e for e in evidence}
    return [unique[key] for key in sorted(unique)]


@dataclass
class _Group:
    item: Any
    actors: tuple[str, ...]
    chunks: set[int]
    evidence: list[Evidence] = field(default_factory=list)


def merge_items(
    found: Sequence[tuple[int, ItemT]],
    min_score: float = MERGE_MIN_SCORE,
    score: Callable[[BaseModel, BaseModel], float] = similarity,
) -> list[ItemT]:
    """One section's items from every chunk, ``(chunk index, item)`` in reading order, merged.

    (The sentence reader passes sentence indices for chunk indices, and its own ``score``.)
    An item joins an earlier one from *another* chunk when both name the same canonical actor(s) and
    either their text fields score at least ``min_score`` (by ``score``) or their evidence
    spans overlap in the article (the same sentence read twice in an overlap, worded differently).
    Among several candidates the most similar wins. The merged item keeps the first wording and
    carries the union of the evidence (``union_evidence``). Items of one chunk are never merged with
    each other: the model gave them as different items. Order is that of first appearance.
    """
    groups: list[_Group] = []
    for chunk_index, item in found:
        actors = _actor_key(item)
        evidence: list[Evidence] = list(item.evidence)  # type: ignore[attr-defined]
        best: _Group | None = None
        best_score = -1.0
        for group in groups:
            if chunk_index in group.chunks or group.actors != actors:
                continue
            alike = score(group.item, item)
            if (alike >= min_score or _overlapping(group.evidence, evidence)) and alike > best_score:
                best, best_score = group, alike
        if best is None:
            groups.append(_Group(item, actors, {chunk_index}, evidence))
        else:
            best.chunks.add(chunk_index)
            best.evidence.extend(evidence)
    return [group.item.model_copy(update={"evidence": union_evidence(group.evidence)}) for group in groups]
