"""Which model answers, and how: one settings model, from arguments and the environment (pydantic-settings).

    --base-url / SUMMARIZER_BASE_URL          any OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio)
    --model-path / SUMMARIZER_MODEL_PATH      the embedded engine serving that GGUF
    --model NAME / SUMMARIZER_MODEL (no URL)  OpenAI itself; needs OPENAI_API_KEY
    nothing                                   the embedded default model (no key, no network)

Every option is an environment variable ``SUMMARIZER_<OPTION>`` too (``SUMMARIZER_TIMEOUT=60``); an
argument wins over the environment. The key comes from ``SUMMARIZER_API_KEY``, else ``OPENAI_API_KEY``;
an ``OPENAI_API_KEY`` alone never switches to the paid API: ``--model`` does. Each default is written
once, here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from summarizer import defaults
from summarizer.errors import ConfigError

Backend = Literal["embedded", "openai", "server"]
#: How the article is read: a name registered in ``summarizer.readers.READERS``.
Strategy = str

#: The embedded engine's reader, and every other endpoint's.
EMBEDDED_STRATEGY, REMOTE_STRATEGY = "sentences", "sections"
#: The alternatives the embedded engine reports per answer token (it computes them at no extra cost);
#: ``confidence.signals`` reads the decisions of an answer from them.
EMBEDDED_TOP_LOGPROBS = 10
#: Calls of one article sent at once to a remote endpoint.
REMOTE_PARALLEL_CALLS = 8
#: The API key a local server gets (it checks none).
NO_KEY = "not-needed"


class Settings(BaseSettings):
    """Everything needed to reach a model and read an article. Build with ``Settings.resolve(...)``."""

    model_config = SettingsConfigDict(env_prefix="SUMMARIZER_", frozen=True, extra="forbid", populate_by_name=True)

    #: Derived from the other options (see the module docstring); not an option of its own.
    backend: Backend = "embedded"
    model: str | None = Field(default=None, description="model name; without a base URL this means OpenAI")
    base_url: str | None = Field(default=None, description="an OpenAI-compatible server")
    api_key: str | None = Field(
        default=None, repr=False, validation_alias=AliasChoices("api_key", "SUMMARIZER_API_KEY", "OPENAI_API_KEY")
    )
    model_path: Path | None = Field(default=None, description="serve this GGUF file with the embedded engine")
    grammar: bool = Field(default=False, description="send the JSON schema as a llama.cpp grammar")
    n_ctx: int = Field(default=defaults.N_CTX, ge=1, description="the model's context, in tokens")
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(default=defaults.MAX_TOKENS, ge=1, description="per model call")
    retries: int = Field(default=defaults.RETRIES, ge=1, description="attempts per request on transient faults")
    reasks: int = Field(default=defaults.REASKS, ge=0, description="re-asks on an invalid or ungrounded answer")
    timeout: float = Field(default=defaults.TIMEOUT_SECONDS, ge=0.01, description="seconds to wait for each answer")
    #: Embedded backend only: slots per engine, one article each, so that this many articles can be
    #: summarised at once on one engine (each slot keeps its own article prefix cached).
    slots: int = Field(default=1, ge=1)
    #: Calls of one article sent at once: a remote server answers them in parallel; the embedded engine
    #: gives each article one slot, where they take turns (default 8 remote, 1 embedded).
    parallel_calls: int = Field(default=1, ge=1)
    #: Ask for each answer token's log-probability and this many alternatives (``None``: do not ask;
    #: the embedded engine asks for ``EMBEDDED_TOP_LOGPROBS``).
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    #: Keep items at least this likely right (0-1); ``None``: the calibrated per-section threshold.
    min_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    #: The ``sections`` reader only: ask once more for a section answered with only one or two items.
    follow_up: bool = False
    #: How the article is read (``summarizer.readers``): by default ``sentences`` for the embedded
    #: engine, ``sections`` for other endpoints.
    strategy: Strategy = REMOTE_STRATEGY

    @classmethod
    def resolve(cls, **options: Any) -> Settings:
        """Settings from ``options`` (``None`` means not given: the environment or the default decides).

        ``ConfigError`` with a one-line reason for a bad value or a contradictory combination.
        """
        given = {name: value for name, value in options.items() if value is not None}
        try:
            return cls(**given)
        except ValidationError as error:
            raise ConfigError(_describe(error)) from None

    @model_validator(mode="before")
    @classmethod
    def _pick_backend(cls, values: Any) -> Any:
        """The backend, and the defaults that depend on it, from the options given."""
        if not isinstance(values, dict):
            return values
        values = dict(values)
        base_url, model_path, model = (values.get(k) or None for k in ("base_url", "model_path", "model"))
        if model_path is not None and base_url is not None:
            raise ValueError("give either --model-path (local GGUF) or --base-url (a server), not both")
        if base_url is not None:
            backend = "server"
            values.setdefault("api_key", values.get("api_key") or NO_KEY)
        elif model_path is not None:
            backend = "embedded"
            values.setdefault("model", Path(str(model_path)).expanduser().stem)
        elif model is not None and model != "embedded":
            backend = "openai"
            if not values.get("api_key"):
                raise ValueError(
                    f"model {model!r} needs OpenAI: set OPENAI_API_KEY, or pass --base-url for another server"
                )
        else:
            backend = "embedded"
        values["backend"] = backend
        embedded = backend == "embedded"
        for name, embedded_default in (("grammar", True), ("follow_up", True)):
            if values.get(name) is None:
                values[name] = embedded and embedded_default
        if embedded and values.get("top_logprobs") is None:
            values["top_logprobs"] = EMBEDDED_TOP_LOGPROBS  # the confidence of each item needs them
        if values.get("parallel_calls") is None:
            values["parallel_calls"] = 1 if embedded else REMOTE_PARALLEL_CALLS
        if values.get("strategy") is None:
            values["strategy"] = EMBEDDED_STRATEGY if embedded else REMOTE_STRATEGY
        return values

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"--base-url must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @field_validator("model_path")
    @classmethod
    def _existing_file(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        path = value.expanduser()
        if not path.is_file():
            raise ValueError(f"--model-path {path} does not exist or is not a file")
        return path

    @field_validator("strategy")
    @classmethod
    def _known_strategy(cls, value: str) -> str:
        from summarizer.readers import strategies  # the registry imports the readers, which import this

        if value not in strategies():
            raise ValueError(f"strategy must be one of {', '.join(strategies())}, got {value!r}")
        return value


def _describe(error: ValidationError) -> str:
    """The first problem of a settings error in one line: 'slots must be at least 1, got 0'."""
    problem = error.errors(include_url=False)[0]
    name = ".".join(str(part) for part in problem["loc"]) or "settings"
    context, value = problem.get("ctx") or {}, problem.get("input")
    bounds = {
        "greater_than_equal": lambda: f"{name} must be at least {context['ge']}, got {value}",
        "less_than_equal": lambda: f"{name} must be at most {context['le']}, got {value}",
    }
    if problem["type"] in bounds:
        return bounds[problem["type"]]()
    message = str(problem["msg"]).removeprefix("Value error, ")
    return message if problem["type"] == "value_error" else f"{name}: {message} (got {value!r})"
