"""Find text in an article that addresses the model itself (prompt injection) and hide it from the model.

A small model obeys "ignore previous instructions ..." inside an article however firmly the prompt says
not to, so the pipeline does not rely on the prompt alone: sentences that read as instructions to an AI
are replaced by spaces in the text the model is shown. The replacement keeps every offset, so evidence
found in the shown text is at the same place in the article; what was hidden is listed in
``Meta.masked`` (never silently lost).

The detection is deliberately narrow (phrases aimed at a model, not at people): a sentence matching a
trigger is hidden, together with the sentences right after it that go on addressing the reader
("you ...", or an order such as "Write ..." / "Output ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.sentences import split_sentences

_TRIGGERS = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\b(ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(instructions?|prompts?|directions|rules|guidelines)\b",
        r"\byou are (now|no longer)\b",
        r"\b(system|developer) (prompt|message)\b",
        r"\bnew instructions?\s*:",
        r"\bas an (ai|a\.i\.|language model|assistant)\b",
        r"\b(respond|reply|answer|output)\s+only\s+with\b",
    )
]
#: A sentence that goes on addressing the model: it speaks to "you" or opens with an order.
_FOLLOW_ON = re.compile(
    r"\byou(r)?\b|^\W*(write|output|say|answer|respond|reply|print|return|give|list|report|state|add|include|"
    r"summari[sz]e|translate|pretend|act)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def find_instructions(text: str) -> list[Span]:
    """Spans of the sentences in ``text`` (``summarizer.sentences``) that address a model, not report news."""
    found: list[Span] = []
    following = False
    for sentence in split_sentences(text):
        if any(trigger.search(sentence.text) for trigger in _TRIGGERS) or (
            following and _FOLLOW_ON.search(sentence.text)
        ):
            found.append(Span(sentence.start, sentence.end))
            following = True
        else:
            following = False
    return found


def mask(text: str, spans: list[Span]) -> str:
    """``text`` with every span's characters replaced by spaces (line breaks kept): same length, same offsets."""
    if not spans:
        return text
    chars = list(text)
    for span in spans:
        for index in range(span.start, span.end):
            if chars[index] != "\n":
                chars[index] = " "
    return "".join(chars)
