"""Matching on hand-made cases: empty sides, duplicates, ties, granularity, aliases, wrong actor/section.

The SOFT matcher runs on fake embedders here (a table of chosen vectors, or the deterministic hashing
embedder); ``test_eval_embedder.py`` runs the real model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz

from summarizer.evals.aliases import AliasResolver
from summarizer.evals.embedder import HashingEmbedder
from summarizer.evals.gold import load_gold_dir
from summarizer.evals.items import Annotation, Item, annotation_of
from summarizer.evals.matching import (
    ADDRESSEE_MISMATCH_FACTOR,
    ADDRESSEE_UNSPECIFIED_FACTOR,
    STRICT_THRESHOLD,
    SoftMatcher,
    StrictMatcher,
    assign,
    match_annotations,
)
from summarizer.evals.metrics import many_to_one, one_to_one
from summarizer.evals.scoring import score_annotation
from summarizer.schemas import Actor
from summarizer.wording import lexical_similarity

SEED_DIR = Path(__file__).resolve().parents[1] / "evals" / "gold" / "dev" / "blinken-gaza-ceasefire"
BLINKEN = Actor(name="Antony Blinken", aliases=["Blinken"])
ISRAEL = Actor(name="Israel")
HAMAS = Actor(name="Hamas")


class TableEmbedder:
    """Fake embedder: each text's vector is given; counts the texts it was asked for."""

    name = "table"

    def __init__(self, vectors: dict[str, Sequence[float]]) -> None:
        self.vectors = {text: np.asarray(v, dtype=np.float64) / np.linalg.norm(v) for text, v in vectors.items()}
        self.asked: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.asked.extend(texts)
        return np.stack([self.vectors[t] for t in texts])


def ann(actors: Sequence[Actor], **sections: Sequence[Item]) -> Annotation:
    return Annotation(actors=tuple(actors), sections={name: tuple(items) for name, items in sections.items()})


def pos(actor: str, text: str) -> Item:
    return Item(actor=actor, text=text)


def strict_positions(pred: Annotation, gold: Annotation):  # type: ignore[no-untyped-def]
    return match_annotations(pred, gold, StrictMatcher())["positions"]


CEASEFIRE = "Backs a humanitarian ceasefire in Gaza"
HOSTAGES = "Argues a pause would advance efforts to free the hostages"


# --- empty sides ---------------------------------------------------------------------------------


def test_both_sides_empty_is_perfect_agreement() -> None:
    match = strict_positions(ann([]), ann([]))
    counts = one_to_one(match)
    assert (match.pairs, match.missed, match.spurious) == ((), [], [])
    assert (counts.precision, counts.recall, counts.f1) == (1.0, 1.0, 1.0)


def test_nothing_predicted_misses_every_gold_item() -> None:
    match = strict_positions(ann([]), ann([BLINKEN], positions=[pos("Blinken", CEASEFIRE), pos("Blinken", HOSTAGES)]))
    counts = one_to_one(match)
    assert match.missed == [0, 1]
    assert (counts.precision, counts.recall, counts.f1) == (0.0, 0.0, 0.0)


def test_predictions_against_empty_gold_are_all_spurious() -> None:
    match = strict_positions(ann([BLINKEN], positions=[pos("Blinken", CEASEFIRE)]), ann([BLINKEN]))
    counts = one_to_one(match)
    assert match.spurious == [0]
    assert (counts.precision, counts.recall, counts.f1) == (0.0, 0.0, 0.0)


# --- one-to-one edge cases -----------------------------------------------------------------------


def test_duplicate_predictions_only_one_matches() -> None:
    gold = ann([BLINKEN], positions=[pos("Antony Blinken", CEASEFIRE)])
    pred = ann([BLINKEN], positions=[pos("Blinken", CEASEFIRE), pos("Blinken", CEASEFIRE)])
    match = strict_positions(pred, gold)
    assert len(match.pairs) == 1
    assert len(match.spurious) == 1
    counts = one_to_one(match)
    assert (counts.precision, counts.recall) == (0.5, 1.0)
    tolerant = many_to_one(match)
    assert (tolerant.precision, tolerant.recall) == (1.0, 1.0)


