"""A third way of reading is one new class and one line in ``summarizer.readers.READERS``."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import BaseModel

from summarizer.api import Summarizer
from summarizer.cli import build_parser
from summarizer.config import Settings
from summarizer.drafts import PositionsDraft, section_items
from summarizer.errors import ConfigError
from summarizer.prompts import PromptLibrary
from summarizer.readers import READERS, make_reader, strategies
from summarizer.readers.base import Call, PlannedRequest, ReadContext, Reading
from summarizer.schemas import SECTION_NAMES
from tests.fakes import ScriptedEndpoint, fake_openai_client, ok

OVERVIEW = {"overview": "A pier closes.", "actors": [{"name": "Harbour Board", "aliases": ["the board"]}]}
POSITION = {"evidence": ["it would close the north pier"], "actor": "the board", "stance": "Will close the pier"}


class ToyReader:
    """Reads only positions, in one call over the whole article (the positions prompt of ``sections``)."""

    name: ClassVar[str] = "toy"
    templates: ClassVar[tuple[str, ...]] = ("positions", "_fields")

    def requests(self, prompts: PromptLibrary, actors: list[str]) -> list[PlannedRequest]:
        return [PlannedRequest(self._user(prompts, actors), PositionsDraft)]

    def schemas(self) -> dict[str, type[BaseModel]]:
        return {"positions": PositionsDraft}

    def read(self, context: ReadContext) -> Reading:
        chunk = context.chunks[0]
        user = self._user(context.prompts, context.actor_names)
        answer = context.caller.call(Call("toy", "positions", context.systems[0], user, PositionsDraft, chunk.text))
        positions = [d.to_item(context.index.resolve) for d in section_items(answer.value)] if answer.value else []
        return Reading({name: positions if name == "positions" else [] for name in SECTION_NAMES})

    @staticmethod
    def _user(prompts: PromptLibrary, actors: list[str]) -> str:
        fields = [{"name": "stance", "description": "the position"}]
        return prompts.get("positions").render(actors=actors, fields=fields, max_items=3)


@pytest.fixture
def toy_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(READERS, "toy", lambda **_: ToyReader())  # the one line


def test_a_registered_reader_is_a_strategy_everywhere(toy_registered, article):
    assert "toy" in strategies()
    assert isinstance(make_reader("toy"), ToyReader)
    parser = build_parser()
    args = parser.parse_args(["summarize", "a.txt", "--strategy", "toy"])
    assert args.strategy == "toy"
    settings = Settings.resolve(base_url="http://fake.invalid/v1", model="fake", strategy="toy")
    endpoint = ScriptedEndpoint({"overview": [ok(OVERVIEW)], "positions": [ok({"positions": [POSITION]})]})
    with Summarizer(settings, client=fake_openai_client(endpoint)) as summarizer:
        summary = summarizer.summarize(article)
    assert summary.meta.strategy == "toy"
    assert [(p.actor, p.stance) for p in summary.positions] == [("Harbour Board", "Will close the pier")]
    assert summary.meta.sections["toy"].usage.calls == 1 and len(endpoint.requests) == 2


def test_an_unregistered_strategy_is_a_config_error():
    with pytest.raises(ConfigError, match=r"strategy must be one of .*, got 'toy'"):
        Settings.resolve(strategy="toy")
