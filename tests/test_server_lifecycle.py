"""The embedded server is started once, reused, and always stopped: on success, on error, at exit."""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import summarizer.api as api
from summarizer.api import Summarizer
from summarizer.config import Settings
from summarizer.engine.server import LocalServer
from summarizer.errors import EngineError

FAKE_SERVER = Path(__file__).with_name("fake_server.py")
#: Every test here starts real server processes (the llama-server stand-in).
pytestmark = pytest.mark.slow


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    path = tmp_path / "fake.gguf"
    path.write_bytes(b"GGUF")
    return path


def fake_server(gguf: Path, *extra: str, timeout: float = 20) -> LocalServer:
    return LocalServer(
        gguf, startup_timeout=timeout, command=lambda port: [sys.executable, str(FAKE_SERVER), str(port), *extra]
    )


def test_start_is_idempotent_and_stop_ends_the_process(gguf):
    server = fake_server(gguf)
    with server:
        pid = server.pid
        assert pid is not None and _alive(pid)
        server.start()
        assert server.starts == 1 and server.pid == pid
        assert server.base_url.startswith("http://127.0.0.1:")
    assert not _alive(pid)
    assert not server.running


def test_the_server_is_stopped_when_the_body_raises(gguf):
    server = fake_server(gguf)
    with pytest.raises(RuntimeError), server:
        pid = server.pid
        raise RuntimeError("boom")
    assert pid is not None and not _alive(pid)


def test_a_server_that_dies_while_starting_gives_its_log(gguf):
    with pytest.raises(EngineError, match="exited with code 3") as caught:
        fake_server(gguf, "--fail-start").start()
    assert "failed to load model" in caught.value.log_tail


def test_a_server_that_never_answers_is_stopped_after_the_timeout(gguf, tmp_path):
    server = LocalServer(
        gguf, startup_timeout=1, command=lambda port: [sys.executable, "-c", "import time; time.sleep(60)"]
    )
    with pytest.raises(EngineError, match="did not answer"):
        server.start()
    assert not server.running


def test_a_missing_model_file_is_reported(tmp_path):
    with pytest.raises(EngineError, match="not found"):
        LocalServer(tmp_path / "absent.gguf").start()


def test_summarizer_starts_one_server_for_many_articles_and_stops_it(gguf, monkeypatch, article):
    servers: list[LocalServer] = []

    def make_server(path: Path, **_: object) -> LocalServer:
        servers.append(fake_server(path))
        return servers[-1]

    monkeypatch.setattr(api, "LocalServer", make_server)
    settings = Settings.resolve(model_path=gguf)
    with Summarizer(settings) as summarizer:
        first = summarizer.summarize(article)
        second = summarizer.summarize(article)
        (server,) = servers
        pid = server.pid
        assert pid is not None and _alive(pid)
    assert server.starts == 1
    assert not _alive(pid)
    assert first.meta.backend == second.meta.backend == "embedded"
    # The overview, then four questions about each sentence of this article, which all hold a
    # conditional word (the embedded default reads by sentence).
    requests = 1 + 4 * first.meta.sentences
    assert first.meta.engine is not None and first.meta.engine["requests"] == requests == first.meta.usage.calls


def test_summarizer_stops_the_server_when_summarising_fails(gguf, monkeypatch):
    servers: list[LocalServer] = []
    monkeypatch.setattr(api, "LocalServer", lambda path, **_: servers.append(fake_server(path)) or servers[-1])
    settings = Settings.resolve(model_path=gguf)
    with pytest.raises(ValueError), Summarizer(settings) as summarizer:
        pid = servers[0].pid
        summarizer.summarize("")
    assert pid is not None and not _alive(pid)


def test_with_one_engine_concurrent_articles_take_turns(gguf, monkeypatch, article):
    monkeypatch.setattr(api, "LocalServer", lambda path, **_: fake_server(path))
    settings = Settings.resolve(model_path=gguf)
    with Summarizer(settings) as summarizer:
        pipeline = summarizer.open()
        running, overlaps = [0], []
        real = pipeline.summarize

        def tracked(text: str, **kwargs: object):
            running[0] += 1
            overlaps.append(running[0])
            try:
                return real(text, **kwargs)
            finally:
                running[0] -= 1

        monkeypatch.setattr(pipeline, "summarize", tracked)
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(summarizer.summarize, [article] * 3))
    assert overlaps == [1, 1, 1]


def test_slots_share_one_server_and_each_article_keeps_its_own_slot(gguf, monkeypatch, tmp_path, article):
    log = tmp_path / "requests.jsonl"
    servers: list[tuple[LocalServer, dict[str, object]]] = []

    def make_server(path: Path, **options: object) -> LocalServer:
        servers.append((fake_server(path, "--request-log", str(log)), options))
        return servers[-1][0]

    monkeypatch.setattr(api, "LocalServer", make_server)
    monkeypatch.setattr(api, "physical_cores", lambda: 4)
    articles = [article.replace("Monday", day) for day in ("Monday", "Tuesday", "Wednesday", "Thursday")]
    with Summarizer(Settings.resolve(model_path=gguf, slots=2)) as summarizer:
        assert [options["slots"] for _, options in servers] == [2]  # one engine, two slots
        assert [options["threads"] for _, options in servers] == [4]  # with every core
        with ThreadPoolExecutor(2) as pool:
            summaries = list(pool.map(summarizer.summarize, articles))
    slots_of: dict[str, set[int]] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        (text,) = [a for a in articles if a in entry["system"]]
        slots_of.setdefault(text, set()).add(entry["id_slot"])
    assert set(slots_of) == set(articles)
    assert all(len(slots) == 1 for slots in slots_of.values())  # every call of an article on one slot
    assert set().union(*slots_of.values()) == {0, 1}  # and both slots in use
    assert all(s.meta.engine is not None and s.meta.engine["requests"] == s.meta.usage.calls for s in summaries)


def test_the_server_command_gives_each_slot_the_whole_context(tmp_path):
    from summarizer.engine.server import server_command

    command = server_command(tmp_path / "m.gguf", 8080, n_ctx=4096, threads=2, slots=3, binary=tmp_path / "srv")
    options = dict(zip(command[1::2], command[2::2], strict=False))
    assert command[0] == str(tmp_path / "srv")
    assert options["--parallel"] == "3" and options["--ctx-size"] == str(3 * 4096)
    assert "--no-kv-unified" in command and options["--host"] == "127.0.0.1"