def test_one_gold_item_that_two_predictions_resemble() -> None:
    gold_text, half_a, half_b = "Backs a pause so aid can reach Gaza", "Backs a pause", "Wants aid to reach Gaza"
    embedder = TableEmbedder({gold_text: [1, 1, 0], half_a: [1, 0.6, 0.2], half_b: [0.6, 1, 0.2]})
    gold = ann([BLINKEN], positions=[pos("Antony Blinken", gold_text)])
    pred = ann([BLINKEN], positions=[pos("Blinken", half_a), pos("Blinken", half_b)])
    match = match_annotations(pred, gold, SoftMatcher(embedder))["positions"]
    assert len(match.pairs) == 1  # one-to-one: one of them
    assert one_to_one(match).precision == 0.5
    assert match.pred_supported == [0, 1]  # many-to-one credits both
    assert many_to_one(match).precision == 1.0
    assert many_to_one(match).recall == 1.0


def test_ties_are_broken_deterministically() -> None:
    gold = ann([BLINKEN], positions=[pos("Blinken", CEASEFIRE)])
    pred = ann([BLINKEN], positions=[pos("Blinken", CEASEFIRE.upper()), pos("Blinken", CEASEFIRE.lower())])
    first = strict_positions(pred, gold)
    assert first.scores[0, 0] == first.scores[1, 0]
    assert len(first.pairs) == 1
    assert [strict_positions(pred, gold).pairs for _ in range(3)] == [first.pairs] * 3


def test_all_equal_scores_still_pair_everything() -> None:
    pairs = assign(np.full((2, 2), 0.8), threshold=0.5)
    assert sorted((p.pred, p.gold) for p in pairs) in ([(0, 0), (1, 1)], [(0, 1), (1, 0)])


def test_a_pair_below_the_threshold_is_not_a_match() -> None:
    assert assign(np.array([[0.3]]), threshold=0.5) == ()
    assert assign(np.zeros((0, 3)), threshold=0.5) == ()


def test_two_marginal_pairs_do_not_displace_one_clear_match() -> None:
    # Summing raw scores would prefer (0,1)+(1,0) = 1.0 over (0,0) = 0.9; margins above 0.45 do not.
    pairs = assign(np.array([[0.9, 0.5], [0.5, 0.0]]), threshold=0.45)
    assert [(p.pred, p.gold, p.score) for p in pairs] == [(0, 0, 0.9)]


def test_prediction_identical_to_gold_scores_one() -> None:
    gold = ann(
        [BLINKEN, ISRAEL],
        positions=[pos("Antony Blinken", CEASEFIRE), pos("Israel", "Rejects calls for a ceasefire")],
        demands=[Item(actor="Antony Blinken", addressee="Israel", text="Pause operations in Gaza")],
    )
    for matcher in (StrictMatcher(), SoftMatcher(HashingEmbedder())):
        scores = score_annotation(gold, gold, [matcher])[matcher.name]
        assert scores.counts().f1 == 1.0


def test_seed_gold_against_itself_scores_one() -> None:
    seed = annotation_of(load_gold_dir(SEED_DIR).gold)
    scores = score_annotation(seed, seed, [StrictMatcher(), SoftMatcher(HashingEmbedder())])
    assert scores["strict"].counts().f1 == 1.0
    assert scores["soft"].counts().f1 == 1.0
    assert scores["soft"].counts(mode="many_to_one").f1 == 1.0


# --- actors ----------------------------------------------------------------------------------------


def test_alias_resolution_blinken_is_antony_blinken() -> None:
    gold = ann([Actor(name="Antony Blinken")], positions=[pos("Antony Blinken", CEASEFIRE)])
    for name in ("Blinken", "U.S. Secretary of State Antony Blinken", "antony blinken"):
        pred = ann([], positions=[pos(name, CEASEFIRE)])
        assert len(strict_positions(pred, gold).pairs) == 1, name


def test_the_predictions_own_actor_list_is_used() -> None:
    gold = ann([BLINKEN], positions=[pos("Antony Blinken", CEASEFIRE)])
    pred = ann([Actor(name="The Secretary", aliases=["Blinken"])], positions=[pos("The Secretary", CEASEFIRE)])
    assert len(strict_positions(pred, gold).pairs) == 1


def test_wrong_actor_is_not_credited() -> None:
    gold = ann([BLINKEN, HAMAS], positions=[pos("Antony Blinken", CEASEFIRE)])
    for name in ("Hamas", "Nobody Known"):
        match = strict_positions(ann([], positions=[pos(name, CEASEFIRE)]), gold)
        assert match.pairs == ()
        assert match.scores[0, 0] == 0.0


