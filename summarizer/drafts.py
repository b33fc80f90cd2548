"""What the model is asked to fill, one small schema per section.

The model writes evidence as plain quotes; validation (with the article in the validation context)
locates every quote in the article and fails with the quote named when one cannot be found, which
makes instructor re-ask. Lists and strings are bounded so that a small model under a grammar cannot
loop until ``max_tokens``.

Validation context keys: ``article`` (str, required) and ``lenient`` (bool): when true, quotes that
cannot be found are set aside instead of failing, so the caller can keep what is grounded and report
the rest.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, create_model, model_validator

from summarizer.grounding import MIN_QUOTE_WORDS, Span, locate
from summarizer.schemas import Condition, Demand, Evidence, Position, Risk

MAX_ITEMS = 6
#: One quote per item: with room for two, the model under a grammar often wrote the next field name
#: ("raised_by") as a second "quote", which costs a re-ask and then the item.
MAX_QUOTES = 1
MAX_QUOTE_CHARS = 120
MAX_TEXT_CHARS = 160
MAX_NAME_CHARS = 60

_QUOTES_DESCRIPTION = "one short quote (4 to 12 words) copied exactly from the article that shows this item"


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GroundedDraft(_Draft):
    """An item whose ``evidence`` quotes must be found in the article."""

    section: ClassVar[str]
    evidence: list[Annotated[str, Field(max_length=MAX_QUOTE_CHARS)]] = Field(
        min_length=1, max_length=MAX_QUOTES, description=_QUOTES_DESCRIPTION
    )
    _spans: list[Span] = PrivateAttr(default_factory=list)
    _unfound: list[str] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _locate_evidence(self, info: ValidationInfo) -> GroundedDraft:
        context = info.context if isinstance(info.context, dict) else {}
        article = context.get("article")
        if not isinstance(article, str):
            raise ValueError("internal: evidence cannot be checked without the article in the context")
        spans: list[Span] = []
        unfound: list[str] = []
        for quote in self.evidence:
            span = locate(quote, article)
            if span is None:
                unfound.append(quote)
            elif all((span.start, span.end) != (s.start, s.end) for s in spans):
                spans.append(span)
        if unfound and not context.get("lenient", False):
            listed = "; ".join(repr(q) for q in unfound)
            raise ValueError(
                f"evidence quote not found in the article: {listed}. Copy each quote word for word "
                f"from the article ({MIN_QUOTE_WORDS} to 20 consecutive words), or leave this item out."
            )
        self._spans = spans
        self._unfound = unfound
        return self

    @property
    def spans(self) -> list[Span]:
        return list(self._spans)

    @property
    def unfound(self) -> list[str]:
        return list(self._unfound)

    def keep_spans(self, spans: list[Span]) -> None:
        """Keep only ``spans`` (a subset of ``spans``) as this item's evidence."""
        self._spans = [span for span in self._spans if span in spans]

    def evidence_objects(self) -> list[Evidence]:
        return [Evidence(quote=s.quote, start=s.start, end=s.end) for s in self._spans]

    def to_item(self, actor_name: Any) -> BaseModel:
        """The output item, with actor names passed through ``actor_name`` (canonicalisation)."""
        raise NotImplementedError


def _text(description: str, max_chars: int = MAX_TEXT_CHARS) -> Any:
    return Field(min_length=2, max_length=max_chars, description=description)


class PositionDraft(GroundedDraft):
    section: ClassVar[str] = "positions"
    actor: str = _text("who holds the position (a person or organisation)", MAX_NAME_CHARS)
    stance: str = _text("the position in your own words (5 to 12 words)")

    def to_item(self, actor_name: Any) -> Position:
        return Position(actor=actor_name(self.actor), stance=self.stance, evidence=self.evidence_objects())


class DemandDraft(GroundedDraft):
    section: ClassVar[str] = "demands"
    actor: str = _text("who makes the demand", MAX_NAME_CHARS)
    addressee: str = _text("who is asked to act", MAX_NAME_CHARS)
    demand: str = _text("what is demanded, in your own words (5 to 12 words)")

    def to_item(self, actor_name: Any) -> Demand:
        return Demand(
            actor=actor_name(self.actor),
            addressee=actor_name(self.addressee),
            demand=self.demand,
            evidence=self.evidence_objects(),
        )


class ConditionDraft(GroundedDraft):
    section: ClassVar[str] = "conditions"
    actor: str = _text("who sets the condition or makes the threat", MAX_NAME_CHARS)
    action: str = _text("what the actor would do or refuse to do")
    condition: str = _text("the term it depends on, starting 'only if', 'unless' or 'if'")

    def to_item(self, actor_name: Any) -> Condition:
        return Condition(
            actor=actor_name(self.actor),
            action=self.action,
            condition=self.condition,
            evidence=self.evidence_objects(),
        )


