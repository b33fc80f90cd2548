"""The seam between the pipeline and a model: what a structured call returns.

The pipeline depends on this protocol only; ``summarizer.llm`` implements it with openai + instructor,
and tests or replays can implement it however they like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from pydantic import BaseModel

from summarizer.schemas import Usage

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass
class Extraction:
    """The outcome of one structured call, re-asks included.

    ``value`` is the validated answer, or ``None`` when validation still failed after the re-ask budget;
    then ``raw_text`` holds the model's last answer (so grounded items can be salvaged) and ``error``
    says why it failed.
    """

    value: BaseModel | None
    usage: Usage = field(default_factory=Usage)
    raw_text: str | None = None
    error: str | None = None


class StructuredModel(Protocol):
    """Anything that fills a Pydantic model from chat messages."""

    @property
    def model(self) -> str: ...

    def extract(
        self,
        response_model: type[BaseModel],
        messages: list[dict[str, str]],
        context: dict[str, object],
    ) -> Extraction: ...
