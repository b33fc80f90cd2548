"""The summarise path over a scripted endpoint: grounding, re-asks, drops, meta."""

from __future__ import annotations

import pytest

from summarizer.errors import InputError
from summarizer.inputs import check_article
from summarizer.pipeline import template_names
from summarizer.readers.sections import SectionReader
from summarizer.schemas import Summary
from tests.fakes import ScriptedEndpoint, ok

GOOD_POSITION = {
    "evidence": ["it would close the north pier for repairs"],
    "actor": "Harbour Board",
    "stance": "Wants the north pier closed for repairs",
}
BAD_POSITION = {
    "evidence": ["the board intends to demolish the pier entirely"],
    "actor": "Harbour Board",
    "stance": "Wants the pier demolished",
}
OVERVIEW = {
    "overview": "The Harbour Board will close a pier; the union objects.",
    "actors": [
        {"name": "Harbour Board", "aliases": ["the board"]},
        {"name": "Maya Stone", "aliases": ["Stone"]},
    ],
}


def test_a_clean_answer_gives_a_grounded_summary(make_summarizer, article):
    endpoint = ScriptedEndpoint(
        {
            "overview": [ok(OVERVIEW)],
            "positions": [ok({"positions": [GOOD_POSITION]})],
            "demands": [
                ok(
                    {
                        "demands": [
                            {
                                "evidence": ["called on the board to keep the pier open"],
                                "actor": "Union leader Maya Stone",
                                "addressee": "the board",
                                "demand": "Keep the pier open until the season ends",
                            }
                        ]
                    }
                )
            ],
            "conditions": [
                ok(
                    {
                        "conditions": [
                            {
                                "evidence": ["reopen the pier only if the safety inspection is passed"],
                                "actor": "The Harbour Board",
                                "action": "Reopen the pier",
                                "condition": "Only if the inspection is passed by June",
                            }
                        ]
                    }
                )
            ],
            "risks": [
                ok(
                    {
                        "risks": [
                            {
                                "evidence": ["hundreds of jobs could be lost"],
                                "raised_by": "Stone",
                                "risk": "Hundreds of jobs lost",
                            }
                        ]
                    }
                )
            ],
        }
    )
    with make_summarizer(endpoint) as summarizer:
        summary = summarizer.summarize(article)

    Summary.model_validate_json(summary.model_dump_json(), context={"article": article})
    assert summary.ungrounded(article) == []
    assert [d.actor for d in summary.demands] == ["Maya Stone"]  # alias resolved to the canonical name
    assert summary.demands[0].addressee == "Harbour Board"
    assert summary.conditions[0].actor == "Harbour Board"
    assert summary.risks[0].raised_by == "Maya Stone"
    evidence = summary.positions[0].evidence[0]
    assert article[evidence.start : evidence.end] == evidence.quote == "it would close the north pier for repairs"
    meta = summary.meta
    assert meta.usage.calls == 5 and meta.usage.reasks == 0 and meta.usage.retries == 0
    assert meta.usage.prompt_tokens == 500 and meta.usage.completion_tokens == 100
    assert list(meta.prompts) == template_names(SectionReader()) == [
        "system", "overview", "_fields", "positions", "demands", "conditions", "risks", "more"
    ]  # fmt: skip
    assert all(len(h) == 64 for h in meta.prompts.values())
    assert meta.dropped == []


def test_an_ungrounded_quote_is_reasked_with_the_quote_named(make_summarizer, article):
    endpoint = ScriptedEndpoint({"positions": [ok({"positions": [BAD_POSITION]}), ok({"positions": [GOOD_POSITION]})]})
    with make_summarizer(endpoint) as summarizer:
        summary = summarizer.summarize(article)

    requests = endpoint.requests_for("positions")
    assert len(requests) == 2
    reask = requests[1]["messages"][-1]["content"]
    assert "the board intends to demolish the pier entirely" in reask
    assert "not found in the article" in reask
    assert [p.stance for p in summary.positions] == [GOOD_POSITION["stance"]]
    assert summary.meta.sections["positions"].usage.reasks == 1
    assert summary.meta.usage.reasks == 1
    assert summary.meta.dropped == []


def test_an_item_still_ungrounded_after_the_budget_is_dropped_and_reported(make_summarizer, article):
    answer = {"positions": [GOOD_POSITION, BAD_POSITION]}
    endpoint = ScriptedEndpoint({"positions": [ok(answer), ok(answer), ok(answer)]})
    with make_summarizer(endpoint, reasks=2) as summarizer:
        summary = summarizer.summarize(article)

    assert len(endpoint.requests_for("positions")) == 3  # first try + 2 re-asks
    assert [p.stance for p in summary.positions] == [GOOD_POSITION["stance"]]  # the grounded item is kept
    (dropped,) = summary.meta.dropped
    assert dropped.section == "positions"
    assert dropped.item is not None and dropped.item["stance"] == BAD_POSITION["stance"]
    assert "the board intends to demolish the pier entirely" in dropped.reason
    assert summary.meta.sections["positions"].dropped == 1


def test_an_answer_that_is_not_json_drops_the_section_and_says_why(make_summarizer, article):
    endpoint = ScriptedEndpoint({"risks": [ok("not json at all")] * 3})
    with make_summarizer(endpoint, reasks=2) as summarizer:
        summary = summarizer.summarize(article)

    assert summary.risks == []
    (dropped,) = summary.meta.dropped
    assert dropped.section == "risks" and dropped.item is None
    assert "re-asks" in dropped.reason


def test_duplicate_items_are_kept_once(make_summarizer, article):
    endpoint = ScriptedEndpoint({"positions": [ok({"positions": [GOOD_POSITION, GOOD_POSITION]})]})
    with make_summarizer(endpoint) as summarizer:
        summary = summarizer.summarize(article)
    assert len(summary.positions) == 1
    assert [d.reason for d in summary.meta.dropped] == ["duplicate of an earlier item"]


def test_the_article_comes_first_and_the_prefix_is_shared_across_sections(make_summarizer, article):
    endpoint = ScriptedEndpoint()
    with make_summarizer(endpoint) as summarizer:
        summarizer.summarize(article)
    systems = {r["messages"][0]["content"] for r in endpoint.requests}
    assert len(endpoint.requests) == 5
    # Without a grammar the schema is in the prompt; it comes after the article, so the prefix up to
    # the end of the article is the same in every call.
    prefixes = {s[: s.index(article) + len(article)] for s in systems}
    assert len(prefixes) == 1


@pytest.mark.parametrize("bad", ["", "   \n\t ", "text with a \x00 byte"])
def test_unusable_text_is_refused_with_a_reason(bad):
    with pytest.raises(InputError):
        check_article(bad)


def test_bytes_are_refused_with_a_hint():
    with pytest.raises(InputError, match="decode"):
        check_article(b"bytes")  # type: ignore[arg-type]
