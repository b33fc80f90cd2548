"""Settings: one model, from arguments and ``SUMMARIZER_*`` variables; the backend follows the options."""

from __future__ import annotations

import pytest

from summarizer.config import Settings
from summarizer.errors import ConfigError


def test_an_option_comes_from_the_environment_unless_it_is_given(monkeypatch):
    monkeypatch.setenv("SUMMARIZER_TIMEOUT", "60")
    monkeypatch.setenv("SUMMARIZER_BASE_URL", "http://localhost:11434/v1/")
    settings = Settings.resolve()
    assert settings.timeout == 60.0 and settings.backend == "server"
    assert settings.base_url == "http://localhost:11434/v1"
    assert Settings.resolve(timeout=5.0, base_url=None).timeout == 5.0  # None: not given


def test_the_key_comes_from_either_variable_and_never_shows(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-openai-variable")
    settings = Settings.resolve(model="gpt-4o-mini")
    assert settings.backend == "openai" and settings.api_key == "sk-from-openai-variable"
    assert "sk-from" not in repr(settings)
    monkeypatch.setenv("SUMMARIZER_API_KEY", "sk-from-our-variable")
    assert Settings.resolve(model="gpt-4o-mini").api_key == "sk-from-our-variable"


def test_a_key_alone_never_switches_to_the_paid_api(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-1234567890")
    assert Settings.resolve().backend == "embedded"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"slots": 0}, "slots must be at least 1, got 0"),
        ({"temperature": 3.0}, "temperature must be at most 2.0, got 3.0"),
        ({"reasks": -1}, "reasks must be at least 0, got -1"),
        ({"base_url": "localhost:8080"}, "--base-url must start with http:// or https://"),
        ({"model": "gpt-4o-mini"}, "set OPENAI_API_KEY"),
        ({"strategy": "paragraphs"}, "strategy must be one of sentences, sections, items"),
    ],
)
def test_a_bad_option_is_one_line_that_says_how_to_fix_it(options, message):
    with pytest.raises(ConfigError, match=message):
        Settings.resolve(**options)


def test_the_backend_decides_the_defaults(tmp_path):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    embedded, local_file = Settings.resolve(), Settings.resolve(model_path=gguf)
    remote = Settings.resolve(base_url="http://x.invalid/v1")
    assert (embedded.grammar, embedded.follow_up, embedded.strategy) == (True, True, "sentences")
    assert (local_file.backend, local_file.model) == ("embedded", "m")
    assert (remote.grammar, remote.follow_up, remote.strategy, remote.api_key) == (
        False,
        False,
        "sections",
        "not-needed",
    )
    with pytest.raises(ConfigError, match="not both"):
        Settings.resolve(model_path=gguf, base_url="http://x.invalid/v1")
