"""Find a model's evidence quote in the article and return the source's own span.

Three passes, cheapest first (the resolver of google/langextract, simplified):

1. exact substring;
2. normalised: case, whitespace, typographic quotes and dashes folded, so "U. S." finds "U.S." and
   ``'ceasefire'`` finds ``"ceasefire"``;
3. fuzzy: the best local alignment of the normalised quote in the normalised article
   (rapidfuzz ``partial_ratio_alignment``), accepted at ``FUZZY_MIN_SCORE`` or above;
4. partial: the longest block the quote shares with the article, when it holds most of the quote
   (a model that inserted a word, "the Israeli-Palestinian conflict could escalate" for "the conflict
   could escalate", is pointed at the words the article really has).

Whatever pass succeeds, the span returned is a slice of the article, so
``article[span.start:span.end] == span.quote`` always holds, and the quote is the source's wording,
not the model's.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz import fuzz

#: Minimum rapidfuzz alignment score (0-100) for a fuzzy match. At 90 one wrong word in a ten-word
#: quote still matches; a paraphrase of the same length does not.
FUZZY_MIN_SCORE = 90.0
#: Quotes shorter than this (after normalisation) are too unspecific to locate fuzzily.
FUZZY_MIN_CHARS = 12
#: The partial pass needs the shared block to hold this share of the (normalised) quote ...
PARTIAL_MIN_SHARE = 0.6
#: ... and at least this many normalised characters (about four words).
PARTIAL_MIN_CHARS = 20
#: Quotes with fewer words are rejected outright: "said" or "the talks" is not evidence.
MIN_QUOTE_WORDS = 3

_CHAR_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        '"': "'",
        "\u201c": "'",
        "\u201d": "'",
        "\u201e": "'",
        "\u2033": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)


@dataclass(frozen=True, slots=True)
class Span:
    """A located quote: ``quote == article[start:end]``."""

    quote: str
    start: int
    end: int
    method: str  # "exact" | "normalised" | "fuzzy"


@dataclass(frozen=True, slots=True)
class _Folded:
    text: str
    origin: tuple[int, ...]  # origin[i] = index in the source of folded character i


def _fold(text: str) -> _Folded:
    """Lower-case, fold quotes/dashes, drop whitespace; keep a map back to source offsets."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text.translate(_CHAR_FOLD)):
        if char.isspace():
            continue
        lowered = char.lower()
        if len(lowered) != 1:  # e.g. "İ" lower-cases to two code points; keep offsets 1:1
            lowered = char
        chars.append(lowered)
        origin.append(index)
    return _Folded("".join(chars), tuple(origin))


@lru_cache(maxsize=32)
def _fold_cached(text: str) -> _Folded:
    return _fold(text)


_EDGE = " \t\r\n,;:"
_QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019"


def _trimmed(article: str, start: int, end: int, method: str) -> Span:
    """Drop whitespace and separators from the ends of a span, and a quote mark left unpaired."""
    changed = True
    while changed and start < end:
        changed = False
        while start < end and article[start] in _EDGE:
            start, changed = start + 1, True
        while end > start and article[end - 1] in _EDGE:
            end, changed = end - 1, True
        marks = sum(article[i] in _QUOTE_MARKS for i in range(start, end))
        if marks % 2 == 1:
            if article[start] in _QUOTE_MARKS:
                start, changed = start + 1, True
            elif article[end - 1] in _QUOTE_MARKS:
                end, changed = end - 1, True
    return Span(article[start:end], start, end, method)


def locate(quote: str, article: str) -> Span | None:
    """Return where ``quote`` stands in ``article``, or ``None`` if it cannot be found."""
    quote = quote.strip()
    if len(quote.split()) < MIN_QUOTE_WORDS:
        return None
    start = article.find(quote)
    if start >= 0:
        return _trimmed(article, start, start + len(quote), "exact")

    folded_article = _fold_cached(article)
    folded_quote = _fold(quote).text
    if not folded_quote:
        return None
    position = folded_article.text.find(folded_quote)
    if position >= 0:
        return _span(article, folded_article, position, position + len(folded_quote), "normalised")

    if len(folded_quote) < FUZZY_MIN_CHARS:
        return None
    alignment = fuzz.partial_ratio_alignment(folded_quote, folded_article.text)
    if (
        alignment is not None
        and alignment.score >= FUZZY_MIN_SCORE
        # The aligned region must cover most of the quote, not a fragment of it.
        and (alignment.dest_end - alignment.dest_start) >= 0.8 * len(folded_quote)
    ):
        return _span(article, folded_article, alignment.dest_start, alignment.dest_end, "fuzzy")
    block = SequenceMatcher(None, folded_quote, folded_article.text, autojunk=False).find_longest_match()
    if block.size >= PARTIAL_MIN_CHARS and block.size >= PARTIAL_MIN_SHARE * len(folded_quote):
        return _span(article, folded_article, block.b, block.b + block.size, "partial")
    return None


def _span(article: str, folded: _Folded, start: int, end: int, method: str) -> Span:
    """Map a folded range back to the article, widened to whole words."""
    first = folded.origin[start]
    last = folded.origin[end - 1] + 1
    while first > 0 and article[first - 1].isalnum() and article[first].isalnum():
        first -= 1
    while last < len(article) and article[last - 1].isalnum() and article[last].isalnum():
        last += 1
    return _trimmed(article, first, last, method)
