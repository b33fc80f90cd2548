"""Batch input: one JSON object a line, each an article given by its text or a path.

    {"id": "a1", "text": "The article ..."}
    {"id": 2, "path": "articles/two.txt"}          # relative to the input file's folder

A bad line (not JSON, no usable id, an unreadable path, empty text) becomes an item with a ``problem``,
recorded as an error instead of stopping the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import InputError
from summarizer.inputs import check_article, read_article_file, read_file

ItemId = str | int


@dataclass(frozen=True)
class BatchItem:
    """One article to summarise: its ``text``, or a ``path`` to read it from.

    ``problem`` marks an input line that cannot be used; the item is then recorded as an error.
    """

    id: ItemId | None
    text: str | None = None
    path: Path | None = None
    line: int | None = None
    problem: str | None = None

    def __post_init__(self) -> None:
        if self.problem is None and (self.text is None) == (self.path is None):
            raise ValueError(f"item {self.id!r}: give exactly one of text= or path=")
        if self.problem is None and not valid_id(self.id):
            raise ValueError(f"item id must be a non-empty str or an int, got {self.id!r}")

    def load(self) -> str:
        """The article text; ``InputError`` if this item cannot be summarised."""
        if self.problem is not None:
            raise InputError(self.problem)
        if self.text is not None:
            return check_article(self.text)
        assert self.path is not None  # __post_init__ guarantees one of the two
        return read_article_file(self.path)


def read_items(input_path: str | Path) -> list[BatchItem]:
    """The items of a JSON-lines file; unusable lines come back as items with a ``problem``."""
    path = Path(input_path)
    data = read_file(path, "a JSON-lines file").removeprefix(b"\xef\xbb\xbf")
    items = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.strip():
            items.append(_parse_line(raw, number, path.parent))
    return items


def _parse_line(raw: bytes, line: int, folder: Path) -> BatchItem:
    def bad(reason: str, item_id: ItemId | None = None) -> BatchItem:
        return BatchItem(id=item_id, line=line, problem=f"line {line}: {reason}")

    try:
        entry = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return bad("not UTF-8 text")
    except json.JSONDecodeError as error:
        return bad(f"not JSON ({error.msg} at column {error.colno})")
    if not isinstance(entry, dict):
        return bad(f'not a JSON object but {type(entry).__name__}; write {{"id": ..., "text": ...}}')
    if "id" not in entry:
        return bad('no "id"')
    item_id = entry["id"]
    if not valid_id(item_id):
        return bad(f'"id" must be a non-empty string or an integer, got {json.dumps(item_id)}')
    text, where = entry.get("text"), entry.get("path")
    if (text is None) == (where is None):
        return bad('give exactly one of "text" or "path"', item_id)
    if text is not None:
        if not isinstance(text, str):
            return bad(f'"text" must be a string, got {type(text).__name__}', item_id)
        return BatchItem(id=item_id, text=text, line=line)
    if not isinstance(where, str) or not where:
        return bad('"path" must be a non-empty string', item_id)
    return BatchItem(id=item_id, path=folder / where, line=line)


def valid_id(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value != "")
