"""The first call of every summary: two sentences on the article, and its actors.

The actors list serves every later call (each prompt names them, so the model writes names the
article uses) and resolves the names the model gives (``ActorIndex``): a person's job title is
stripped ("U.S. Secretary of State Antony Blinken" -> "Antony Blinken") and kept as an alias.
"""

from __future__ import annotations

from summarizer.actors import ActorIndex, normalise_name, plausible_alias, strip_title
from summarizer.chunking import Chunk
from summarizer.drafts import OverviewDraft
from summarizer.prompts import PromptLibrary
from summarizer.readers.base import Call, ModelCaller
from summarizer.schemas import Actor

OVERVIEW_TEMPLATE = "overview"


def read_overview(caller: ModelCaller, prompts: PromptLibrary, system: str, chunk: Chunk) -> OverviewDraft:
    """The overview and actors of the article's first chunk; an empty one (reported) if the call fails."""
    user = prompts.get(OVERVIEW_TEMPLATE).render()
    answer = caller.call(Call(OVERVIEW_TEMPLATE, OVERVIEW_TEMPLATE, system, user, OverviewDraft, chunk.text))
    ledger = caller.ledger
    if isinstance(answer.value, OverviewDraft):
        ledger.sections[OVERVIEW_TEMPLATE].kept = 1
        return answer.value
    ledger.drop(OVERVIEW_TEMPLATE, None, answer.error or "no answer", OVERVIEW_TEMPLATE)
    return OverviewDraft.model_construct(overview="", actors=[])


def actor_index(overview: OverviewDraft, article: str | None = None) -> ActorIndex:
    """The overview's actors under their names without job titles; with ``article``, only those it names
    (a small model sometimes lists an actor of the prompt's example, or a fragment such as "U. S.")."""
    actors = [canonical_actor(a.name, a.aliases) for a in overview.actors]
    if article is not None:
        text = f" {normalise_name(article)} "
        actors = [a for a in actors if any(f" {normalise_name(n)} " in text for n in (a.name, *a.aliases) if n.strip())]
    return ActorIndex(actors)


def canonical_actor(name: str, aliases: list[str]) -> Actor:
    """An overview actor under its name without a job title, the titled form kept as an alias."""
    canonical = strip_title(name)
    names = [name, *aliases] if canonical != name.strip() else aliases
    return Actor(name=canonical, aliases=[alias for alias in names if plausible_alias(canonical, alias)])
