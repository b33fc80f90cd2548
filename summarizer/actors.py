"""Resolve the many ways an article names one actor to one canonical name.

"Blinken", "Antony Blinken" and "U.S. Secretary of State Antony Blinken" should all become the actor's
one name in the summary, so that every item about them says the same thing. The same normalisation
serves the eval matcher, which must treat an alias and a name as the same actor.
"""

from __future__ import annotations

import re
import unicodedata

from summarizer.schemas import Actor

#: Names that are not actors but stand where an actor is expected.
SPECIAL_NAMES = frozenset({"article", "unspecified"})
_LEADING_ARTICLE = re.compile(r"^(the|a|an)\s+")
_NON_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
#: A single letter followed by a space and another single letter: "u s" -> "us".
_SPACED_INITIAL = re.compile(r"\b([a-z0-9]) (?=[a-z0-9]\b)")


def normalise_name(name: str) -> str:
    """Lower-case, accents and punctuation removed, leading article dropped: 'The U.S.' -> 'us'.

    Spaced initials join up, so a model's "U. S." is the article's "U.S.".
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = text.replace("'s ", " ").replace("\u2019s ", " ")
    text = _NON_WORD.sub(lambda match: "" if match.group() == "." else " ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _SPACED_INITIAL.sub(r"\1", text)
    return _LEADING_ARTICLE.sub("", text)


_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prime",
        "minister",
        "president",
        "secretary",
        "of",
        "state",
        "leader",
        "chief",
        "the",
        "and",
        "for",
        "us",
        "u",
        "s",
    ]
)


#: Words that make a job title when they stand before a person's name: "Transport Minister Helena
#: Strand", "NURS general secretary Marta Kovell", "Hezbollah leader Hassan Nasrallah".
_TITLE_WORDS = frozenset(
    (
        "minister", "secretary", "president", "chancellor", "premier", "governor", "mayor", "senator", "congressman",
        "congresswoman", "representative", "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson", "chief",
        "executive", "officer", "director", "chair", "chairman", "chairwoman", "chairperson", "head", "leader",
        "founder", "commissioner", "inspector", "superintendent", "judge", "justice", "attorney", "prosecutor",
        "lawyer", "counsel", "general", "commander", "admiral", "colonel", "captain", "economist", "analyst",
        "strategist", "professor", "dr", "mr", "mrs", "ms", "sir", "lord", "lady", "dame", "manager", "cfo", "ceo",
        "coo", "cto", "vice", "deputy", "acting", "interim",
    )
)


def strip_title(name: str) -> str:
    """A person's name without the job title in front of it; other names are returned as they are.

    "U.S. Secretary of State Antony Blinken" -> "Antony Blinken"; "Chief Executive Laura Whitcombe" ->
    "Laura Whitcombe"; "Meridian Rail" and "Ministry of Transport" stay. The name is the one to three
    capitalised words after the last title word. After "Secretary of State", "Director of Public
    Health", where the title's own words run on, the name is taken as the last two of them (the last
    one when only two follow "of").
    """
    words = name.split()
    titles = [i for i, word in enumerate(words) if word.strip(".,").lower() in _TITLE_WORDS]
    if not titles:
        return name.strip()
    rest = words[titles[-1] + 1 :]
    if rest and rest[0].lower() in {"of", "for"}:
        rest = rest[1:]
        if len(rest) < 2 or not all(word[:1].isupper() for word in rest):
            return name.strip()  # "Secretary of State": a title and no name
        rest = rest[-2:] if len(rest) >= 3 else rest[-1:]
    if not 1 <= len(rest) <= 3 or not all(word[:1].isupper() for word in rest):
        return name.strip()
    return " ".join(rest)


def plausible_alias(name: str, alias: str) -> bool:
    """Whether a model-proposed alias can name the same actor: it shares a word or is an acronym.

    Small models list related actors as aliases ("Israel" for "Benjamin Netanyahu"); such aliases
    would merge two actors, so they are dropped.
    """
    name_key, alias_key = normalise_name(name), normalise_name(alias)
    if not name_key or not alias_key:
        return False
    name_words = set(name_key.split()) - _TITLES
    alias_words = set(alias_key.split()) - _TITLES
    if name_words & alias_words:
        return True
    initials = "".join(word[0] for word in name_key.split() if word not in {"of", "the", "and", "for"})
    return alias_key.replace(" ", "") == initials


def _contains_words(longer: str, shorter: str) -> bool:
    return bool(shorter) and f" {shorter} " in f" {longer} "


class ActorIndex:
    """Maps any alias of a known actor to that actor's name; unknown names become new actors."""

    def __init__(self, actors: list[Actor]) -> None:
        self._actors: list[Actor] = []
        self._by_key: dict[str, Actor] = {}
        for actor in actors:
            self._add(actor)

    def _add(self, actor: Actor) -> Actor:
        existing = self._lookup(actor.name)
        if existing is not None:
            for alias in actor.aliases:
                self._remember(existing, alias)
            return existing
        copy = Actor(name=actor.name.strip(), aliases=[])
        self._actors.append(copy)
        self._remember(copy, copy.name)
        for alias in actor.aliases:
            self._remember(copy, alias)
        return copy

    def _remember(self, actor: Actor, alias: str) -> None:
        key = normalise_name(alias)
        if not key or key in self._by_key:
            return
        self._by_key[key] = actor
        if alias.strip() != actor.name and alias.strip() not in actor.aliases:
            actor.aliases.append(alias.strip())

    def _lookup(self, name: str) -> Actor | None:
        key = normalise_name(name)
        if not key:
            return None
        if key in self._by_key:
            return self._by_key[key]
        # "U.S. Secretary of State Antony Blinken" contains the known "antony blinken": the longest
        # known key that the name contains, as whole words, wins.
        contained = [k for k in self._by_key if _contains_words(key, k) and len(k) >= 3]
        if contained:
            return self._by_key[max(contained, key=len)]
        # "Blinken" is part of exactly one known actor's name ("antony blinken"): that actor.
        containing = {id(a): a for k, a in self._by_key.items() if _contains_words(k, key) and len(key) >= 3}
        if len(containing) == 1:
            return next(iter(containing.values()))
        return None

    def resolve(self, name: str) -> str:
        """The canonical name for ``name``, registering it as a new actor if it is unknown."""
        cleaned = name.strip()
        if normalise_name(cleaned) in SPECIAL_NAMES:
            return normalise_name(cleaned)
        found = self._lookup(cleaned)
        if found is None:
            # A new actor is named without a job title ("Hezbollah leader Hassan Nasrallah" -> "Hassan
            # Nasrallah"), which may be an actor already known; the titled form becomes an alias.
            bare = strip_title(cleaned)
            found = self._lookup(bare) or self._add(Actor(name=bare))
        self._remember(found, cleaned)
        return found.name

    @property
    def actors(self) -> list[Actor]:
        return [actor.model_copy(deep=True) for actor in self._actors]
