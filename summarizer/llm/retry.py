"""The one retry policy for transient faults of the model endpoint.

Retried: timeouts, connection errors, 408, 409, 429 (honouring ``Retry-After``), and 5xx.
Never retried: other 4xx (400 bad request, 401/403 credentials, 404 unknown model, 422), and a fault
whose ``Retry-After`` asks for more than ``MAX_RETRY_AFTER_SECONDS``: we stop at once instead of
sleeping through the budget only to fail.
Validation failures are not handled here: instructor re-asks those with the error in the prompt.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import openai
import tenacity
from tenacity import RetryCallState

DEFAULT_ATTEMPTS = 4
#: Longest wait we accept from a server's Retry-After; asked for more, we stop retrying and say so.
MAX_RETRY_AFTER_SECONDS = 30.0
_TRANSIENT_STATUS = frozenset({408, 409, 429})


def is_transient(error: BaseException) -> bool:
    """True for faults that a later identical request may not meet."""
    if isinstance(error, openai.APITimeoutError | openai.APIConnectionError):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in _TRANSIENT_STATUS or error.status_code >= 500
    return False


def retry_after_seconds(error: BaseException | None, *, now: datetime | None = None) -> float | None:
    """How long the server asked us to wait, in seconds (>= 0); ``None`` if it did not say.

    Reads ``retry-after-ms`` (OpenAI), then ``Retry-After`` as seconds or as an HTTP date.
    """
    if not isinstance(error, openai.APIStatusError):
        return None
    headers = error.response.headers
    milliseconds = _number(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return max(number, 0.0) if number == number else None  # NaN is no answer


class _ToldToWaitTooLong(tenacity.stop.stop_base):
    """Stop when the server asks for a longer pause than we accept: fail now, say when to come back."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None and outcome.failed else None
        told = retry_after_seconds(error)
        return told is not None and told > MAX_RETRY_AFTER_SECONDS


class _BackoffOrRetryAfter(tenacity.wait.wait_base):
    """Exponential backoff with jitter, unless the server said how long to wait."""

    def __init__(self, initial: float, maximum: float) -> None:
        self._backoff = tenacity.wait_exponential_jitter(multiplier=initial, max=maximum, jitter=initial)

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        told = retry_after_seconds(error)
        return min(told, MAX_RETRY_AFTER_SECONDS) if told is not None else float(self._backoff(retry_state))


def transient_retrying(
    attempts: int = DEFAULT_ATTEMPTS,
    *,
    initial_wait: float = 1.0,
    max_wait: float = 20.0,
    sleep: Callable[[float], None] = time.sleep,
) -> tenacity.Retrying:
    """A ``tenacity.Retrying`` that repeats transient faults up to ``attempts`` requests in all."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    return tenacity.Retrying(
        stop=tenacity.stop_any(tenacity.stop_after_attempt(attempts), _ToldToWaitTooLong()),
        wait=_BackoffOrRetryAfter(initial_wait, max_wait),
        retry=tenacity.retry_if_exception(is_transient),
        sleep=sleep,
        reraise=True,
    )


def as_retrying(policy: int | tenacity.Retrying) -> tenacity.Retrying:
    """Accept an attempt count or a ready ``tenacity.Retrying`` (as instructor does)."""
    if isinstance(policy, tenacity.Retrying):
        return policy
    if isinstance(policy, bool) or not isinstance(policy, int):
        raise TypeError(f"retry policy must be an int or tenacity.Retrying, got {type(policy).__name__}")
    return transient_retrying(policy)
