"""Which model answers, resolved once from arguments and environment.

    --base-url / SUMMARIZER_BASE_URL   any OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio)
    --model-path FILE.gguf             the embedded engine serving that GGUF
    --model NAME (no base URL)         OpenAI itself; needs OPENAI_API_KEY
    nothing                            the embedded default model (no key, no network)

An ``OPENAI_API_KEY`` in the environment alone never switches to the paid API: ``--model`` does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast, get_args

from summarizer.errors import ConfigError

Backend = Literal["embedded", "openai", "server"]
#: How the article is read (see ``summarizer.pipeline``): one call per sentence, or one per section.
Strategy = Literal["sections", "sentences"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class Settings:
    """Everything needed to reach a model. Build with ``Settings.resolve``."""

    backend: Backend
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    model_path: Path | None = None
    grammar: bool = False
    n_ctx: int = 4096
    temperature: float = 0.0
    max_tokens: int = 900
    retries: int = 4
    reasks: int = 2
    timeout: float = 300.0
    #: Embedded backend only: engine processes to start, each with its share of the cores.
    engines: int = 1
    #: Embedded backend only: slots per engine, one article each, so that this many articles can be
    #: summarised at once on one engine (each slot keeps its own article prefix cached).
    slots: int = 1
    #: Ask for each answer token's log-probability and this many alternatives (``None``: do not ask).
    top_logprobs: int | None = None
    #: Ask once more for a section answered with only one or two items (see ``pipeline.FOLLOW_UP_BELOW``);
    #: the ``sections`` strategy only.
    follow_up: bool = False
    #: ``sentences`` (the embedded model's default) or ``sections`` (the default for other endpoints).
    strategy: Strategy = "sections"

    @classmethod
    def resolve(
        cls,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        model_path: str | Path | None = None,
        grammar: bool | None = None,
        n_ctx: int = 4096,
        temperature: float = 0.0,
        max_tokens: int = 900,
        retries: int = 4,
        reasks: int = 1,
        timeout: float = 300.0,
        engines: int = 1,
        slots: int = 1,
        top_logprobs: int | None = None,
        follow_up: bool | None = None,
        strategy: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        env = os.environ if environ is None else environ
        base_url = base_url or env.get("SUMMARIZER_BASE_URL") or None
        model = model or env.get("SUMMARIZER_MODEL") or None
        api_key = api_key or env.get("SUMMARIZER_API_KEY") or env.get("OPENAI_API_KEY") or None
        _check_numbers(
            n_ctx=n_ctx, max_tokens=max_tokens, retries=retries, reasks=reasks, timeout=timeout, engines=engines,
            slots=slots,
        )
        if not 0.0 <= temperature <= 2.0:
            raise ConfigError(f"temperature must be between 0 and 2, got {temperature}")
        common = dict(
            n_ctx=n_ctx,
            temperature=temperature,
            max_tokens=max_tokens,
            retries=retries,
            reasks=reasks,
            timeout=timeout,
            top_logprobs=top_logprobs,
        )
        if model_path is not None and base_url is not None:
            raise ConfigError("give either --model-path (local GGUF) or --base-url (a server), not both")
        if base_url is not None:
            if not base_url.startswith(("http://", "https://")):
                raise ConfigError(f"--base-url must start with http:// or https://, got {base_url!r}")
            return cls(
                backend="server",
                model=model,
                base_url=base_url.rstrip("/"),
                api_key=api_key or "not-needed",
                grammar=bool(grammar),
                follow_up=bool(follow_up),
                strategy=_strategy(strategy, "sections"),
                **common,  # type: ignore[arg-type]
            )
        if model_path is not None:
            path = Path(model_path).expanduser()
            if not path.is_file():
                raise ConfigError(f"--model-path {path} does not exist or is not a file")
            return cls(
                backend="embedded",
                model=model or path.stem,
                model_path=path,
                grammar=grammar is not False,
                engines=engines,
                slots=slots,
                follow_up=follow_up is not False,
                strategy=_strategy(strategy, "sentences"),
                **common,  # type: ignore[arg-type]
            )
        if model is not None and model != "embedded":
            if not api_key:
                raise ConfigError(
                    f"model {model!r} needs OpenAI: set OPENAI_API_KEY, or pass --base-url for another server"
                )
            return cls(
                backend="openai",
                model=model,
                api_key=api_key,
                grammar=bool(grammar),
                follow_up=bool(follow_up),
                strategy=_strategy(strategy, "sections"),
                **common,  # type: ignore[arg-type]
            )
        return cls(
            backend="embedded",
            grammar=grammar is not False,
            engines=engines,
            slots=slots,
            follow_up=follow_up is not False,
            strategy=_strategy(strategy, "sentences"),
            **common,  # type: ignore[arg-type]
        )


def _strategy(value: str | None, default: Strategy) -> Strategy:
    """``value`` as a ``Strategy`` (``default`` when not given); ``ConfigError`` for an unknown one."""
    if value is None:
        return default
    if value not in STRATEGIES:
        raise ConfigError(f"strategy must be one of {', '.join(STRATEGIES)}, got {value!r}")
    return cast(Strategy, value)


def _check_numbers(**values: float) -> None:
    for name, value in values.items():
        minimum = {"reasks": 0, "timeout": 0.01}.get(name, 1)
        if value < minimum:
            raise ConfigError(f"{name} must be at least {minimum}, got {value}")
