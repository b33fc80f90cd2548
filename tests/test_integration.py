"""The real embedded model end to end on the seed article (slow: a few minutes on 2 cores).

Run in CI by `make test`; skip locally with `make unit` or `-m "not integration"`.
"""

from __future__ import annotations

import io
import json

import pytest

from summarizer.cli import main
from summarizer.schemas import SECTION_NAMES, Summary
from tests.conftest import SEED_ARTICLE

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def seed_run() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["summarize", str(SEED_ARTICLE)], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_embedded_model_summarises_the_seed_article(seed_run):
    code, out, err = seed_run
    assert code == 0, err
    article = SEED_ARTICLE.read_text(encoding="utf-8")
    summary = Summary.model_validate_json(out, context={"article": article})  # spans checked against the text
    assert summary.meta.backend == "embedded"
    assert summary.meta.strategy == "sentences"  # the embedded model reads sentence by sentence
    assert summary.overview.strip()
    counts = {section: len(getattr(summary, section)) for section in SECTION_NAMES}
    context = f"{counts}: {json.dumps(summary.meta.model_dump())[:500]}"
    assert all(count >= 2 for count in counts.values()), context
    assert sum(counts.values()) >= 15, context
    assert summary.ungrounded(article) == []
    assert all(ev.end - ev.start == len(ev.quote) for ev in summary.evidence())


def test_meta_reports_what_the_run_cost(seed_run):
    _, out, _ = seed_run
    meta = Summary.model_validate_json(out).meta
    assert meta.usage.calls >= 5 and meta.usage.prompt_tokens > 0 and meta.usage.completion_tokens > 0
    assert meta.engine is not None
    # The article prefix is evaluated once: later calls find it in the engine's prompt cache, so most
    # prompt tokens of the many sentence calls are never evaluated again.
    assert meta.sentences > 0 and meta.usage.calls > 2 * meta.sentences
    assert meta.engine["prompt_tokens_cached"] > 0
    assert meta.engine["prompt_tokens_evaluated"] < 0.2 * meta.usage.prompt_tokens
