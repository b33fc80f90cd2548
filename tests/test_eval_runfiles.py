"""The typed run files: the bytes the runner writes, lossless reading, lenient reading, older folders.

``data/run_format`` holds two tiny gold articles, the fake model's answers (a missing answer is a
failed run), and ``expected/``: the run files as the runner wrote them before the files were typed.
The runner must keep writing exactly those bytes (new keys may be added at the end of metrics.json,
and are then added to ``expected/`` too).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from summarizer.errors import ModelUnavailableError
from summarizer.evals import runner
from summarizer.evals.cli import format_run
from summarizer.evals.embedder import HashingEmbedder
from summarizer.evals.matching import SoftMatcher, StrictMatcher
from summarizer.evals.runfiles import (
    LENIENT,
    AnnotationRecord,
    ArticleMetrics,
    ArticleRecord,
    ItemRecord,
    PRFBlock,
    RunF1,
    RunMetrics,
    UsageMeans,
    read_article,
    read_metrics,
)
from summarizer.schemas import SECTIONS, Summary

DATA = Path(__file__).parent / "data" / "run_format"
EXPECTED = DATA / "expected"
LEGACY = Path(__file__).parent / "data" / "report_run"
VERSION = "0.0.0+fixture"


def _replayed() -> Any:
    """summarize(text): the answer file of this article's next call, or a failure when there is none."""
    texts = {(folder / "article.txt").read_text(encoding="utf-8"): folder.name for folder in (DATA / "gold").iterdir()}
    calls: dict[str, int] = {}

    def summarize(text: str) -> Summary:
        article_id = texts[text]
        call = calls[article_id] = calls.get(article_id, -1) + 1
        answer = DATA / "answers" / f"{article_id}.run{call}.json"
        if not answer.is_file():
            raise ModelUnavailableError("connection refused <after 3 attempts>", attempts=3)
        return Summary.model_validate_json(answer.read_text(encoding="utf-8"))

    return summarize


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "__version__", VERSION)
        matchers = [StrictMatcher(), SoftMatcher(HashingEmbedder())]
        runner.evaluate([DATA / "gold"], out, _replayed(), runs=2, matchers=matchers)
    return out


def _expected_files() -> list[Path]:
    return [EXPECTED / "metrics.json", *sorted((EXPECTED / "articles").glob("*.json"))]


def _dump(record: RunMetrics | ArticleRecord) -> str:
    return json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("expected", _expected_files(), ids=lambda path: path.name)
def test_the_runner_writes_the_same_bytes(run: Path, expected: Path) -> None:
    written = run / expected.relative_to(EXPECTED)
    assert written.read_text(encoding="utf-8") == expected.read_text(encoding="utf-8")


def test_the_fixture_exercises_every_kind_of_outcome(run: Path) -> None:
    metrics = read_metrics(run / "metrics.json")
    harbour, ferry = read_article(run / "articles" / "harbour.json"), read_article(run / "articles" / "ferry.json")
    assert harbour.matches["strict"]["demands"].missed == [0] and harbour.matches["strict"]["risks"].spurious == [1]
    assert ferry.matches["soft"]["conditions"].pairs == [] and ferry.matches["strict"]["conditions"].pairs != []
    assert metrics.articles["ferry"].errors[0].error.startswith("ModelUnavailableError")
    assert metrics.grounded_rate is not None and metrics.grounded_rate < 1.0
    assert ferry.gold.notes == "Ünïcode ‘quotes’ stay as they are."  # written as UTF-8, not escaped


def test_items_without_a_confidence_write_no_confidence_block(run: Path) -> None:
    answers = [json.loads(path.read_text(encoding="utf-8")) for path in (DATA / "answers").glob("*.json")]
    assert all(item.get("confidence") is None for answer in answers for s in SECTIONS for item in answer[s])
    metrics = read_metrics(run / "metrics.json")
    assert metrics.confidence is None and '"confidence"' not in (run / "metrics.json").read_text(encoding="utf-8")
    assert "calibration error" not in format_run(metrics)  # the bytes themselves: test_the_runner_writes_the_same_bytes


