"""The HTML report of an eval run: one self-contained page to read a run article by article.

``write_report(run_dir)`` reads what the runner left in ``run_dir`` (``metrics.json`` and
``articles/<article_id>.json``, typed by ``summarizer.evals.runfiles``) and writes
``run_dir/report.html``: the overall metrics, then for each article its metrics per section, its text
with every gold and predicted evidence span highlighted, and the gold and predicted items side by side
as the strict and the soft matcher paired them. A run whose items carry a confidence also gets a
"Confidence" part (``report_confidence``): precision-recall curves by threshold and a reliability
diagram, drawn by matplotlib (``figures``) and inlined as SVG.

The page is assembled here from view models (frozen dataclasses of text, numbers already formatted):
``report_metrics`` builds the tables and chips, ``highlight`` the marked article text, and
``report_matches`` the item cards. ``templates/report.html.j2`` does all the markup, rendered by a
Jinja2 environment with autoescape on and ``StrictUndefined``. The page is one file with inline CSS
(``templates/report.css``) and no script or external asset (the strict/soft switch is a pair of radio
buttons). Every string taken from the run is escaped by the template engine: article text and model
output are untrusted. The report renders what it finds: a missing or malformed key shows as "—", an
unreadable file as a banner, never an error.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from summarizer._version import __version__
from summarizer.evals import report_metrics as numbers
from summarizer.evals.highlight import LegendKey, Segment, highlight, legend
from summarizer.evals.report_confidence import ConfidenceView, confidence_view
from summarizer.evals.report_matches import MatcherTab, matcher_tabs
from summarizer.evals.report_metrics import MATCHERS, IndexRow, Overall, SectionTable
from summarizer.evals.runfiles import (
    PRF,
    AnnotationRecord,
    ArticleMetrics,
    ArticleRecord,
    RunMetrics,
    read_article,
    read_metrics,
)

__all__ = ["render_report", "write_report"]

TEMPLATE = "report.html.j2"


@functools.cache
def _environment() -> jinja2.Environment:
    """The report's template environment: the package's ``templates`` folder, autoescaped, strict."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("summarizer.evals", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class ArticleView:
    uid: str
    article_id: str
    chips: tuple[tuple[str, str], ...]
    load_error: str | None = None
    failure: str | None = None
    table: SectionTable | None = None
    overview: str = ""
    meta: tuple[tuple[str, str], ...] = ()
    notes: tuple[tuple[str, str], ...] = ()
    segments: tuple[Segment, ...] = ()
    tabs: tuple[MatcherTab, ...] = ()


@dataclass(frozen=True)
class PageView:
    run_name: str
    notice: str | None
    overall: Overall
    sections: SectionTable
    index: tuple[IndexRow, ...]
    articles: tuple[ArticleView, ...]
    legend: tuple[LegendKey, ...]
    version: str
    coverage_note: str = numbers.COVERAGE_NOTE
    confidence: ConfidenceView | None = None


@dataclass(frozen=True)
class _Article:
    """An article file as loaded: its record, or why it could not be read."""

    uid: str
    article_id: str
    record: ArticleRecord | None
    load_error: str | None

    @property
    def failed(self) -> bool:
        return self.record is None or bool(self.record.error) or self.record.prediction is None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:60] or "article"


def _load_articles(run_dir: Path) -> list[_Article]:
    articles: list[_Article] = []
    folder = run_dir / "articles"
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    for n, path in enumerate(paths):
        record: ArticleRecord | None = None
        error = None
        try:
            record = read_article(path)
        except (OSError, ValueError) as e:
            error = f"could not read {path.name}: {e}"
        article_id = record.article_id if record is not None and record.article_id else path.stem
        articles.append(_Article(f"a{n}-{_slug(article_id)}", article_id, record, error))
    return articles


def _article_view(article: _Article, head: ArticleMetrics) -> ArticleView:
    chips = numbers.chips(head)
    record = article.record
    if record is None:
        return ArticleView(article.uid, article.article_id, chips, load_error=article.load_error)
    gold, pred = record.gold, record.prediction or AnnotationRecord()
    failure = record.error or ("no prediction was recorded" if record.prediction is None else None)
    by_section: dict[str, dict[str, PRF]] = {}
    for matcher in MATCHERS:
        for section, scores in record.metrics.get(matcher, {}).items():
            by_section.setdefault(section, {})[matcher] = scores
    # The article file's coverage is that of the run its items come from; older files lack it.
    coverage = record.coverage or head.coverage.sections
    notes = [("gold by", gold.annotator), ("notes", gold.notes)]
    return ArticleView(
        uid=article.uid,
        article_id=article.article_id,
        chips=chips,
        failure=failure,
        table=numbers.section_table(by_section, coverage, "Metrics by section", compact=True),
        overview=pred.overview or "",
        meta=numbers.meta(record.prediction),
        notes=tuple((key, value) for key, value in notes if value),
        segments=highlight(record.text, gold, pred),
        tabs=matcher_tabs(article.uid, record.matches, gold, pred, record.text),
    )


def _page(run_dir: Path) -> PageView:
    notice = None
    metrics = RunMetrics()
    try:
        metrics = read_metrics(run_dir / "metrics.json")
    except FileNotFoundError:
        notice = "metrics.json was not found in this run folder."
    except (OSError, ValueError) as e:
        notice = f"metrics.json could not be read: {e}"
    articles = _load_articles(run_dir)
    heads = {a.article_id: metrics.articles.get(a.article_id, ArticleMetrics()) for a in articles}
    return PageView(
        run_name=run_dir.resolve().name,
        notice=notice,
        overall=numbers.overall(metrics, len(articles)),
        sections=numbers.run_sections(metrics),
        index=tuple(numbers.index_row(a.uid, a.article_id, heads[a.article_id], a.failed) for a in articles),
        articles=tuple(_article_view(a, heads[a.article_id]) for a in articles),
        legend=legend(),
        version=__version__,
        confidence=confidence_view(metrics),
    )


def render_report(run_dir: Path) -> str:
    """The report of the eval run in ``run_dir`` as one self-contained HTML page."""
    return _environment().get_template(TEMPLATE).render(page=_page(Path(run_dir)))


def write_report(run_dir: Path) -> Path:
    """Write ``run_dir/report.html`` and return its path."""
    path = Path(run_dir) / "report.html"
    path.write_text(render_report(Path(run_dir)), encoding="utf-8")
    return path
