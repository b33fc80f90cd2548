"""instructor pastes a JSON schema into the system message; it must leave the shared article prefix.

There is no documented instructor hook for where that text goes, so we find it by the words instructor
starts it with (``INSTRUCTOR_SCHEMA_MARKER``). These tests run the real, pinned instructor: an upgrade
that words it differently fails here, loudly, instead of silently breaking the engine's prompt cache.
"""

from __future__ import annotations

import json

from pydantic import BaseModel

from summarizer.llm.client import InstructorModel
from summarizer.llm.messages import INSTRUCTOR_SCHEMA_MARKER, schema_after_messages
from tests.fakes import ScriptedEndpoint, fake_openai_client, ok

SYSTEM = "You are a careful news analyst.\n\nARTICLE:\nThe Harbour Board closed the pier.\n"
USER = "Task: summarise the article and list its actors."


class Overview(BaseModel):
    overview: str


def sent_messages(*, grammar: bool) -> list[dict[str, str]]:
    endpoint = ScriptedEndpoint({"overview": [ok({"overview": "A pier closed."})]})
    model = InstructorModel(fake_openai_client(endpoint), model="m", grammar=grammar)
    extraction = model.extract(
        Overview, [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}], {"article": ""}
    )
    assert extraction.value is not None
    (request,) = endpoint.requests
    return list(request["messages"])


def test_without_a_grammar_the_schema_moves_after_the_task_and_the_system_message_stays_the_article():
    messages = sent_messages(grammar=False)
    assert messages[0] == {"role": "system", "content": SYSTEM}
    assert messages[1]["content"].startswith(USER)
    assert INSTRUCTOR_SCHEMA_MARKER in messages[1]["content"]
    assert json.dumps(Overview.model_json_schema(), indent=2) in messages[1]["content"]


def test_with_a_grammar_the_schema_leaves_the_prompt():
    messages = sent_messages(grammar=True)
    assert messages[0] == {"role": "system", "content": SYSTEM}
    assert not any(INSTRUCTOR_SCHEMA_MARKER in m["content"] for m in messages)


def test_messages_without_the_marker_are_left_alone():
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}]
    assert schema_after_messages(messages, keep=True) == messages
