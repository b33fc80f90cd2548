"""The only place that talks to a model: the ``openai`` SDK wrapped by ``instructor``.

    instructor (re-ask on validation error, ``reasks`` times)
      └── _send: one logical request, retried on transient faults by tenacity (``retry`` policy)
            └── openai.OpenAI.chat.completions.create (its own retries disabled)

Every HTTP response is counted: tokens, calls, transient retries, re-asks, the time spent waiting,
and what a llama.cpp server reports doing (its ``timings``). What a fault of the endpoint becomes is
``summarizer.llm.errors``; what a fault of the answer becomes:

    an empty ``choices`` list                                  the call is dropped, with the reason
    invalid or ungrounded JSON; finish_reason "length"         re-asked / dropped (``Extraction.error``)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import instructor
import openai
import tenacity
from openai.types.chat import ChatCompletion
from pydantic import BaseModel

from summarizer import defaults
from summarizer.errors import ConfigError, ModelError, SummarizerError
from summarizer.extraction import EngineTimings, Extraction, ExtractRequest
from summarizer.llm.errors import describe_invalid, endpoint_error, one_line, redact, scrub
from summarizer.llm.messages import completion_text, schema_after_messages, token_logprobs
from summarizer.llm.recording import ResponseStore
from summarizer.llm.retry import as_retrying
from summarizer.schemas import Usage


def build_openai_client(
    *, base_url: str | None, api_key: str | None, timeout: float = defaults.TIMEOUT_SECONDS
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


@dataclass
class _CallState:
    """What one ``extract`` call has cost and received so far (one per thread: a model may serve several)."""

    usage: Usage = field(default_factory=Usage)
    responses: int = 0
    engine: EngineTimings | None = None
    last: Any = None


class _NoAnswer(Exception):
    """The endpoint answered, but with no completion to validate: the call is dropped, not re-asked."""


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
        retry: int | tenacity.Retrying = defaults.RETRIES,
        reasks: int = defaults.REASKS,
        temperature: float = 0.0,
        max_tokens: int = defaults.MAX_TOKENS,
        seed: int | None = 0,
        top_logprobs: int | None = None,
        slot: int | None = None,
        parallel_calls: int = 1,
        store: ResponseStore | None = None,
    ) -> None:
        """``top_logprobs`` asks for each answer token's log-probability and that many alternatives
        (``Extraction.tokens``); ``slot`` pins every request to that llama.cpp server slot (``id_slot``),
        so that one article's calls reuse the article prefix cached there; ``extract_many`` sends up to
        ``parallel_calls`` requests at once (a remote server serves them in parallel; the embedded
        engine serves one article per slot, so there it stays 1)."""
        if reasks < 0:
            raise ValueError(f"reasks must be >= 0, got {reasks}")
        if parallel_calls < 1:
            raise ValueError(f"parallel_calls must be at least 1, got {parallel_calls}")
        self.parallel_calls = parallel_calls
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
        self._create = instructor.patch(create=self._send, mode=instructor.Mode.JSON)

    @property
    def model(self) -> str:
        return self._model

    @property
    def _call(self) -> _CallState:
        """The current thread's ``extract`` call."""
        state = getattr(self._local, "call", None)
        if state is None:
            state = self._local.call = _CallState()
        return state  # type: ignore[no-any-return]

    def _send(self, **kwargs: Any) -> Any:
        """One logical request: retried on transient faults, every attempt counted."""
        kwargs["messages"] = schema_after_messages(kwargs["messages"], keep=self.schema_in_prompt)
        recorded = self._store.lookup(kwargs) if self._store is not None else None
        if recorded is not None:
            self._call.usage.cached += 1
            return self._counted(ChatCompletion.model_validate(recorded))
        for attempt in self._retrying.copy():
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    self._call.usage.retries += 1
                self._call.usage.calls += 1
                started = time.perf_counter()
                try:
                    response = self._openai.chat.completions.create(**kwargs)
                except openai.OpenAIError as error:  # scrubbed before instructor logs it or a traceback shows it
                    scrub(error, self._openai.api_key)
                    raise
                except json.JSONDecodeError as error:  # a 200 whose JSON body is broken: not worth repeating
                    raise self._not_a_completion(f"a body that is not valid JSON: {error.msg}", error.doc) from error
                finally:
                    self._call.usage.model_seconds += time.perf_counter() - started
        self._check_completion(response)
        if self._store is not None:
            self._store.save(kwargs, response.model_dump(mode="json", exclude_unset=True))
        timings = EngineTimings.from_response((response.model_extra or {}).get("timings"))
        if timings is not None:
            if self._call.engine is None:
                self._call.engine = EngineTimings()
            self._call.engine.add(timings)
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
                    f"the model endpoint answered HTTP 200 with an error: {one_line(str(detail))}; "
                    "its log may say more; run again once it answers normally"
                ),
                attempts=self._call.usage.calls,
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
        shown = f" ({one_line(body, 80)!r})" if body else ""
        return ModelError(
            self._redact(
                f"the model endpoint at {self._openai.base_url} sent {what}{shown} instead of a chat completion; "
                "check that --base-url points to an OpenAI-compatible API (its URL usually ends in /v1)"
            ),
            attempts=self._call.usage.calls,
        )

    def _redact(self, text: str) -> str:
        return redact(text, self._openai.api_key)

    def _endpoint_error(self, error: openai.OpenAIError) -> ModelError:
        return endpoint_error(error, client=self._openai, model=self._model, calls=self._call.usage.calls)

    def _counted(self, response: Any) -> Any:
        usage = getattr(response, "usage", None)
        if usage is not None:
            self._call.usage.prompt_tokens += usage.prompt_tokens or 0
            self._call.usage.completion_tokens += usage.completion_tokens or 0
        self._call.responses += 1
        self._call.last = response
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
        started = time.perf_counter()
        extraction = self._extract(response_model, messages, context, max_tokens=max_tokens)
        extraction.seconds = time.perf_counter() - started
        return extraction

    def _extract(
        self,
        response_model: type[BaseModel],
        messages: list[dict[str, str]],
        context: dict[str, object],
        *,
        max_tokens: int | None = None,
    ) -> Extraction:
        """``extract`` without the clock."""
        self._local.call = _CallState()
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
            why = describe_invalid(cause) if completion_text(error.last_completion) else "the answer was empty"
            return self._failure(
                error.last_completion, f"still invalid after {reasks} re-ask{'' if reasks == 1 else 's'}: {why}"
            )
        except openai.OpenAIError as error:
            raise self._endpoint_error(error) from error
        self._call.usage.reasks = max(self._call.responses - 1, 0)
        return Extraction(
            value=value, usage=self._call.usage, tokens=token_logprobs(self._call.last), engine=self._call.engine
        )

    def extract_many(self, requests: Sequence[ExtractRequest]) -> list[Extraction]:
        """``extract`` for each request, up to ``parallel_calls`` at once; results in request order."""
        if self.parallel_calls == 1 or len(requests) < 2:
            return [self.extract(*request[:3], max_tokens=request[3]) for request in requests]
        with ThreadPoolExecutor(max_workers=self.parallel_calls, thread_name_prefix="summarizer-call") as pool:
            futures = [pool.submit(self.extract, *request[:3], max_tokens=request[3]) for request in requests]
            return [future.result() for future in futures]

    def _failure(self, completion: Any, reason: str) -> Extraction:
        self._call.usage.reasks = max(self._call.responses - 1, 0)
        return Extraction(
            value=None,
            usage=self._call.usage,
            raw_text=completion_text(completion),
            error=reason,
            tokens=token_logprobs(completion),
            engine=self._call.engine,
        )


def first_model_name(client: openai.OpenAI) -> str:
    """The first model a server lists, for servers that serve one model and need no ``--model``."""
    try:
        models = client.models.list()
        for entry in models:
            return str(entry.id)
    except openai.OpenAIError as error:
        detail = redact(one_line(str(error)), client.api_key)
        raise ModelError(f"could not list the server's models ({detail}); pass --model NAME", attempts=1) from scrub(
            error, client.api_key
        )
    raise ModelError("the server lists no models; pass --model NAME", attempts=1)
