"""The real embedded model on an article about twice its 4096-token context (slow: it reads ~6 chunks).

The article is the four gold articles, over and over, then a last paragraph of our own with a clear
condition and a clear risk: the summary must stay schema-valid, every span must be the article's own
text at its offsets, and something must be found in the last quarter, which only later chunks see.
Run in CI by `make test`; skip locally with `-m "not integration"`.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import summarizer
from summarizer.schemas import Summary

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.long]

ROOT = Path(__file__).resolve().parents[1]
#: The four articles the long article is made of (its expected chunk counts depend on their lengths).
GOLD_ARTICLES = [
    ROOT / "evals" / "gold" / "dev" / name / "article.txt"
    for name in ("blinken-gaza-ceasefire", "rail-signallers-strike", "steel-tariff-talks", "water-merger-ruling")
]
#: The embedded model's context (``Settings.n_ctx``) ...
CONTEXT_TOKENS = 4096
#: ... and the characters per token of the gold articles under its tokenizer (18,108 / 3,603 = 5.03).
GOLD_CHARS_PER_TOKEN = 5.0
FINAL_PARAGRAPH = (
    "In a separate dispute on Sunday, the Coastal Lighthouse Keepers' Guild said its members would return "
    "to the island lighthouses only if the maritime authority restores the night-watch allowance it cut in "
    "January. Guild secretary Oriel Vance warned that cargo ships could run aground on the Skerry Banks if "
    "the lights are left unattended through the winter storms."
)


def long_article() -> str:
    """Whole gold articles in turn while they fit in about 2 x 4096 tokens, then ``FINAL_PARAGRAPH``."""
    room = 2 * CONTEXT_TOKENS * GOLD_CHARS_PER_TOKEN - len(FINAL_PARAGRAPH)
    parts: list[str] = []
    for path in itertools.cycle(GOLD_ARTICLES):
        text = path.read_text(encoding="utf-8").strip()
        if len(text) + 2 > room:
            break
        parts.append(text)
        room -= len(text) + 2
    return "\n\n".join([*parts, FINAL_PARAGRAPH])


@pytest.fixture(scope="module")
def long_run() -> tuple[str, Summary]:
    article = long_article()
    with summarizer.Summarizer() as model:
        return article, model.summarize(article)


def test_a_long_article_is_read_in_chunks_and_stays_grounded(long_run):
    article, summary = long_run
    assert summary.meta.backend == "embedded"
    assert len(summary.meta.chunks) >= 2, "the article should not have fit one call"
    assert summary.meta.chunks[0].start == 0 and summary.meta.chunks[-1].end == len(article)
    # Schema-valid, with every span checked against the article by the schema itself ...
    Summary.model_validate_json(summary.model_dump_json(), context={"article": article})
    # ... and checked here once more, span by span.
    evidence = summary.evidence()
    assert evidence, "no evidence at all"
    for ev in evidence:
        assert article[ev.start : ev.end] == ev.quote


def test_items_are_found_in_the_last_quarter(long_run):
    article, summary = long_run
    last_quarter = 0.75 * len(article)
    late = [ev for ev in summary.evidence() if ev.start >= last_quarter]
    assert late, (
        f"no evidence after offset {last_quarter:.0f} of {len(article)}; spans: "
        f"{sorted(ev.start for ev in summary.evidence())}; dropped: {[d.reason for d in summary.meta.dropped]}"
    )
