"""The seam between the pipeline and a model: what a structured call returns.

The pipeline depends on this protocol only; ``summarizer.llm`` implements it with openai + instructor,
and tests or replays can implement it however they like.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from summarizer.schemas import Usage

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class TokenLogprob:
    """One generated token with its log-probability and the most likely alternatives at its place."""

    token: str
    logprob: float
    #: The ``top_logprobs`` alternatives the server reported at this place (the token itself included).
    top: dict[str, float] = field(default_factory=dict)

    def probability(self, *tokens: str) -> float:
        """The summed probability of ``tokens`` at this place (0 for one the server did not list)."""
        return sum(math.exp(self.top[token]) for token in set(tokens) if token in self.top)


@dataclass
class EngineTimings:
    """What a llama.cpp server reports doing for requests (its per-response ``timings``), summed."""

    requests: int = 0
    prompt_tokens_evaluated: int = 0
    prompt_tokens_cached: int = 0
    prompt_eval_ms: float = 0.0
    generated_tokens: int = 0
    generation_ms: float = 0.0

    @classmethod
    def from_response(cls, timings: Any) -> EngineTimings | None:
        """One response's ``timings`` object (``cache_n``, ``prompt_n``, ``predicted_n``, ... ), if any."""
        if not isinstance(timings, dict) or "prompt_n" not in timings:
            return None

        def number(key: str) -> float:
            value = timings.get(key)
            return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0

        return cls(
            requests=1,
            prompt_tokens_evaluated=int(number("prompt_n")),
            prompt_tokens_cached=int(number("cache_n")),
            prompt_eval_ms=number("prompt_ms"),
            generated_tokens=int(number("predicted_n")),
            generation_ms=number("predicted_ms"),
        )

    def add(self, other: EngineTimings) -> None:
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, float | int]:
        values: dict[str, float | int] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name] = round(value, 2) if isinstance(value, float) else value
        return values


@dataclass
class Extraction:
    """The outcome of one structured call, re-asks included.

    ``value`` is the validated answer, or ``None`` when validation still failed after the re-ask budget;
    then ``raw_text`` holds the model's last answer (so grounded items can be salvaged) and ``error``
    says why it failed. ``tokens`` are the last answer's tokens with their log-probabilities when they
    were asked for and the server sent them (``None`` otherwise); ``engine`` what a llama.cpp server
    reported doing for the call (``None`` from other servers and from recorded responses).
    """

    value: BaseModel | None
    usage: Usage = field(default_factory=Usage)
    raw_text: str | None = None
    error: str | None = None
    tokens: list[TokenLogprob] | None = None
    engine: EngineTimings | None = None
    #: Wall time of the call, re-asks and retries included.
    seconds: float = 0.0


#: One structured call: (response model, messages, validation context, answer cap or ``None``).
ExtractRequest = tuple[type[BaseModel], list[dict[str, str]], dict[str, object], int | None]


class StructuredModel(Protocol):
    """Anything that fills a Pydantic model from chat messages."""

    @property
    def model(self) -> str: ...

    def extract(
        self,
        response_model: type[BaseModel],
        messages: list[dict[str, str]],
        context: dict[str, object],
        *,
        max_tokens: int | None = None,
    ) -> Extraction:
        """Fill ``response_model``; ``max_tokens`` caps this answer (default: the model's own cap)."""
        ...

    def extract_many(self, requests: Sequence[ExtractRequest]) -> list[Extraction]:
        """``extract`` for each request (possibly several at once); the results in request order."""
        ...
