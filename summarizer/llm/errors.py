"""What a fault of the model endpoint becomes: one of our errors, with a one-line message and no API key.

    timeout, connection reset or cut short, 408/409/429/5xx   retried; then ``ModelUnavailableError``
    Retry-After longer than the policy accepts                 ``ModelUnavailableError`` at once
    401/403                                                    ``ModelAuthError``, never retried
    404                                                        ``ModelError`` naming the model
    other 4xx; a body that is not JSON or not a completion     ``ModelError``, not retried

Messages never carry the API key, even when a server echoes it back (``redact``, ``scrub``).
"""

from __future__ import annotations

import json

import openai
from pydantic import ValidationError

from summarizer.errors import ModelAuthError, ModelError, ModelUnavailableError
from summarizer.llm.retry import MAX_RETRY_AFTER_SECONDS, is_transient, retry_after_seconds


def one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line (an HTML error page has many), cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe_status(error: openai.APIStatusError) -> str:
    try:
        body = one_line(error.response.text)
    except Exception:  # an unread streaming body or undecodable bytes: the status says enough
        body = ""
    return f"HTTP {error.status_code}" + (f": {body}" if body else "")


def describe_invalid(error: BaseException | None) -> str:
    """A validation failure in one line: each bad field and why (no pydantic URLs, no input dumps)."""
    if error is None:
        return "no reason given"
    if isinstance(error, ValidationError):
        problems = error.errors(include_url=False, include_input=False)
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in problems[:3]]
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        return one_line("; ".join(parts), 400) + more
    if isinstance(error, ValueError) and str(error):  # instructor's parse errors say what they are
        return one_line(str(error), 400)
    return one_line(f"{type(error).__name__}: {error}".rstrip(": "), 400)


def redact(text: str, key: object) -> str:
    """``text`` without the API key ``key`` (some servers echo the key they refused, or the headers)."""
    return text.replace(key, "***") if isinstance(key, str) and len(key) >= 8 else text


def scrub(error: openai.OpenAIError, key: object) -> openai.OpenAIError:
    """``error`` with the API key taken out of its message and body (tracebacks and logs print them)."""
    if redact(str(error), key) != str(error):
        error.args = tuple(redact(a, key) if isinstance(a, str) else a for a in error.args)
    if isinstance(error, openai.APIError):
        error.message = redact(error.message, key)
        if error.body is not None:
            try:
                error.body = json.loads(redact(json.dumps(error.body), key))
            except (TypeError, ValueError):
                error.body = None
    return error


def endpoint_error(error: openai.OpenAIError, *, client: openai.OpenAI, model: str, calls: int) -> ModelError:
    """``error`` (after the retries, if any) as one of our errors, its message free of the API key."""

    def clean(text: str) -> str:
        return redact(text, client.api_key)

    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelAuthError(
            clean(
                f"the model endpoint refused the credentials ({describe_status(error)}); "
                "check OPENAI_API_KEY (or SUMMARIZER_API_KEY) or the server's key"
            ),
            status_code=error.status_code,
            attempts=calls,
        )
    if is_transient(error):
        status = error.status_code if isinstance(error, openai.APIStatusError) else None
        told = retry_after_seconds(error)
        if isinstance(error, openai.APIStatusError) and told is not None and told > MAX_RETRY_AFTER_SECONDS:
            return ModelUnavailableError(
                clean(
                    f"the model endpoint asked to wait {told:.0f} s before the next request "
                    f"({describe_status(error)}), longer than we wait "
                    f"({MAX_RETRY_AFTER_SECONDS:.0f} s); run again later"
                ),
                status_code=status,
                attempts=calls,
            )
        return ModelUnavailableError(
            clean(
                f"the model endpoint kept failing ({describe_transient(error, client)}) after {calls} "
                f"attempt{'' if calls == 1 else 's'}; check that the server at {client.base_url} "
                "is up and not overloaded, then run again"
            ),
            status_code=status,
            attempts=calls,
        )
    if isinstance(error, openai.NotFoundError):
        return ModelError(
            clean(f"the endpoint does not know model {model!r} ({describe_status(error)}); pass --model"),
            status_code=404,
            attempts=calls,
        )
    if isinstance(error, openai.APIStatusError):
        return ModelError(
            clean(f"the model endpoint rejected the request ({describe_status(error)})"),
            status_code=error.status_code,
            attempts=calls,
        )
    return ModelError(clean(f"the model endpoint sent an unusable response: {one_line(str(error))}"), attempts=calls)


def describe_transient(error: openai.OpenAIError, client: openai.OpenAI) -> str:
    """A transient fault in a few words: the HTTP status, the timeout, or the connection error."""
    if isinstance(error, openai.APIStatusError):
        return describe_status(error)
    if isinstance(error, openai.APITimeoutError):
        timeout = client.timeout
        seconds = getattr(timeout, "read", timeout)
        return f"no answer within {seconds:g} s" if isinstance(seconds, int | float) else "timed out"
    detail = one_line(str(error.__cause__)) if error.__cause__ is not None else ""
    return f"connection error: {detail}" if detail else "connection error"
