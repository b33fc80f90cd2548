"""The Ray engine (the ``ray`` extra): a batch run's articles summarised by Ray actors, on this machine or a
cluster, for runs that outgrow one process.

Serving already scales through the OpenAI protocol (vLLM or llama.cpp servers behind one URL); what does
not is the driver. Here the driver (this process) still reads the input, plans the run and writes every
record through the one output ledger (``run.run_batch``: resume, atomic appends, counts and progress lines,
as with threads), while Ray Data carries the articles to a pool of actors and streams the results back::

    ray.data.from_items(items).map_batches(ArticleWorker, compute=ActorPoolStrategy(size=N), ...)

Each actor builds one ``Summarizer`` from the run's settings (their field values, never a live client)
and keeps it for all its articles. An article that fails comes back as its error record, not as an
exception: one bad article never fails the job. An error that would fail every article
(``work.FATAL_ERRORS``: bad credentials, a broken prompt) comes back as that error, and the driver stops
the run with it, as the thread engine does.

**A model server only.** The embedded engine is refused, rather than allowed with one actor: each actor
would start its own llama.cpp server, N copies of the model fighting for one machine's cores (the thread
engine gives them to one server with a slot per article, better), and on a cluster every node would need the
model and a built engine. One actor would only be a slower thread engine. The step up is a server per
machine (llama.cpp or vLLM) behind one URL, which ``--base-url`` names.

**Choices.** One article per block, read back without prefetching: Ray Data returns a task's output when
the task ends, and its iterators hold each result back until the next is in; so results stream back one
by one, and the actors share the work out evenly to the last article (a block costs the driver about a
millisecond). An actor reserves a quarter of a CPU: it mostly waits on the model
server, so four share a core, and ``concurrency`` may exceed the cluster's cores (Ray starts no more
actors than there are quarter cores). An actor that dies (out of memory, a lost node) fails the run
instead of being restarted: Ray Data would restart it and retry its articles forever, an article that
kills its actor included, while a failed run costs little here: a re-run resumes. Paths in the input are
made absolute, so that a worker on another node finds them on a shared filesystem; text in the input
needs none.

**Ray.** If this process already runs Ray (``ray.init``), that Ray is used as it is. Otherwise ``address``
names the cluster to connect to (``auto``: the one ``ray start`` runs here); without it, a cluster running
here is used, else a local one is started for the run. Whatever this engine connected to it disconnects
from (and stops, if it started it) when the run ends. Ray's progress bars and logs are off unless
``ray_logs``; its usage statistics are off unless ``RAY_USAGE_STATS_ENABLED`` says otherwise. Starting Ray
and its actors takes seconds (about ten on two busy cores): for a few articles, threads are quicker.

**Interrupts.** ``KeyboardInterrupt`` reaches the driver while it waits for the next result (its only
other work, one append, takes microseconds); the result stream is closed, which stops the actors, and
the run ends as with threads: records already written stay, and a re-run resumes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import threading
import warnings
from collections.abc import Generator, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from summarizer.api import Summarizer
from summarizer.batch.inputs import BatchItem
from summarizer.batch.run import Record, check_concurrency
from summarizer.batch.work import FATAL_ERRORS, ItemResult, summarize_item
from summarizer.config import Settings
from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from ray.data import Dataset

#: The CPUs an actor reserves: it mostly waits for the model server.
ACTOR_CPUS = 0.25
INSTALL = "pip install 'summarizer[ray]'"


class ArticleWorker:
    """The actors' code (a Ray Data callable class): one ``Summarizer`` each, kept for all their articles."""

    def __init__(self, settings: dict[str, Any]) -> None:
        # Validated as given: the driver's values, whatever SUMMARIZER_* this node's environment holds.
        self._summarizer = Summarizer(Settings.model_validate(settings))

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[bytes]]:
        """Each pickled ``BatchItem`` in, its pickled ``ItemResult`` (or fatal error) out."""
        return {"outcome": [pickle.dumps(self._outcome(pickle.loads(data))) for data in batch["item"]]}

    def _outcome(self, item: BatchItem) -> ItemResult | BaseException:
        try:
            return summarize_item(self._summarizer, item)
        except FATAL_ERRORS as error:  # handed to the driver, which stops the run with it
            return error


