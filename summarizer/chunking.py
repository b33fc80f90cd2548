"""Long articles: split into overlapping chunks that fit the context, shift evidence back, merge items.

A model with a 4096-token context cannot read a 30,000-character article plus the prompt and its own
answer. The pipeline then summarises the article chunk by chunk:

1. ``article_token_budget`` says how many tokens of article one call can carry: the context, less the
   answer (``max_tokens``), less the rendered prompt around the article, less ``RESERVED_TOKENS``.
   Token counts are *estimated* from characters (``estimate_tokens``), conservatively: English news
   runs at about 4.7 to 5.4 characters per token with the embedded Qwen2.5 tokenizer; we assume
   ``CHARS_PER_TOKEN`` = 3.5, so names, numbers and punctuation-heavy text still fit.
2. ``plan_chunks`` returns the whole article as one chunk when it fits (short articles run exactly as
   before), otherwise ``split_article`` cuts it at line breaks, else sentence ends, else spaces, into
   chunks of at most the budget, each reaching back up to ``overlap`` characters (whole sentences, as
   ``summarizer.sentences`` splits them)
   into the previous one, so an item whose sentence straddles a cut is seen whole at least once.
3. Evidence is located in the chunk's text and shifted by ``Chunk.start`` (``shift_evidence``), so
   ``article[start:end] == quote`` holds in the full article.
4. ``summarizer.merging.merge_items`` folds together what several chunks found twice (the overlap, or
   an article that repeats itself).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from summarizer.schemas import Evidence
from summarizer.sentences import sentence_starts

#: Characters per token assumed when estimating. Measured with the embedded model's tokenizer, the four
#: gold articles run at 4.7 to 5.4 and the prompt templates at 4.4 to 4.8 (their JSON schemas at 3.7);
#: 3.5 keeps every estimate above the real count.
CHARS_PER_TOKEN = 3.5
#: Tokens kept free beyond prompt and answer: chat-template tokens and a re-ask's error message (the
#: re-ask also carries the first answer, which is paid for by the part of ``max_tokens`` it used).
RESERVED_TOKENS = 256
#: How far a chunk reaches back into the previous one: about two sentences of news prose, enough for
#: an item cut at a chunk's end to appear whole at the start of the next one ...
OVERLAP_TOKENS = 200
#: ... but never more than this share of a chunk, so that every chunk moves on by at least half of it.
MAX_OVERLAP_SHARE = 0.25
#: Fewer article tokens than this per call cannot hold a paragraph: the context is too small to chunk.
MIN_CHUNK_TOKENS = 256

#: A line break: news text puts one paragraph on a line (blank lines between them or not).
_PARAGRAPH = re.compile(r"\n\s*")
_WORD = re.compile(r"\s+")

ItemT = TypeVar("ItemT", bound=BaseModel)


def estimate_tokens(text: str) -> int:
    """A conservative token count for ``text`` (see ``CHARS_PER_TOKEN``)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def article_token_budget(context_tokens: int, answer_tokens: int, prompt_texts: Iterable[str]) -> int:
    """Tokens left for the article in one call: context - answer - prompt around it - reserve.

    ``prompt_texts`` is everything sent besides the article in the largest call (system template,
    section instructions, a schema pasted into the prompt); may be negative when nothing is left.
    """
    prompt_tokens = sum(estimate_tokens(text) for text in prompt_texts)
    return context_tokens - answer_tokens - prompt_tokens - RESERVED_TOKENS


@dataclass(frozen=True, slots=True)
class Chunk:
    """One part of the article: ``text == article[start:end]``."""

    index: int
    start: int
    end: int
    text: str


