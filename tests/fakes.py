"""Test doubles for the model endpoint: a scripted OpenAI-compatible backend behind the real SDK.

``ScriptedEndpoint`` answers each chat request from a per-section queue of canned replies and records
every request it got. ``fake_openai_client`` wires it into a real ``openai.OpenAI`` through an
in-memory HTTP transport, so the SDK, instructor and our retry policy all run for real.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2
import openai

SECTION_MARKERS = {
    "overview": "Task: summarise",
    "positions": "Task: list the POSITIONS",
    "demands": "Task: list the DEMANDS",
    "conditions": "Task: list the CONDITIONS",
    "risks": "Task: list the RISKS",
    "items": "Task: you will be given ONE sentence of the article above. List what THIS sentence states, each",
    "sentence": "Task: you will be given ONE sentence",
}


def completion(
    content: str | dict[str, Any] | None,
    *,
    finish_reason: str = "stop",
    prompt_tokens: int = 100,
    completion_tokens: int = 20,
) -> dict[str, Any]:
    """A chat.completion body as an OpenAI-compatible server sends it."""
    text = json.dumps(content) if isinstance(content, dict) else content
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@dataclass
class Reply:
    """One scripted HTTP answer: a status, a JSON body and headers; or an exception to raise."""

    status: int = 200
    body: dict[str, Any] | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raises: Exception | None = None


def ok(content: str | dict[str, Any] | None, **kwargs: Any) -> Reply:
    return Reply(body=completion(content, **kwargs))


def error(status: int, message: str = "error", headers: dict[str, str] | None = None) -> Reply:
    return Reply(status=status, body={"error": {"message": message, "type": "test"}}, headers=headers or {})


def section_of(request: dict[str, Any]) -> str:
    """Which section a chat request is for, from its first user message."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    for section, marker in SECTION_MARKERS.items():
        if marker in user:
            return section
    raise AssertionError(f"unrecognised request: {user[:80]!r}")


EMPTY_ANSWERS: dict[str, dict[str, Any]] = {
    "overview": {"overview": "An article.", "actors": []},
    "positions": {"positions": []},
    "demands": {"demands": []},
    "conditions": {"conditions": []},
    "risks": {"risks": []},
    "items": {"items": []},
}
_SENTENCE_KINDS = re.compile(r"List only the ([A-Z, ]+) this sentence states")


def sentence_kinds(request: dict[str, Any]) -> list[str]:
    """The kinds a sentence-reader request asks for ("positions", "demands", ...)."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    found = _SENTENCE_KINDS.search(user)
    if found is None:
        raise AssertionError(f"not a sentence request: {user[-120:]!r}")
    return found.group(1).lower().split(", ")


def empty_answer(request: dict[str, Any]) -> dict[str, Any]:
    """The empty answer to ``request``: an overview with no actors, or no items of what was asked."""
    section = section_of(request)
    if section == "sentence":
        return {kind: [] for kind in sentence_kinds(request)}
    return EMPTY_ANSWERS[section]


class ScriptedEndpoint:
    """Answers requests from per-section queues; an empty queue answers with an empty section."""

    def __init__(self, script: dict[str, list[Reply]] | None = None) -> None:
        self.queues: dict[str, deque[Reply]] = defaultdict(deque)
        for section, replies in (script or {}).items():
            self.queues[section].extend(replies)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []

    def requests_for(self, section: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if section_of(r) == section]

    def answer(self, request: dict[str, Any]) -> Reply:
        section = section_of(request)
        if self.queues[section]:
            return self.queues[section].popleft()
        return ok(empty_answer(request))

    def handle(self, http_request: httpx2.Request) -> httpx2.Response:
        if http_request.url.path.endswith("/models"):
            return httpx2.Response(200, json={"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
        body = json.loads(http_request.content)
        self.requests.append(body)
        self.headers.append(dict(http_request.headers))
        reply = self.answer(body)
        if reply.raises is not None:
            raise reply.raises
        if isinstance(reply.body, str):
            return httpx2.Response(reply.status, content=reply.body.encode(), headers=reply.headers)
        return httpx2.Response(reply.status, json=reply.body, headers=reply.headers)


def fake_openai_client(endpoint: ScriptedEndpoint | Callable[[httpx2.Request], httpx2.Response]) -> openai.OpenAI:
    handler = endpoint.handle if isinstance(endpoint, ScriptedEndpoint) else endpoint
    return openai.OpenAI(
        base_url="http://fake.invalid/v1",
        api_key="sk-test-secret-key",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
