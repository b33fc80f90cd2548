"""The public entry points: ``Summarizer`` (reuse one model for many articles) and ``summarize``.

This module wires the parts together: settings -> (embedded server | OpenAI | other server) ->
``InstructorModel`` -> ``Pipeline``. Pass ``client=`` (an ``openai.OpenAI``) or ``structured_model=``
to bring your own; tests pass fakes here.
"""

from __future__ import annotations

import queue
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from summarizer.confidence.calibration import shipped_map
from summarizer.confidence.decide import ConfidencePolicy
from summarizer.config import NO_KEY, Settings
from summarizer.engine.model_store import DEFAULT_MODEL, ensure_model
from summarizer.engine.server import LocalServer, physical_cores
from summarizer.extraction import StructuredModel
from summarizer.llm.recording import ResponseStore
from summarizer.pipeline import Pipeline, ProgressCallback
from summarizer.prompts import PromptLibrary
from summarizer.readers import make_reader
from summarizer.readers.base import Reader
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
        reader: Reader | None = None,
        confidence: ConfidencePolicy | None = None,
    ) -> None:
        """``reader`` and ``confidence`` replace what the settings choose (an eval fold fits its own)."""
        self.settings = settings or Settings.resolve()
        self._reader = reader
        self._confidence = confidence
        self._store = response_store
        self._client = client
        self._structured_model = structured_model
        self._prompts = prompts or PromptLibrary()
        self._progress = progress
        self._server: LocalServer | None = None
        self._owned_clients: list[openai.OpenAI] = []
        self._pipeline: Pipeline | None = None
        #: Embedded engine only: the pipelines not summarising right now, one per slot.
        self._idle: queue.Queue[Pipeline] | None = None

    def _say(self, message: str) -> None:
        if self._progress is not None:
            self._progress(message)

    def open(self) -> Pipeline:
        """Start what the settings ask for (idempotent); returns the ready pipeline (the first one)."""
        if self._pipeline is not None:
            return self._pipeline
        settings = self.settings
        base_url = settings.base_url
        model_name = settings.model or "embedded"
        replaying = self._store is not None and self._store.mode == "replay"
        if settings.backend == "embedded":
            model_name = settings.model or DEFAULT_MODEL.name
        if replaying and self._client is None:
            # Every answer comes from the store: no server, no network. The client is never called.
            base_url = base_url or _UNREACHABLE_URL
        elif self._structured_model is None and self._client is None and settings.backend == "embedded":
            try:
                pipelines = self._start_engine(model_name)
            except BaseException:
                self.close()
                raise
            self._idle = queue.Queue()
            for pipeline in pipelines:
                self._idle.put(pipeline)
            self._pipeline = pipelines[0]
            return self._pipeline
        self._pipeline = self._make_pipeline(self._structured_model or self._build_model(base_url, model_name))
        return self._pipeline

    def _start_engine(self, model_name: str) -> list[Pipeline]:
        """The embedded engine: one llama.cpp server with ``settings.slots`` slots, and one pipeline per
        slot, its requests pinned to that slot (one article per slot, its prefix kept in that slot's cache).

        One server with N slots rather than N servers sharing the cores: on the six original gold articles
        (``benchmarks/bench_engine.py eval``, 2 cores) 4 slots took 1,319 s and 2 server processes 1,305 s,
        the same within 1 %, so one mechanism: one process, one port, all the cores."""
        settings = self.settings
        model_path = settings.model_path or ensure_model(progress=self._say)
        slots = f", {settings.slots} slots" if settings.slots > 1 else ""
        self._say(f"starting the embedded llama.cpp server ({model_name}{slots})")
        server = LocalServer(model_path, n_ctx=settings.n_ctx, threads=physical_cores(), slots=settings.slots)
        self._server = server
        server.start()
        pinned = range(settings.slots) if settings.slots > 1 else [None]
        return [self._make_pipeline(self._build_model(server.base_url, model_name, slot=slot)) for slot in pinned]

    def _make_pipeline(self, model: StructuredModel) -> Pipeline:
        settings = self.settings
        return Pipeline(
            model,
            prompts=self._prompts,
            backend=settings.backend if self._client is None and self._structured_model is None else "custom",
            base_url=None if settings.backend == "embedded" else settings.base_url,
            sampling={
                "temperature": settings.temperature,
                "max_tokens": settings.max_tokens,
                "grammar": settings.grammar,
            },
            context_tokens=settings.n_ctx,
            reader=self._reader or make_reader(settings.strategy, follow_up=settings.follow_up),
            confidence=self._confidence or self._confidence_policy(),
        )

    def _confidence_policy(self) -> ConfidencePolicy:
        strategy = self._reader.name if self._reader is not None else self.settings.strategy
        return ConfidencePolicy(calibration=shipped_map(strategy), min_confidence=self.settings.min_confidence)

    def _build_model(self, base_url: str | None, model_name: str, *, slot: int | None = None) -> StructuredModel:
        from summarizer.llm.client import InstructorModel, build_openai_client, first_model_name

        settings = self.settings
        client = self._client
        if client is None:
            api_key = settings.api_key or (NO_KEY if settings.backend == "embedded" else None)
            client = build_openai_client(base_url=base_url, api_key=api_key, timeout=settings.timeout)
            self._owned_clients.append(client)
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
            top_logprobs=settings.top_logprobs,
            slot=slot,
            parallel_calls=settings.parallel_calls,
        )

    def summarize(self, text: str) -> Summary:
        """Summarise one article (the text itself, not a path). Safe to call from several threads.

        With the embedded engine each call takes an idle engine slot for the whole article, so that the
        article stays in that slot's prompt cache across its calls; with one slot concurrent calls
        therefore take turns.
        """
        pipeline = self.open()
        idle = self._idle
        if idle is None:
            return pipeline.summarize(text, progress=self._progress)
        pipeline = idle.get()
        try:
            return pipeline.summarize(text, progress=self._progress)
        finally:
            idle.put(pipeline)

    def close(self) -> None:
        """Close the HTTP clients this summarizer built and stop its embedded servers, if any."""
        for client in self._owned_clients:
            client.close()
        self._owned_clients = []
        if self._server is not None:
            self._server.close()
        self._server = None
        self._pipeline = None
        self._idle = None

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
    min_confidence: float | None = None,
) -> Summary:
    """Summarise one article. Without options it runs the embedded local model (no key, no network).

    ``min_confidence`` keeps only items at least that likely right (0-1); by default each section's
    calibrated threshold applies (see ``Meta.confidence``)."""
    settings = Settings.resolve(
        model=model, base_url=base_url, api_key=api_key, model_path=model_path, min_confidence=min_confidence
    )
    with Summarizer(settings, client=client, progress=progress) as summarizer:
        return summarizer.summarize(text)
