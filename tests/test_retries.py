"""Transient faults are retried with backoff; credentials errors never are."""

from __future__ import annotations

import httpx2
import pytest

from summarizer.errors import ModelAuthError, ModelError, ModelUnavailableError
from tests.fakes import EMPTY_ANSWERS, Reply, ScriptedEndpoint, error, ok


def _positions_endpoint(*first: Reply) -> ScriptedEndpoint:
    return ScriptedEndpoint({"overview": [*first, ok(EMPTY_ANSWERS["overview"])]})


@pytest.mark.parametrize(
    "fault",
    [
        error(429, "slow down"),
        error(500, "boom"),
        error(503, "unavailable"),
        Reply(raises=httpx2.ReadTimeout("timed out")),
        Reply(raises=httpx2.ConnectError("refused")),
    ],
    ids=["429", "500", "503", "timeout", "connection"],
)
def test_a_transient_fault_is_retried_and_counted(make_summarizer, article, sleeps, fault):
    endpoint = _positions_endpoint(fault)
    with make_summarizer(endpoint) as summarizer:
        summary = summarizer.summarize(article)
    assert len(endpoint.requests_for("overview")) == 2
    assert summary.meta.usage.retries == 1
    assert summary.meta.usage.calls == 6  # 5 sections + 1 retry
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 4


def test_retry_after_is_honoured(make_summarizer, article, sleeps):
    endpoint = _positions_endpoint(error(429, "slow down", headers={"retry-after": "2"}))
    with make_summarizer(endpoint) as summarizer:
        summarizer.summarize(article)
    assert sleeps == [2.0]


def test_backoff_grows_and_the_budget_ends_in_a_typed_error(make_summarizer, article, sleeps):
    endpoint = ScriptedEndpoint({"overview": [error(500)] * 4})
    with make_summarizer(endpoint, attempts=4) as summarizer, pytest.raises(ModelUnavailableError) as caught:
        summarizer.summarize(article)
    assert len(endpoint.requests) == 4
    assert len(sleeps) == 3
    assert sleeps[2] > sleeps[0]
    assert caught.value.status_code == 500
    assert "after 4 attempts" in str(caught.value)


@pytest.mark.parametrize("status", [401, 403])
def test_credentials_errors_are_never_retried(make_summarizer, article, sleeps, status):
    endpoint = ScriptedEndpoint({"overview": [error(status, "bad key")]})
    with make_summarizer(endpoint) as summarizer, pytest.raises(ModelAuthError) as caught:
        summarizer.summarize(article)
    assert len(endpoint.requests) == 1
    assert sleeps == []
    assert caught.value.status_code == status
    assert "sk-test-secret-key" not in str(caught.value)


def test_a_bad_request_is_not_retried(make_summarizer, article, sleeps):
    endpoint = ScriptedEndpoint({"overview": [error(400, "context length exceeded")]})
    with make_summarizer(endpoint) as summarizer, pytest.raises(ModelError) as caught:
        summarizer.summarize(article)
    assert not isinstance(caught.value, ModelAuthError | ModelUnavailableError)
    assert len(endpoint.requests) == 1 and sleeps == []
    assert "400" in str(caught.value)
