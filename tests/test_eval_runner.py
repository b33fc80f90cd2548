"""The runner end to end with fake summarize callables: files written, keys present, failures recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from summarizer.errors import ModelUnavailableError, ReplayMissError
from summarizer.evals.embedder import HashingEmbedder
from summarizer.evals.gold import Gold, load_gold_dir
from summarizer.evals.matching import SoftMatcher, StrictMatcher
from summarizer.evals.runner import evaluate
from summarizer.schemas import SECTION_NAMES, DroppedItem, Meta, Summary, Usage

GOLD_DIR = Path(__file__).resolve().parents[1] / "evals" / "gold" / "dev"
GOLDS = {folder.name: load_gold_dir(folder) for folder in sorted(GOLD_DIR.iterdir()) if folder.is_dir()}
ARTICLE_KEYS = {"article_id", "text", "gold", "prediction", "error", "matches", "metrics", "coverage"}


def _meta(text: str, *, prompt_tokens: int = 1000, seconds: float = 12.5, dropped: int = 1) -> Meta:
    return Meta(
        summarizer_version="test",
        model="fake",
        backend="custom",
        base_url=None,
        article_sha256="0" * 64,
        article_chars=len(text),
        prompts={},
        schema_sha256="0" * 64,
        sampling={},
        usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=200, calls=5, retries=2),
        sections={},
        seconds=seconds,
        dropped=[DroppedItem(section="risks", item=None, reason="test")] * dropped,
    )


def gold_as_summary(gold: Gold, text: str, keep: int | None = None) -> Summary:
    """The gold annotation as a Summary (optionally only the first ``keep`` items of each section)."""
    data: dict[str, Any] = gold.model_dump(mode="json", include={"actors", *SECTION_NAMES})
    for section in SECTION_NAMES:
        data[section] = data[section][:keep]
    return Summary.model_validate({"overview": "fake", **data, "meta": _meta(text).model_dump()})


def _by_text(factory: Callable[[str, Gold, int], Summary]) -> Callable[[str], Summary]:
    """A summarize(text) that finds the article's gold by its text and counts calls per article."""
    calls: dict[str, int] = {}

    def summarize(text: str) -> Summary:
        article = next(a for a in GOLDS.values() if a.text == text)
        calls[article.article_id] = calls.get(article.article_id, 0) + 1
        return factory(article.article_id, article.gold, calls[article.article_id] - 1)

    return summarize


def _matchers() -> list[Any]:
    return [StrictMatcher(), SoftMatcher(HashingEmbedder())]


def _fake(article_id: str, gold: Gold, call: int) -> Summary:
    text = GOLDS[article_id].text
    if article_id == "blinken-gaza-ceasefire":
        return gold_as_summary(gold, text)  # perfect
    if article_id == "rail-signallers-strike":
        raise ModelUnavailableError("the endpoint kept failing", attempts=3)
    if article_id == "steel-tariff-talks":
        return gold_as_summary(gold, text, keep=2 if call == 0 else 0)  # partial, then empty
    return gold_as_summary(gold, text, keep=1)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], list[str]]:
    out = tmp_path_factory.mktemp("run")
    messages: list[str] = []
    metrics = evaluate([GOLD_DIR], out, _by_text(_fake), runs=2, progress=messages.append, matchers=_matchers())
    return out, metrics.model_dump(mode="json"), messages


def test_metrics_json_has_the_documented_keys(run: tuple[Path, dict[str, Any], list[str]]) -> None:
    out, metrics, _ = run
    assert json.loads((out / "metrics.json").read_text(encoding="utf-8")) == metrics
    for matcher in ("strict", "soft"):
        assert set(metrics["overall"][matcher]) >= {"precision", "recall", "f1", "many_to_one"}
        for section in SECTION_NAMES:
            assert set(metrics["sections"][section][matcher]) >= {"precision", "recall", "f1"}
        assert matcher in metrics["f1_std"]
    assert metrics["runs"] == 2
    assert set(metrics["articles"]) == set(GOLDS)
    for entry in metrics["articles"].values():
        assert {"strict_f1", "soft_f1", "sections", "grounded_rate", "schema_valid_rate"} <= set(entry)
        assert {"tokens", "latency_s", "retries", "dropped"} <= set(entry)
        assert set(entry["sections"]) == set(SECTION_NAMES)
        assert set(entry["coverage"]["sections"]) == set(SECTION_NAMES)
    assert set(metrics["coverage"]) == {"overall", "sections"}
    assert set(metrics["coverage"]["overall"]) == {"rate", "covered", "gold"}


