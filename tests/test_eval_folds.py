"""Leave-one-article-out and calibration: what is fitted on gold is scored without the article it is fitted on."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from summarizer.api import Summarizer
from summarizer.confidence.calibration import CalibrationMap
from summarizer.confidence.decide import ConfidencePolicy
from summarizer.config import Settings
from summarizer.evals import cli as eval_cli
from summarizer.evals.calibrate import best_threshold, expected_calibration_error
from summarizer.evals.embedder import HashingEmbedder
from summarizer.evals.matching import SoftMatcher, StrictMatcher
from summarizer.llm.recording import ResponseStore
from tests.cli_runner import run_cli
from tests.conftest import ARTICLE
from tests.fakes import Reply, ScriptedEndpoint, completion, fake_openai_client, ok, section_of

BASE_URL = "http://fake.invalid/v1"
DAYS = ("Monday", "Tuesday", "Wednesday")
OVERVIEW = {"overview": "A pier closes.", "actors": [{"name": "Harbour Board", "aliases": ["the board"]},
                                                    {"name": "Maya Stone", "aliases": ["Stone"]}]}  # fmt: skip


def gold(day: str) -> dict[str, Any]:
    return {
        "article_id": f"harbour-{day.lower()}",
        "actors": OVERVIEW["actors"],
        "positions": [{"actor": "Harbour Board", "stance": "Will close the north pier for repairs",
                       "evidence": [f"said on {day} it would close the north pier"]}],
        "demands": [{"actor": "Maya Stone", "addressee": "Harbour Board", "demand": "Keep the pier open this season",
                     "evidence": ["called on the board to keep the pier open"]}],
        "conditions": [], "risks": [],
    }  # fmt: skip


def with_probabilities(answer: dict[str, Any], p_item: float) -> Reply:
    """A completion of ``answer`` whose list opens on a token with ``p_item`` for "an item"."""
    body = completion(answer)
    text = body["choices"][0]["message"]["content"]
    at = text.index("[") + 1
    head, rest = text[:at], text[at:]
    alternatives = {rest[:1]: math.log(p_item), "]": math.log(1 - p_item)}
    def entry(token: str, logprob: float, top: dict[str, float]) -> dict[str, Any]:
        return {"token": token, "logprob": logprob, "bytes": None,
                "top_logprobs": [{"token": t, "logprob": lp, "bytes": None} for t, lp in top.items()]}  # fmt: skip

    content = [entry(head, 0.0, {head: 0.0}), entry(rest, math.log(p_item), alternatives)]
    body["choices"][0]["logprobs"] = {"content": content}
    return Reply(body=body)


class Answers(ScriptedEndpoint):
    """Answers from the sentence: a right item with high probability, a wrong one with low."""

    def answer(self, request: dict[str, Any]) -> Reply:
        if section_of(request) == "overview":
            return ok(OVERVIEW)
        user = next(m["content"] for m in request["messages"] if m["role"] == "user")
        sentence = user.rsplit('SENTENCE: "', 1)[1]
        if "close the north pier" in sentence.split('"\n')[0]:
            item = {"kind": "position", "actor": "Harbour Board", "stance": "Will close the north pier for repairs"}
            return with_probabilities({"items": [item]}, 0.9)
        if "called on the board" in sentence.split('"\n')[0]:
            item = {"kind": "position", "actor": "Maya Stone", "stance": "Dislikes the weather at the harbour"}
            return with_probabilities({"items": [item]}, 0.2)
        return ok({"items": []})


@pytest.fixture(autouse=True)
def fake_soft_matcher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eval_cli, "default_matchers", lambda: [StrictMatcher(), SoftMatcher(HashingEmbedder())])


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, Path]:
    """Three gold articles, and the items reader's answers about them recorded with probabilities."""
    root, recordings = tmp_path / "gold", tmp_path / "recordings"
    store = ResponseStore(recordings, mode="record")
    settings = Settings.resolve(base_url=BASE_URL, model="fake-model", strategy="items", top_logprobs=5, grammar=True)
    with Summarizer(settings, client=fake_openai_client(Answers()), response_store=store) as summarizer:
        for day in DAYS:
            folder = root / f"harbour-{day.lower()}"
            folder.mkdir(parents=True)
            text = ARTICLE.replace("on Monday", f"on {day}")
            (folder / "article.txt").write_text(text, encoding="utf-8")
            (folder / "gold.json").write_text(json.dumps(gold(day)), encoding="utf-8")
            summarizer.summarize(text)
    return root, recordings


def options(recordings: Path) -> list[str]:
    return ["--replay", "--record-dir", str(recordings), "--base-url", BASE_URL, "--model", "fake-model",
            "--strategy", "items", "--top-logprobs", "5", "--grammar"]  # fmt: skip


