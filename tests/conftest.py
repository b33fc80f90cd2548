from __future__ import annotations

import os
from pathlib import Path

import pytest

from summarizer.api import Summarizer
from summarizer.config import Settings
from summarizer.llm.retry import transient_retrying
from tests.fakes import ScriptedEndpoint, fake_openai_client

ROOT = Path(__file__).resolve().parents[1]
SEED_ARTICLE = ROOT / "evals" / "gold" / "dev" / "blinken-gaza-ceasefire" / "article.txt"

ARTICLE = (
    "The Harbour Board said on Monday it would close the north pier for repairs. "
    "Union leader Maya Stone called on the board to keep the pier open until the ferry season ends. "
    "The board will reopen the pier only if the safety inspection is passed by June. "
    "Stone warned that hundreds of jobs could be lost if the closure drags on."
)


@pytest.fixture(autouse=True)
def _no_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without SUMMARIZER_* and OPENAI_* variables (they are settings); a test that
    needs one sets it with ``monkeypatch.setenv``."""
    for name in list(os.environ):
        if name.startswith(("SUMMARIZER_", "OPENAI_")):
            monkeypatch.delenv(name)


@pytest.fixture
def article() -> str:
    return ARTICLE


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_summarizer(sleeps: list[float]):
    """Build a Summarizer over a scripted endpoint, with retries that record their waits instead of sleeping."""

    def build(endpoint: ScriptedEndpoint, *, attempts: int = 4, reasks: int = 2) -> Summarizer:
        settings = Settings.resolve(base_url="http://fake.invalid/v1", model="fake-model", reasks=reasks)
        summarizer = Summarizer(settings, client=fake_openai_client(endpoint))
        pipeline = summarizer.open()
        model = pipeline.model
        model._retrying = transient_retrying(attempts, initial_wait=0.5, max_wait=4, sleep=sleeps.append)  # type: ignore[attr-defined]
        return summarizer

    return build
