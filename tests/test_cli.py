"""The CLI in-process: output on stdout, one-line reasons on stderr, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.schemas import Summary
from tests.cli_runner import run_cli
from tests.fake_server import FakeServer


@pytest.fixture
def endpoint():
    with FakeServer(models=["fake-gguf"]) as server:
        yield server.url


@pytest.fixture
def article_file(tmp_path: Path, article: str) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(article, encoding="utf-8")
    return path


def test_json_summary_on_stdout_and_progress_on_stderr(endpoint, article_file, article):
    code, out, err = run_cli("summarize", str(article_file), "--base-url", endpoint)
    assert code == 0, err
    summary = Summary.model_validate_json(out, context={"article": article})
    assert summary.meta.backend == "server" and summary.meta.model == "fake-gguf"
    assert summary.meta.base_url == endpoint
    assert "done in" in err and "positions" in err


def test_markdown_to_a_file(endpoint, article_file, tmp_path):
    target = tmp_path / "summary.md"
    code, out, err = run_cli(
        "summarize", str(article_file), "--base-url", endpoint, "--format", "markdown", "-o", str(target)
    )
    assert code == 0, err
    assert out == ""
    text = target.read_text()
    assert text.startswith("# Summary") and "## Risks" in text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty"),
        (b"  \n\t", "is empty"),
        (b"caf\xe9 au lait", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
    ],
)
def test_unusable_files_fail_with_one_line(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    code, out, err = run_cli("summarize", str(path), "--base-url", "http://127.0.0.1:9/v1")
    assert code == 1 and out == ""
    assert reason in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_a_missing_file_fails_with_one_line(tmp_path):
    code, _, err = run_cli("summarize", str(tmp_path / "nope.txt"))
    assert code == 1 and "no such file" in err and "Traceback" not in err


def test_openai_without_a_key_names_the_variable(article_file, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("SUMMARIZER_API_KEY", raising=False)
    monkeypatch.delenv("SUMMARIZER_BASE_URL", raising=False)
    code, _, err = run_cli("summarize", str(article_file), "--model", "gpt-4o-mini")
    assert code == 1 and "OPENAI_API_KEY" in err


def test_an_unreachable_server_fails_with_one_line(article_file):
    code, _, err = run_cli(
        "summarize", str(article_file), "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--retries", "1"
    )
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("summarizer: error: the model endpoint kept failing")


def test_bad_usage_exits_2():
    code, _, err = run_cli("summarize")
    assert code == 2 and "path" in err


def test_json_output_carries_no_secret(endpoint, article_file, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-do-not-leak-123")
    code, out, err = run_cli("summarize", str(article_file), "--base-url", endpoint)
    assert code == 0
    assert "sk-do-not-leak-123" not in out + err
    assert json.loads(out)["meta"]["base_url"] == endpoint