def test_each_article_is_scored_with_what_the_others_fitted(recorded, tmp_path):
    root, recordings = recorded
    code, stdout, stderr = run_cli(
        "eval", str(root), "--out", str(tmp_path / "run"), "--folds", "loao", *options(recordings)
    )
    assert code == 0, stderr
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    fits = metrics["folds"]["fits"]
    assert metrics["folds"]["method"] == "loao" and sorted(fits) == [f"harbour-{d.lower()}" for d in DAYS]
    assert all(fit["merge_min_score"] is not None and fit["thresholds"] for fit in fits.values())
    # The wrong item (p 0.2) is dropped by each fold's threshold; the right one (p 0.9) stays.
    assert metrics["overall"]["soft"]["precision"] == 1.0 and metrics["overall"]["soft"]["recall"] == 0.5
    assert "leave-one-article-out over 3 folds" in stdout


def test_the_confidence_block_of_a_cross_validated_run(recorded, tmp_path):
    root, recordings = recorded
    code, stdout, stderr = run_cli(
        "eval", str(root), "--out", str(tmp_path / "run"), "--folds", "loao", *options(recordings)
    )
    assert code == 0, stderr
    block = json.loads((tmp_path / "run" / "metrics.json").read_text())["confidence"]
    # per article the right position (p 0.9 raw) is kept and the wrong one dropped under the threshold:
    # both are candidates, and the curve at 0 keeps them all
    assert block["matcher"] == "soft" and block["items"] == 6
    assert block["curves"]["positions"][0] == {"threshold": 0.0, "kept": 6, "matched": 3, "gold": 3,
                                               "precision": 0.5, "recall": 1.0}  # fmt: skip
    (default,) = [point for point in block["curves"]["positions"] if point.get("default")]
    assert (default["kept"], default["precision"], default["recall"]) == (3, 1.0, 1.0)
    filled = [(row["low"], row["items"], row["share_right"]) for row in block["reliability"] if row["items"]]
    assert [(low, items, right) for low, items, right in filled] == [(0.1, 3, 0.0), (0.8, 3, 1.0)]
    assert 0.0 < block["ece"] < 0.2
    assert f"confidence: expected calibration error {block['ece']:.3f} over 6 items" in stdout
    assert '<figure id="confidence-pr"><svg' in (tmp_path / "run" / "report.html").read_text()


def test_folds_need_a_replay(recorded, tmp_path):
    root, _ = recorded
    code, _, stderr = run_cli("eval", str(root), "--out", str(tmp_path / "run"), "--folds", "loao")
    assert code == 2 and "record the run first, then add --replay" in stderr


def test_calibrate_writes_a_map_that_fits_only_its_model_and_prompts(recorded, tmp_path, article):
    root, recordings = recorded
    target = tmp_path / "map.json"
    code, stdout, stderr = run_cli("eval", "calibrate", str(root), "--map-out", str(target), *options(recordings))
    assert code == 0, stderr
    fitted = CalibrationMap.from_json(target.read_text())
    assert (
        fitted.model == "fake-model"
        and fitted.strategy == "items"
        and fitted.fitted_on == sorted(f"harbour-{d.lower()}" for d in DAYS)
    )
    assert "positions" in stdout and "keep from" in stdout
    settings = Settings.resolve(base_url=BASE_URL, model="fake-model", strategy="items", top_logprobs=5, grammar=True)
    store = ResponseStore(recordings, mode="replay")
    for model, method in (("fake-model", "calibrated"), ("other-model", "raw")):
        policy = ConfidencePolicy(calibration=CalibrationMap(**{**fitted.__dict__, "model": model}))
        with Summarizer(settings, client=fake_openai_client(Answers()), response_store=store, confidence=policy) as s:
            summary = s.summarize(ARTICLE)
        assert summary.meta.confidence is not None and summary.meta.confidence.method == method
        assert all(item.confidence is not None for item in summary.positions)


def test_the_best_threshold_and_the_calibration_error_on_hand_made_items():
    # Right items at 0.9 and 0.8, a wrong one at 0.3: keeping from 0.8 gives F1 1.0 with two gold items.
    assert best_threshold([0.9, 0.3, 0.8], [True, False, True], gold=2) == 0.8
    assert best_threshold([0.5, 0.5], [True, False], gold=1) == 0.5  # ties are kept or dropped together
    assert expected_calibration_error([(0.9, True), (0.1, False)]) == pytest.approx(0.1)
    assert expected_calibration_error([(0.5, True), (0.5, False)]) == 0.0
    assert expected_calibration_error([]) is None
