"""Inter-annotator agreement: two annotations of one article, scored with the same matchers.

Annotation A plays the gold and B the prediction, so precision is "share of B's items that A also
has" and recall "share of A's items that B also has"; F1 is symmetric. Both the one-to-one and the
granularity-tolerant many-to-one views are reported, because annotators differ most in how finely
they split a statement into items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.evals.gold import ARTICLE_FILE, Gold, GoldError, load_gold_file
from summarizer.evals.items import annotation_of
from summarizer.evals.matching import Matcher
from summarizer.evals.scoring import MatcherScore, prf_json, score_annotation
from summarizer.evals.tables import prf_table
from summarizer.schemas import SECTION_NAMES


@dataclass(frozen=True)
class Agreement:
    """Two annotations of one article and every matcher's score of B against A."""

    article_id: str
    annotator_a: str | None
    annotator_b: str | None
    scores: dict[str, MatcherScore]

    def as_dict(self) -> dict[str, Any]:
        """``{"overall"|section: {matcher: {P, R, F1, "many_to_one": {P, R, F1}}}}`` plus the names."""

        def block(score: MatcherScore, section: str | None) -> dict[str, Any]:
            return {**prf_json(score.counts(section)), "many_to_one": prf_json(score.counts(section, "many_to_one"))}

        return {
            "article_id": self.article_id,
            "annotators": [self.annotator_a, self.annotator_b],
            "overall": {name: block(score, None) for name, score in self.scores.items()},
            "sections": {s: {name: block(score, s) for name, score in self.scores.items()} for s in SECTION_NAMES},
        }


def find_article(gold_a: Path, gold_b: Path, article: Path | None = None) -> Path:
    """``article`` if given, else the ``article.txt`` beside A, else beside B."""
    if article is not None:
        return article
    for candidate in (gold_a.parent / ARTICLE_FILE, gold_b.parent / ARTICLE_FILE):
        if candidate.is_file():
            return candidate
    raise GoldError(gold_a, None, f"no {ARTICLE_FILE} beside this file or {gold_b}; pass --article PATH")


def load_pair(gold_a: Path | str, gold_b: Path | str, article: Path | str | None = None) -> tuple[Gold, Gold]:
    """Both annotations, validated against the one article they must both label."""
    a_path, b_path = Path(gold_a), Path(gold_b)
    article_path = find_article(a_path, b_path, Path(article) if article is not None else None)
    try:
        text = article_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise GoldError(article_path, None, f"cannot be read as UTF-8 text ({error})") from error
    a, b = load_gold_file(a_path, text), load_gold_file(b_path, text)
    if a.article_id != b.article_id:
        raise GoldError(b_path, None, f"annotates {b.article_id!r}, but {a_path} annotates {a.article_id!r}")
    return a, b


def agreement(a: Gold, b: Gold, matchers: Sequence[Matcher]) -> Agreement:
    """Score B against A with every matcher."""
    scores = score_annotation(annotation_of(b), annotation_of(a), matchers)
    return Agreement(article_id=a.article_id, annotator_a=a.annotator, annotator_b=b.annotator, scores=scores)


def format_agreement(result: Agreement) -> str:
    """A header line, then sections x (matcher: one-to-one P/R/F1, many-to-one P/R/F1)."""
    data = result.as_dict()
    names = list(result.scores)
    who = f"A = {result.annotator_a or '?'}, B = {result.annotator_b or '?'}"
    head = f"{result.article_id}: {who} (B scored as prediction)\n"
    return head + prf_table(data["sections"], data["overall"], names, many_to_one=True)
