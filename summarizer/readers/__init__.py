"""Ways of reading an article, by name: the ``strategy`` setting picks one.

    sentences   a few small calls per sentence over one cached article prefix (the embedded default)
    sections    one call per section for the whole article (the default for other endpoints)
    items       one call per sentence, each item naming its kind, with the model's token probabilities

A third way of reading is a module with a class that follows ``readers.base.Reader`` and one line
in ``READERS``: the setting, the CLI's ``--strategy`` choices and ``Meta.strategy`` all come from here.
"""

from __future__ import annotations

from collections.abc import Callable

from summarizer.readers.base import Reader
from summarizer.readers.items import ItemsReader
from summarizer.readers.sections import SectionReader
from summarizer.readers.sentences import SENTENCE_MERGE_MIN_SCORE, SentenceReader

#: Reader factories by strategy name; each takes the reader's options as keywords (and ignores the
#: options of other readers).
READERS: dict[str, Callable[..., Reader]] = {
    SentenceReader.name: lambda *, merge_min_score=SENTENCE_MERGE_MIN_SCORE, **_: SentenceReader(merge_min_score),
    SectionReader.name: lambda *, follow_up=False, **_: SectionReader(follow_up=follow_up),
    ItemsReader.name: lambda *, merge_min_score=SENTENCE_MERGE_MIN_SCORE, **_: ItemsReader(merge_min_score),
}


def strategies() -> tuple[str, ...]:
    """The names of the registered readers."""
    return tuple(READERS)


def make_reader(strategy: str, **options: object) -> Reader:
    """The reader registered as ``strategy``, built with ``options``; ``ValueError`` for an unknown name."""
    try:
        factory = READERS[strategy]
    except KeyError:
        raise ValueError(f"strategy must be one of {', '.join(READERS)}, got {strategy!r}") from None
    return factory(**options)
