"""The only place that talks to a model: the ``openai`` SDK wrapped by ``instructor``.

    instructor (re-ask on validation error, ``reasks`` times)
      └── _send: one logical request, retried on transient faults by tenacity (``retry`` policy)
            └── openai.OpenAI.chat.completions.create (its own retries disabled)

Every HTTP response is counted: tokens, calls, transient retries, re-asks and the time spent waiting.

What a fault of the endpoint or of the answer becomes (see ``tests/test_faults.py``):

    timeout, connection reset or cut short, 408/409/429/5xx   retried; then ``ModelUnavailableError``
    Retry-After longer than the policy accepts                 ``ModelUnavailableError`` at once
    401/403                                                    ``ModelAuthError``, never retried
    other 4xx; a body that is not JSON or not a completion     ``ModelError``, not retried
    an empty ``choices`` list                                  the section is dropped, with the reason
    invalid or ungrounded JSON; finish_reason "length"         re-asked / dropped (``Extraction.error``)

Messages never carry the API key, even when a server echoes it back.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import instructor
import openai
import tenacity
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError

from summarizer.errors import ConfigError, ModelAuthError, ModelError, ModelUnavailableError, SummarizerError
from summarizer.extraction import EngineTimings, Extraction, TokenLogprob
from summarizer.llm.recording import ResponseStore
from summarizer.llm.retry import MAX_RETRY_AFTER_SECONDS, as_retrying, is_transient, retry_after_seconds
from summarizer.schemas import Usage

#: instructor's JSON mode appends the JSON schema to the system message starting with this text.
_INSTRUCTOR_SCHEMA_MARKER = "As a genius expert, your task is to understand the content"
DEFAULT_TIMEOUT_SECONDS = 300.0


def build_openai_client(
    *, base_url: str | None, api_key: str | None, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> openai.OpenAI:
    """An ``openai.OpenAI`` with the SDK's own retries off: our retry policy is the only one."""
    if not api_key:
        raise ConfigError(
            "no API key for the OpenAI endpoint: set OPENAI_API_KEY, or pass --base-url for a local server"
        )
    return openai.OpenAI(
        base_url=base_url,
        api_key=api_key,
        max_retries=0,
        timeout=openai.Timeout(timeout, connect=10.0),
    )


def _schema_after_messages(messages: list[dict[str, Any]], *, keep: bool) -> list[dict[str, Any]]:
    """Take the JSON schema instructor pasted into the system message out of it.

    The system message holds the article and is the prefix every call of an article shares (the
    engine's prompt cache, or a provider's prompt caching); a schema pasted into it differs per section
    or question and would break that prefix. With ``keep`` (no grammar: the model must read the schema)
    it moves to the end of the first user message (the task, which a follow-up conversation repeats
    unchanged); without (a grammar enforces it) it is dropped.
    """
    if not messages or messages[0].get("role") != "system":
        return messages
    content = messages[0].get("content")
    if not isinstance(content, str) or _INSTRUCTOR_SCHEMA_MARKER not in content:
        return messages
    at = content.index(_INSTRUCTOR_SCHEMA_MARKER)
    moved = [{**messages[0], "content": content[:at].rstrip() + "\n"}, *messages[1:]]
    if keep and len(moved) > 1 and isinstance(moved[1].get("content"), str):
        moved[1] = {**moved[1], "content": moved[1]["content"].rstrip() + "\n\n" + content[at:].strip()}
    return moved


def _one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line (an HTML error page has many), cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _describe_status(error: openai.APIStatusError) -> str:
    try:
        body = _one_line(error.response.text)
    except Exception:  # an unread streaming body or undecodable bytes: the status says enough
        body = ""
    return f"HTTP {error.status_code}" + (f": {body}" if body else "")


def _describe_invalid(error: BaseException | None) -> str:
    """A validation failure in one line: each bad field and why (no pydantic URLs, no input dumps)."""
    if error is None:
        return "no reason given"
    if isinstance(error, ValidationError):
        problems = error.errors(include_url=False, include_input=False)
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in problems[:3]]
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        return _one_line("; ".join(parts), 400) + more
    if isinstance(error, ValueError) and str(error):  # instructor's parse errors say what they are
        return _one_line(str(error), 400)
    return _one_line(f"{type(error).__name__}: {error}".rstrip(": "), 400)


def _redact(text: str, key: object) -> str:
    """``text`` without the API key ``key`` (some servers echo the key they refused, or the headers)."""
    return text.replace(key, "***") if isinstance(key, str) and len(key) >= 8 else text


