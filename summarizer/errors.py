"""The one error hierarchy of the summarizer.

    SummarizerError                   base: catch this to catch everything we raise
    ├── ConfigError                   bad option or environment (also a ValueError)
    ├── InputError                    the article cannot be read or is empty (also a ValueError)
    ├── TemplateError                 a prompt template is missing or needs an absent variable
    ├── ModelNotInstalledError        the embedded model's packages are missing or corrupt
    ├── EngineError                   the embedded llama.cpp server failed to build, start, or died
    │   └── EngineNotInstalledError   the embedded llama.cpp server is not built yet
    ├── ModelError                    the model endpoint failed (after retries where they apply)
    │   ├── ModelAuthError            401/403: the key or the permissions are wrong; never retried
    │   └── ModelUnavailableError     timeouts, 429, 5xx, connection errors that outlived the retries
    └── ReplayMissError               replay mode asked for a response that was never recorded

Every error carries a one-line message that says what failed and what to do about it. Every error
pickles whole (message and attributes), so that it can cross a process boundary: a Ray worker hands
the batch driver the error that must stop the run (``summarizer.batch.ray_engine``).
"""

from __future__ import annotations

from typing import Any


class SummarizerError(Exception):
    """Base class of every error this package raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # By state, not (as pickle does by default) by calling __init__ again with the message alone,
        # which fails for the errors that take keyword-only arguments (TemplateError's ``template``).
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[SummarizerError], args: tuple[Any, ...], state: dict[str, Any]) -> SummarizerError:
    error = cls.__new__(cls, *args)
    error.__dict__.update(state)
    return error


class ConfigError(SummarizerError, ValueError):
    """An option or environment variable is missing or inconsistent."""


class InputError(SummarizerError, ValueError):
    """The input article cannot be used (missing file, not text, empty)."""


class TemplateError(SummarizerError):
    """A prompt template is missing or references a variable that was not given."""

    def __init__(self, message: str, *, template: str) -> None:
        super().__init__(message)
        self.template = template


class ModelNotInstalledError(SummarizerError):
    """The embedded model cannot be assembled from its packages."""


class EngineError(SummarizerError):
    """The local llama.cpp server could not be started or stopped working."""

    def __init__(self, message: str, *, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail


class EngineNotInstalledError(EngineError):
    """The embedded engine's binary is missing: ``summarizer engine build`` builds it."""


class ModelError(SummarizerError):
    """The model endpoint did not give a usable answer."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        attempts: int = 1,
        section: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.attempts = attempts
        self.section = section


class ModelAuthError(ModelError):
    """The endpoint refused our credentials (401/403). Never retried."""


class ModelUnavailableError(ModelError):
    """Transient faults persisted past the retry budget."""


class ReplayMissError(SummarizerError):
    """Replay mode found no recorded response for a request."""

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key
