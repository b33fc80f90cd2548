from __future__ import annotations

import pytest

from summarizer.grounding import locate

ARTICLE = (
    'U.S. Secretary of State Antony Blinken said the plan was "a step forward", '
    "but warned that  the talks could\ncollapse within days."
)


def _check(quote: str, method: str) -> str:
    span = locate(quote, ARTICLE)
    assert span is not None, quote
    assert ARTICLE[span.start : span.end] == span.quote
    assert span.method == method
    return span.quote


def test_exact_quote():
    assert _check("the plan was", "exact") == "the plan was"


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("U. S. Secretary of State", "U.S. Secretary of State"),
        ("the plan was 'a step forward'", 'the plan was "a step forward"'),
        ("the plan was \u201ca step forward\u201d", 'the plan was "a step forward"'),
        ("warned that the talks could collapse", "warned that  the talks could\ncollapse"),
        ("ANTONY BLINKEN SAID", "Antony Blinken said"),
    ],
)
def test_normalised_quote_returns_the_source_wording(quote, expected):
    assert _check(quote, "normalised") == expected


def test_fuzzy_quote_with_one_wrong_word():
    found = _check("warned that the talks would collapse within days", "fuzzy")
    assert "collapse within days" in found


@pytest.mark.parametrize(
    "quote",
    ["the ceasefire was rejected by parliament", "said", "", "Blinken praised the weather in Tel Aviv today"],
)
def test_quotes_not_in_the_article_are_not_found(quote):
    assert locate(quote, ARTICLE) is None


def test_partial_quote_points_at_the_words_the_article_has():
    text = "Nasrallah warned that the conflict could escalate into a regional war within weeks."
    span = locate("the Israeli-Palestinian conflict could escalate into a regional war", text)
    assert span is not None and span.method == "partial"
    assert span.quote == "conflict could escalate into a regional war"
    assert text[span.start : span.end] == span.quote


def test_spans_are_widened_to_whole_words_and_trimmed_of_quote_marks():
    text = 'He said: "We will never accept this deal," and left.'
    span = locate("we will never accept this deal", text)
    assert span is not None and span.quote == "We will never accept this deal"
