"""Fault tolerance over a real socket: every fault ends in a valid ``Summary`` or a typed, one-line error.

The faults come from ``tests.fake_server.FakeServer`` (a real HTTP server on 127.0.0.1), so the openai
SDK, its HTTP client, instructor and our retry policy all run as in production. The retry policy is the
production one (``transient_retrying`` with its default backoff) except that it records its waits
instead of sleeping, so the backoff is asserted exactly and the file runs in seconds.
"""

from __future__ import annotations

import gzip
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
import tenacity

import summarizer.llm.client as client_module
from summarizer.api import Summarizer
from summarizer.config import Settings
from summarizer.errors import ModelAuthError, ModelError, ModelUnavailableError
from summarizer.llm.recording import ResponseStore
from summarizer.llm.retry import DEFAULT_ATTEMPTS, MAX_RETRY_AFTER_SECONDS, transient_retrying
from summarizer.schemas import SECTION_NAMES, Summary
from tests.cli_runner import run_cli
from tests.fake_server import CloseMidBody, Delay, FakeServer, Reset
from tests.fakes import Reply, completion, error, ok

SECRET = "sk-secret-123"
#: The client timeout of these tests (the smallest ``Settings`` accepts); a ``Delay`` beyond it times out.
TIMEOUT = 1.0
TOO_SLOW = TIMEOUT + 0.6

GOOD_POSITION = {
    "evidence": ["it would close the north pier for repairs"],
    "actor": "Harbour Board",
    "stance": "Wants the north pier closed for repairs",
}
UNGROUNDED_POSITION = {
    "evidence": ["the board intends to demolish the pier entirely"],
    "actor": "Harbour Board",
    "stance": "Wants the pier demolished",
}
NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def _no_choices() -> Reply:
    body = completion(None)
    body["choices"] = []
    return Reply(body=body)


def _backoff_bounds(retry: int) -> tuple[float, float]:
    """The production backoff before retry number ``retry`` (1-based): 1 s doubling, up to 1 s of jitter."""
    low = 1.0 * 2 ** (retry - 1)
    return min(low, 20.0), min(low + 1.0, 20.0)


def _assert_backoff(sleeps: list[float]) -> None:
    for number, slept in enumerate(sleeps, start=1):
        low, high = _backoff_bounds(number)
        assert low <= slept <= high, f"wait {number} was {slept:.2f} s, policy says {low}..{high} s"


def _assert_valid(summary: Summary, article: str) -> None:
    Summary.model_validate_json(summary.model_dump_json(), context={"article": article})
    assert summary.ungrounded(article) == []


# -- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fault_server:
        yield fault_server


