"""What the ``items`` reader asks the model to fill about one sentence: a short list of typed items.

Each item names its kind first (``position``, ``demand``, ``condition``, ``risk``), so that the model
decides one kind per claim, and the probability of that one token says how sure it was. Actor fields
are limited to the article's actors (an enum in the schema, so a grammar-constrained model cannot name
anyone else), plus ``article`` for a risk nobody is said to raise and ``unspecified`` for a demand on
nobody in particular.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from summarizer.drafts import MAX_NAME_CHARS, SENTENCE_TEXT_CHARS

#: A sentence rarely states more than three claims; room for more only invites restatements.
MAX_ITEMS_PER_SENTENCE = 3
#: Each kind of item and the section it goes to.
KIND_SECTIONS: dict[str, str] = {
    "position": "positions",
    "demand": "demands",
    "condition": "conditions",
    "risk": "risks",
}
ARTICLE, UNSPECIFIED = "article", "unspecified"


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _text(description: str) -> Any:
    return Field(min_length=2, max_length=SENTENCE_TEXT_CHARS, description=description)


def _name_type(names: tuple[str, ...]) -> Any:
    """``Literal[names]``, or a bounded string when there are no names to choose from."""
    if not names:
        return Annotated[str, Field(min_length=2, max_length=MAX_NAME_CHARS)]
    return Literal.__getitem__(names)  # type: ignore[attr-defined]


class PositionItem(_Item):
    kind: Literal["position"]
    actor: str = Field(description="who holds the position")
    stance: str = _text("the position in your own words (3 to 10 words)")


class DemandItem(_Item):
    kind: Literal["demand"]
    actor: str = Field(description="who makes the demand")
    addressee: str = Field(description="who is asked to act")
    demand: str = _text("what is demanded, in your own words (3 to 10 words)")


class ConditionItem(_Item):
    kind: Literal["condition"]
    actor: str = Field(description="who sets the condition or makes the threat")
    action: str = _text("what the actor would do, or refuse to do")
    condition: str = _text("the term it depends on, starting 'only if', 'unless' or 'if'")


class RiskItem(_Item):
    kind: Literal["risk"]
    raised_by: str = Field(description="who warns of the risk, or 'article'")
    risk: str = _text("the feared outcome, in your own words (3 to 10 words)")


@cache
def items_draft(actors: tuple[str, ...]) -> type[BaseModel]:
    """The answer about one sentence of an article whose actors are ``actors`` (free names if none)."""
    actor = _name_type(actors)
    addressee = _name_type((*actors, UNSPECIFIED) if actors else ())
    raised_by = _name_type((*actors, ARTICLE) if actors else ())

    def narrowed(base: type[_Item], **names: Any) -> type[BaseModel]:
        """``base`` with its actor fields limited to the article's names (same order of fields)."""
        fields = {name: (kind, base.model_fields[name]) for name, kind in names.items()}
        return create_model(base.__name__, __base__=base, **fields)  # type: ignore[call-overload,no-any-return]

    kinds = (
        narrowed(PositionItem, actor=actor),
        narrowed(DemandItem, actor=actor, addressee=addressee),
        narrowed(ConditionItem, actor=actor),
        narrowed(RiskItem, raised_by=raised_by),
    )
    union = Annotated[kinds[0] | kinds[1] | kinds[2] | kinds[3], Field(discriminator="kind")]  # type: ignore[valid-type]
    return create_model(
        "SentenceItems",
        __base__=_Item,
        items=(list[union], Field(max_length=MAX_ITEMS_PER_SENTENCE, description="what the sentence states")),  # type: ignore[valid-type]
    )