def test_items_in_the_wrong_section_are_not_credited() -> None:
    gold = ann([BLINKEN], positions=[pos("Blinken", CEASEFIRE)], risks=[pos("Blinken", "Aid could be diverted")])
    pred = ann([BLINKEN], positions=[], risks=[pos("Blinken", CEASEFIRE)])
    scores = score_annotation(pred, gold, [StrictMatcher()])["strict"]
    assert scores.counts().pred_matched == 0
    assert scores.matches["positions"].missed == [0]
    assert scores.matches["risks"].spurious == [0]


def test_demand_addressee_is_softer_than_actor() -> None:
    demand = "Pause military operations in Gaza"
    gold = ann([BLINKEN, ISRAEL, HAMAS], demands=[Item(actor="Antony Blinken", addressee="Israel", text=demand)])
    matcher = StrictMatcher()
    cases = {"Israel": 1.0, "unspecified": ADDRESSEE_UNSPECIFIED_FACTOR, "Hamas": ADDRESSEE_MISMATCH_FACTOR}
    for addressee, factor in cases.items():
        pred = ann([], demands=[Item(actor="Blinken", addressee=addressee, text=demand)])
        match = match_annotations(pred, gold, matcher)["demands"]
        assert match.scores[0, 0] == pytest.approx(factor)
        assert len(match.pairs) == 1  # a verbatim demand still matches with another addressee
    wrong_actor = ann([], demands=[Item(actor="Hamas", addressee="Israel", text=demand)])
    assert match_annotations(wrong_actor, gold, matcher)["demands"].scores[0, 0] == 0.0


def test_alias_resolver_rules() -> None:
    us = Actor(name="United States", aliases=["U.S.", "Washington"])
    resolver = AliasResolver([us, BLINKEN])
    assert resolver.resolve("The U.S.") == "United States"
    assert resolver.resolve("washington") == "United States"
    assert resolver.resolve("Secretary of State Antony Blinken") == "Antony Blinken"
    assert resolver.resolve("article") == "article"
    assert resolver.resolve("Hamas") == resolver.resolve("hamas") != resolver.resolve("Hezbollah")
    assert resolver.knows("Blinken") and not resolver.knows("Secretary Blinken")


# --- the text scores -----------------------------------------------------------------------------


def test_one_word_texts_do_not_score_like_a_full_match() -> None:
    long = "Supports a humanitarian ceasefire in Gaza"
    assert fuzz.token_set_ratio("supports", long.lower()) == 100  # the trap the guard avoids
    assert lexical_similarity("supports", long) < STRICT_THRESHOLD
    assert lexical_similarity(long, long) == 1.0
    assert lexical_similarity("Releases the hostages", "released the hostage") == 1.0
    assert lexical_similarity("", long) == 0.0


def test_soft_matcher_embeds_each_text_once() -> None:
    embedder = TableEmbedder({CEASEFIRE: [1, 0], HOSTAGES: [0, 1]})
    matcher = SoftMatcher(embedder)
    scores = matcher.text_similarity([CEASEFIRE, HOSTAGES], [CEASEFIRE])
    matcher.text_similarity([HOSTAGES], [CEASEFIRE, HOSTAGES])
    assert scores[:, 0].tolist() == [1.0, 0.0]
    assert sorted(embedder.asked) == sorted([CEASEFIRE, HOSTAGES])


def test_soft_matcher_skips_the_model_when_no_actor_is_shared() -> None:
    embedder = TableEmbedder({})
    gold = ann([BLINKEN], positions=[pos("Blinken", CEASEFIRE)])
    match = match_annotations(ann([], positions=[pos("Hamas", HOSTAGES)]), gold, SoftMatcher(embedder))
    assert match["positions"].pairs == ()
    assert embedder.asked == []


def test_hashing_embedder_is_deterministic_and_unit_length() -> None:
    embedder = HashingEmbedder()
    first, second = embedder.embed([CEASEFIRE, ""]), embedder.embed([CEASEFIRE, ""])
    assert np.array_equal(first, second)
    assert np.linalg.norm(first[0]) == pytest.approx(1.0)
    assert not first[1].any()
