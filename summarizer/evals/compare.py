"""Compare two run folders: what changed per section, and which gold items each run gained or lost.

Reads ``metrics.json`` and ``articles/<id>.json`` of both runs (no model, no embedder). A gold item is
*gained* when run B matches it and run A does not, *lost* the other way round (run 0 of each, the run
``articles/<id>.json`` describes).

Whether the overall F1 moved beyond noise: a paired bootstrap over the articles both runs scored
(``summarizer.evals.bootstrap.f1_difference``, from each article's counts in ``metrics.json``). When
the interval of B - A holds 0, the change is within the noise of which articles the gold happens to
have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from summarizer.errors import SummarizerError
from summarizer.evals.bootstrap import Interval, f1_difference
from summarizer.evals.metrics import Counts, total
from summarizer.evals.runfiles import AnnotationRecord, ArticleRecord, RunMetrics, read_article, read_metrics
from summarizer.evals.tables import delta_table, render
from summarizer.schemas import SECTION_NAMES, SECTIONS


class RunFolderError(SummarizerError):
    """A run folder lacks the files ``summarizer eval`` writes, or they cannot be read."""


@dataclass(frozen=True)
class ItemChange:
    """A gold item matched by one run and not by the other."""

    article_id: str
    matcher: str
    section: str
    gold_index: int
    label: str
    gained: bool


@dataclass(frozen=True)
class F1Change:
    """One matcher's overall F1 of B minus A on the articles both runs scored, and its bootstrap interval."""

    matcher: str
    articles: int
    difference: float | None = None  # None: a run lacks per-article counts (older runs)
    interval: Interval | None = None  # None: too few articles to resample

    def describe(self) -> str:
        """One line: the difference, its interval, and whether the interval holds 0 (within noise)."""
        head = f"{self.matcher} F1"
        if self.difference is None:
            return f"{head}: a run without per-article counts (an older version), no interval"
        if self.interval is None:
            articles = f"{self.articles} article{'' if self.articles == 1 else 's'}"
            return f"{head} {self.difference:+.3f} (over {articles}: too few to resample)"
        low, high = self.interval.low, self.interval.high
        if 0.0 in self.interval:
            verdict = "within noise"
        else:
            verdict = "B better beyond noise" if low > 0.0 else "B worse beyond noise"
        return (
            f"{head} {self.difference:+.3f} ({self.interval.level:.0%} interval of the difference "
            f"{low:+.3f} .. {high:+.3f} over {self.articles} articles: {verdict})"
        )


@dataclass(frozen=True)
class Comparison:
    """Run A against run B."""

    before: RunMetrics
    after: RunMetrics
    matchers: list[str]
    changes: list[ItemChange] = field(default_factory=list)
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)
    f1_changes: list[F1Change] = field(default_factory=list)


T = TypeVar("T")


def _read(read: Callable[[Path], T], path: Path) -> T:
    try:
        return read(path)
    except FileNotFoundError as error:
        raise RunFolderError(
            f"{path}: no such file; is {path.parent} a folder written by `summarizer eval`?"
        ) from error
    except (OSError, ValueError) as error:
        raise RunFolderError(f"{path}: cannot be read as JSON ({error})") from error


def _metrics(run: Path) -> RunMetrics:
    metrics = _read(read_metrics, run / "metrics.json")
    if not {"overall", "sections"} <= metrics.model_fields_set:
        raise RunFolderError(f"{run / 'metrics.json'}: has no 'overall'/'sections'; not an eval run's metrics")
    return metrics


def gold_label(gold: AnnotationRecord, section: str, index: int) -> str:
    """``positions[3] Antony Blinken: Backs a humanitarian ceasefire`` for a gold item."""
    items = gold.section(section)
    if index >= len(items):
        return f"{section}[{index}] (not in the article file's gold)"
    spec = SECTIONS[section]
    return f"{section}[{index}] {getattr(items[index], spec.actor_field) or '?'}: {spec.text(items[index])}"


def _matched(article: ArticleRecord, matcher: str, section: str) -> set[int]:
    match = article.matches.get(matcher, {}).get(section)
    return {pair.gold for pair in match.pairs if pair.gold is not None} if match is not None else set()


