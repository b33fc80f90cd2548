"""The eval's confidence block: precision-recall by threshold, reliability bins and the calibration error,
on hand-made summaries against hand-made gold; the block in metrics.json, the text table and the report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from summarizer.evals import runner
from summarizer.evals.cli import format_run
from summarizer.evals.confidence_report import GRID, confidence_block, section_candidates
from summarizer.evals.embedder import HashingEmbedder
from summarizer.evals.gold import load_gold_dir
from summarizer.evals.matching import SoftMatcher, StrictMatcher
from summarizer.evals.reliability import expected_calibration_error, reliability_bins
from summarizer.evals.runfiles import CurvePoint, read_metrics
from summarizer.schemas import Summary
from tests.confidence_cases import (
    ARTICLES,
    EV,
    MAYOR,
    RIGHT_1,
    RIGHT_2,
    RIGHT_3,
    WRONG_1,
    WRONG_2,
    block,
    gold,
    harbour,
    meta,
    position,
    summary,
    under,
)


def at(points: list[CurvePoint], threshold: float) -> CurvePoint:
    (point,) = [p for p in points if p.threshold == threshold]
    return point


def test_candidates_are_the_kept_items_and_those_dropped_under_the_threshold() -> None:
    found = section_candidates(harbour())
    assert [(item.text, confidence, kept) for item, confidence, kept in found["positions"]] == [
        (RIGHT_1, 0.9, True),
        (RIGHT_2, 0.7, True),
        (WRONG_1, 0.55, True),
        (RIGHT_3, 0.3, False),
        (WRONG_2, 0.2, False),
    ]  # the one-claim drop and the failed section are no candidates
    assert found["positions"][3][0].actor == "Council"
    assert found["risks"] == []


def test_precision_recall_by_threshold_summed_over_articles() -> None:
    curve = block().curves["positions"]
    assert [p.threshold for p in curve] == list(GRID)
    # every candidate: 6 kept, 4 right (the dropped right one too), 4 gold items
    assert at(curve, 0.0).model_dump() == {"threshold": 0.0, "kept": 6, "matched": 4, "gold": 4,
                                           "precision": 0.6667, "recall": 1.0}  # fmt: skip
    assert (at(curve, 0.25).kept, at(curve, 0.25).matched, at(curve, 0.25).precision) == (5, 4, 0.8)
    # above every wrong item (the highest at 0.55): precision 1
    assert (at(curve, 0.6).kept, at(curve, 0.6).precision, at(curve, 0.6).recall) == (3, 1.0, 0.75)
    assert (at(curve, 0.85).kept, at(curve, 0.85).matched, at(curve, 0.85).recall) == (1, 1, 0.25)
    # nothing kept: no precision, recall 0
    assert (at(curve, 0.95).kept, at(curve, 0.95).precision, at(curve, 0.95).recall) == (0, None, 0.0)
    # no demand on either side: no point has a precision or a recall
    assert block().curves["demands"][0].model_dump(exclude={"default"}) == {
        "threshold": 0.0, "kept": 0, "matched": 0, "gold": 0, "precision": None, "recall": None
    }  # fmt: skip


def test_the_default_point_is_what_the_run_kept() -> None:
    curve = block().curves["positions"]
    (default,) = [p for p in curve if p.default]
    assert default.model_dump(exclude_none=True) == {"threshold": 0.5, "kept": 4, "matched": 3, "gold": 4,
                                                     "precision": 0.75, "recall": 0.75, "default": True}  # fmt: skip
    assert len(curve) == len(GRID)  # 0.5 is on the grid: that point is the one marked, not repeated
    mayor = summary([position("Mayor", MAYOR, 0.8)], thresholds={"positions": 0.42})
    odd = {"harbour": (harbour(threshold=0.42), ARTICLES["harbour"][1]), "mayor": (mayor, ARTICLES["mayor"][1])}
    curve = block(odd).curves["positions"]
    assert len(curve) == len(GRID) + 1  # off the grid: a point of its own, in threshold order
    assert [(p.threshold, p.kept, p.default) for p in curve[8:11]] == [(0.4, 4, None), (0.42, 4, True), (0.45, 4, None)]


def test_articles_with_different_thresholds_keep_what_each_kept() -> None:
    folds = {"harbour": (harbour(threshold=0.5), ARTICLES["harbour"][1]),
             "mayor": (summary([position("Mayor", MAYOR, 0.8)], thresholds={"positions": 0.3}),
                       ARTICLES["mayor"][1])}  # fmt: skip
    (default,) = [p for p in block(folds).curves["positions"] if p.default]
    assert default.threshold == 0.4 and default.threshold_range == (0.3, 0.5)
    assert (default.kept, default.matched) == (4, 3)


def test_reliability_bins_and_calibration_error() -> None:
    found = block()
    assert found.matcher == "soft" and found.items == 6
    filled = [(r.low, r.high, r.items, r.mean_confidence, r.share_right) for r in found.reliability if r.items]
    assert filled == [
        (0.2, 0.3, 1, 0.2, 0.0),  # the dropped wrong item
        (0.3, 0.4, 1, 0.3, 1.0),  # the dropped right item: right at threshold 0
        (0.5, 0.6, 1, 0.55, 0.0),
        (0.7, 0.8, 1, 0.7, 1.0),
        (0.8, 0.9, 1, 0.8, 1.0),
        (0.9, 1.0, 1, 0.9, 1.0),
    ]
    assert len(found.reliability) == 10 and found.reliability[0].mean_confidence is None
    # (0.2 + 0.7 + 0.55 + 0.3 + 0.2 + 0.1) / 6
    assert found.ece == 0.3417


def test_the_bins_behind_the_error() -> None:
    bins = reliability_bins([(0.05, False), (0.15, True), (0.15, False), (1.0, True), (0.95, True)])
    assert [(b.items, b.share_right) for b in bins if b.items] == [(1, 0.0), (2, 0.5), (2, 1.0)]
    assert bins[-1].mean_confidence == pytest.approx(0.975)  # 1.0 is in the last bin
    assert expected_calibration_error([(0.05, False), (0.15, True), (0.15, False), (1.0, True), (0.95, True)]) == (
        pytest.approx(round((0.05 + 2 * 0.35 + 2 * 0.025) / 5, 4))
    )


def test_the_soft_matcher_decides_else_the_first() -> None:
    reworded = {"a": (summary([position("Union", "wants a five percent pay rise now", 0.9)]),
                      gold(("Union", RIGHT_1)))}  # fmt: skip
    exacting = StrictMatcher(threshold=0.99)  # pairs only the same words
    soft = block(reworded, [exacting, SoftMatcher(HashingEmbedder())])
    assert soft.matcher == "soft" and soft.reliability[9].share_right == 1.0
    first = block(reworded, [exacting])
    assert first.matcher == "strict" and first.reliability[9].share_right == 0.0


def test_null_confidences_are_left_out_and_a_run_without_any_has_no_block() -> None:
    mixed = {"a": (summary([position("Union", RIGHT_1, None), position("Union", WRONG_2, 0.4)]),
                   gold(("Union", RIGHT_1)))}  # fmt: skip
    found = block(mixed)
    assert found.items == 1 and at(found.curves["positions"], 0.0).kept == 1
    assert at(found.curves["positions"], 0.0).gold == 1  # the gold item still counts
    none = {"a": (summary([position("Union", RIGHT_1, None)], thresholds={}), gold(("Union", RIGHT_1))),
            "failed": (None, gold(("Union", RIGHT_2)))}  # fmt: skip
    assert confidence_block({a: s for a, (s, _) in none.items()}, {a: g for a, (_, g) in none.items()},
                            [SoftMatcher(HashingEmbedder())]) is None  # fmt: skip


def test_a_failed_article_counts_its_gold() -> None:
    with_failure = {**ARTICLES, "failed": (None, gold(("Union", RIGHT_2)))}
    assert at(block(with_failure).curves["positions"], 0.0).gold == 5


# --- in the run folder -----------------------------------------------------------------------------------

GOLD_DIR = Path(__file__).resolve().parents[1] / "evals" / "gold" / "dev"


def _with_confidence(article_id: str) -> Summary:
    """The article's gold as a summary: its first position kept at 0.8, the others dropped under 0.5 at 0.3."""
    found = load_gold_dir(GOLD_DIR / article_id).gold
    positions = [p.model_dump(mode="json") for p in found.positions]
    first = {**positions[0], "evidence": EV, "confidence": 0.8}
    dropped = [under(str(p["actor"]), str(p["stance"]), 0.3) for p in positions[1:]]
    return Summary.model_validate({"overview": "o", "actors": [a.model_dump() for a in found.actors],
                                   "positions": [first], "meta": meta(dropped, {"positions": 0.5})})  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ids = sorted(folder.name for folder in GOLD_DIR.iterdir() if folder.is_dir())[:2]
    texts = {load_gold_dir(GOLD_DIR / i).text: i for i in ids}
    root = tmp_path_factory.mktemp("gold")
    for i in ids:
        shutil.copytree(GOLD_DIR / i, root / i)
    out = tmp_path_factory.mktemp("run")
    matchers = [StrictMatcher(), SoftMatcher(HashingEmbedder())]
    runner.evaluate([root], out, lambda text: _with_confidence(texts[text]), matchers=matchers)
    return out


