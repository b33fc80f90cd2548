"""Token log-probabilities: asked for, exposed next to the parsed answer, kept by recordings."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel

from summarizer.llm.client import InstructorModel
from summarizer.llm.recording import ResponseStore, request_identity
from tests.fakes import Reply, ScriptedEndpoint, completion, fake_openai_client


class Answer(BaseModel):
    demands: list[str]


MESSAGES = [{"role": "system", "content": "ARTICLE: ..."}, {"role": "user", "content": "Task: summarise"}]


def top(**alternatives: float) -> list[dict[str, Any]]:
    return [{"token": token, "logprob": math.log(p), "bytes": None} for token, p in alternatives.items()]


def with_logprobs(content: str, *choices: tuple[str, dict[str, float]]) -> Reply:
    """A completion of ``content`` whose tokens are ``choices``: (token, its alternatives' probabilities)."""
    body = completion(content)
    body["choices"][0]["logprobs"] = {
        "content": [
            {
                "token": token,
                "logprob": math.log(alternatives[token]),
                "bytes": None,
                "top_logprobs": top(**alternatives),
            }
            for token, alternatives in choices
        ]
    }
    return Reply(body=body)


ANSWER = with_logprobs(
    '{"demands": []}',
    ('{"', {'{"': 1.0}),
    ("dem", {"dem": 0.9, "The": 0.1}),
    ("ands", {"ands": 1.0}),
    ('":', {'":': 1.0}),
    (" []", {" []": 0.7, ' [{"': 0.2, ' ["': 0.1}),
    ("}", {"}": 1.0}),
)


def test_the_request_asks_for_logprobs_and_the_extraction_carries_them():
    endpoint = ScriptedEndpoint({"overview": [ANSWER]})
    model = InstructorModel(fake_openai_client(endpoint), model="m", top_logprobs=5)
    extraction = model.extract(Answer, MESSAGES, {"article": "..."})
    (request,) = endpoint.requests
    assert request["logprobs"] is True and request["top_logprobs"] == 5
    assert isinstance(extraction.value, Answer) and extraction.value.demands == []
    assert extraction.tokens is not None and [t.token for t in extraction.tokens][-2:] == [" []", "}"]
    # The probability of the first answer token, and of an empty list at the decision point.
    assert extraction.tokens[0].probability('{"') == 1.0
    decision = extraction.tokens[4]
    assert round(decision.probability(" []"), 6) == 0.7
    assert round(decision.probability(' [{"', ' ["'), 6) == 0.3
    assert decision.probability(" [\n") == 0.0  # not among the alternatives the server listed


def test_without_logprobs_nothing_is_asked_and_tokens_are_none():
    endpoint = ScriptedEndpoint({"overview": [Reply(body=completion('{"demands": []}'))]})
    extraction = InstructorModel(fake_openai_client(endpoint), model="m").extract(Answer, MESSAGES, {"article": ""})
    assert "logprobs" not in endpoint.requests[0] and "top_logprobs" not in endpoint.requests[0]
    assert isinstance(extraction.value, Answer) and extraction.value.demands == [] and extraction.tokens is None


def test_a_recorded_response_keeps_its_logprobs_for_replay(tmp_path):
    endpoint = ScriptedEndpoint({"overview": [ANSWER]})
    recorder = InstructorModel(
        fake_openai_client(endpoint), model="m", top_logprobs=5, store=ResponseStore(tmp_path, mode="record")
    )
    live = recorder.extract(Answer, MESSAGES, {"article": ""})
    (recorded,) = list(tmp_path.rglob("*.json.gz"))
    nobody = ScriptedEndpoint()
    replayer = InstructorModel(
        fake_openai_client(nobody), model="m", top_logprobs=5, store=ResponseStore(tmp_path, mode="replay")
    )
    replayed = replayer.extract(Answer, MESSAGES, {"article": ""})
    assert nobody.requests == [] and recorded.stat().st_size > 0
    assert replayed.tokens == live.tokens and replayed.tokens is not None


def test_the_slot_routes_a_request_without_changing_what_it_is_recorded_as():
    plain = {"model": "m", "messages": MESSAGES, "extra_body": {"response_format": {"type": "json_object"}}}
    routed = {**plain, "extra_body": {**plain["extra_body"], "id_slot": 3}}
    assert request_identity(routed) == request_identity(plain)
    assert request_identity({**plain, "logprobs": True, "top_logprobs": 5}) != request_identity(plain)


def test_engine_timings_are_summed_from_each_response():
    body = completion('{"demands": []}')
    body["timings"] = {"cache_n": 700, "prompt_n": 23, "prompt_ms": 400.0, "predicted_n": 6, "predicted_ms": 220.0}
    endpoint = ScriptedEndpoint({"overview": [Reply(body=body)]})
    extraction = InstructorModel(fake_openai_client(endpoint), model="m").extract(Answer, MESSAGES, {"article": ""})
    assert extraction.engine is not None
    assert extraction.engine.as_dict() == {
        "requests": 1,
        "prompt_tokens_evaluated": 23,
        "prompt_tokens_cached": 700,
        "prompt_eval_ms": 400.0,
        "generated_tokens": 6,
        "generation_ms": 220.0,
    }