def _changes(article_id: str, a: ArticleRecord, b: ArticleRecord, matchers: list[str]) -> list[ItemChange]:
    changes: list[ItemChange] = []
    for matcher in matchers:
        for section in SECTION_NAMES:
            before, after = _matched(a, matcher, section), _matched(b, matcher, section)
            for index in sorted(before ^ after):
                label = gold_label(b.gold, section, index)
                changes.append(ItemChange(article_id, matcher, section, index, label, gained=index in after))
    return changes


def _article_counts(metrics: RunMetrics, article_ids: list[str], matcher: str) -> list[Counts] | None:
    blocks = [metrics.articles[i].scores.get(matcher) for i in article_ids]
    counts = [block.counts() if block is not None else None for block in blocks]
    return None if any(c is None for c in counts) else [c for c in counts if c is not None]


def f1_change(before: RunMetrics, after: RunMetrics, matcher: str) -> F1Change:
    """B - A of ``matcher``'s micro F1 over the articles both runs scored, with a paired bootstrap interval."""
    shared = sorted(set(before.articles) & set(after.articles))
    a, b = _article_counts(before, shared, matcher), _article_counts(after, shared, matcher)
    if a is None or b is None:
        return F1Change(matcher, len(shared))
    difference = total(b).f1 - total(a).f1
    return F1Change(matcher, len(shared), difference, f1_difference(a, b) if len(shared) > 1 else None)


def compare_runs(run_a: Path | str, run_b: Path | str) -> Comparison:
    """Read both run folders and collect the per-section metrics and the per-item changes."""
    a_dir, b_dir = Path(run_a), Path(run_b)
    before, after = _metrics(a_dir), _metrics(b_dir)
    matchers = [name for name in before.overall if name in after.overall]
    a_ids, b_ids = set(before.articles), set(after.articles)
    changes: list[ItemChange] = []
    for article_id in sorted(a_ids & b_ids):
        a = _read(read_article, a_dir / "articles" / f"{article_id}.json")
        b = _read(read_article, b_dir / "articles" / f"{article_id}.json")
        changes.extend(_changes(article_id, a, b, matchers))
    f1_changes = [f1_change(before, after, name) for name in matchers]
    return Comparison(before, after, matchers, changes, sorted(a_ids - b_ids), sorted(b_ids - a_ids), f1_changes)


def format_comparison(comparison: Comparison, run_a: str = "A", run_b: str = "B") -> str:
    """The per-section delta table, then per article the F1 change and the gold items gained and lost."""
    before = {**comparison.before.sections, "overall": comparison.before.overall}
    after = {**comparison.after.sections, "overall": comparison.after.overall}
    out = [f"A = {run_a}\nB = {run_b}\n\n", delta_table(before, after, comparison.matchers)]
    if comparison.f1_changes:
        out.append("\nOverall F1, B - A, bootstrapped over the articles both runs scored:\n")
        out += [f"  {change.describe()}\n" for change in comparison.f1_changes]
    header = ["article"]
    for name in comparison.matchers:
        header += [f"{name} F1 A", "B", "gained", "lost"]
    rows = []
    a_articles, b_articles = comparison.before.articles, comparison.after.articles
    for article_id in sorted(set(a_articles) & set(b_articles)):
        row = [article_id]
        for name in comparison.matchers:
            mine = [c for c in comparison.changes if c.article_id == article_id and c.matcher == name]
            row += [
                f"{a_articles[article_id].f1.get(name, 0.0):.2f}",
                f"{b_articles[article_id].f1.get(name, 0.0):.2f}",
                f"+{sum(c.gained for c in mine)}",
                f"-{sum(not c.gained for c in mine)}",
            ]
        rows.append(row)
    if rows:
        out += ["\n", render(header, rows)]
    for change in comparison.changes:
        sign = "+" if change.gained else "-"
        out.append(f"  {sign} {change.article_id} [{change.matcher}] {change.label}\n")
    for article_id in comparison.only_in_a:
        out.append(f"  only in A: {article_id}\n")
    for article_id in comparison.only_in_b:
        out.append(f"  only in B: {article_id}\n")
    return "".join(out)