def _scrub(error: openai.OpenAIError, key: object) -> openai.OpenAIError:
    """``error`` with the API key taken out of its message and body (tracebacks and logs print them)."""
    if _redact(str(error), key) != str(error):
        error.args = tuple(_redact(a, key) if isinstance(a, str) else a for a in error.args)
    if isinstance(error, openai.APIError):
        error.message = _redact(error.message, key)
        if error.body is not None:
            try:
                error.body = json.loads(_redact(json.dumps(error.body), key))
            except (TypeError, ValueError):
                error.body = None
    return error


class _NoAnswer(Exception):
    """The endpoint answered, but with no completion to validate: the section is dropped, not re-asked."""


class InstructorModel:
    """Fills Pydantic models through instructor, against any OpenAI-compatible endpoint.

    ``grammar=True`` (llama.cpp servers) sends the response model's JSON schema as
    ``response_format={"type": "json_object", "schema": ...}`` so the server constrains decoding to it,
    and then leaves the schema text out of the prompt (``schema_in_prompt=False``). Without a grammar
    the schema instructor pastes into the system message moves to the end of the conversation. Either
    way the system message (the article) is the same for every call, for the server's prompt cache.
    """

    def __init__(
        self,
        openai_client: openai.OpenAI,
        *,
        model: str,
        grammar: bool = False,
        schema_in_prompt: bool | None = None,
        retry: int | tenacity.Retrying = 4,
        reasks: int = 1,
        temperature: float = 0.0,
        max_tokens: int = 900,
        seed: int | None = 0,
        top_logprobs: int | None = None,
        slot: int | None = None,
        store: ResponseStore | None = None,
    ) -> None:
        """``top_logprobs`` asks for each answer token's log-probability and that many alternatives
        (``Extraction.tokens``); ``slot`` pins every request to that llama.cpp server slot (``id_slot``),
        so that one article's calls reuse the article prefix cached there."""
        if reasks < 0:
            raise ValueError(f"reasks must be >= 0, got {reasks}")
        self._openai = openai_client
        self._model = model
        self.grammar = grammar
        self.schema_in_prompt = (not grammar) if schema_in_prompt is None else schema_in_prompt
        self._retrying = as_retrying(retry)
        self.reasks = reasks
        self.sampling: dict[str, Any] = {"temperature": temperature, "max_tokens": max_tokens}
        if seed is not None:
            self.sampling["seed"] = seed
        if top_logprobs is not None:
            if not 0 <= top_logprobs <= 20:
                raise ValueError(f"top_logprobs must be between 0 and 20, got {top_logprobs}")
            self.sampling.update(logprobs=True, top_logprobs=top_logprobs)
        self.slot = slot
        self._store = store
        self._local = threading.local()  # per-thread counters: one model may serve several threads
        self._usage = Usage()
        self._responses = 0
        self._create = instructor.patch(create=self._send, mode=instructor.Mode.JSON)

    @property
    def model(self) -> str:
        return self._model

    @property
    def _usage(self) -> Usage:
        """What the current thread's ``extract`` call has cost so far."""
        if not hasattr(self._local, "usage"):
            self._local.usage = Usage()
        return self._local.usage  # type: ignore[no-any-return]

    @_usage.setter
    def _usage(self, value: Usage) -> None:
        self._local.usage = value

    @property
    def _responses(self) -> int:
        return int(getattr(self._local, "responses", 0))

    @_responses.setter
    def _responses(self, value: int) -> None:
        self._local.responses = value

    @property
    def _engine(self) -> EngineTimings | None:
        """What the engine reported for the current thread's ``extract`` call (live responses only)."""
        return getattr(self._local, "engine", None)

    @_engine.setter
    def _engine(self, value: EngineTimings | None) -> None:
        self._local.engine = value

    @property
    def _last(self) -> Any:
        """The last completion the current thread's ``extract`` call received."""
        return getattr(self._local, "last", None)

    @_last.setter
    def _last(self, value: Any) -> None:
        self._local.last = value

    def _send(self, **kwargs: Any) -> Any:
        """One logical request: retried on transient faults, every attempt counted."""
        kwargs["messages"] = _schema_after_messages(kwargs["messages"], keep=self.schema_in_prompt)
        recorded = self._store.lookup(kwargs) if self._store is not None else None
        if recorded is not None:
            self._usage.cached += 1
            return self._counted(ChatCompletion.model_validate(recorded))
        for attempt in self._retrying.copy():
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    self._usage.retries += 1
                self._usage.calls += 1
                started = time.perf_counter()
                try:
                    response = self._openai.chat.completions.create(**kwargs)
                except openai.OpenAIError as error:  # scrubbed before instructor logs it or a traceback shows it
                    _scrub(error, self._openai.api_key)
                    raise
                except json.JSONDecodeError as error:  # a 200 whose JSON body is broken: not worth repeating
                    raise self._not_a_completion(f"a body that is not valid JSON: {error.msg}", error.doc) from error
                finally:
                    self._usage.model_seconds += time.perf_counter() - started
        self._check_completion(response)
        if self._store is not None:
            self._store.save(kwargs, response.model_dump(mode="json", exclude_unset=True))
        timings = EngineTimings.from_response((response.model_extra or {}).get("timings"))
        if timings is not None:
            if self._engine is None:
                self._engine = EngineTimings()
            self._engine.add(timings)
        return self._counted(response)

    def _check_completion(self, response: Any) -> None:
        """Raise unless ``response`` is a chat completion with at least one choice."""
        if isinstance(response, str):  # the SDK hands back a non-JSON body as text
            raise self._not_a_completion("text that is not JSON", response)
        if not isinstance(response, ChatCompletion):
            raise self._not_a_completion(f"a {type(response).__name__}", str(response))
        extra = response.model_extra or {}
        if response.choices is None and "error" in extra:
            detail = extra["error"].get("message") if isinstance(extra["error"], dict) else extra["error"]
            raise ModelError(
                self._redact(
                    f"the model endpoint answered HTTP 200 with an error: {_one_line(str(detail))}; "
                    "its log may say more; run again once it answers normally"
                ),
                attempts=self._usage.calls,
            )
        if response.choices is None:
            raise self._not_a_completion("JSON without a 'choices' list", response.model_dump_json())
        if not response.choices:
            self._counted(response)
            raise _NoAnswer(
                "the endpoint answered with an empty 'choices' list (no completion at all); "
                "the server's log may say why"
            )

    def _not_a_completion(self, what: str, body: str | None) -> ModelError:
        shown = f" ({_one_line(body, 80)!r})" if body else ""
        return ModelError(
            self._redact(
                f"the model endpoint at {self._openai.base_url} sent {what}{shown} instead of a chat completion; "
                "check that --base-url points to an OpenAI-compatible API (its URL usually ends in /v1)"
            ),
            attempts=self._usage.calls,
        )

    def _redact(self, text: str) -> str:
        return _redact(text, self._openai.api_key)

    def _counted(self, response: Any) -> Any:
        usage = getattr(response, "usage", None)
        if usage is not None:
            self._usage.prompt_tokens += usage.prompt_tokens or 0
            self._usage.completion_tokens += usage.completion_tokens or 0
        self._responses += 1
        self._last = response
        return response

    def extract(
        self,
        response_model: type[BaseModel],
        messages: list[dict[str, str]],
        context: dict[str, object],
        *,
        max_tokens: int | None = None,
    ) -> Extraction:
        """Ask for ``response_model``; re-ask on validation errors; map endpoint faults to our errors.

        ``max_tokens`` caps this answer below the model's ``max_tokens``."""
        self._usage = Usage()
        self._responses = 0
        self._engine = None
        self._last = None
        request: dict[str, Any] = {
            "model": self._model,
            "messages": messages,
            "response_model": response_model,
            "max_retries": self.reasks,
            "context": context,
            **self.sampling,
        }
        if max_tokens is not None:
            request["max_tokens"] = min(max_tokens, self.sampling["max_tokens"])
        extra_body: dict[str, Any] = {}
        if self.grammar:
            schema = response_model.model_json_schema()
            extra_body["response_format"] = {"type": "json_object", "schema": schema}
        if self.slot is not None:
            extra_body["id_slot"] = self.slot
        if extra_body:
            request["extra_body"] = extra_body
        cut_off = (
            f"the answer was cut off at max_tokens={request['max_tokens']}; "
            "allow more tokens (--max-tokens) or ask for less"
        )
        try:
            value = self._create(**request)
        except instructor.core.exceptions.IncompleteOutputException as error:
            return self._failure(error.last_completion, cut_off)
        except instructor.core.exceptions.InstructorRetryException as error:
            cause = error.__cause__
            if isinstance(cause, SummarizerError):  # raised inside _send: a replay miss, a body that is not JSON
                raise cause from cause.__cause__
            if isinstance(cause, openai.OpenAIError):
                raise self._endpoint_error(cause) from cause
            if isinstance(cause, instructor.core.exceptions.IncompleteOutputException):
                return self._failure(cause.last_completion, cut_off)
            if isinstance(cause, _NoAnswer):
                return self._failure(error.last_completion, str(cause))
            reasks = max(error.n_attempts - 1, 0)
            why = _describe_invalid(cause) if _completion_text(error.last_completion) else "the answer was empty"
            return self._failure(
                error.last_completion, f"still invalid after {reasks} re-ask{'' if reasks == 1 else 's'}: {why}"
            )
        except openai.OpenAIError as error:
            raise self._endpoint_error(error) from error
        self._usage.reasks = max(self._responses - 1, 0)
        return Extraction(value=value, usage=self._usage, tokens=_token_logprobs(self._last), engine=self._engine)

    def _failure(self, completion: Any, reason: str) -> Extraction:
        self._usage.reasks = max(self._responses - 1, 0)
        return Extraction(
            value=None,
            usage=self._usage,
            raw_text=_completion_text(completion),
            error=reason,
            tokens=_token_logprobs(completion),
            engine=self._engine,
        )

    def _endpoint_error(self, error: openai.OpenAIError) -> ModelError:
        calls = self._usage.calls
        if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
            return ModelAuthError(
                self._redact(
                    f"the model endpoint refused the credentials ({_describe_status(error)}); "
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
                    self._redact(
                        f"the model endpoint asked to wait {told:.0f} s before the next request "
                        f"({_describe_status(error)}), longer than we wait "
                        f"({MAX_RETRY_AFTER_SECONDS:.0f} s); run again later"
                    ),
                    status_code=status,
                    attempts=calls,
                )
            return ModelUnavailableError(
                self._redact(
                    f"the model endpoint kept failing ({self._describe_transient(error)}) after {calls} "
                    f"attempt{'' if calls == 1 else 's'}; check that the server at {self._openai.base_url} "
                    "is up and not overloaded, then run again"
                ),
                status_code=status,
                attempts=calls,
            )
        if isinstance(error, openai.NotFoundError):
            return ModelError(
                self._redact(
                    f"the endpoint does not know model {self._model!r} ({_describe_status(error)}); pass --model"
                ),
                status_code=404,
                attempts=calls,
            )
        if isinstance(error, openai.APIStatusError):
            return ModelError(
                self._redact(f"the model endpoint rejected the request ({_describe_status(error)})"),
                status_code=error.status_code,
                attempts=calls,
            )
        return ModelError(
            self._redact(f"the model endpoint sent an unusable response: {_one_line(str(error))}"), attempts=calls
        )

    def _describe_transient(self, error: openai.OpenAIError) -> str:
        if isinstance(error, openai.APIStatusError):
            return _describe_status(error)
        if isinstance(error, openai.APITimeoutError):
            timeout = self._openai.timeout
            seconds = getattr(timeout, "read", timeout)
            return f"no answer within {seconds:g} s" if isinstance(seconds, int | float) else "timed out"
        detail = _one_line(str(error.__cause__)) if error.__cause__ is not None else ""
        return f"connection error: {detail}" if detail else "connection error"


def _completion_text(completion: Any) -> str | None:
    """The text of a chat completion's first choice, if there is one."""
    try:
        content = completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return None
    if content is None:
        return None
    return content if isinstance(content, str) else json.dumps(content)


def _token_logprobs(completion: Any) -> list[TokenLogprob] | None:
    """The first choice's tokens with their log-probabilities, if the server sent them."""
    try:
        content = completion.choices[0].logprobs.content
    except (AttributeError, IndexError, TypeError):
        return None
    if not content:
        return None
    return [
        TokenLogprob(
            token=entry.token,
            logprob=entry.logprob,
            top={alt.token: alt.logprob for alt in (entry.top_logprobs or [])},
        )
        for entry in content
    ]


def first_model_name(client: openai.OpenAI) -> str:
    """The first model a server lists, for servers that serve one model and need no ``--model``."""
    try:
        models = client.models.list()
        for entry in models:
            return str(entry.id)
    except openai.OpenAIError as error:
        detail = _redact(_one_line(str(error)), client.api_key)
        raise ModelError(
            f"could not list the server's models ({detail}); pass --model NAME", attempts=1
        ) from _scrub(error, client.api_key)
    raise ModelError("the server lists no models; pass --model NAME", attempts=1)