def plan_chunks(article: str, budget_tokens: int) -> list[Chunk]:
    """The article as one chunk if it fits ``budget_tokens``, else overlapping chunks that each fit.

    Raises ``ValueError`` when the article does not fit and the budget is too small to split into.
    """
    if estimate_tokens(article) <= budget_tokens:
        return [Chunk(0, 0, len(article), article)]
    if budget_tokens < MIN_CHUNK_TOKENS:
        raise ValueError(
            f"only {budget_tokens} tokens of the context are left for the article once the prompt and the "
            f"answer are counted (at least {MIN_CHUNK_TOKENS} are needed to split a long article): "
            "raise the context size (n_ctx) or lower max_tokens"
        )
    max_chars = math.floor(budget_tokens * CHARS_PER_TOKEN)
    overlap = min(round(OVERLAP_TOKENS * CHARS_PER_TOKEN), math.floor(max_chars * MAX_OVERLAP_SHARE))
    return split_article(article, max_chars=max_chars, overlap_chars=overlap)


class _Boundaries:
    """Where the text may be cut, per strength: positions just past a boundary's whitespace."""

    def __init__(self, text: str) -> None:
        # Strengths, strongest first: paragraph breaks, sentence starts (``summarizer.sentences``), word
        # starts; each level includes the stronger ones.
        paragraphs = {m.end() for m in _PARAGRAPH.finditer(text)}
        sentences = paragraphs | set(sentence_starts(text))
        words = sentences | {m.end() for m in _WORD.finditer(text)}
        self.levels: list[list[int]] = [
            sorted(p for p in level if 0 < p < len(text)) for level in (paragraphs, sentences, words)
        ]

    def last_in(self, level: int, low: int, high: int) -> int | None:
        """The largest boundary of at least this strength with ``low < position <= high``."""
        positions = self.levels[level]
        i = bisect_right(positions, high) - 1
        return positions[i] if i >= 0 and positions[i] > low else None

    def first_in(self, level: int, low: int, high: int) -> int | None:
        """The smallest boundary of at least this strength with ``low <= position < high``."""
        positions = self.levels[level]
        i = bisect_left(positions, low)
        return positions[i] if i < len(positions) and positions[i] < high else None


def split_article(article: str, *, max_chars: int, overlap_chars: int) -> list[Chunk]:
    """Cut ``article`` into chunks of at most ``max_chars`` characters that overlap by whole sentences.

    A chunk ends at the last line break (paragraph) in the second half of its window, else the last
    sentence boundary there, else the last word boundary, else exactly at ``max_chars`` (one huge
    word). The next chunk starts at the earliest sentence boundary (else word boundary) within
    ``overlap_chars`` before that end, or at the end itself. Trailing whitespace is left out of a chunk.
    """
    if max_chars < 2:
        raise ValueError(f"max_chars must be at least 2, got {max_chars}")
    if not 0 <= overlap_chars < max_chars // 2:
        raise ValueError(f"overlap_chars must be between 0 and max_chars // 2 - 1, got {overlap_chars}")
    bounds = _Boundaries(article)
    chunks: list[Chunk] = []
    start = 0
    while True:
        if len(article) - start <= max_chars:
            end = len(article)
        else:
            limit = start + max_chars
            half = start + max_chars // 2
            cut = next((c for level in range(3) if (c := bounds.last_in(level, half, limit)) is not None), None)
            end = limit if cut is None else cut
        trimmed = end
        while trimmed > start and article[trimmed - 1].isspace():
            trimmed -= 1
        chunks.append(Chunk(len(chunks), start, trimmed, article[start:trimmed]))
        if end >= len(article):
            return chunks
        # The window is at least half a chunk past ``start`` and the overlap less than half a chunk,
        # so the next start is always past this one.
        low = max(end - overlap_chars, start + 1)
        back = bounds.first_in(1, low, end)
        if back is None:
            back = bounds.first_in(2, low, end)
        start = end if back is None else back


def shift_evidence(item: ItemT, offset: int) -> ItemT:
    """``item`` with every evidence span moved by ``offset`` (chunk offsets -> article offsets)."""
    if offset == 0:
        return item
    evidence = [
        Evidence(quote=e.quote, start=e.start + offset, end=e.end + offset)
        for e in item.evidence  # type: ignore[attr-defined]
    ]
    return item.model_copy(update={"evidence": evidence})
