"""Score one annotation (a prediction, or a second annotator) against a gold annotation.

``score_annotation`` runs every matcher over every section and keeps the matches; the counts, P/R/F1
and evidence overlaps are read off the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from summarizer.evals.items import Annotation
from summarizer.evals.matching import Matcher, SectionMatch, match_annotations
from summarizer.evals.metrics import Counts, evidence_overlap, many_to_one, one_to_one, total
from summarizer.evals.runfiles import PRF
from summarizer.schemas import SECTION_NAMES

Mode = Literal["one_to_one", "many_to_one"]


@dataclass(frozen=True)
class MatcherScore:
    """One matcher's matches per section, and the evidence overlap of its matched pairs."""

    matcher: str
    matches: dict[str, SectionMatch]
    overlaps: tuple[tuple[float, float], ...]

    def counts(self, section: str | None = None, mode: Mode = "one_to_one") -> Counts:
        """Counts of one section, or of all sections added up (``section=None``)."""
        count = one_to_one if mode == "one_to_one" else many_to_one
        if section is not None:
            return count(self.matches[section])
        return total(count(self.matches[name]) for name in SECTION_NAMES)


def score_annotation(pred: Annotation, gold: Annotation, matchers: Sequence[Matcher]) -> dict[str, MatcherScore]:
    """Every matcher's ``MatcherScore`` of ``pred`` against ``gold``, keyed by matcher name."""
    scores: dict[str, MatcherScore] = {}
    for matcher in matchers:
        matches = match_annotations(pred, gold, matcher)
        overlaps = tuple(
            overlap
            for section in SECTION_NAMES
            for overlap in evidence_overlap(matches[section], pred.section(section), gold.section(section))
        )
        scores[matcher.name] = MatcherScore(matcher=matcher.name, matches=matches, overlaps=overlaps)
    return scores


def prf_json(counts: Counts) -> dict[str, Any]:
    """``{"precision", "recall", "f1"}`` rounded as the run files round them (``runfiles.PRF``)."""
    return PRF.of(counts).model_dump()
