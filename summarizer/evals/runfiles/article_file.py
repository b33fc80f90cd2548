"""``articles/<article_id>.json``: one article, its gold, run 0's prediction and how they matched."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field

from summarizer.evals.matching import SectionMatch
from summarizer.evals.runfiles.base import AsGiven, Count, Number, Real, RunFile
from summarizer.evals.runfiles.metrics_file import PRF, CoverageCount
from summarizer.schemas import SECTION_NAMES


class EvidenceRecord(RunFile):
    quote: str = ""
    start: Count | None = None
    end: Count | None = None


class ItemRecord(AsGiven):
    """An item of any section; the fields of ``schemas.SECTIONS[...].item_model`` ("" when absent)."""

    actor: str = ""
    raised_by: str = ""
    addressee: str = ""
    stance: str = ""
    demand: str = ""
    action: str = ""
    condition: str = ""
    risk: str = ""
    #: Spans; a gold file may give a plain string (``GOLD_FORMAT.md``), located by whoever reads it.
    evidence: list[str | EvidenceRecord] = Field(default_factory=list)
    #: A prediction's calibrated confidence (absent from gold and from older predictions).
    confidence: float | None = None


class ActorRecord(AsGiven):
    name: str = ""
    aliases: list[str] = Field(default_factory=list)


class UsageRecord(AsGiven):
    prompt_tokens: Number | None = None
    completion_tokens: Number | None = None
    calls: Number | None = None
    reasks: Number | None = None


class MetaRecord(AsGiven):
    """``Summary.meta``: what the report shows of it."""

    model: str | None = None
    backend: str | None = None
    seconds: Number | None = None
    usage: UsageRecord = UsageRecord()
    dropped: list[Any] | None = None


class AnnotationRecord(AsGiven):
    """A gold annotation (``article_id``, ``annotator``, ``notes``) or a ``Summary`` (``overview``, ``meta``)."""

    article_id: str | None = None
    annotator: str | None = None
    notes: str | None = None
    overview: str | None = None
    actors: list[ActorRecord] = Field(default_factory=list)
    positions: list[ItemRecord] = Field(default_factory=list)
    demands: list[ItemRecord] = Field(default_factory=list)
    conditions: list[ItemRecord] = Field(default_factory=list)
    risks: list[ItemRecord] = Field(default_factory=list)
    meta: MetaRecord | None = None

    def section(self, name: str) -> list[ItemRecord]:
        if name not in SECTION_NAMES:
            raise ValueError(f"no section {name!r}; sections are {', '.join(SECTION_NAMES)}")
        items: list[ItemRecord] = getattr(self, name)
        return items


class PairRecord(RunFile):
    gold: Count | None = None
    pred: Count | None = None
    score: Real | None = None


class SectionMatches(RunFile):
    """One section's one-to-one pairs, and the gold and predicted indices left unpaired."""

    pairs: list[PairRecord] = Field(default_factory=list)
    missed: list[Count] = Field(default_factory=list)
    spurious: list[Count] = Field(default_factory=list)

    @classmethod
    def of(cls, match: SectionMatch) -> Self:
        pairs = [PairRecord(gold=p.gold, pred=p.pred, score=p.score) for p in match.pairs]
        return cls(pairs=pairs, missed=match.missed, spurious=match.spurious)


class ArticleRecord(RunFile):
    """``articles/<article_id>.json``: the article, its gold, run 0's prediction and how they matched."""

    article_id: str = ""
    text: str = ""
    gold: AnnotationRecord = AnnotationRecord()
    prediction: AnnotationRecord | None = None
    error: str | None = None
    matches: dict[str, dict[str, SectionMatches]] = Field(default_factory=dict)
    #: matcher -> section -> P/R/F1
    metrics: dict[str, dict[str, PRF]] = Field(default_factory=dict)
    coverage: dict[str, CoverageCount] = Field(default_factory=dict)
