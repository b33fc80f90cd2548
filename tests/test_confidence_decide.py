"""What a summary keeps: calibrated or raw confidence per item, the thresholds, and the two rules."""

from __future__ import annotations

import pytest

from summarizer.confidence.calibration import CalibrationMap, SectionMap
from summarizer.confidence.decide import ConfidencePolicy, decide, under_threshold
from summarizer.confidence.features import ArticleView
from summarizer.confidence.signals import ItemSignals
from summarizer.schemas import Actor, Evidence, Position, Risk
from summarizer.sentences import split_sentences

ARTICLE = (
    "The Harbour Board said it would close the north pier for repairs. "
    "Maya Stone warned that hundreds of jobs could be lost."
)
ACTORS = [Actor(name="Harbour Board", aliases=["the board"]), Actor(name="Maya Stone", aliases=["Stone"])]
MODEL, PROMPTS = "m", {"sentence": "abc"}


def view() -> ArticleView:
    return ArticleView.of(split_sentences(ARTICLE), ACTORS)


def on(sentence: int) -> list[Evidence]:
    s = split_sentences(ARTICLE)[sentence]
    return [Evidence(quote=s.text, start=s.start, end=s.end)]


def with_signals(item, exists: float):
    item._signals = ItemSignals(exists=exists, kind=None, actor=None, rank=0)
    return item


def sections(*, risk_actor: str = "article"):
    return {
        "positions": [
            with_signals(Position(actor="Harbour Board", stance="Will close the north pier", evidence=on(0)), 0.9),
            with_signals(Position(actor="Harbour Board", stance="Likes the weather", evidence=on(0)), 0.2),
        ],
        "demands": [],
        "conditions": [],
        "risks": [with_signals(Risk(raised_by=risk_actor, risk="Hundreds of jobs lost", evidence=on(1)), 0.8)],
    }


def test_raw_confidence_keeps_everything_and_says_why():
    kept, dropped, meta = decide(sections(), view(), ConfidencePolicy(), model=MODEL, prompts=PROMPTS)
    assert [p.confidence for p in kept["positions"]] == [0.9, 0.2]  # P(there) x P(kind), the kind fixed
    assert dropped == [] and meta.method == "raw" and "no calibration map" in meta.note


def test_a_calibrated_map_sets_the_confidence_and_its_threshold_drops_the_unlikely():
    positions = SectionMap(weights={"exists": 1.0}, intercept=0.0, threshold=0.5)
    others = SectionMap(weights={}, intercept=0.0, threshold=0.0)
    fitted = CalibrationMap(
        strategy="sentences", model=MODEL, prompts=PROMPTS,
        sections={"positions": positions, "demands": others, "conditions": others, "risks": others},
    )  # fmt: skip
    kept, dropped, meta = decide(sections(), view(), ConfidencePolicy(calibration=fitted), model=MODEL, prompts=PROMPTS)
    assert [p.stance for p in kept["positions"]] == ["Will close the north pier"]
    assert kept["positions"][0].confidence == pytest.approx(0.9)  # sigmoid(logit(0.9))
    (gone,) = dropped
    assert under_threshold(gone) and gone.item is not None and gone.item["confidence"] == pytest.approx(0.2)
    assert meta.method == "calibrated" and meta.thresholds["positions"] == 0.5
    # Another model's answers: the map does not fit, raw scores and no threshold.
    _, dropped, meta = decide(sections(), view(), ConfidencePolicy(calibration=fitted), model="other", prompts=PROMPTS)
    assert dropped == [] and meta.method == "raw" and "another model or prompt" in meta.note


def test_min_confidence_overrides_the_thresholds():
    kept, dropped, _ = decide(sections(), view(), ConfidencePolicy(min_confidence=0.5), model=MODEL, prompts=PROMPTS)
    assert len(kept["positions"]) == 1 and len(dropped) == 1


def test_a_risk_put_on_the_article_goes_to_its_sentences_one_speaker():
    kept, _, meta = decide(sections(), view(), ConfidencePolicy(), model=MODEL, prompts=PROMPTS)
    assert kept["risks"][0].raised_by == "Maya Stone" and meta.actors_repaired == 1
    kept, _, meta = decide(sections(), view(), ConfidencePolicy(repair_actors=()), model=MODEL, prompts=PROMPTS)
    assert kept["risks"][0].raised_by == "article" and meta.actors_repaired == 0


def test_without_token_probabilities_nothing_is_decided():
    plain = {"positions": [Position(actor="Harbour Board", stance="Will close", evidence=on(0))]}
    kept, dropped, meta = decide(plain, view(), ConfidencePolicy(min_confidence=0.9), model=MODEL, prompts=PROMPTS)
    assert kept == plain and dropped == [] and meta.method == "none"
    assert kept["positions"][0].confidence is None


def test_the_map_survives_its_json():
    fitted = CalibrationMap(
        strategy="s", model=MODEL, prompts=PROMPTS, fitted_on=["a"],
        sections={"positions": SectionMap(weights={"exists": 0.5}, intercept=-1.0, threshold=0.3)},
    )  # fmt: skip
    assert CalibrationMap.from_json(fitted.to_json()) == fitted
    assert fitted.fits(MODEL, {**PROMPTS, "overview": "x"}) and not fitted.fits(MODEL, {"sentence": "changed"})
