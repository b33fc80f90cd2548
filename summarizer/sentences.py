"""The article's sentences, with their offsets: the one segmenter that reading, chunking and screening use.

Paragraphs (lines) are split first, so a sentence never runs across a line break (a headline, a byline
or a list item without a full stop is a sentence of its own); each paragraph is then segmented by
pysbd, a rule-based segmenter that knows abbreviations ("U.S.", "Mr.", "Inc.", "Jan."), initials,
decimals and ellipses, and keeps a quotation of several sentences together with its attribution
(``"We have four days. I would rather have a good deal," she said.`` is one sentence).

pysbd was chosen by measured accuracy (``benchmarks/compare_segmenters.py``, every candidate run line
by line): on the 193 hand-checked boundaries of the six gold articles and ``tests/data/sentences/
tricky.txt`` pysbd and sentencex made no error, while blingfire (13), nupunkt (11) and syntok (10)
cut quotations of several sentences in two, away from their attribution. Between the two without
error, pysbd is pure Python (sentencex is a compiled extension); its 46 ms per article is nothing
beside the model's minutes.

Every ``Sentence`` satisfies ``text[start:end] == sentence.text``; spans exclude the whitespace around
a sentence, and together they cover every non-blank character of the text exactly once.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pysbd

_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a text: ``text[start:end]``, without the whitespace around it."""

    index: int
    start: int
    end: int
    text: str


#: pysbd's Segmenter keeps the text it is segmenting on itself, so one instance shared by threads that
#: summarise articles at once mixes their sentences: each thread gets its own.
_local = threading.local()


def _segmenter() -> pysbd.Segmenter:
    segmenter: pysbd.Segmenter | None = getattr(_local, "segmenter", None)
    if segmenter is None:
        segmenter = _local.segmenter = pysbd.Segmenter(language="en", clean=False)
    return segmenter


def _pieces(line: str) -> list[str]:
    """pysbd's segments of one line, each stripped; an empty list for a blank line."""
    if not line.strip():
        return []
    return [piece.strip() for piece in _segmenter().segment(line) if piece.strip()]


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in order, with their character offsets."""
    sentences: list[Sentence] = []
    for line in _LINE.finditer(text):
        cursor = line.start()
        line_end = line.end()
        for piece in _pieces(line.group()):
            start = text.find(piece, cursor, line_end)
            if start < 0:  # pysbd altered the text (it should not with clean=False): keep the rest whole
                break
            if start > cursor and text[cursor:start].strip():
                # Characters pysbd dropped between two of its segments belong to the previous sentence.
                _extend_last(sentences, text, cursor, start, line.start())
            sentences.append(Sentence(len(sentences), start, start + len(piece), piece))
            cursor = start + len(piece)
        rest = text[cursor:line_end]
        if rest.strip():
            lead = len(rest) - len(rest.lstrip())
            start, end = cursor + lead, cursor + len(rest.rstrip())
            sentences.append(Sentence(len(sentences), start, end, text[start:end]))
    return sentences


def _extend_last(sentences: list[Sentence], text: str, start: int, end: int, line_start: int) -> None:
    """Grow this line's last sentence to take in ``text[start:end]`` (or make it a sentence of its own)."""
    stripped_end = start + len(text[start:end].rstrip())
    if sentences and sentences[-1].start >= line_start:
        last = sentences[-1]
        sentences[-1] = Sentence(last.index, last.start, stripped_end, text[last.start : stripped_end])
        return
    lead = len(text[start:end]) - len(text[start:end].lstrip())
    sentences.append(Sentence(len(sentences), start + lead, stripped_end, text[start + lead : stripped_end]))


def sentence_starts(text: str) -> list[int]:
    """Offsets where a sentence other than the first begins: where ``text`` may be cut between sentences."""
    return [sentence.start for sentence in split_sentences(text) if sentence.start > 0]