@pytest.mark.parametrize("path", _expected_files(), ids=lambda path: path.name)
def test_reading_and_writing_back_is_lossless(path: Path) -> None:
    record = read_metrics(path) if path.name == "metrics.json" else read_article(path)
    assert _dump(record) == path.read_text(encoding="utf-8")


def test_per_matcher_keys_stand_in_their_place() -> None:
    entry = ArticleMetrics(
        f1={"strict": 0.5, "soft": 0.75},
        scores={"strict": PRFBlock(f1=0.5), "soft": PRFBlock(f1=0.75)},
        usage=UsageMeans(tokens=10.0),
        runs=[RunF1(run=0, valid=True, f1={"strict": 0.5})],
    )
    data = entry.model_dump(mode="json")
    assert list(data)[:5] == ["strict_f1", "soft_f1", "sections", "strict", "soft"]
    assert list(data)[-9:] == [*UsageMeans.model_fields, "runs"]
    assert data["runs"] == [{"run": 0, "valid": True, "strict_f1": 0.5}]
    assert RunF1(run=1, f1={"soft": 0.2}).model_dump() == {"run": 1, "soft_f1": 0.2}  # no "valid" in per_run
    assert ArticleMetrics.model_validate(data) == entry


def test_annotations_keep_their_keys_and_order() -> None:
    raw = {"overview": "o", "meta": {"seconds": 2, "future": [1]}, "risks": [{"risk": "r", "raised_by": "A"}]}
    record = AnnotationRecord.model_validate(raw)
    assert record.model_dump(mode="json") == raw and list(record.model_dump()) == list(raw)
    assert record.meta is not None and record.meta.seconds == 2 and isinstance(record.meta.seconds, int)
    assert SECTIONS["risks"].text(record.risks[0]) == "r"


def test_every_item_field_of_every_section_is_read() -> None:
    for section in SECTIONS.values():
        assert set(section.item_model.model_fields) <= set(ItemRecord.model_fields), section.name


def test_malformed_values_read_as_defaults() -> None:
    raw = {
        "article_id": "odd",
        "text": 7,
        "gold": {"positions": "not a list", "risks": [None, {"risk": 3, "evidence": ["q", 5, {"start": -1}]}]},
        "prediction": [],
        "matches": {"strict": {"risks": {"pairs": [{"gold": True, "pred": 0, "score": float("nan")}], "missed": "x"}}},
        "metrics": {"strict": {"risks": {"f1": "n/a", "recall": 0.5}}},
        "coverage": {"risks": 3},
    }
    record = ArticleRecord.model_validate(raw, context=LENIENT)
    assert (record.article_id, record.text, record.gold.positions) == ("odd", "", [])
    first, second = record.gold.risks  # an item that is not an object keeps its place, empty
    assert first.risk == "" and second.risk == ""
    assert second.evidence[0] == "q" and second.evidence[1].start is None and second.evidence[2].start is None
    assert record.prediction is not None and record.prediction.positions == []
    match = record.matches["strict"]["risks"]
    assert (match.pairs[0].gold, match.pairs[0].pred, match.pairs[0].score, match.missed) == (None, 0, None, [])
    assert (record.metrics["strict"]["risks"].f1, record.metrics["strict"]["risks"].recall) == (None, 0.5)
    assert record.coverage["risks"].rate is None
    with pytest.raises(ValidationError):  # the runner's writes are checked strictly
        ArticleRecord.model_validate(raw)


def test_a_folder_of_an_older_version_reads(tmp_path: Path) -> None:
    metrics = read_metrics(LEGACY / "metrics.json")
    assert metrics.overall["strict"].f1 == 0.4444 and metrics.overall["strict"].counts() is None
    entry = metrics.articles["harbour-ferry-mini"]
    assert entry.f1 == {"strict": 0.5333, "soft": 0.75} and entry.usage.prompt_tokens == 8062.0
    assert entry.model_extra == {"grounded": True}  # a key this version does not write is kept
    assert metrics.model_extra == {"model": "fixture-model"} and metrics.f1_interval is None
    failed = read_article(LEGACY / "articles" / "pier-failed.json")
    assert failed.prediction is None and failed.gold.positions[0].evidence == ["Residents object to the noise"]
    (tmp_path / "list.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="not an object"):
        read_metrics(tmp_path / "list.json")
