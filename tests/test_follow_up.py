"""The follow-up call: a section answered with one or two items is asked once for more."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.api import Summarizer
from summarizer.config import Settings
from summarizer.readers.sections import FOLLOW_UP_BELOW
from tests.fakes import ScriptedEndpoint, fake_openai_client, ok
from tests.test_pipeline import GOOD_POSITION

STOP_POSITION = {
    "evidence": ["called on the board to keep the pier open"],
    "actor": "Maya Stone",
    "stance": "Wants the pier kept open until the ferry season ends",
}
# The first item again, worded anew: the same evidence span makes it a repeat.
REWORDED_REPEAT = {**GOOD_POSITION, "stance": "Plans to shut the north pier for repair work"}


def run(endpoint: ScriptedEndpoint, article: str, *, follow_up: bool = True):
    settings = Settings.resolve(
        base_url="http://fake.invalid/v1", model="fake-model", follow_up=follow_up, reasks=0
    )
    with Summarizer(settings, client=fake_openai_client(endpoint)) as summarizer:
        return summarizer.summarize(article)


def test_one_item_is_followed_up_once_and_new_items_are_kept_repeats_dropped(article):
    endpoint = ScriptedEndpoint(
        {
            "positions": [
                ok({"positions": [GOOD_POSITION]}),
                ok({"positions": [REWORDED_REPEAT, STOP_POSITION]}),
            ]
        }
    )
    summary = run(endpoint, article)
    first, more = endpoint.requests_for("positions")
    # The follow-up continues the conversation: the same prompt, the model's own answer, then the ask.
    assert more["messages"][:2] == first["messages"]
    assert more["messages"][2]["role"] == "assistant" and "north pier" in more["messages"][2]["content"]
    assert "more POSITIONS" in more["messages"][3]["content"]
    assert [p.stance for p in summary.positions] == [GOOD_POSITION["stance"], STOP_POSITION["stance"]]
    (dropped,) = summary.meta.dropped
    assert dropped.item is not None and dropped.item["stance"] == REWORDED_REPEAT["stance"]
    assert dropped.reason == "duplicate of an earlier item"
    assert summary.meta.sections["positions+more"].kept == 1
    assert summary.meta.sections["positions+more"].dropped == 1
    assert summary.meta.usage.calls == 6
    assert "more" in summary.meta.prompts


@pytest.mark.parametrize("count", [0, FOLLOW_UP_BELOW])
def test_no_follow_up_for_an_empty_or_full_enough_section(article, count):
    items = [{**GOOD_POSITION, "stance": f"Stance number {n}"} for n in range(count)]
    endpoint = ScriptedEndpoint({"positions": [ok({"positions": items})]})
    run(endpoint, article)
    assert len(endpoint.requests_for("positions")) == 1


def test_follow_up_is_off_unless_asked_for(article):
    endpoint = ScriptedEndpoint({"positions": [ok({"positions": [GOOD_POSITION]})]})
    summary = run(endpoint, article, follow_up=False)
    assert len(endpoint.requests_for("positions")) == 1
    assert "positions+more" not in summary.meta.sections


def test_follow_up_defaults_on_for_the_embedded_model_only(tmp_path: Path):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    assert Settings.resolve().follow_up is True
    assert Settings.resolve(model_path=gguf).follow_up is True
    assert Settings.resolve(model_path=gguf, follow_up=False).follow_up is False
    assert Settings.resolve(base_url="http://x.invalid/v1").follow_up is False
    assert Settings.resolve(model="gpt-4o-mini", api_key="k").follow_up is False
