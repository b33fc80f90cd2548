"""Who speaks in a sentence, by rule; a repair is only made when the sentence leaves no doubt."""

from __future__ import annotations

import pytest

from summarizer.schemas import Actor
from summarizer.speakers import mentions, speaker, speakers_in_order

ACTORS = [
    Actor(name="Antony Blinken", aliases=["Blinken", "U.S. Secretary of State Antony Blinken"]),
    Actor(name="Israel", aliases=[]),
    Actor(name="Hamas", aliases=[]),
    Actor(name="Ministry of Health", aliases=["the ministry"]),
]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Blinken said Israel had the right to defend itself.", "Antony Blinken"),
        ('"Israel must allow more aid in," said Blinken.', "Antony Blinken"),
        ("Israel, Blinken said, must allow more aid in.", "Antony Blinken"),
        ("A spokesperson for the ministry said supplies were running out.", "Ministry of Health"),
        ("According to the Ministry of Health, 200 people died.", "Ministry of Health"),
        ("Blinken urged Israel to let aid in, and Hamas warned of more attacks.", None),  # two speakers
        ("The talks were held in Cairo on Tuesday.", None),
        ("Israel and Hamas traded accusations.", None),
    ],
)
def test_the_one_speaker_of_a_sentence(sentence, expected):
    assert speaker(sentence, ACTORS) == expected


def test_a_pronoun_speaks_for_the_last_speaker():
    sentences = [
        "Blinken met Israeli leaders on Monday, he said.",
        "He also urged Hamas to release the hostages.",
        "The ministry said 200 people had died.",
        "It added that fuel was running out.",
        "Talks resume next week.",
    ]
    assert speakers_in_order(sentences, ACTORS) == [
        "Antony Blinken",
        "Antony Blinken",
        "Ministry of Health",
        "Ministry of Health",
        None,
    ]


def test_mentions_prefer_the_longest_name_and_a_persons_surname_counts():
    found = mentions("U.S. Secretary of State Antony Blinken met Blinken's aides.", ACTORS)
    assert [(m.actor, m.start) for m in found] == [("Antony Blinken", 0), ("Antony Blinken", 43)]
