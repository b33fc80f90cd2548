"""Reading coverage: a gold item is covered when its sentence yielded a prediction in its section."""

from __future__ import annotations

from summarizer.evals.coverage import Coverage, SentenceIndex, section_coverage
from summarizer.evals.items import Item, Span

ARTICLE = "The board will close the pier. Stone objects to the plan. Jobs could be lost. The pier opened in 1901."


def at(text: str) -> Span:
    start = ARTICLE.index(text)
    return Span(start=start, end=start + len(text), quote=text)


def item(actor: str, text: str, *quotes: str) -> Item:
    return Item(actor=actor, text=text, evidence=tuple(at(q) for q in quotes))


def test_a_prediction_anywhere_in_the_gold_items_sentence_covers_it_whatever_its_wording():
    gold = [item("board", "Closes the pier", "close the pier"), item("Stone", "Opposes the plan", "objects")]
    pred = [item("someone", "Something else entirely", "The board will")]  # same sentence, other words
    assert section_coverage(gold, pred, SentenceIndex(ARTICLE)) == Coverage(covered=1, gold=2)


def test_an_item_spanning_two_sentences_is_covered_by_either():
    gold = [item("board", "Closes the pier over objections", "the pier. Stone objects")]
    pred = [item("Stone", "Objects", "Stone objects to the plan.")]
    assert section_coverage(gold, pred, SentenceIndex(ARTICLE)).covered == 1


def test_nothing_predicted_or_nothing_in_gold():
    index = SentenceIndex(ARTICLE)
    gold = [item("board", "Closes the pier", "close the pier")]
    assert section_coverage(gold, [], index) == Coverage(covered=0, gold=1)
    assert section_coverage([], gold, index) == Coverage(covered=0, gold=0)
    assert Coverage().rate is None and Coverage().as_dict() == {"rate": None, "covered": 0, "gold": 0}


def test_coverage_adds_up_and_rounds():
    total = Coverage(covered=1, gold=3) + Coverage(covered=1, gold=0)
    assert total == Coverage(covered=2, gold=3)
    assert total.as_dict() == {"rate": 0.6667, "covered": 2, "gold": 3}


def test_sentence_index_touches_every_sentence_a_span_overlaps():
    index = SentenceIndex(ARTICLE)
    assert index.touched([at("Jobs could")]) == {2}
    assert index.touched([at("the plan. Jobs")]) == {1, 2}
    assert index.touched([Span(start=5, end=5, quote="")]) == set()
