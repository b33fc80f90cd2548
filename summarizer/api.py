"""The public entry points: ``Summarizer`` (reuse one model for many articles) and ``summarize``.

This module wires the parts together: settings -> (embedded server | OpenAI | other server) ->
``InstructorModel`` -> ``Pipeline``. Pass ``client=`` (an ``openai.OpenAI``) or ``structured_model=``
to bring your own; tests pass fakes here.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from summarizer.config import Settings
from summarizer.engine.model_store import DEFAULT_MODEL, ensure_model
from summarizer.engine.server import LocalServer
from summarizer.extraction import StructuredModel
from summarizer.llm.recording import ResponseStore
from summarizer.pipeline import Pipeline, ProgressCallback
from summarizer.prompts import PromptLibrary
from summarizer.schemas import Summary

if TYPE_CHECKING:
    import openai

#: Where a replaying summarizer "sends" requests: the discard port, never contacted.
_UNREACHABLE_URL = "http://127.0.0.1:9/v1"


class Summarizer:
    """Summarises articles with one model, started once and reused.

    Use it as a context manager so that an embedded server is always stopped::

        with Summarizer() as summarizer:
            for text in articles:
                print(summarizer.summarize(text).model_dump_json())
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        client: openai.OpenAI | None = None,
        structured_model: StructuredModel | None = None,
        prompts: PromptLibrary | None = None,
        progress: ProgressCallback | None = None,
        response_store: ResponseStore | None = None,
    ) -> None:
        self.settings = settings or Settings.resolve()
        self._store = response_store
        self._client = client
        self._structured_model = structured_model
        self._prompts = prompts or PromptLibrary()
        self._progress = progress
        self._server: LocalServer | None = None
        self._owned_client: openai.OpenAI | None = None
        self._pipeline: Pipeline | None = None

    def _say(self, message: str) -> None:
        if self._progress is not None:
            self._progress(message)

    def open(self) -> Pipeline:
        """Start what the settings ask for (idempotent); returns the ready pipeline."""
        if self._pipeline is not None:
            return self._pipeline
        settings = self.settings
        base_url = settings.base_url
        model_name = settings.model or "embedded"
        engine_counters = None
        replaying = self._store is not None and self._store.mode == "replay"
        if settings.backend == "embedded":
            model_name = settings.model or DEFAULT_MODEL.name
        if replaying and self._client is None:
            # Every answer comes from the store: no server, no network. The client is never called.
            base_url = base_url or _UNREACHABLE_URL
        elif self._structured_model is None and self._client is None and settings.backend == "embedded":
            model_path = settings.model_path or ensure_model(progress=self._say)
            self._say(f"starting the embedded llama.cpp server ({model_name})")
            self._server = LocalServer(model_path, n_ctx=settings.n_ctx).start()
            base_url = self._server.base_url
            engine_counters = self._server.counters
        structured = self._structured_model or self._build_model(base_url, model_name)
        self._pipeline = Pipeline(
            structured,
            prompts=self._prompts,
            backend=settings.backend if self._client is None and self._structured_model is None else "custom",
            base_url=None if settings.backend == "embedded" else base_url,
            sampling={
                "temperature": settings.temperature,
                "max_tokens": settings.max_tokens,
                "grammar": settings.grammar,
            },
            engine_counters=engine_counters,  # type: ignore[arg-type]
            context_tokens=settings.n_ctx,
        )
        return self._pipeline

    def _build_model(self, base_url: str | None, model_name: str) -> StructuredModel:
        from summarizer.llm.client import InstructorModel, build_openai_client, first_model_name

        settings = self.settings
        client = self._client
        if client is None:
            api_key = settings.api_key or ("not-needed" if settings.backend == "embedded" else None)
            client = build_openai_client(base_url=base_url, api_key=api_key, timeout=settings.timeout)
            self._owned_client = client
        if settings.backend == "server" and settings.model is None and self._client is None:
            model_name = first_model_name(client)
        return InstructorModel(
            client,
            store=self._store,
            model=model_name,
            grammar=settings.grammar,
            retry=settings.retries,
            reasks=settings.reasks,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        )

    def summarize(self, text: str) -> Summary:
        """Summarise one article (the text itself, not a path)."""
        return self.open().summarize(text, progress=self._progress)

    def close(self) -> None:
        """Close the HTTP client this summarizer built and stop its embedded server, if any."""
        if self._owned_client is not None:
            self._owned_client.close()
            self._owned_client = None
        if self._server is not None:
            self._server.close()
            self._server = None
        self._pipeline = None

    def __enter__(self) -> Summarizer:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def summarize(
    text: str,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    model_path: str | Path | None = None,
    client: openai.OpenAI | None = None,
    progress: ProgressCallback | None = None,
) -> Summary:
    """Summarise one article. Without options it runs the embedded local model (no key, no network)."""
    settings = Settings.resolve(model=model, base_url=base_url, api_key=api_key, model_path=model_path)
    with Summarizer(settings, client=client, progress=progress) as summarizer:
        return summarizer.summarize(text)
