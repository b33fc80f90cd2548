"""Decide whether two actor names mean the same actor, given the annotation's actors and aliases.

Names are compared through ``summarizer.actors.normalise_name`` (the same normalisation the pipeline
uses), so "The U.S." and "U.S." are one key. A predicted name resolves to a reference (gold) actor by,
in order: an exact key; the prediction's own ``actors`` list (if the prediction says "Blinken" is an
alias of "Secretary Blinken", whatever either resolves to); the longest reference key the name
contains as whole words ("U.S. Secretary of State Antony Blinken" -> "antony blinken"); a name
contained in exactly one reference actor's keys ("Blinken" -> "Antony Blinken"). Unknown names stay
distinct from every reference actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from summarizer.actors import SPECIAL_NAMES, normalise_name

#: Shortest key used for containment; "us" (from "U.S.") would otherwise match every "us" in a name.
MIN_CONTAINED_CHARS = 3
#: Shortest predicted key that may be found *inside* a reference key ("Blinken" in "antony blinken").
MIN_PARTIAL_CHARS = 4
UNKNOWN_PREFIX = "unknown:"


class ActorLike(Protocol):
    """Anything with a name and aliases: ``schemas.Actor`` or ``gold.GoldActor``."""

    @property
    def name(self) -> str: ...

    @property
    def aliases(self) -> list[str]: ...


def _contains_words(longer: str, shorter: str) -> bool:
    return bool(shorter) and f" {shorter} " in f" {longer} "


class AliasResolver:
    """Maps names to the canonical names of ``reference`` actors (read-only: nothing is registered)."""

    def __init__(self, reference: Sequence[ActorLike], extra: Sequence[ActorLike] = ()) -> None:
        self._by_key: dict[str, str] = {}
        self._keys_of: dict[str, set[str]] = {}
        for actor in reference:
            canonical = actor.name.strip()
            for alias in (actor.name, *actor.aliases):
                key = normalise_name(alias)
                if key and key not in self._by_key:
                    self._by_key[key] = canonical
                    self._keys_of.setdefault(canonical, set()).add(key)
        self._extra: dict[str, list[str]] = {}
        for actor in extra:
            names = [actor.name, *actor.aliases]
            for alias in names:
                self._extra.setdefault(normalise_name(alias), names)

    def knows(self, name: str) -> bool:
        """Whether ``name`` is exactly a reference name or alias (or ``article``/``unspecified``)."""
        key = normalise_name(name)
        return key in SPECIAL_NAMES or key in self._by_key

    def _direct(self, key: str) -> str | None:
        if key in self._by_key:
            return self._by_key[key]
        contained = [k for k in self._by_key if len(k) >= MIN_CONTAINED_CHARS and _contains_words(key, k)]
        if contained:
            return self._by_key[max(contained, key=lambda k: (len(k), k))]
        if len(key) >= MIN_PARTIAL_CHARS:
            owners = {name for name, keys in self._keys_of.items() if any(_contains_words(k, key) for k in keys)}
            if len(owners) == 1:
                return owners.pop()
        return None

    def resolve(self, name: str) -> str:
        """The reference actor's canonical name, a special name, or ``unknown:<key>``."""
        key = normalise_name(name)
        if key in SPECIAL_NAMES:
            return key
        found = self._direct(key)
        if found is None:
            for other in self._extra.get(key, []):
                found = self._direct(normalise_name(other))
                if found is not None:
                    break
        return found if found is not None else f"{UNKNOWN_PREFIX}{key}"