def test_metrics_json_ends_with_the_block(run: Path) -> None:
    data = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert list(data)[-1] == "confidence"
    assert set(data["confidence"]) == {"matcher", "items", "curves", "reliability", "ece"}
    metrics = read_metrics(run / "metrics.json")
    assert metrics.confidence is not None
    # the default point is the run's own soft precision and recall of the positions
    (default,) = [p for p in metrics.confidence.curves["positions"] if p.default]
    soft = metrics.sections["positions"]["soft"]
    assert (default.precision, default.recall) == (soft.precision, soft.recall)
    assert at(metrics.confidence.curves["positions"], 0.0).recall == 1.0  # the dropped ones are right
    line = next(line for line in format_run(metrics).splitlines() if line.startswith("confidence:"))
    assert f"expected calibration error {metrics.confidence.ece:.3f} over {metrics.confidence.items} items" in line


def test_the_run_writes_the_figures_into_its_report(run: Path) -> None:
    page = (run / "report.html").read_text(encoding="utf-8")
    for figure in ("confidence-pr", "confidence-reliability"):
        opening = f'<figure id="{figure}">'
        inside = page[page.index(opening) + len(opening) :]
        assert inside.startswith("<svg") and inside.index("</svg>") < inside.index("</figure>")  # inline, unescaped
    assert "&lt;svg" not in page and "Expected calibration error" in page