class RiskDraft(GroundedDraft):
    section: ClassVar[str] = "risks"
    raised_by: str = _text(
        "who warns of the risk, or 'article' if nobody is named", MAX_NAME_CHARS
    )
    risk: str = _text("the feared outcome, in your own words (5 to 12 words)")

    def to_item(self, actor_name: Any) -> Risk:
        return Risk(raised_by=actor_name(self.raised_by), risk=self.risk, evidence=self.evidence_objects())


class PositionsDraft(_Draft):
    positions: list[PositionDraft] = Field(max_length=MAX_ITEMS, description="The positions, most important first.")


class DemandsDraft(_Draft):
    demands: list[DemandDraft] = Field(max_length=MAX_ITEMS, description="The demands, most important first.")


class ConditionsDraft(_Draft):
    conditions: list[ConditionDraft] = Field(max_length=MAX_ITEMS, description="The conditions and threats.")


class RisksDraft(_Draft):
    risks: list[RiskDraft] = Field(max_length=MAX_ITEMS, description="The risks, most serious first.")


class ActorDraft(_Draft):
    name: str = _text("The actor's fullest name in the article, e.g. a person's full name.", MAX_NAME_CHARS)
    aliases: list[str] = Field(
        default_factory=list,
        max_length=4,
        description="Other names the article uses for the same actor (surname, acronym, title).",
    )


class OverviewDraft(_Draft):
    overview: str = _text("Two or three sentences on what the article reports.", 600)
    actors: list[ActorDraft] = Field(
        max_length=10,
        description="The people and organisations that state positions, make demands, set conditions or warn of risks.",
    )


#: The sentence reader's bounds: how many items of each section one sentence may yield. A news sentence
#: rarely states more than two items of one kind; with room for three stances the model filled it with
#: restatements (v2 eval: 180 positions predicted against 104 gold, precision .35).
SENTENCE_MAX_ITEMS = {"positions": 2, "demands": 2, "conditions": 2, "risks": 2}
#: Item texts from one sentence are short: a paraphrase, not the sentence copied out.
SENTENCE_TEXT_CHARS = 120


def _short(description: str, max_chars: int = SENTENCE_TEXT_CHARS) -> Any:
    return Field(min_length=2, max_length=max_chars, description=description)


class SentencePosition(_Draft):
    actor: str = _short("who holds the position: a name from the actors list", MAX_NAME_CHARS)
    stance: str = _short("the position in your own words (4 to 12 words)")


class SentenceDemand(_Draft):
    actor: str = _short("who makes the demand: a name from the actors list", MAX_NAME_CHARS)
    addressee: str = _short("who is asked to act: a name from the actors list, or 'unspecified'", MAX_NAME_CHARS)
    demand: str = _short("what is demanded, in your own words (4 to 12 words)")


class SentenceCondition(_Draft):
    actor: str = _short("who sets the condition or makes the threat: a name from the actors list", MAX_NAME_CHARS)
    action: str = _short("what the actor would do, or refuse to do")
    condition: str = _short("the term it depends on, starting 'only if', 'unless' or 'if'")


class SentenceRisk(_Draft):
    raised_by: str = _short("who warns of the risk: a name from the actors list, or 'article'", MAX_NAME_CHARS)
    risk: str = _short("the feared outcome, in your own words (4 to 12 words)")


_SENTENCE_ITEMS: dict[str, type[_Draft]] = {
    "positions": SentencePosition,
    "demands": SentenceDemand,
    "conditions": SentenceCondition,
    "risks": SentenceRisk,
}
#: The questions asked of a sentence, one call per kind. Asked several kinds in one answer, the model
#: fills one list and leaves the others empty (all four at once: positions, last, were found in 16% of
#: gold positions' sentences; demands, conditions, risks at once: conditions in 19%; risks before
#: demands: no demand at all on three articles). ``sentence_reader.ASK_CUES`` limits an ask to the
#: sentences that can hold its kind.
SENTENCE_ASKS: tuple[tuple[str, ...], ...] = (("positions",), ("demands",), ("risks",), ("conditions",))


@cache
def sentence_draft(kinds: tuple[str, ...]) -> type[BaseModel]:
    """The answer to one question about a sentence: a list of items of each of ``kinds``, in that order.

    Its evidence is the sentence itself, so the items carry none.
    """
    fields: dict[str, Any] = {
        kind: (list.__class_getitem__(_SENTENCE_ITEMS[kind]), Field(max_length=SENTENCE_MAX_ITEMS[kind]))
        for kind in kinds
    }
    name = "Sentence" + "".join(kind.capitalize() for kind in kinds) + "Draft"
    return create_model(name, __base__=_Draft, **fields)


SECTION_DRAFTS: dict[str, type[BaseModel]] = {
    "positions": PositionsDraft,
    "demands": DemandsDraft,
    "conditions": ConditionsDraft,
    "risks": RisksDraft,
}


def section_items(draft: BaseModel) -> list[GroundedDraft]:
    """The item list of a section draft (its only field)."""
    (name,) = type(draft).model_fields
    items = getattr(draft, name)
    return list(items)
