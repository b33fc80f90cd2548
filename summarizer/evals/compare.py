"""Compare two run folders: what changed per section, and which gold items each run gained or lost.

Reads ``metrics.json`` and ``articles/<id>.json`` of both runs (no model, no embedder). A gold item is
*gained* when run B matches it and run A does not, *lost* the other way round (run 0 of each, the run
``articles/<id>.json`` describes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from summarizer.errors import SummarizerError
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
class Comparison:
    """Run A against run B."""

    before: RunMetrics
    after: RunMetrics
    matchers: list[str]
    changes: list[ItemChange] = field(default_factory=list)
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)


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
    return Comparison(before, after, matchers, changes, sorted(a_ids - b_ids), sorted(b_ids - a_ids))


def format_comparison(comparison: Comparison, run_a: str = "A", run_b: str = "B") -> str:
    """The per-section delta table, then per article the F1 change and the gold items gained and lost."""
    before = {**comparison.before.sections, "overall": comparison.before.overall}
    after = {**comparison.after.sections, "overall": comparison.after.overall}
    out = [f"A = {run_a}\nB = {run_b}\n\n", delta_table(before, after, comparison.matchers)]
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
