"""The embedded server is started once, reused, and always stopped: on success, on error, at exit."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import summarizer.api as api
from summarizer.api import Summarizer
from summarizer.config import Settings
from summarizer.engine.server import LocalServer
from summarizer.errors import EngineError

FAKE_SERVER = Path(__file__).with_name("fake_llama_server.py")


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
    settings = Settings.resolve(model_path=gguf, environ={})
    with Summarizer(settings) as summarizer:
        first = summarizer.summarize(article)
        second = summarizer.summarize(article)
        (server,) = servers
        pid = server.pid
        assert pid is not None and _alive(pid)
    assert server.starts == 1
    assert not _alive(pid)
    assert first.meta.backend == second.meta.backend == "embedded"
    assert first.meta.engine is not None and first.meta.engine["requests"] == 5


def test_summarizer_stops_the_server_when_summarising_fails(gguf, monkeypatch):
    servers: list[LocalServer] = []
    monkeypatch.setattr(api, "LocalServer", lambda path, **_: servers.append(fake_server(path)) or servers[-1])
    settings = Settings.resolve(model_path=gguf, environ={})
    with pytest.raises(ValueError), Summarizer(settings) as summarizer:
        pid = servers[0].pid
        summarizer.summarize("")
    assert pid is not None and not _alive(pid)
