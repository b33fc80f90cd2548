"""The ``items`` reader: one call per sentence, typed items, the model's probabilities kept as signals."""

from __future__ import annotations

import math
from typing import Any

import pytest

from summarizer.api import Summarizer
from summarizer.config import Settings
from summarizer.readers.items import ITEMS_KEY
from summarizer.sentences import split_sentences
from tests.fakes import Reply, ScriptedEndpoint, completion, fake_openai_client, ok

OVERVIEW = {
    "overview": "The Harbour Board will close the north pier; the union objects.",
    "actors": [{"name": "Harbour Board", "aliases": ["the board"]}, {"name": "Maya Stone", "aliases": ["Stone"]}],
}
NOTHING = ok({"items": []})


def summarize(endpoint: ScriptedEndpoint, article: str):
    settings = Settings.resolve(
        base_url="http://fake.invalid/v1", model="fake", strategy="items", grammar=True, reasks=0, parallel_calls=1
    )
    with Summarizer(settings, client=fake_openai_client(endpoint)) as summarizer:
        return summarizer.summarize(article)


def user_text(request: dict[str, Any]) -> str:
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


def with_kind_probabilities(answer: dict[str, Any], kinds: dict[str, float]) -> Reply:
    """``answer`` as a completion whose tokens carry ``kinds`` as the alternatives of the first kind."""
    text = completion(answer)["choices"][0]["message"]["content"]
    at = text.index('"kind": "') + len('"kind": "')
    kind = answer["items"][0]["kind"]
    pieces = [text[:at], kind, text[at + len(kind) :]]
    tops = [{pieces[0]: 0.0}, {k: math.log(p) for k, p in kinds.items()}, {pieces[2]: 0.0}]
    body = completion(answer)
    body["choices"][0]["logprobs"] = {
        "content": [
            {"token": piece, "logprob": top.get(piece, 0.0), "bytes": None,
             "top_logprobs": [{"token": t, "logprob": lp, "bytes": None} for t, lp in top.items()]}
            for piece, top in zip(pieces, tops, strict=True)
        ]
    }  # fmt: skip
    return Reply(body=body)


def test_one_call_per_sentence_over_one_prefix_with_the_sentence_at_the_end(article):
    endpoint = ScriptedEndpoint({"overview": [ok(OVERVIEW)]})
    summary = summarize(endpoint, article)
    calls = endpoint.requests_for("items")
    sentences = split_sentences(article)
    assert len(calls) == len(sentences) == summary.meta.sentences == 4
    for request, sentence in zip(calls, sentences, strict=True):
        assert (
            user_text(request)
            .rstrip()
            .endswith(f'SENTENCE: "{sentence.text}"\nList the items THIS sentence states, or {{"items": []}} for none.')
        )
        schema = request["response_format"]["schema"]
        assert list(schema["$defs"]["DemandItem"]["properties"]) == ["kind", "actor", "addressee", "demand"]
        assert "Actors in this article: Harbour Board; Maya Stone." in user_text(request)
    assert summary.meta.strategy == "items" and summary.meta.sections[ITEMS_KEY].usage.calls == 4


def test_each_item_goes_to_the_section_of_its_kind_grounded_on_its_sentence(article):
    first = {"kind": "position", "actor": "Harbour Board", "stance": "Will close the north pier"}
    second = {"kind": "demand", "actor": "Maya Stone", "addressee": "Harbour Board", "demand": "Keep the pier open"}
    third = {
        "kind": "condition",
        "actor": "Harbour Board",
        "action": "Reopen the pier",
        "condition": "Only if it passes",
    }
    fourth = {"kind": "risk", "raised_by": "Maya Stone", "risk": "Hundreds of jobs could be lost"}
    endpoint = ScriptedEndpoint(
        {
            "overview": [ok(OVERVIEW)],
            "items": [
                with_kind_probabilities({"items": [first]}, {"position": 0.6, "demand": 0.3, "The": 0.1}),
                ok({"items": [second]}),
                ok({"items": [third]}),
                ok({"items": [fourth]}),
            ],
        }
    )
    summary = summarize(endpoint, article)
    sentences = split_sentences(article)
    assert [(p.actor, p.stance) for p in summary.positions] == [("Harbour Board", "Will close the north pier")]
    assert [(d.actor, d.addressee, d.demand) for d in summary.demands] == [
        ("Maya Stone", "Harbour Board", "Keep the pier open")
    ]
    assert [c.condition for c in summary.conditions] == ["Only if it passes"]
    assert [r.risk for r in summary.risks] == ["Hundreds of jobs could be lost"]
    for section, sentence in zip(("positions", "demands", "conditions", "risks"), sentences, strict=True):
        (item,) = getattr(summary, section)
        assert [(e.start, e.end) for e in item.evidence] == [(sentence.start, sentence.end)]
    signals = summary.positions[0]._signals
    assert signals is not None and signals.kind == pytest.approx(0.6 / 0.9)  # "The" is no kind
    assert summary.demands[0]._signals is None  # the server sent no probabilities for that answer


def test_a_server_without_token_probabilities_still_gives_a_summary_with_confidence_null(article):
    first = {"kind": "position", "actor": "Harbour Board", "stance": "Will close the north pier"}
    endpoint = ScriptedEndpoint({"overview": [ok(OVERVIEW)], "items": [ok({"items": [first]})]})
    summary = summarize(endpoint, article)
    assert [p.stance for p in summary.positions] == ["Will close the north pier"]
    assert summary.positions[0].confidence is None
    assert summary.meta.confidence is not None and summary.meta.confidence.method == "none"
    assert "no token probabilities" in summary.meta.confidence.note