@pytest.fixture(autouse=True)
def _close_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Close every SDK client the summarizers build here, as soon as the test ends.

    ``Summarizer.close`` does not close the ``openai.OpenAI`` it built; the SDK's own reference cycles
    leave it to the garbage collector, which may finalise a pooled socket first: a ResourceWarning,
    an error under ``filterwarnings = error``, in whichever test happens to be running then.
    """
    built: list[openai.OpenAI] = []
    build = client_module.build_openai_client

    def recording(**kwargs: Any) -> openai.OpenAI:
        built.append(build(**kwargs))
        return built[-1]

    monkeypatch.setattr(client_module, "build_openai_client", recording)
    yield
    for client in built:
        client.close()


@pytest.fixture
def recorded_sleeps(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> list[float]:
    """The production retry policy for whatever attempt count the settings give, waits recorded not slept."""

    def recording(policy: int | tenacity.Retrying) -> tenacity.Retrying:
        assert isinstance(policy, int), "the settings pass an attempt count"
        return transient_retrying(policy, sleep=sleeps.append)

    monkeypatch.setattr(client_module, "as_retrying", recording)
    return sleeps


@pytest.fixture
def summarizer_for(server: FakeServer, recorded_sleeps: list[float]):
    """A ``Summarizer`` built the public way (``Settings.resolve``) against the fault server."""

    def build(
        *, retries: int = DEFAULT_ATTEMPTS, reasks: int = 1, store: ResponseStore | None = None, **extra: Any
    ) -> Summarizer:
        settings = Settings.resolve(
            base_url=server.url, model="m", timeout=TIMEOUT, retries=retries, reasks=reasks, **extra
        )
        return Summarizer(settings, response_store=store)

    return build


@pytest.fixture
def article_path(tmp_path: Path, article: str) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(article, encoding="utf-8")
    return path


def _summarize(build: Any, article: str, **settings: Any) -> Summary:
    with build(**settings) as summarizer:
        return summarizer.summarize(article)


# -- transient faults: retried with backoff, then a typed error ---------------------------------------


TRANSIENT_ONCE = {
    "timeout": Delay(TOO_SLOW),
    "429": error(429, "rate limited"),
    "500": error(500, "boom"),
    "503": error(503, "loading model"),
    "502-html": Reply(status=502, body=NGINX_502, headers={"content-type": "text/html"}),
    "reset": Reset(),
    "closed-mid-body": CloseMidBody(),
}


@pytest.mark.parametrize("fault", TRANSIENT_ONCE.values(), ids=TRANSIENT_ONCE.keys())
def test_a_transient_fault_is_retried_once_and_the_summary_is_whole(
    server, summarizer_for, recorded_sleeps, article, fault
):
    server.script("positions", fault)
    summary = _summarize(summarizer_for, article)

    _assert_valid(summary, article)
    assert summary.meta.dropped == []
    assert len(server.requests_for("positions")) == 2
    assert summary.meta.usage.retries == 1 and summary.meta.usage.reasks == 0
    assert summary.meta.usage.calls == 6  # 5 sections + 1 retry
    assert summary.meta.sections["positions"].usage.retries == 1
    assert len(recorded_sleeps) == 1
    _assert_backoff(recorded_sleeps)


@pytest.mark.parametrize(
    ("headers", "waited"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # an HTTP date already past
        ({"retry-after": "soon"}, None),  # unreadable: the policy's own backoff
    ],
    ids=["seconds", "zero", "milliseconds", "http-date", "unreadable"],
)
def test_429_waits_as_long_as_retry_after_says(server, summarizer_for, recorded_sleeps, article, headers, waited):
    server.script("overview", error(429, "slow down", headers=headers))
    summary = _summarize(summarizer_for, article)

    _assert_valid(summary, article)
    assert summary.meta.usage.retries == 1
    if waited is None:
        _assert_backoff(recorded_sleeps)
    else:
        assert recorded_sleeps == [waited]


@pytest.mark.parametrize("retry_after", ["3600", "Wed, 21 Oct 2099 07:28:00 GMT"], ids=["seconds", "http-date"])
def test_a_retry_after_longer_than_we_wait_fails_at_once_and_says_when(
    server, summarizer_for, recorded_sleeps, article, retry_after
):
    server.script("overview", error(429, "quota exhausted", headers={"retry-after": retry_after}))
    with pytest.raises(ModelUnavailableError) as caught:
        _summarize(summarizer_for, article)

    assert recorded_sleeps == []
    assert len(server.requests) == 1
    assert caught.value.attempts == 1 and caught.value.status_code == 429
    message = str(caught.value)
    assert "asked to wait" in message and f"{MAX_RETRY_AFTER_SECONDS:.0f} s" in message and "run again later" in message


PERSISTENT = {
    "500": (error(500, "boom"), "HTTP 500"),
    "503": (error(503, "overloaded"), "HTTP 503"),
    "502-html": (Reply(status=502, body=NGINX_502, headers={"content-type": "text/html"}), "502 Bad Gateway"),
    "reset": (Reset(), "connection error"),
    "closed-mid-body": (CloseMidBody(), "peer closed connection without sending complete message body"),
}


@pytest.mark.parametrize(("fault", "named"), PERSISTENT.values(), ids=PERSISTENT.keys())
def test_a_persistent_fault_uses_the_whole_budget_with_growing_waits(
    server, summarizer_for, recorded_sleeps, article, fault, named
):
    server.script("overview", *[fault] * DEFAULT_ATTEMPTS)
    with pytest.raises(ModelUnavailableError) as caught:
        _summarize(summarizer_for, article)

    assert len(server.requests) == DEFAULT_ATTEMPTS
    assert caught.value.attempts == DEFAULT_ATTEMPTS
    assert len(recorded_sleeps) == DEFAULT_ATTEMPTS - 1
    _assert_backoff(recorded_sleeps)
    assert recorded_sleeps == sorted(recorded_sleeps)
    message = str(caught.value)
    assert "\n" not in message
    assert named in message
    assert f"after {DEFAULT_ATTEMPTS} attempts" in message and server.url in message


def test_an_endpoint_that_never_answers_in_time_ends_in_a_typed_error(server, summarizer_for, recorded_sleeps, article):
    server.script("overview", Delay(TOO_SLOW), Delay(TOO_SLOW))
    with pytest.raises(ModelUnavailableError) as caught:
        _summarize(summarizer_for, article, retries=2)

    assert caught.value.attempts == 2 and caught.value.status_code is None
    assert f"no answer within {TIMEOUT:g} s" in str(caught.value)
    assert "after 2 attempts" in str(caught.value)
    assert len(recorded_sleeps) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_never_retried(server, summarizer_for, recorded_sleeps, article, status):
    server.script("overview", error(status, "invalid api key"))
    with pytest.raises(ModelAuthError) as caught:
        _summarize(summarizer_for, article)

    assert len(server.requests) == 1 and recorded_sleeps == []
    assert caught.value.attempts == 1 and caught.value.status_code == status
    assert f"HTTP {status}" in str(caught.value) and "OPENAI_API_KEY" in str(caught.value)


# -- bodies that are not a chat completion: a typed error, never retried or re-asked -------------------


NOT_A_COMPLETION = {
    "malformed-json": (Reply(body='{"id": "chatcmpl-1", "choices": [{"index": 0, '), "not valid JSON"),
    "empty-body": (Reply(body=""), "not valid JSON"),
    "html-page": (Reply(body="<html><body>Welcome</body></html>", headers={"content-type": "text/html"}), "not JSON"),
    "error-with-200": (Reply(body={"error": {"message": "model is loading"}}), "model is loading"),
    "json-not-completion": (Reply(body={"status": "ok"}), "without a 'choices' list"),
}


@pytest.mark.parametrize(("reply", "named"), NOT_A_COMPLETION.values(), ids=NOT_A_COMPLETION.keys())
def test_a_body_that_is_not_a_chat_completion_is_a_typed_error(
    server, summarizer_for, recorded_sleeps, article, reply, named
):
    server.script("demands", reply)
    with pytest.raises(ModelError) as caught:
        _summarize(summarizer_for, article)

    assert not isinstance(caught.value, ModelAuthError | ModelUnavailableError)
    assert len(server.requests_for("demands")) == 1  # neither retried nor re-asked
    assert recorded_sleeps == []
    assert caught.value.attempts == 1
    message = str(caught.value)
    assert named in message and "\n" not in message
    if "choices" not in named and "loading" not in named:
        assert "--base-url" in message


# -- answers that are unusable: the section (or item) is dropped with the reason ---------------------


def test_an_empty_choices_list_drops_the_section_with_the_reason(server, summarizer_for, recorded_sleeps, article):
    server.script("positions", _no_choices())
    summary = _summarize(summarizer_for, article)

    _assert_valid(summary, article)
    assert summary.positions == []
    (dropped,) = summary.meta.dropped
    assert dropped.section == "positions" and dropped.item is None
    assert "empty 'choices' list" in dropped.reason
    assert len(server.requests_for("positions")) == 1  # nothing to re-ask about, nothing transient
    assert summary.meta.usage.calls == 5 and summary.meta.usage.reasks == 0 and recorded_sleeps == []
    assert summary.meta.sections["positions"].dropped == 1


def test_an_empty_overview_still_gives_a_valid_summary(server, summarizer_for, article):
    server.script("overview", _no_choices())
    server.script("positions", ok({"positions": [GOOD_POSITION]}))
    summary = _summarize(summarizer_for, article)

    _assert_valid(summary, article)
    assert summary.overview == ""
    assert [a.name for a in summary.actors] == ["Harbour Board"]  # named by the section, not the overview
    assert [d.section for d in summary.meta.dropped] == ["overview"]
    assert [p.stance for p in summary.positions] == [GOOD_POSITION["stance"]]


def test_an_answer_cut_off_at_max_tokens_drops_the_section_and_says_what_to_change(
    server, summarizer_for, recorded_sleeps, article
):
    server.script("risks", ok('{"risks": [{"evidence": ["hundreds of jo', finish_reason="length"))
    summary = _summarize(summarizer_for, article, max_tokens=300)

    _assert_valid(summary, article)
    assert summary.risks == []
    (dropped,) = summary.meta.dropped
    assert dropped.section == "risks" and dropped.item is None
    assert "max_tokens=300" in dropped.reason and "--max-tokens" in dropped.reason
    assert len(server.requests_for("risks")) == 1  # the same request would be cut off again
    assert summary.meta.usage.calls == 5 and recorded_sleeps == []


def test_json_that_violates_the_schema_is_reasked_then_dropped_with_the_fields_named(server, summarizer_for, article):
    wrong = ok({"positions": [{"who": "Harbour Board", "evidence": ["it would close the north pier for repairs"]}]})
    server.script("positions", wrong, wrong)
    summary = _summarize(summarizer_for, article, reasks=1)

    _assert_valid(summary, article)
    requests = server.requests_for("positions")
    assert len(requests) == 2
    assert "stance" in requests[1]["messages"][-1]["content"]  # the re-ask shows the validation error
    (dropped,) = summary.meta.dropped
    assert dropped.section == "positions" and dropped.item is None
    assert dropped.reason.startswith("still invalid after 1 re-ask: ")
    assert "positions.0.stance: Field required" in dropped.reason
    assert "errors.pydantic.dev" not in dropped.reason and "\n" not in dropped.reason
    assert summary.meta.usage.reasks == 1 and summary.meta.usage.retries == 0 and summary.meta.usage.calls == 6


def test_a_schema_violation_fixed_on_the_reask_is_kept(server, summarizer_for, article):
    server.script("positions", ok({"positions": [{"actor": "Harbour Board"}]}), ok({"positions": [GOOD_POSITION]}))
    summary = _summarize(summarizer_for, article)

    assert [p.stance for p in summary.positions] == [GOOD_POSITION["stance"]]
    assert summary.meta.dropped == [] and summary.meta.usage.reasks == 1


def test_an_empty_message_is_reasked_then_dropped_as_empty(server, summarizer_for, article):
    server.script("conditions", ok(None), ok(None))
    summary = _summarize(summarizer_for, article)

    (dropped,) = summary.meta.dropped
    assert dropped.section == "conditions"
    assert dropped.reason == "still invalid after 1 re-ask: the answer was empty"


def test_ungrounded_quotes_are_reasked_and_only_the_grounded_items_kept(server, summarizer_for, article):
    answer = ok({"positions": [GOOD_POSITION, UNGROUNDED_POSITION]})
    server.script("positions", answer, answer)
    summary = _summarize(summarizer_for, article)

    _assert_valid(summary, article)
    assert [p.stance for p in summary.positions] == [GOOD_POSITION["stance"]]
    (dropped,) = summary.meta.dropped
    assert dropped.section == "positions"
    assert dropped.item is not None and dropped.item["stance"] == UNGROUNDED_POSITION["stance"]
    assert "the board intends to demolish the pier entirely" in dropped.reason
    reask = server.requests_for("positions")[1]["messages"][-1]["content"]
    assert "not found in the article" in reask
    assert summary.meta.usage.reasks == 1


# -- the CLI: no traceback, one line, details on --verbose ------------------------------------------


CLI_FAILURES = {
    "401": ([error(401, "invalid api key")], "refused the credentials"),
    "500": ([error(500, "boom")] * 2, "kept failing (HTTP 500"),
    "502-html": ([Reply(status=502, body=NGINX_502, headers={"content-type": "text/html"})] * 2, "502 Bad Gateway"),
    "reset": ([Reset()] * 2, "connection error"),
    "closed-mid-body": ([CloseMidBody()] * 2, "peer closed connection"),
    "malformed-json": ([Reply(body="{not json")], "not valid JSON"),
    "429-long-retry-after": ([error(429, "quota", headers={"retry-after": "600"})], "asked to wait 600 s"),
}


@pytest.mark.parametrize(("faults", "named"), CLI_FAILURES.values(), ids=CLI_FAILURES.keys())
def test_the_cli_reports_a_fault_in_one_line_without_a_traceback(
    server, recorded_sleeps, article_path, capsys, faults, named
):
    server.script("overview", *faults)
    argv = ["summarize", str(article_path), "--base-url", server.url, "--model", "m", "-q", "--retries", "2"]
    code, out, err = run_cli(*argv)

    assert code == 1 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("summarizer: error: ") and named in line
    assert "Traceback" not in err
    assert len(server.requests) == len(faults)  # the policy from --retries 2, auth and bad bodies not retried
    assert len(recorded_sleeps) == len(faults) - 1
    leaked = capsys.readouterr()
    assert "Traceback" not in leaked.out + leaked.err


def test_the_cli_prints_details_with_verbose(server, recorded_sleeps, article_path):
    server.script("overview", error(500, "boom"), error(500, "boom"))
    code, out, err = run_cli(
        "summarize", str(article_path), "--base-url", server.url, "--model", "m", "-q", "--retries", "2", "--verbose"
    )

    assert code == 1 and out == ""
    assert "Traceback" in err and "openai.InternalServerError" in err
    assert err.splitlines()[-1].startswith("summarizer: error: the model endpoint kept failing (HTTP 500")


def test_the_cli_survives_a_fault_and_reports_retries_and_drops(server, recorded_sleeps, article_path, article):
    server.script("overview", Reset())
    server.script("risks", _no_choices())
    code, out, err = run_cli("summarize", str(article_path), "--base-url", server.url, "--model", "m")

    assert code == 0, err
    summary = Summary.model_validate_json(out, context={"article": article})
    assert summary.meta.usage.retries == 1
    assert [d.section for d in summary.meta.dropped] == ["risks"]
    assert "1 retries" in err and "1 dropped" in err
    assert "Traceback" not in err and "error" not in err


# -- secrets: the API key reaches the server and nothing else ----------------------------------------


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text


ECHOING = {
    # Servers that echo the refused key (or the request headers) back in the error body.
    "401": ([error(401, f"Incorrect API key provided: {SECRET}")], ModelAuthError),
    "500": ([error(500, f"upstream failed; request had Authorization: Bearer {SECRET}")] * 2, ModelUnavailableError),
}


@pytest.mark.parametrize(("faults", "raised"), ECHOING.values(), ids=ECHOING.keys())
def test_the_api_key_never_appears_in_errors_or_logs(server, summarizer_for, article, caplog, faults, raised):
    caplog.set_level(logging.DEBUG, logger="instructor")  # instructor logs every failed call at ERROR
    server.script("overview", *faults)
    with pytest.raises(raised) as caught:
        _summarize(summarizer_for, article, retries=2, api_key=SECRET)

    assert server.headers[0]["authorization"] == f"Bearer {SECRET}"  # it was sent, so the test means something
    assert "***" in str(caught.value)  # the echo was there, and was redacted
    chained = "".join(traceback.format_exception(caught.value))  # what --verbose prints
    assert "Error code:" in chained and "API call failed" in caplog.text
    _assert_no_secret(str(caught.value), repr(caught.value), chained, caplog.text)


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
@pytest.mark.parametrize("faults", [faults for faults, _ in ECHOING.values()], ids=ECHOING.keys())
def test_the_api_key_never_reaches_the_cli_output(
    server, recorded_sleeps, article_path, monkeypatch, capsys, caplog, faults, verbose
):
    caplog.set_level(logging.DEBUG, logger="instructor")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.delenv("SUMMARIZER_API_KEY", raising=False)
    server.script("overview", *faults)
    argv = ["summarize", str(article_path), "--base-url", server.url, "--model", "m", "--retries", "2"]
    code, out, err = run_cli(*argv, *(["--verbose"] if verbose else []))

    assert code == 1
    assert server.headers[0]["authorization"] == f"Bearer {SECRET}"
    leaked = capsys.readouterr()
    _assert_no_secret(out, err, leaked.out, leaked.err, caplog.text)


def test_the_api_key_never_reaches_the_summary_or_the_recorded_responses(server, summarizer_for, article, tmp_path):
    store_dir = tmp_path / "store"
    server.script("overview", error(503, "warming up"))  # a retried request must not leak it either
    server.script("positions", ok({"positions": [GOOD_POSITION]}))
    with summarizer_for(api_key=SECRET, store=ResponseStore(store_dir, mode="record")) as summarizer:
        assert SECRET not in repr(summarizer.settings)
        summary = summarizer.summarize(article)

    assert {h["authorization"] for h in server.headers} == {f"Bearer {SECRET}"}
    _assert_valid(summary, article)
    written = [path for path in store_dir.rglob("*") if path.is_file()]
    assert len(written) == 1 + len(SECTION_NAMES)  # the overview and one recorded response per section
    _assert_no_secret(summary.model_dump_json(), *(gzip.decompress(path.read_bytes()).decode() for path in written))
