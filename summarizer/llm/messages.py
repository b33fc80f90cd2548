"""What goes into a chat request and comes out of a completion, apart from the model call itself.

instructor's JSON mode pastes the response model's JSON schema into the system message. The system
message holds the article and is the prefix every call of an article shares (the engine's prompt
cache, or a provider's prompt caching); a schema pasted into it differs per section or question and
would break that prefix, so ``schema_after_messages`` moves it. instructor has no documented hook for
where that text goes, so it is found by the words instructor starts it with, and
``tests/test_llm_messages.py`` runs instructor's own JSON-mode handler against this marker: an
instructor upgrade that changes them fails that test instead of silently breaking the cache.
"""

from __future__ import annotations

import json
from typing import Any

from summarizer.extraction import TokenLogprob

#: instructor's JSON mode appends the JSON schema to the system message starting with this text
#: (instructor 1.17.0, ``instructor.providers.openai.utils``; pinned in pyproject.toml).
INSTRUCTOR_SCHEMA_MARKER = "As a genius expert, your task is to understand the content"


def schema_after_messages(messages: list[dict[str, Any]], *, keep: bool) -> list[dict[str, Any]]:
    """Take the JSON schema instructor pasted into the system message out of it.

    With ``keep`` (no grammar: the model must read the schema) it moves to the end of the first user
    message (the task, which a follow-up conversation repeats unchanged); without (a grammar enforces
    it) it is dropped.
    """
    if not messages or messages[0].get("role") != "system":
        return messages
    content = messages[0].get("content")
    if not isinstance(content, str) or INSTRUCTOR_SCHEMA_MARKER not in content:
        return messages
    at = content.index(INSTRUCTOR_SCHEMA_MARKER)
    moved = [{**messages[0], "content": content[:at].rstrip() + "\n"}, *messages[1:]]
    if keep and len(moved) > 1 and isinstance(moved[1].get("content"), str):
        moved[1] = {**moved[1], "content": moved[1]["content"].rstrip() + "\n\n" + content[at:].strip()}
    return moved


def completion_text(completion: Any) -> str | None:
    """The text of a chat completion's first choice, if there is one."""
    try:
        content = completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return None
    if content is None:
        return None
    return content if isinstance(content, str) else json.dumps(content)


def token_logprobs(completion: Any) -> list[TokenLogprob] | None:
    """The first choice's tokens with their log-probabilities, if the server sent them."""
    try:
        content = completion.choices[0].logprobs.content
    except (AttributeError, IndexError, TypeError):
        return None
    if not content:
        return None
    return [
        TokenLogprob(
            token=entry.token,
            logprob=entry.logprob,
            top={alt.token: alt.logprob for alt in (entry.top_logprobs or [])},
        )
        for entry in content
    ]
