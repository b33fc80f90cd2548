"""What the ``items`` reader asks the model to fill about one sentence: a short list of typed items.

Each item names its kind first (``position``, ``demand``, ``condition``, ``risk``), so that the model
decides one kind per claim, and the probability of that one token says how sure it was. Actors are
free names (the prompt lists the article's): a first try limited them to the overview's actors with an
enum, and when the overview missed an actor every item of theirs went to someone else.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: A sentence rarely states more than three claims; room for more only invites restatements.
MAX_ITEMS_PER_SENTENCE = 3
#: An item's words: 3 to 8 asked for; the bound stops a copied sentence (a dev run without it averaged
#: 85 generated tokens per sentence) without cutting a long paraphrase short.
ITEM_TEXT_CHARS = 100
#: Each kind of item and the section it goes to.
KIND_SECTIONS: dict[str, str] = {
    "position": "positions",
    "demand": "demands",
    "condition": "conditions",
    "risk": "risks",
}


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _text(description: str) -> Any:
    return Field(min_length=2, max_length=ITEM_TEXT_CHARS, description=description)


class PositionItem(_Item):
    kind: Literal["position"]
    actor: str = Field(description="who holds the position")
    stance: str = _text("the position in your own words (3 to 8 words)")


class DemandItem(_Item):
    kind: Literal["demand"]
    actor: str = Field(description="who makes the demand")
    addressee: str = Field(description="who is asked to act")
    demand: str = _text("what is demanded, in your own words (3 to 8 words)")


class ConditionItem(_Item):
    kind: Literal["condition"]
    actor: str = Field(description="who sets the condition or makes the threat")
    action: str = _text("what the actor would do, or refuse to do")
    condition: str = _text("the term it depends on, starting 'only if', 'unless' or 'if'")


class RiskItem(_Item):
    kind: Literal["risk"]
    raised_by: str = Field(description="who warns of the risk, or 'article'")
    risk: str = _text("the feared outcome, in your own words (3 to 8 words)")


Item = Annotated[PositionItem | DemandItem | ConditionItem | RiskItem, Field(discriminator="kind")]


class SentenceItems(_Item):
    """The answer about one sentence: what it states, each item with its kind first."""

    items: list[Item] = Field(max_length=MAX_ITEMS_PER_SENTENCE, description="what the sentence states")
