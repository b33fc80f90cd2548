"""Lexical similarity of two short texts: the eval's STRICT matcher, and the merging of repeated items.

Texts are reduced to content tokens (lower case, accents and punctuation removed, function words
dropped, a crude suffix strip so "releases"/"released"/"release" agree). The score is the mean of
rapidfuzz's ``token_set_ratio`` (tolerant of a short text inside a longer one, and of small spelling
differences) and the Dice overlap of the token sets (which is not). ``token_set_ratio`` alone gives
100 to "supports" against "Supports a humanitarian ceasefire", so when either side has fewer than
``MIN_CONTENT_TOKENS`` content tokens only the Dice overlap counts.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

#: Below this many content tokens a text gets no ``token_set_ratio`` credit (see the module docstring).
MIN_CONTENT_TOKENS = 3
_SUFFIXES = ("ing", "ed", "es", "e", "s")
_MIN_STEM = 4
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORD_TEXT = """
a an the and or but if of to in on at by for from with as into onto over under about after before
is are was were be been being am it its this that these those there their them they he she his her
him we our us you your i my me any all some such so than then too very can could would should will
shall may might must do does did has have had not no nor only just also more most
"""
#: Function words left out of the comparison.
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM:
            return token[: -len(suffix)]
    return token


@lru_cache(maxsize=4096)
def content_tokens(text: str) -> tuple[str, ...]:
    """The text's content words, normalised and stemmed, in order."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in folded if not unicodedata.combining(char)).lower()
    folded = folded.replace("'s", "").replace("\u2019s", "").replace(".", "")
    return tuple(_stem(word) for word in _WORD.findall(folded) if word not in STOPWORDS)


def lexical_similarity(a: str, b: str) -> float:
    """0.0 (nothing in common) to 1.0 (the same content words); symmetric."""
    tokens_a, tokens_b = content_tokens(a), content_tokens(b)
    if not tokens_a or not tokens_b:
        return 1.0 if tokens_a == tokens_b and a.strip().lower() == b.strip().lower() and a.strip() else 0.0
    set_a, set_b = set(tokens_a), set(tokens_b)
    dice = 2 * len(set_a & set_b) / (len(set_a) + len(set_b))
    if min(len(set_a), len(set_b)) < MIN_CONTENT_TOKENS:
        return dice
    token_set = fuzz.token_set_ratio(" ".join(tokens_a), " ".join(tokens_b)) / 100.0
    return (token_set + dice) / 2.0
