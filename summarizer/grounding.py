"""Find a model's evidence quote in the article and return the source's own span.

Three passes, cheapest first (the resolver of google/langextract, simplified):

1. exact substring;
2. normalised: case, whitespace, typographic quotes and dashes folded, so "U. S." finds "U.S." and
   ``'ceasefire'`` finds ``"ceasefire"``;
3. fuzzy: the best local alignment of the normalised quote in the normalised article
   (rapidfuzz ``partial_ratio_alignment``), accepted at ``FUZZY_MIN_SCORE`` or above.

Whatever pass succeeds, the span returned is a slice of the article, so
``article[span.start:span.end] == span.quote`` always holds, and the quote is the source's wording,
not the model's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

#: Minimum rapidfuzz alignment score (0-100) for a fuzzy match. At 90 one wrong word in a ten-word
#: quote still matches; a paraphrase of the same length does not.
FUZZY_MIN_SCORE = 90.0
#: Quotes shorter than this (after normalisation) are too unspecific to locate fuzzily.
FUZZY_MIN_CHARS = 12
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


def _trimmed(article: str, start: int, end: int, method: str) -> Span:
    while start < end and article[start].isspace():
        start += 1
    while end > start and article[end - 1].isspace():
        end -= 1
    return Span(article[start:end], start, end, method)


def locate(quote: str, article: str) -> Span | None:
    """Return where ``quote`` stands in ``article``, or ``None`` if it cannot be found."""
    quote = quote.strip()
    if len(quote.split()) < MIN_QUOTE_WORDS:
        return None
    start = article.find(quote)
    if start >= 0:
        return Span(quote, start, start + len(quote), "exact")

    folded_article = _fold_cached(article)
    folded_quote = _fold(quote).text
    if not folded_quote:
        return None
    position = folded_article.text.find(folded_quote)
    if position >= 0:
        first = folded_article.origin[position]
        last = folded_article.origin[position + len(folded_quote) - 1]
        return _trimmed(article, first, last + 1, "normalised")

    if len(folded_quote) < FUZZY_MIN_CHARS:
        return None
    alignment = fuzz.partial_ratio_alignment(folded_quote, folded_article.text)
    if alignment is None or alignment.score < FUZZY_MIN_SCORE:
        return None
    if alignment.dest_end <= alignment.dest_start:
        return None
    # The aligned region must cover most of the quote, not a fragment of it.
    if (alignment.dest_end - alignment.dest_start) < 0.8 * len(folded_quote):
        return None
    first = folded_article.origin[alignment.dest_start]
    last = folded_article.origin[alignment.dest_end - 1]
    return _trimmed(article, first, last + 1, "fuzzy")
