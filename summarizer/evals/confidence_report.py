"""What the items' confidence is worth, measured on gold: ``metrics.json``'s ``confidence`` block.

    block = confidence_block(summaries, golds, matchers)   # None when no item carries a confidence

From each article's run 0 the *candidates* are the items it kept and the items it dropped under the
confidence threshold (``meta.dropped``, ``confidence.decide.under_threshold``); items whose confidence
is null are left out. All candidates of a section are matched to the gold once, one to one, with the
SOFT matcher (the run's matcher named "soft", else its first); the scores are pairwise, so the pairs at
a higher threshold are the Hungarian pairs of the same scores restricted to the candidates it keeps.

- curves: per section, for thresholds 0.00, 0.05, ..., 0.95 and the run's own, the candidates at or
  above the threshold, matched to the gold, counted over all articles (micro). The point marked
  ``default`` is what the run kept: each article at the threshold in its ``meta.confidence``. Gold
  items of an article whose run failed count too (recall as in the run's own scores).
- reliability: 10 equal-width confidence bins over every candidate of every section, each with the
  share that the matching at threshold 0 pairs with a gold item, and the expected calibration error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from summarizer.confidence.decide import under_threshold
from summarizer.evals.items import Annotation, Item, item_of
from summarizer.evals.matching import Matcher, SectionMatch, assign, match_annotations
from summarizer.evals.reliability import expected_calibration_error, reliability_bins
from summarizer.evals.runfiles import DIGITS, ConfidenceBlock, CurvePoint, ReliabilityRow
from summarizer.schemas import SECTION_NAMES, Summary

#: The thresholds every precision-recall curve has a point at: 0.00, 0.05, ..., 0.95.
GRID: tuple[float, ...] = tuple(round(k * 0.05, 2) for k in range(20))
#: The matcher whose pairs say which candidates are right.
MATCHER = "soft"


@dataclass(frozen=True)
class Candidates:
    """One article's candidates in one section, and all of them matched to the section's gold."""

    confidence: tuple[float, ...]
    kept: tuple[bool, ...]
    #: The section's threshold in the article's ``meta.confidence`` (None: the run failed, or has none).
    threshold: float | None
    match: SectionMatch

    def rows(self, threshold: float) -> list[int]:
        return [row for row, confidence in enumerate(self.confidence) if confidence >= threshold]

    def kept_rows(self) -> list[int]:
        return [row for row, kept in enumerate(self.kept) if kept]

    def matched(self, rows: Sequence[int]) -> int:
        """How many gold items the candidates ``rows`` match one to one."""
        return len(assign(self.match.scores[list(rows)], self.match.threshold))

    def right(self) -> list[tuple[float, bool]]:
        """Each candidate's confidence, and whether the matching of all of them pairs it."""
        paired = {pair.pred for pair in self.match.pairs}
        return [(confidence, row in paired) for row, confidence in enumerate(self.confidence)]


def section_candidates(summary: Summary) -> dict[str, list[tuple[Item, float, bool]]]:
    """Per section: (item, confidence, kept) of the kept items and those dropped under the threshold."""
    found: dict[str, list[tuple[Item, float, bool]]] = {section: [] for section in SECTION_NAMES}
    for section in SECTION_NAMES:
        for item in getattr(summary, section):
            if item.confidence is not None:
                found[section].append((item_of(section, item), item.confidence, True))
    for dropped in summary.meta.dropped:
        if dropped.item is None or dropped.section not in found or not under_threshold(dropped):
            continue
        confidence = dropped.item.get("confidence")
        if isinstance(confidence, int | float):
            found[dropped.section].append((item_of(dropped.section, dropped.item), float(confidence), False))
    return found


def article_candidates(summary: Summary | None, gold: Annotation, matcher: Matcher) -> dict[str, Candidates]:
    """Per section, an article's candidates (none for a failed run) matched to its gold."""
    found = section_candidates(summary) if summary is not None else {section: [] for section in SECTION_NAMES}
    pred = Annotation(
        actors=tuple(summary.actors) if summary is not None else (),
        sections={section: tuple(item for item, _, _ in found[section]) for section in SECTION_NAMES},
    )
    matches = match_annotations(pred, gold, matcher)
    meta = summary.meta.confidence if summary is not None else None
    return {
        section: Candidates(
            confidence=tuple(confidence for _, confidence, _ in found[section]),
            kept=tuple(kept for _, _, kept in found[section]),
            threshold=meta.thresholds.get(section) if meta is not None else None,
            match=matches[section],
        )
        for section in SECTION_NAMES
    }


def _point(parts: Sequence[Candidates], rows: Sequence[list[int]], threshold: float) -> CurvePoint:
    kept = sum(len(r) for r in rows)
    matched = sum(part.matched(r) for part, r in zip(parts, rows, strict=True))
    gold = sum(part.match.n_gold for part in parts)
    return CurvePoint(
        threshold=round(threshold, DIGITS),
        kept=kept,
        matched=matched,
        gold=gold,
        precision=round(matched / kept, DIGITS) if kept else None,
        recall=round(matched / gold, DIGITS) if gold else None,
    )


def _default_point(parts: Sequence[Candidates]) -> CurvePoint:
    """What the run kept: each article at its own threshold. The point's threshold is theirs when they
    agree, else their mean with ``threshold_range``; 0 when no article recorded one."""
    thresholds = [part.threshold for part in parts if part.threshold is not None] or [0.0]
    low, high = min(thresholds), max(thresholds)
    point = _point(parts, [part.kept_rows() for part in parts], sum(thresholds) / len(thresholds))
    spread = None if low == high else (round(low, DIGITS), round(high, DIGITS))
    return point.model_copy(update={"default": True, "threshold_range": spread})


def section_curve(parts: Sequence[Candidates]) -> list[CurvePoint]:
    """The points at every threshold of ``GRID`` and the default point, lowest threshold first."""
    points = [_point(parts, [part.rows(threshold) for part in parts], threshold) for threshold in GRID]
    default = _default_point(parts)
    points = [p for p in points if default.threshold_range is not None or p.threshold != default.threshold]
    return sorted([*points, default], key=lambda point: point.threshold or 0.0)


def _matcher(matchers: Sequence[Matcher]) -> Matcher | None:
    return next((m for m in matchers if m.name == MATCHER), matchers[0] if matchers else None)


def confidence_block(
    summaries: Mapping[str, Summary | None], golds: Mapping[str, Annotation], matchers: Sequence[Matcher]
) -> ConfidenceBlock | None:
    """The ``confidence`` block of the articles' run-0 ``summaries``; None when no item has a confidence."""
    matcher = _matcher(matchers)
    if matcher is None:
        return None
    articles = [article_candidates(summary, golds[a], matcher) for a, summary in summaries.items()]
    pairs = [pair for article in articles for part in article.values() for pair in part.right()]
    if not pairs:
        return None
    reliability = [
        ReliabilityRow(
            low=round(row.low, DIGITS),
            high=round(row.high, DIGITS),
            items=row.items,
            mean_confidence=None if row.mean_confidence is None else round(row.mean_confidence, DIGITS),
            share_right=None if row.share_right is None else round(row.share_right, DIGITS),
        )
        for row in reliability_bins(pairs)
    ]
    return ConfidenceBlock(
        matcher=matcher.name,
        items=len(pairs),
        curves={section: section_curve([article[section] for article in articles]) for section in SECTION_NAMES},
        reliability=reliability,
        ece=expected_calibration_error(pairs),
    )