def test_metrics_values(run: tuple[Path, dict[str, Any], list[str]]) -> None:
    _, metrics, _ = run
    articles = metrics["articles"]
    assert articles["blinken-gaza-ceasefire"]["strict_f1"] == 1.0
    assert articles["blinken-gaza-ceasefire"]["soft_f1"] == 1.0
    assert articles["blinken-gaza-ceasefire"]["grounded_rate"] == 1.0
    assert articles["blinken-gaza-ceasefire"]["tokens"] == 1200
    assert articles["blinken-gaza-ceasefire"]["latency_s"] == 12.5
    assert articles["blinken-gaza-ceasefire"]["retries"] == 2
    assert articles["blinken-gaza-ceasefire"]["dropped"] == 1
    failed = articles["rail-signallers-strike"]
    assert failed["strict_f1"] == 0.0 and failed["schema_valid_rate"] == 0.0
    assert failed["tokens"] is None
    assert failed["errors"][0]["error"].startswith("ModelUnavailableError: the endpoint kept failing")
    runs = 2 * len(GOLDS)
    assert metrics["schema_valid_rate"] == round((runs - 2) / runs, 4)  # rail's two runs failed
    assert metrics["grounded_rate"] == 1.0
    steel = articles["steel-tariff-talks"]
    assert [r["strict_f1"] for r in steel["runs"]][1] == 0.0 < steel["runs"][0]["strict_f1"]
    assert metrics["f1_std"]["strict"] > 0.0  # run 0 and run 1 differ on steel
    assert metrics["overall"]["strict"]["n_gold"] == 2 * sum(
        len(getattr(a.gold, s)) for a in GOLDS.values() for s in SECTION_NAMES
    )
    assert metrics["evidence_overlap"]["strict"]["iou"] == 1.0  # predictions copy the gold spans
    # The gold as a prediction covers every gold item; the failed article covers none.
    assert articles["blinken-gaza-ceasefire"]["coverage"]["overall"]["rate"] == 1.0
    assert failed["coverage"]["overall"]["covered"] == 0 < failed["coverage"]["overall"]["gold"]


def test_prediction_files(run: tuple[Path, dict[str, Any], list[str]]) -> None:
    out, _, _ = run
    names = sorted(p.name for p in (out / "predictions").iterdir())
    assert "blinken-gaza-ceasefire.run0.json" in names and "blinken-gaza-ceasefire.run1.json" in names
    assert not any(name.startswith("rail-signallers-strike") for name in names)
    Summary.model_validate_json((out / "predictions" / "steel-tariff-talks.run0.json").read_text(encoding="utf-8"))


def test_article_files_have_exactly_the_report_shape(run: tuple[Path, dict[str, Any], list[str]]) -> None:
    out, _, _ = run
    for article_id, gold_article in GOLDS.items():
        data = json.loads((out / "articles" / f"{article_id}.json").read_text(encoding="utf-8"))
        assert set(data) == ARTICLE_KEYS
        assert data["article_id"] == article_id and data["text"] == gold_article.text
        first = data["gold"]["positions"][0]["evidence"][0]
        assert set(first) == {"quote", "start", "end"}
        assert set(data["matches"]) == set(data["metrics"]) == {"strict", "soft"}
        for matcher in ("strict", "soft"):
            for section in SECTION_NAMES:
                assert set(data["matches"][matcher][section]) == {"pairs", "missed", "spurious"}
                assert set(data["metrics"][matcher][section]) == {"precision", "recall", "f1"}
    failed = json.loads((out / "articles" / "rail-signallers-strike.json").read_text(encoding="utf-8"))
    assert failed["prediction"] is None
    assert failed["error"].startswith("ModelUnavailableError")
    assert failed["matches"]["strict"]["positions"]["missed"] == list(
        range(len(GOLDS[failed["article_id"]].gold.positions))
    )
    partial = json.loads((out / "articles" / "steel-tariff-talks.json").read_text(encoding="utf-8"))
    assert partial["error"] is None
    assert partial["matches"]["strict"]["positions"]["pairs"] == [
        {"gold": 0, "pred": 0, "score": 1.0},
        {"gold": 1, "pred": 1, "score": 1.0},
    ]


def test_progress_lines(run: tuple[Path, dict[str, Any], list[str]]) -> None:
    _, _, messages = run
    starts = [m for m in messages if m.endswith(" ...")]
    steps = 2 * len(GOLDS)
    first, last = sorted(GOLDS)[0], sorted(GOLDS)[-1]
    assert starts[0] == f"[1/{steps}] {first} run 1/2 ..."
    assert starts[-1] == f"[{steps}/{steps}] {last} run 2/2 ..."
    assert any("invalid run: ModelUnavailableError" in m for m in messages)


def test_single_run_progress_and_report(tmp_path: Path) -> None:
    messages: list[str] = []
    seed = GOLD_DIR / "blinken-gaza-ceasefire"
    metrics = evaluate([seed], tmp_path, _by_text(_fake), progress=messages.append, matchers=_matchers())
    assert messages == ["[1/1] blinken-gaza-ceasefire ...", "[1/1 done] blinken-gaza-ceasefire"]
    assert metrics.f1_std == {"strict": 0.0, "soft": 0.0}
    assert (tmp_path / "report.html").is_file()  # summarizer.evals.report is installed


def test_an_unvalidated_summary_counts_as_invalid(tmp_path: Path) -> None:
    def summarize(text: str) -> Summary:
        return Summary.model_construct(overview="x", positions=[{"actor": "x"}])

    metrics = evaluate([GOLD_DIR / "blinken-gaza-ceasefire"], tmp_path, summarize, matchers=_matchers())
    assert metrics.schema_valid_rate == 0.0
    assert metrics.articles["blinken-gaza-ceasefire"].errors[0].error.startswith("invalid Summary")


def test_a_replay_miss_stops_the_run(tmp_path: Path) -> None:
    def summarize(text: str) -> Summary:
        raise ReplayMissError("no recorded response", key="abc")

    with pytest.raises(ReplayMissError):
        evaluate([GOLD_DIR], tmp_path, summarize, matchers=_matchers())


def test_runs_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="runs must be at least 1"):
        evaluate([GOLD_DIR], tmp_path, _by_text(_fake), runs=0, matchers=_matchers())
