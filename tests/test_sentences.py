"""The one segmenter: sentences with offsets, abbreviations, quotations, headlines and paragraphs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from summarizer.sentences import sentence_starts, split_sentences

DATA = Path(__file__).resolve().parent / "data" / "sentences"
GOLD = Path(__file__).resolve().parents[1] / "evals" / "gold"


def texts(text: str) -> list[str]:
    return [sentence.text for sentence in split_sentences(text)]


def test_the_hand_checked_tricky_text_is_split_exactly():
    text = (DATA / "tricky.txt").read_text(encoding="utf-8")
    expected = [line for line in (DATA / "tricky.expected.txt").read_text(encoding="utf-8").splitlines() if line]
    assert texts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "U.S. Secretary of State Antony Blinken said so. He left.",
            ["U.S. Secretary of State Antony Blinken said so.", "He left."],
        ),
        (
            "Mr. Hale and Dr. Lee of St. Mary's met. Talks ended.",
            ["Mr. Hale and Dr. Lee of St. Mary's met.", "Talks ended."],
        ),
        (
            '"We are not against it. We are against a bad deal," Smith said. Talks resume.',
            ['"We are not against it. We are against a bad deal," Smith said.', "Talks resume."],
        ),
        (
            "Headline Without A Stop\nThe body starts here. It goes on.",
            ["Headline Without A Stop", "The body starts here.", "It goes on."],
        ),
        (
            "Prices rose 3.2% in Jan. and fell in Feb. as expected.",
            ["Prices rose 3.2% in Jan. and fell in Feb. as expected."],
        ),
    ],
)
def test_abbreviations_quotations_and_paragraphs(text, expected):
    assert texts(text) == expected


def test_offsets_point_into_the_text_and_cover_every_visible_character():
    for path in sorted(GOLD.glob("*/*/article.txt")):
        text = path.read_text(encoding="utf-8")
        sentences = split_sentences(text)
        assert [s.index for s in sentences] == list(range(len(sentences)))
        covered = [False] * len(text)
        previous_end = 0
        for sentence in sentences:
            assert text[sentence.start : sentence.end] == sentence.text == sentence.text.strip()
            assert sentence.start >= previous_end  # in order, no overlap
            previous_end = sentence.end
            covered[sentence.start : sentence.end] = [True] * (sentence.end - sentence.start)
        assert all(covered[i] or text[i].isspace() for i in range(len(text))), path


def test_a_line_break_always_ends_a_sentence():
    text = "First line without stop\nSecond line. Third sentence"
    assert texts(text) == ["First line without stop", "Second line.", "Third sentence"]


def test_blank_and_whitespace_only_text_has_no_sentences():
    assert split_sentences("") == []
    assert split_sentences("  \n\n \t") == []


def test_sentence_starts_are_where_a_text_may_be_cut():
    text = "One here. Two there.\nThree."
    assert sentence_starts(text) == [text.index("Two"), text.index("Three")]


def test_threads_splitting_different_articles_at_once_get_each_their_own_sentences():
    # Batch and eval summarise several articles at once; pysbd keeps the text it segments on its
    # segmenter, so a shared one mixed articles' sentences (seen as replay misses at 4 at once).
    articles = [path.read_text(encoding="utf-8") for path in sorted(GOLD.glob("*/*/article.txt"))]
    expected = [split_sentences(text) for text in articles]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(3):
            assert list(pool.map(split_sentences, articles * 2)) == expected * 2
