"""The output contract: the ``Summary`` a user gets back, and its parts.

Field names are shared with the gold files (``evals/gold/*/gold.json``) so that one matcher scores a
prediction against gold and gold against gold. Fields may be added; these are never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, model_validator

SectionName = Literal["positions", "demands", "conditions", "risks"]
SECTION_NAMES: tuple[SectionName, ...] = ("positions", "demands", "conditions", "risks")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Strict):
    """A verbatim span of the article that supports an item."""

    quote: str = Field(description="The article's own text, exactly as it stands in the article.")
    start: int = Field(ge=0, description="Character offset where the quote starts in the article.")
    end: int = Field(ge=0, description="Character offset just past the quote: article[start:end] == quote.")

    @model_validator(mode="after")
    def _span_matches_quote(self, info: ValidationInfo) -> Evidence:
        if self.end - self.start != len(self.quote):
            raise ValueError(f"span {self.start}:{self.end} does not have the quote's length {len(self.quote)}")
        article = info.context.get("article") if isinstance(info.context, dict) else None
        if article is not None and article[self.start : self.end] != self.quote:
            raise ValueError(f"article[{self.start}:{self.end}] is not the quote {self.quote!r}")
        return self


class Actor(_Strict):
    """A person or organisation that holds a position, demands, sets a condition or raises a risk."""

    name: str = Field(description="The actor's canonical name, as the article names them most fully.")
    aliases: list[str] = Field(default_factory=list, description="Other ways the article refers to the actor.")


_CONFIDENCE = (
    "How likely the item is right, 0-1: the model's own token probabilities calibrated on hand-labelled "
    "gold (see meta.confidence); null when the model's probabilities were not available."
)


class _Item(_Strict):
    """An item of a section. ``_signals``: what the model's token probabilities said about it (readers
    that read them set it; it is not part of the output)."""

    _signals: Any = PrivateAttr(default=None)


class Position(_Item):
    """A stance an actor holds."""

    actor: str = Field(description="Who holds the position (a name from `actors`).")
    stance: str = Field(description="The position, in a short sentence.")
    evidence: list[Evidence] = Field(min_length=1, description="Verbatim spans that show the position.")
    confidence: float | None = Field(default=None, ge=0.0, le=1.0, description=_CONFIDENCE)


class Demand(_Item):
    """Something one actor asks of another."""

    actor: str = Field(description="Who makes the demand (a name from `actors`).")
    addressee: str = Field(description="Of whom it is demanded (a name from `actors`, or 'unspecified').")
    demand: str = Field(description="What is demanded, in a short sentence.")
    evidence: list[Evidence] = Field(min_length=1, description="Verbatim spans that show the demand.")
    confidence: float | None = Field(default=None, ge=0.0, le=1.0, description=_CONFIDENCE)


class Condition(_Item):
    """A conditional term or threat: the actor will (not) do ``action`` if/unless ``condition``."""

    actor: str = Field(description="Who sets the condition (a name from `actors`).")
    action: str = Field(description="What the actor would do or refuse to do.")
    condition: str = Field(description="The term: 'only if ...', 'unless ...', 'if not ... then ...'.")
    evidence: list[Evidence] = Field(min_length=1, description="Verbatim spans that show the condition.")
    confidence: float | None = Field(default=None, ge=0.0, le=1.0, description=_CONFIDENCE)


class Risk(_Item):
    """A danger or feared outcome that someone raises."""

    raised_by: str = Field(description="Who raises the risk (a name from `actors`, or 'article').")
    risk: str = Field(description="The feared outcome, in a short sentence.")
    evidence: list[Evidence] = Field(min_length=1, description="Verbatim spans that show the risk.")
    confidence: float | None = Field(default=None, ge=0.0, le=1.0, description=_CONFIDENCE)


#: Fields that name an actor in some section (compared as canonical names, not as text).
ACTOR_FIELDS: tuple[str, ...] = ("actor", "addressee", "raised_by")


@dataclass(frozen=True)
class Section:
    """One section of a summary: its item model and what its fields mean.

    The one description of the four sections: readers, gold files, eval scoring, the report, the
    Markdown rendering and the CLI all take names, fields and titles from ``SECTIONS``.
    """

    name: SectionName
    item_model: type[BaseModel]
    title: str
    #: The field naming who holds, demands, sets or raises the item.
    actor_field: str
    #: Every field that names an actor (the demand's addressee too).
    actor_fields: tuple[str, ...]
    #: The fields whose text says what the item is (joined with "; " when compared as one text).
    text_fields: tuple[str, ...]

    def text(self, item: Any) -> str:
        """The item's text fields as one text (an output item, a gold item, or a dict of either)."""
        get = item.get if isinstance(item, dict) else lambda name, default="": getattr(item, name, default)
        return "; ".join(str(get(name, "")).strip() for name in self.text_fields)


