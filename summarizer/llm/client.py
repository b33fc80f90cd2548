"""The only place that talks to a model: the ``openai`` SDK wrapped by ``instructor``.

    instructor (re-ask on validation error, ``reasks`` times)
      └── _send: one logical request, retried on transient faults by tenacity (``retry`` policy)
            └── openai.OpenAI.chat.completions.create (its own retries disabled)

Every HTTP response is counted: tokens, calls, transient retries, re-asks and the time spent waiting.
"""

from __future__ import annotations

import json
import time
from typing import Any

import instructor
import openai
import tenacity
from openai.types.chat import ChatCompletion
from pydantic import BaseModel

from summarizer.errors import ConfigError, ModelAuthError, ModelError, ModelUnavailableError, SummarizerError
from summarizer.extraction import Extraction
from summarizer.llm.recording import ResponseStore
from summarizer.llm.retry import as_retrying, is_transient
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


def _strip_schema_text(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Remove the JSON schema instructor pasted into the system message (the grammar enforces it)."""
    if not messages or messages[0].get("role") != "system":
        return messages
    content = messages[0].get("content")
    if not isinstance(content, str) or _INSTRUCTOR_SCHEMA_MARKER not in content:
        return messages
    trimmed = content[: content.index(_INSTRUCTOR_SCHEMA_MARKER)].rstrip() + "\n"
    return [{**messages[0], "content": trimmed}, *messages[1:]]


def _describe_status(error: openai.APIStatusError) -> str:
    try:
        body = error.response.text[:200].strip()
    except Exception:  # an unread streaming body or undecodable bytes: the status says enough
        body = ""
    return f"HTTP {error.status_code}" + (f": {body}" if body else "")


class InstructorModel:
    """Fills Pydantic models through instructor, against any OpenAI-compatible endpoint.

    ``grammar=True`` (llama.cpp servers) sends the response model's JSON schema as
    ``response_format={"type": "json_object", "schema": ...}`` so the server constrains decoding to it,
    and then leaves the schema text out of the prompt (``schema_in_prompt=False``), which keeps the
    prompt prefix identical across sections for the server's prompt cache.
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
        store: ResponseStore | None = None,
    ) -> None:
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
        self._store = store
        self._usage = Usage()
        self._responses = 0
        self._create = instructor.patch(create=self._send, mode=instructor.Mode.JSON)

    @property
    def model(self) -> str:
        return self._model

    def _send(self, **kwargs: Any) -> Any:
        """One logical request: retried on transient faults, every attempt counted."""
        if not self.schema_in_prompt:
            kwargs["messages"] = _strip_schema_text(kwargs["messages"])
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
                finally:
                    self._usage.model_seconds += time.perf_counter() - started
        if self._store is not None and isinstance(response, ChatCompletion):
            self._store.save(kwargs, response.model_dump(mode="json", exclude_unset=True))
        return self._counted(response)

    def _counted(self, response: Any) -> Any:
        usage = getattr(response, "usage", None)
        if usage is not None:
            self._usage.prompt_tokens += usage.prompt_tokens or 0
            self._usage.completion_tokens += usage.completion_tokens or 0
        self._responses += 1
        return response

    def extract(
        self,
        response_model: type[BaseModel],
        messages: list[dict[str, str]],
        context: dict[str, object],
    ) -> Extraction:
        """Ask for ``response_model``; re-ask on validation errors; map endpoint faults to our errors."""
        self._usage = Usage()
        self._responses = 0
        request: dict[str, Any] = {
            "model": self._model,
            "messages": messages,
            "response_model": response_model,
            "max_retries": self.reasks,
            "context": context,
            **self.sampling,
        }
        if self.grammar:
            schema = response_model.model_json_schema()
            request["extra_body"] = {"response_format": {"type": "json_object", "schema": schema}}
        try:
            value = self._create(**request)
        except instructor.core.exceptions.IncompleteOutputException as error:
            return self._failure(error.last_completion, "the answer was cut off at max_tokens")
        except instructor.core.exceptions.InstructorRetryException as error:
            cause = error.__cause__
            if isinstance(cause, SummarizerError):  # e.g. a replay miss raised inside _send
                raise cause from None
            if isinstance(cause, openai.OpenAIError):
                raise self._endpoint_error(cause, error.n_attempts) from cause
            if isinstance(cause, instructor.core.exceptions.IncompleteOutputException):
                return self._failure(cause.last_completion, "the answer was cut off at max_tokens")
            return self._failure(error.last_completion, f"still invalid after {self.reasks} re-asks: {cause}")
        except openai.OpenAIError as error:
            raise self._endpoint_error(error, 1) from error
        self._usage.reasks = max(self._responses - 1, 0)
        return Extraction(value=value, usage=self._usage)

    def _failure(self, completion: Any, reason: str) -> Extraction:
        self._usage.reasks = max(self._responses - 1, 0)
        return Extraction(value=None, usage=self._usage, raw_text=_completion_text(completion), error=reason)

    def _endpoint_error(self, error: openai.OpenAIError, attempts: int) -> ModelError:
        calls = self._usage.calls
        if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
            return ModelAuthError(
                f"the model endpoint refused the credentials ({_describe_status(error)}); "
                "check OPENAI_API_KEY or the server's key",
                status_code=error.status_code,
                attempts=calls,
            )
        if is_transient(error):
            status = error.status_code if isinstance(error, openai.APIStatusError) else None
            what = _describe_status(error) if isinstance(error, openai.APIStatusError) else type(error).__name__
            return ModelUnavailableError(
                f"the model endpoint kept failing ({what}) after {calls} attempts; "
                "check that the server is up and not overloaded, then run again",
                status_code=status,
                attempts=calls,
            )
        if isinstance(error, openai.NotFoundError):
            return ModelError(
                f"the endpoint does not know model {self._model!r} ({_describe_status(error)}); pass --model",
                status_code=404,
                attempts=calls,
            )
        if isinstance(error, openai.APIStatusError):
            return ModelError(
                f"the model endpoint rejected the request ({_describe_status(error)})",
                status_code=error.status_code,
                attempts=calls,
            )
        return ModelError(f"the model endpoint sent an unusable response: {error}", attempts=calls)


def _completion_text(completion: Any) -> str | None:
    """The text of a chat completion's first choice, if there is one."""
    try:
        content = completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return None
    if content is None:
        return None
    return content if isinstance(content, str) else json.dumps(content)


def first_model_name(client: openai.OpenAI) -> str:
    """The first model a server lists, for servers that serve one model and need no ``--model``."""
    try:
        models = client.models.list()
        for entry in models:
            return str(entry.id)
    except openai.OpenAIError as error:
        raise ModelError(f"could not list the server's models ({error}); pass --model NAME", attempts=1) from error
    raise ModelError("the server lists no models; pass --model NAME", attempts=1)
