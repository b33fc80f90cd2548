from __future__ import annotations

import pytest

from summarizer.actors import ActorIndex, normalise_name, plausible_alias, strip_title
from summarizer.schemas import Actor


@pytest.mark.parametrize(
    ("name", "alias", "expected"),
    [
        ("Antony Blinken", "Blinken", True),
        ("Antony Blinken", "U.S. Secretary of State Antony Blinken", True),
        ("National Union of Rail Signallers", "NURS", True),
        ("Benjamin Netanyahu", "Israel", False),
        ("Hamas", "hostages", False),
    ],
)
def test_plausible_alias(name, alias, expected):
    assert plausible_alias(name, alias) is expected


def test_aliases_and_longer_mentions_resolve_to_one_name():
    index = ActorIndex([Actor(name="Antony Blinken", aliases=["Blinken"]), Actor(name="Hamas")])
    assert index.resolve("Blinken") == "Antony Blinken"
    assert index.resolve("U.S. Secretary of State Antony Blinken") == "Antony Blinken"
    assert index.resolve("the Hamas") == "Hamas"
    assert index.resolve("Article") == "article"
    assert index.resolve("Benjamin Netanyahu") == "Benjamin Netanyahu"  # a new actor is registered
    names = [a.name for a in index.actors]
    assert names == ["Antony Blinken", "Hamas", "Benjamin Netanyahu"]
    assert "U.S. Secretary of State Antony Blinken" in index.actors[0].aliases


def test_normalise_name():
    assert normalise_name("The U.S.") == "us"
    assert normalise_name("  Île-de-France  ") == "ile de france"


def test_a_surname_resolves_to_the_one_actor_whose_name_contains_it():
    index = ActorIndex([Actor(name="Antony Blinken"), Actor(name="Benjamin Netanyahu")])
    assert index.resolve("Blinken") == "Antony Blinken"
    two = ActorIndex([Actor(name="Anna Smith"), Actor(name="Bob Smith")])
    assert two.resolve("Smith") == "Smith"  # ambiguous: not merged into either


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("U.S. Secretary of State Antony Blinken", "Antony Blinken"),
        ("Israeli Prime Minister Benjamin Netanyahu", "Benjamin Netanyahu"),
        ("NURS general secretary Marta Kovell", "Marta Kovell"),
        ("Hezbollah leader Hassan Nasrallah", "Hassan Nasrallah"),
        ("Chief Medical Officer Dr. Ada Adeyemi", "Ada Adeyemi"),
        ("Director of Public Health Amara Jones", "Amara Jones"),
        ("Secretary of State Blinken", "Blinken"),
        # Organisations and bare titles are not people: they stay as they are.
        ("Meridian Rail", "Meridian Rail"),
        ("Ministry of Transport", "Ministry of Transport"),
        ("Office for Competition and Utility Regulation", "Office for Competition and Utility Regulation"),
        ("Secretary of State", "Secretary of State"),
        ("Prime Minister", "Prime Minister"),
        ("the union's general secretary", "the union's general secretary"),
    ],
)
def test_strip_title_keeps_the_name_after_a_job_title(name, expected):
    assert strip_title(name) == expected


def test_spaced_initials_are_the_same_name():
    assert normalise_name("U. S.") == normalise_name("U.S.") == normalise_name("The U.S.") == "us"
    assert normalise_name("E. U. officials") == "eu officials"


def test_a_new_actor_is_registered_without_its_title_and_found_again_under_either_name():
    index = ActorIndex([Actor(name="Benjamin Netanyahu", aliases=[])])
    assert index.resolve("Hezbollah leader Hassan Nasrallah") == "Hassan Nasrallah"
    assert index.resolve("Nasrallah") == "Hassan Nasrallah"
    assert index.resolve("Israeli Prime Minister Benjamin Netanyahu") == "Benjamin Netanyahu"
    nasrallah = next(a for a in index.actors if a.name == "Hassan Nasrallah")
    assert "Hezbollah leader Hassan Nasrallah" in nasrallah.aliases