SECTIONS: dict[str, Section] = {
    "positions": Section("positions", Position, "Positions", "actor", ("actor",), ("stance",)),
    "demands": Section("demands", Demand, "Demands", "actor", ("actor", "addressee"), ("demand",)),
    "conditions": Section("conditions", Condition, "Conditions", "actor", ("actor",), ("action", "condition")),
    "risks": Section("risks", Risk, "Risks", "raised_by", ("raised_by",), ("risk",)),
}
assert tuple(SECTIONS) == SECTION_NAMES


class DroppedItem(_Strict):
    """An item (or a whole section) that could not be kept, and why: nothing is lost silently."""

    section: str = Field(description="The section the item belonged to.")
    item: dict[str, Any] | None = Field(description="The item as the model proposed it; null for a whole section.")
    reason: str = Field(description="Why it was dropped.")


class Usage(_Strict):
    """Tokens, calls and time, summed over every call and retry."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = Field(0, description="HTTP requests sent to the model, retries included.")
    retries: int = Field(0, description="Requests repeated after a transient fault (timeout, 429, 5xx).")
    reasks: int = Field(0, description="Requests repeated because the answer failed validation.")
    cached: int = Field(0, description="Responses answered from the record/replay store instead of the model.")
    model_seconds: float = Field(0.0, description="Wall time spent waiting for the model.")


class SectionMeta(_Strict):
    """What one section call cost."""

    template: str
    usage: Usage
    seconds: float
    kept: int
    dropped: int


class ChunkMeta(_Strict):
    """One part of a long article that the section calls read on their own."""

    start: int = Field(ge=0, description="Character offset where the chunk starts in the article.")
    end: int = Field(ge=0, description="Character offset just past the chunk's end.")


class MaskedSpan(_Strict):
    """Article text hidden from the model because it reads as instructions to an AI (prompt injection)."""

    start: int = Field(ge=0, description="Character offset where the hidden text starts in the article.")
    end: int = Field(ge=0, description="Character offset just past the hidden text.")
    text: str = Field(description="The hidden text: article[start:end].")


class ConfidenceMeta(_Strict):
    """How the items' ``confidence`` was decided."""

    method: Literal["calibrated", "raw", "none"] = Field(
        description="'calibrated': a map fitted on gold for this model and prompts; 'raw': the model's "
        "probabilities as they are; 'none': no probabilities (confidence is null)."
    )
    note: str = Field(description="Why this method, in a few words.")
    thresholds: dict[str, float] = Field(
        default_factory=dict, description="Per section, the least confidence an item needed to be kept."
    )
    actors_repaired: int = Field(
        default=0, description="Items given to their sentence's one speaker instead of the actor the model named."
    )


class Meta(_Strict):
    """Where a summary came from and what it cost."""

    summarizer_version: str
    model: str
    backend: str = Field(description="'embedded', 'openai' or 'server'.")
    strategy: str = Field(
        default="sections",
        description="How the article was read: 'sentences' (a few calls per sentence) or 'sections' (one per section).",
    )
    base_url: str | None = Field(description="The endpoint used (never carries credentials).")
    article_sha256: str
    article_chars: int
    prompts: dict[str, str] = Field(description="Template name -> sha256 of its content.")
    schema_sha256: str = Field(description="sha256 of the JSON schemas the model was asked to fill.")
    sampling: dict[str, Any]
    usage: Usage
    sections: dict[str, SectionMeta]
    seconds: float = Field(description="Wall time of the whole summary.")
    dropped: list[DroppedItem] = Field(default_factory=list)
    engine: dict[str, Any] | None = Field(
        default=None, description="The embedded engine's own timing counters, when available."
    )
    chunks: list[ChunkMeta] = Field(
        default_factory=list,
        description=(
            "The parts the article was read in: one covering it all when it fit the model's context; "
            "several overlapping ones for a long article, whose section calls are then keyed "
            "'positions[0]', 'positions[1]', ... in `sections` (the overview reads the first chunk)."
        ),
    )
    sentences: int = Field(
        default=0, description="Sentences read (the 'sentences' strategy: a few calls each); 0 for 'sections'."
    )
    confidence: ConfidenceMeta | None = Field(
        default=None, description="How each item's confidence was decided (null for readers that do not)."
    )
    masked: list[MaskedSpan] = Field(
        default_factory=list,
        description=(
            "Sentences the model was not shown because they address an AI rather than report news "
            "(e.g. 'ignore previous instructions ...'); nothing in them is summarised."
        ),
    )


class Summary(_Strict):
    """A structured, evidence-grounded summary of one article."""

    overview: str = Field(description="Two or three sentences on what the article is about.")
    actors: list[Actor] = Field(default_factory=list)
    positions: list[Position] = Field(default_factory=list)
    demands: list[Demand] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    meta: Meta

    def evidence(self) -> list[Evidence]:
        """Every evidence span in the summary, section by section."""
        spans: list[Evidence] = []
        for section in SECTION_NAMES:
            for item in getattr(self, section):
                spans.extend(item.evidence)
        return spans

    def ungrounded(self, article: str) -> list[Evidence]:
        """Evidence whose span is not the quoted text in ``article`` (empty for a sound summary)."""
        return [ev for ev in self.evidence() if article[ev.start : ev.end] != ev.quote]
