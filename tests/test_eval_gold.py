"""Gold loading: every shipped annotation validates; every kind of mistake is named precisely."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.errors import SummarizerError
from summarizer.evals.gold import GoldError, find_gold_dirs, load_gold_dir, load_gold_file, parse_gold

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "evals" / "gold"
SEED_DIR = GOLD_DIR / "dev" / "blinken-gaza-ceasefire"
ANALYST_B = ROOT / "evals" / "agreement" / "blinken-gaza-ceasefire.analyst-b.json"
PARAPHRASED = ROOT / "tests" / "data" / "seed_gold_paraphrased.json"

ARTICLE = "The guild rejected the night timetable. The office warned that commuters could be stranded."


def _gold(**overrides: Any) -> dict[str, Any]:
    gold: dict[str, Any] = {
        "article_id": "mini",
        "actors": [{"name": "Ferry Workers Guild", "aliases": ["the guild"]}, {"name": "Transport office"}],
        "positions": [
            {
                "actor": "the guild",
                "stance": "Opposes the night timetable",
                "evidence": ["rejected the night timetable"],
            }
        ],
        "demands": [],
        "conditions": [],
        "risks": [{"raised_by": "Transport office", "risk": "Stranded commuters", "evidence": ["commuters could"]}],
    }
    gold.update(overrides)
    return gold


def _parse(data: Any) -> Any:
    return parse_gold(json.dumps(data), ARTICLE, "mini/gold.json")


def test_all_shipped_gold_folders_load() -> None:
    folders = find_gold_dirs([GOLD_DIR])
    assert folders == sorted(f.parent for f in GOLD_DIR.glob("*/*/gold.json"))
    assert {f.parent.name for f in folders} == {"dev", "test"}
    assert len(folders) == 12 and sum(f.parent.name == "test" for f in folders) == 4
    for folder in folders:
        article = load_gold_dir(folder)
        assert article.article_id == folder.name
        for section in ("positions", "demands", "conditions", "risks"):
            for item in getattr(article.gold, section):
                for ev in item.evidence:
                    assert article.text[ev.start : ev.end] == ev.quote


def test_second_annotator_and_paraphrase_load_against_the_seed_article() -> None:
    text = load_gold_dir(SEED_DIR).text
    b = load_gold_file(ANALYST_B, text)
    paraphrased = load_gold_file(PARAPHRASED, text)
    assert b.annotator == "analyst-b"
    assert len(paraphrased.positions) == 25


def test_string_evidence_is_located_at_its_first_occurrence() -> None:
    article = "He said no. Then he said no again."
    data = {"article_id": "a", "actors": [{"name": "He"}]}
    data["positions"] = [{"actor": "He", "stance": "No", "evidence": ["said no"]}]
    gold = parse_gold(json.dumps(data), article, "g.json")
    ev = gold.positions[0].evidence[0]
    assert (ev.start, ev.end, ev.quote) == (3, 10, "said no")


def test_object_evidence_is_checked_against_the_article() -> None:
    good = {"quote": "night timetable", "start": 23, "end": 38}
    gold = _parse(_gold(positions=[{"actor": "the guild", "stance": "Opposes it", "evidence": [good]}]))
    assert gold.positions[0].evidence[0].start == 23
    bad = {"quote": "night timetable", "start": 0, "end": 15}
    with pytest.raises(GoldError) as caught:
        _parse(_gold(positions=[{"actor": "the guild", "stance": "Opposes it", "evidence": [bad]}]))
    assert caught.value.item == "positions[0].evidence[0]"


def test_extra_keys_are_ignored() -> None:
    data = _gold(reviewer="x")
    data["positions"][0]["implied"] = True
    data["actors"][0]["kind"] = "union"
    gold = _parse(data)
    assert gold.positions[0].stance == "Opposes the night timetable"


def test_invalid_json_names_the_file() -> None:
    with pytest.raises(GoldError) as caught:
        parse_gold("{not json", ARTICLE, "mini/gold.json")
    assert isinstance(caught.value, SummarizerError)
    assert str(caught.value).startswith("mini/gold.json: not valid JSON")
    assert caught.value.item is None


def test_top_level_must_be_an_object() -> None:
    with pytest.raises(GoldError, match="top level must be a JSON object"):
        parse_gold("[]", ARTICLE, "g.json")


def test_schema_error_names_section_index_and_field() -> None:
    data = _gold()
    del data["positions"][0]["stance"]
    with pytest.raises(GoldError) as caught:
        _parse(data)
    assert caught.value.item == "positions[0].stance"
    assert "mini/gold.json: positions[0].stance:" in str(caught.value)


def test_evidence_not_in_the_article_is_named() -> None:
    data = _gold()
    data["risks"][0]["evidence"] = ["commuters would be stranded"]
    with pytest.raises(GoldError) as caught:
        _parse(data)
    assert caught.value.item == "risks[0].evidence"
    assert "'commuters would be stranded' is not a substring of the article" in caught.value.reason


def test_empty_evidence_list_is_rejected() -> None:
    data = _gold()
    data["positions"][0]["evidence"] = []
    with pytest.raises(GoldError, match=r"positions\[0\]\.evidence"):
        _parse(data)


@pytest.mark.parametrize(
    ("section", "item", "field"),
    [
        ("positions", {"actor": "The Mayor", "stance": "x", "evidence": ["the night"]}, "actor"),
        (
            "demands",
            {"actor": "the guild", "addressee": "Harbour Board", "demand": "x", "evidence": ["the night"]},
            "addressee",
        ),
        ("risks", {"raised_by": "Someone", "risk": "x", "evidence": ["the night"]}, "raised_by"),
    ],
)
def test_unknown_actor_names_are_rejected(section: str, item: dict[str, Any], field: str) -> None:
    data = _gold(**{section: [item]})
    with pytest.raises(GoldError) as caught:
        _parse(data)
    assert caught.value.item == f"{section}[0]"
    assert caught.value.reason.startswith(f"{field} ")
    assert "not an actor name or alias" in caught.value.reason


def test_special_names_and_aliases_resolve() -> None:
    data = _gold(
        demands=[{"actor": "The Guild", "addressee": "unspecified", "demand": "x", "evidence": ["the night"]}],
        risks=[{"raised_by": "article", "risk": "x", "evidence": ["the night"]}],
    )
    assert _parse(data).demands[0].addressee == "unspecified"


def test_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(GoldError, match="no such file"):
        load_gold_dir(tmp_path)
    with pytest.raises(GoldError, match="no such folder"):
        find_gold_dirs([tmp_path / "absent"])
    with pytest.raises(GoldError, match=r"holds no gold\.json"):
        find_gold_dirs([tmp_path])
