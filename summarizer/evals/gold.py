"""Load and validate hand-labelled gold annotations (``<article_id>/article.txt`` + ``gold.json``).

The format is described in ``GOLD_FORMAT.md``: field names are the output schema's, evidence may be a
plain string (located here: exact substring, first occurrence) or a ``{"quote", "start", "end"}``
object, and extra keys are allowed and ignored. Every failure raises ``GoldError`` naming the file,
the item (``positions[3]``) and the reason, so a broken annotation is fixed in one look.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from summarizer.errors import SummarizerError
from summarizer.evals.aliases import AliasResolver
from summarizer.schemas import SECTION_NAMES, SECTIONS, Evidence

ARTICLE_FILE = "article.txt"
GOLD_FILE = "gold.json"


class GoldError(SummarizerError, ValueError):
    """A gold annotation cannot be used; ``path``, ``item`` (or ``None``) and ``reason`` say why."""

    def __init__(self, path: Path | str, item: str | None, reason: str) -> None:
        where = f"{path}: {item}" if item else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.item = item
        self.reason = reason


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GoldActor(_Lenient):
    """An actor of the annotation: canonical name and the other ways the article names them."""

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)


class _GoldItem(_Lenient):
    @field_validator("evidence", mode="before", check_fields=False)
    @classmethod
    def _locate_strings(cls, value: Any, info: ValidationInfo) -> Any:
        """Plain-string evidence becomes a span: the first exact occurrence in the article."""
        article = info.context.get("article") if isinstance(info.context, dict) else None
        if not isinstance(value, list) or not isinstance(article, str):
            return value
        located: list[Any] = []
        for quote in value:
            if isinstance(quote, str):
                start = article.find(quote) if quote else -1
                if start < 0:
                    raise ValueError(f"evidence {quote!r} is not a substring of the article")
                located.append({"quote": quote, "start": start, "end": start + len(quote)})
            else:
                located.append(quote)
        return located


class GoldPosition(_GoldItem):
    actor: str
    stance: str = Field(min_length=1)
    evidence: list[Evidence] = Field(min_length=1)


class GoldDemand(_GoldItem):
    actor: str
    addressee: str
    demand: str = Field(min_length=1)
    evidence: list[Evidence] = Field(min_length=1)


class GoldCondition(_GoldItem):
    actor: str
    action: str = Field(min_length=1)
    condition: str = Field(min_length=1)
    evidence: list[Evidence] = Field(min_length=1)


class GoldRisk(_GoldItem):
    raised_by: str
    risk: str = Field(min_length=1)
    evidence: list[Evidence] = Field(min_length=1)


class Gold(_Lenient):
    """One annotation of one article, evidence resolved to spans."""

    article_id: str = Field(min_length=1)
    annotator: str | None = None
    notes: str | None = None
    actors: list[GoldActor] = Field(default_factory=list)
    positions: list[GoldPosition] = Field(default_factory=list)
    demands: list[GoldDemand] = Field(default_factory=list)
    conditions: list[GoldCondition] = Field(default_factory=list)
    risks: list[GoldRisk] = Field(default_factory=list)


@dataclass(frozen=True)
class GoldArticle:
    """An article folder: its id, its text and its validated gold annotation."""

    article_id: str
    text: str
    gold: Gold
    folder: Path


def _item_label(loc: Sequence[int | str]) -> str | None:
    """``('positions', 3, 'evidence', 0)`` -> ``positions[3].evidence[0]``."""
    label = ""
    for part in loc:
        label += f"[{part}]" if isinstance(part, int) else (f".{part}" if label else str(part))
    return label or None


def _check_actors(gold: Gold, path: Path) -> None:
    resolver = AliasResolver(gold.actors)
    for section in SECTION_NAMES:
        for index, item in enumerate(getattr(gold, section)):
            for field in SECTIONS[section].actor_fields:
                name = getattr(item, field)
                if not resolver.knows(name):
                    raise GoldError(
                        path,
                        f"{section}[{index}]",
                        f"{field} {name!r} is not an actor name or alias in 'actors', nor 'article'/'unspecified'",
                    )


def parse_gold(raw: str, article: str, path: Path | str) -> Gold:
    """Validate the text of a gold file against ``article``; ``GoldError`` on any problem."""
    path = Path(path)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise GoldError(
            path, None, f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from error
    if not isinstance(data, dict):
        raise GoldError(path, None, f"the top level must be a JSON object, got {type(data).__name__}")
    try:
        gold = Gold.model_validate(data, context={"article": article})
    except ValidationError as error:
        first = error.errors()[0]
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise GoldError(path, _item_label(first["loc"]), reason) from error
    _check_actors(gold, path)
    return gold


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise GoldError(path, None, "no such file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise GoldError(path, None, f"cannot be read as UTF-8 text ({error})") from error


def load_gold_file(path: Path | str, article: str) -> Gold:
    """Load one gold JSON file (e.g. a second annotator's) against the article text it annotates."""
    path = Path(path)
    return parse_gold(_read_text(path), article, path)


def load_gold_dir(folder: Path | str) -> GoldArticle:
    """Load ``folder/article.txt`` and ``folder/gold.json``; the folder name is the article id."""
    folder = Path(folder)
    text = _read_text(folder / ARTICLE_FILE)
    gold = load_gold_file(folder / GOLD_FILE, text)
    return GoldArticle(article_id=gold.article_id, text=text, gold=gold, folder=folder)


#: The gold splits (``evals/gold/README.md``): ``dev`` is tuned on (leave-one-article-out), ``test`` is
#: scored once with a frozen configuration.
SPLITS = ("dev", "test")
#: Where ``summarizer eval dev`` looks for the split folders, relative to the working directory.
DEFAULT_GOLD_ROOT = Path("evals") / "gold"


def find_gold_dirs(paths: Iterable[Path | str], *, gold_root: Path | str = DEFAULT_GOLD_ROOT) -> list[Path]:
    """Article folders named by ``paths``: each an article folder, a folder holding article folders at
    any depth (``evals/gold`` holds ``dev/`` and ``test/``), or a split name (``dev``, ``test``) that is
    not a folder here, looked up under ``gold_root``."""
    found: list[Path] = []
    for entry in map(Path, paths):
        if not entry.exists() and str(entry) in SPLITS:
            entry = Path(gold_root) / entry
        if (entry / GOLD_FILE).is_file():
            found.append(entry)
        elif entry.is_dir():
            children = sorted(gold.parent for gold in entry.rglob(GOLD_FILE) if (gold.parent / ARTICLE_FILE).is_file())
            if not children:
                raise GoldError(entry, None, f"holds no {GOLD_FILE}, nor any folder with one")
            found.extend(children)
        elif str(entry).endswith(tuple(SPLITS)):
            raise GoldError(entry, None, f"no such split folder (splits live under {gold_root}/)")
        else:
            raise GoldError(entry, None, "no such folder")
    return found