class RayEngine:
    """An engine for ``run.run_batch``: ``concurrency`` Ray actors, each summarising one article at a time.

    ``ConfigError`` (one line) if Ray is not installed, or ``settings`` name the embedded engine.
    """

    def __init__(
        self,
        settings: Settings,
        concurrency: int = 1,
        *,
        address: str | None = None,
        ray_logs: bool = False,
    ) -> None:
        self._concurrency = check_concurrency(concurrency)
        if settings.backend == "embedded":
            raise ConfigError(
                "--engine ray needs a model server: pass --base-url URL (or --model for OpenAI); the embedded "
                "engine would start a llama.cpp server in every Ray actor, so use --engine threads for it"
            )
        try:
            import ray.data  # noqa: F401  (here, so that a missing extra is said before anything runs)
        except ImportError as error:
            raise ConfigError(f"--engine ray needs Ray, which is not installed: {INSTALL}") from error
        self._settings = settings.model_dump()
        self._address = address
        self._ray_logs = ray_logs

    def __call__(self, pending: list[BatchItem], record: Record) -> None:
        """Run ``pending`` on the actors, recording each result as it streams back; raises a fatal error."""
        if not pending:
            return  # nothing to do: no need to start Ray
        import ray

        connected = self._connect()
        try:
            with self._quiet():
                # No prefetching: Ray's iterators otherwise hold each result back until the next one is in.
                batches = self._dataset(pending).iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=0)
                results = cast(Generator[dict[str, Any], None, None], iter(batches))
                try:
                    for batch in results:
                        for data in batch["outcome"]:
                            outcome: ItemResult | BaseException = pickle.loads(data)
                            if isinstance(outcome, BaseException):
                                raise outcome
                            record(outcome)
                finally:
                    results.close()  # ends the execution: Ray stops the actors
        finally:
            if connected:
                ray.shutdown()

    def _connect(self) -> bool:
        """Connect to (or start) Ray unless this process already has; True if this call did."""
        import ray

        if ray.is_initialized():
            return False
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        terminate = signal.getsignal(signal.SIGTERM)
        try:
            ray.init(
                address=self._address,
                include_dashboard=False,
                log_to_driver=self._ray_logs,
                logging_level=logging.INFO if self._ray_logs else logging.ERROR,
            )
        except ConnectionError as error:
            where = self._address or "auto"
            reason = str(error).strip().splitlines()[0]
            raise ConfigError(f"--ray-address {where}: {reason}") from error
        finally:
            # ray.init makes SIGTERM exit on the spot; keep the caller's handler (the CLI's stops cleanly).
            if terminate is not None and threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, terminate)
        return True

    def _dataset(self, pending: list[BatchItem]) -> Dataset:
        import ray.data

        items = [{"item": pickle.dumps(_portable(item))} for item in pending]
        with warnings.catch_warnings():
            # Ray's DataContext warns about its own deprecated defaults when it is created; and Ray 2.60
            # deprecates actor options in map_batches (gone in 2.64) without another way to turn off actor
            # restarts. We pin 2.60.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="ray.data.context")
            warnings.filterwarnings("ignore", "`ray_remote_args` is deprecated", DeprecationWarning)
            dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
                ArticleWorker,
                batch_size=1,
                compute=ray.data.ActorPoolStrategy(size=min(self._concurrency, len(items))),
                fn_constructor_kwargs={"settings": self._settings},
                num_cpus=ACTOR_CPUS,
                max_restarts=0,
            )
        if not self._ray_logs:
            dataset.context.enable_progress_bars = False
            dataset.context.print_on_execution_start = False
        return dataset

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        """Ray Data's log lines off for the run, unless ``ray_logs``."""
        logger = logging.getLogger("ray.data")
        level = logger.level
        if not self._ray_logs:
            logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            logger.setLevel(level)


def _portable(item: BatchItem) -> BatchItem:
    """``item`` with an absolute path: an actor's working folder may not be the driver's."""
    return item if item.path is None else replace(item, path=item.path.absolute())
