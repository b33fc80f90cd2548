"""The Ray engine of batch runs (``summarizer batch --engine ray``) against the fake server, with a local Ray:
the same records as the thread engine, resume, a fatal error, and interrupts.

One Ray is started for the module (the engine uses a Ray that is already running), so that each test pays
only for its actors; the interrupt tests run the command in a child process, which starts its own.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import run_cli
from tests.conftest import ARTICLE
from tests.fake_server import FakeServer
from tests.fakes import Reply, ScriptedEndpoint, error, ok, section_of
from tests.test_batch import REQUESTS_PER_ITEM, interrupt_then_finish, records, write_jsonl

ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install 'summarizer[ray]'")

pytestmark = [pytest.mark.ray, pytest.mark.slow]

NAMES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"]
#: The article the server cannot answer (a 400 to each of its calls): an error record, not a failed job.
FAILING = "golf"
#: Fields that time the run: they differ from one run to the next.
TIMINGS = {"seconds", "model_seconds"}


def text_of(name: str) -> str:
    return f"Dispatch {name}. {ARTICLE}"


def article_of(request: dict[str, Any]) -> str:
    """The name of the article a chat request is about (the article is in the system message)."""
    system = request["messages"][0]["content"]
    return next(name for name in NAMES if f"Dispatch {name}." in system)


class Newsroom(ScriptedEndpoint):
    """Answers each article's overview with its own name (so a summary can be told from another's), and
    every call about the ``FAILING`` article with a 400."""

    def answer(self, request: dict[str, Any]) -> Reply:
        name = article_of(request)
        if name == FAILING:
            return error(400, "this request is not supported")
        if section_of(request) == "overview":
            return ok({"overview": f"The {name} dispatch about a pier.", "actors": []})
        return super().answer(request)


def newsroom(**options: Any) -> FakeServer:
    server = FakeServer(**options)
    server.endpoint = Newsroom()
    return server


def requests_per_article(server: FakeServer) -> dict[str, int]:
    counts = dict.fromkeys(NAMES, 0)
    for request in server.requests:
        counts[article_of(request)] += 1
    return counts


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("RAY_USAGE_STATS_ENABLED", "0")
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
        try:
            yield
        finally:
            ray.shutdown()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """Ten articles and, on line 6, a line that is not JSON."""
    entries: list[Any] = [{"id": name, "text": text_of(name)} for name in NAMES]
    entries.insert(5, "{not json")
    return write_jsonl(tmp_path / "in.jsonl", entries)


def without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: without_timings(item) for key, item in value.items() if key not in TIMINGS}
    if isinstance(value, list):
        return [without_timings(item) for item in value]
    return value


def by_id(path: Path) -> dict[Any, dict[str, Any]]:
    """The records of ``path`` by id (an id-less one by its line), timings left out, base URL dropped."""
    found = {}
    for record in records(path):
        if record["ok"]:
            record["summary"]["meta"].pop("base_url")  # each run has its own server
        found[record["id"] if record["id"] is not None else f"line {record['line']}"] = without_timings(record)
    return found


def test_the_ray_engine_writes_the_records_the_thread_engine_writes(tmp_path, source):
    def batch(server: FakeServer, output: str, *engine: str) -> tuple[int, str, str]:
        return run_cli("batch", str(source), "-o", str(tmp_path / output), "--base-url", server.url, *engine)

    with newsroom() as server:
        code, out, err = batch(server, "ray.jsonl", "--engine", "ray", "--concurrency", "2")
    assert code == 1, err  # some items failed
    assert out == ""
    *progress, done = err.strip().splitlines()
    assert done.startswith("batch done: 9 ok, 2 failed, 0 skipped (already done) of 11 in ")
    assert [line.split("] ")[0] for line in progress] == [f"[{n}/11" for n in range(1, 12)]  # one line per item
    assert sorted(line.split(" ")[1] for line in progress if " ok " in line) == sorted(set(NAMES) - {FAILING})
    assert any(" golf error: ModelError: " in line for line in progress)
    assert any(" line 6 error: InputError: line 6: not JSON" in line for line in progress)

    ray_records = by_id(tmp_path / "ray.jsonl")
    assert sorted(k for k, r in ray_records.items() if r["ok"]) == sorted(set(NAMES) - {FAILING})
    assert ray_records[FAILING]["error"]["type"] == "ModelError"
    assert ray_records["line 6"] == {
        "id": None,
        "ok": False,
        "line": 6,
        "error": {"type": "InputError", "message": ray_records["line 6"]["error"]["message"]},
    }
    assert ray_records["bravo"]["summary"]["overview"] == "The bravo dispatch about a pier."

    with newsroom() as server:
        code, _, err = batch(server, "threads.jsonl", "--concurrency", "2")
    assert code == 1 and "batch done: 9 ok, 2 failed" in err, err
    assert by_id(tmp_path / "threads.jsonl") == ray_records


def test_a_ray_rerun_sends_only_the_articles_not_done(tmp_path, source):
    output = tmp_path / "out.jsonl"
    done = NAMES[:4]
    with newsroom() as server:  # the first four done, by the thread engine
        first = write_jsonl(tmp_path / "first.jsonl", [{"id": name, "text": text_of(name)} for name in done])
        code, _, err = run_cli("batch", str(first), "-o", str(output), "--base-url", server.url)
        assert code == 0, err
    with newsroom() as server:
        argv = ["batch", str(source), "-o", str(output), "--base-url", server.url, "--engine", "ray"]
        code, _, err = run_cli(*argv, "--concurrency", "2")
        sent = requests_per_article(server)
    assert code == 1, err
    assert "batch done: 5 ok, 2 failed, 4 skipped (already done) of 11" in err
    assert {name: sent[name] for name in done} == dict.fromkeys(done, 0)
    assert all(sent[name] == REQUESTS_PER_ITEM for name in NAMES[4:] if name != FAILING)
    assert sent[FAILING] >= 1
    assert sorted(r["id"] for r in records(output) if r["ok"]) == sorted(set(NAMES) - {FAILING})


def test_an_error_that_would_fail_every_article_stops_the_ray_run_with_one_line(tmp_path, source):
    with FakeServer({"overview": [error(401, "invalid api key")] * len(NAMES)}) as server:
        argv = ["batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--base-url", server.url, "--engine", "ray"]
        code, _, err = run_cli(*argv)
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("summarizer: error: the model endpoint refused the credentials")
    assert "Traceback" not in err
    assert all(not r["ok"] and r["id"] is None for r in records(tmp_path / "out.jsonl"))  # the bad line at most


@pytest.mark.parametrize(
    ("signum", "concurrency", "ray_address"),
    [(signal.SIGINT, 1, "local"), (signal.SIGTERM, 2, None)],
    ids=["SIGINT-own-ray", "SIGTERM-concurrency-2-joins-the-running-ray"],
)
def test_an_interrupted_ray_run_keeps_its_records_and_a_rerun_finishes_it(tmp_path, signum, concurrency, ray_address):
    ids = NAMES[:5]
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": name, "text": text_of(name)} for name in ids])
    output = tmp_path / "out.jsonl"
    # The first articles are answered; later requests are held until released, so that the run is caught
    # with at least one record written and some articles in flight.
    with newsroom(hold_after=concurrency * REQUESTS_PER_ITEM) as server:
        argv = ["batch", str(source), "-o", str(output), "--base-url", server.url, "--engine", "ray"]
        argv += ["--concurrency", str(concurrency)]
        if ray_address:  # local: a Ray of its own, started and stopped (the re-run, in-process, uses this module's)
            argv += ["--ray-address", ray_address]
        err = interrupt_then_finish(server, argv, output, ids, signum)
    assert all(line.startswith(("[", "batch ", "summarizer: ")) for line in err.splitlines()), err
    assert not any(line.startswith("[20") for line in err.splitlines()), err  # Ray's logs: [2026-...]
