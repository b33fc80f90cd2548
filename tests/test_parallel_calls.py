"""Against a remote server the calls of one article go out together; the summary is the same."""

from __future__ import annotations

from typing import Any

import pytest

from summarizer.api import Summarizer
from summarizer.config import Settings
from summarizer.schemas import Summary
from tests.fake_server import FakeServer
from tests.fakes import Reply, ScriptedEndpoint, ok, section_of, sentence_kinds

OVERVIEW = {"overview": "A pier closes.", "actors": [{"name": "Harbour Board", "aliases": ["the board"]}]}


class AnswersBySentence(ScriptedEndpoint):
    """Answers every sentence question from the sentence itself, so that the order of calls cannot matter."""

    def answer(self, request: dict[str, Any]) -> Reply:
        if section_of(request) == "overview":
            return ok(OVERVIEW)
        if section_of(request) == "sentence" and sentence_kinds(request) == ["positions"]:
            user = next(m["content"] for m in request["messages"] if m["role"] == "user")
            sentence = user.rsplit('SENTENCE: "', 1)[1].split('"\n', 1)[0]
            stance = "Says " + " ".join(sentence.split()[:6])
            return ok({"positions": [{"actor": "Harbour Board", "stance": stance}]})
        return super().answer(request)


def summarize(article: str, parallel_calls: int, strategy: str) -> tuple[Summary, int]:
    with FakeServer(delay=0.1) as server:
        server.endpoint = AnswersBySentence()
        settings = Settings.resolve(
            base_url=server.url, model="fake", strategy=strategy, parallel_calls=parallel_calls, grammar=True
        )
        with Summarizer(settings) as summarizer:
            summary = summarizer.summarize(article)
        return summary, server.max_in_flight


def items(summary: Summary) -> dict[str, Any]:
    return summary.model_dump(include={"overview", "actors", "positions", "demands", "conditions", "risks"})


@pytest.mark.parametrize("strategy", ["sentences", "sections"])
def test_parallel_calls_reach_the_server_together_and_give_the_same_summary(article, strategy):
    sequential, most_at_once = summarize(article, 1, strategy)
    assert most_at_once == 1
    parallel, most_at_once = summarize(article, 8, strategy)
    assert most_at_once >= 4  # four sections, or four sentences' questions, at once
    assert items(parallel) == items(sequential)
    assert parallel.meta.usage.calls == sequential.meta.usage.calls
    assert [d.reason for d in parallel.meta.dropped] == [d.reason for d in sequential.meta.dropped]
    if strategy == "sentences":
        assert len(parallel.positions) == 4


def test_remote_endpoints_default_to_eight_parallel_calls_and_the_embedded_engine_to_one():
    assert Settings.resolve(base_url="http://x.invalid/v1").parallel_calls == 8
    assert Settings.resolve().parallel_calls == 1
