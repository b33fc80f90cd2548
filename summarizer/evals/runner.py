"""Run a summarizer over gold articles, score every run, and write the run folder.

    out_dir/metrics.json                 the numbers (see ``evaluate``); with a ``confidence`` block when
                                         the items carry one (``summarizer.evals.confidence_report``)
    out_dir/predictions/<id>.run<k>.json each run's Summary
    out_dir/articles/<id>.json           per article, for the report: text, gold, run 0's prediction,
                                         its matches, per-section metrics and reading coverage
    out_dir/report.html                  written by ``summarizer.evals.report`` when that module exists

A summarize call that raises a ``SummarizerError`` (or returns something that is not a valid Summary)
is recorded as an invalid run and scored as an empty prediction; it does not stop the evaluation.
``ReplayMissError`` does: a missing recording is a set-up problem, not a model failure.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from summarizer._version import __version__
from summarizer.errors import ReplayMissError, SummarizerError
from summarizer.evals.bootstrap import LEVEL, RESAMPLES, SEED, f1_interval
from summarizer.evals.confidence_report import confidence_block
from summarizer.evals.coverage import Coverage, SentenceIndex, section_coverage
from summarizer.evals.gold import GoldArticle, GoldError, find_gold_dirs, load_gold_dir
from summarizer.evals.items import Annotation, annotation_of
from summarizer.evals.matching import Matcher, SoftMatcher, StrictMatcher
from summarizer.evals.metrics import grounded_counts, mean, std, total
from summarizer.evals.runfiles import (
    DIGITS,
    PRF,
    AnnotationRecord,
    ArticleMetrics,
    ArticleRecord,
    CoverageCount,
    CoverageSummary,
    F1Interval,
    Folds,
    MatcherInfo,
    Overlap,
    PRFBlock,
    RunError,
    RunF1,
    RunMetrics,
    SectionMatches,
    UsageMeans,
    write_json,
)
from summarizer.evals.scoring import MatcherScore, score_annotation
from summarizer.schemas import SECTION_NAMES, Summary

SummarizeFn = Callable[[str], Summary]
ProgressFn = Callable[[str], None]
REPORT_MODULE = "summarizer.evals.report"


@dataclass(frozen=True)
class RunResult:
    """One summarize call on one article, and its scores."""

    run: int
    summary: Summary | None
    error: str | None
    scores: dict[str, MatcherScore]
    grounded: tuple[int, int]
    #: Per section: gold items whose evidence sentence yielded a prediction in that section.
    coverage: dict[str, Coverage]


def _summarize_once(summarize: SummarizeFn, text: str) -> tuple[Summary | None, str | None]:
    try:
        result: Any = summarize(text)
    except ReplayMissError:
        raise
    except SummarizerError as error:
        return None, f"{type(error).__name__}: {error}"
    try:  # re-validate: a summary built without validation (model_construct) must not slip through
        payload = result.model_dump(mode="json", warnings=False) if isinstance(result, BaseModel) else result
        return Summary.model_validate(payload), None
    except ValidationError as error:
        return None, f"invalid Summary: {error.error_count()} validation errors, first: {error.errors()[0]['msg']}"


def _run(
    article: GoldArticle, gold: Annotation, run: int, summarize: SummarizeFn, matchers: Sequence[Matcher]
) -> RunResult:
    summary, error = _summarize_once(summarize, article.text)
    pred = annotation_of(summary) if summary is not None else Annotation(actors=(), sections={})
    scores = score_annotation(pred, gold, matchers)
    grounded = grounded_counts((item for s in SECTION_NAMES for item in pred.section(s)), article.text)
    sentences = SentenceIndex(article.text)
    coverage: dict[str, Coverage] = {
        s: section_coverage(gold.section(s), pred.section(s), sentences) for s in SECTION_NAMES
    }
    return RunResult(run=run, summary=summary, error=error, scores=scores, grounded=grounded, coverage=coverage)


def _article_file(article: GoldArticle, first: RunResult) -> ArticleRecord:
    """The report's view of one article, from its first run."""
    prediction = first.summary.model_dump(mode="json") if first.summary is not None else None
    return ArticleRecord(
        article_id=article.article_id,
        text=article.text,
        gold=AnnotationRecord.model_validate(article.gold.model_dump(mode="json")),
        prediction=None if prediction is None else AnnotationRecord.model_validate(prediction),
        error=first.error,
        matches={
            name: {section: SectionMatches.of(match) for section, match in score.matches.items()}
            for name, score in first.scores.items()
        },
        metrics={
            name: {section: PRF.of(score.counts(section)) for section in SECTION_NAMES}
            for name, score in first.scores.items()
        },
        coverage={section: CoverageCount.of(coverage) for section, coverage in first.coverage.items()},
    )


def _usage(results: Sequence[RunResult]) -> UsageMeans:
    metas = [r.summary.meta for r in results if r.summary is not None]

    def avg(values: list[float]) -> float | None:
        value = mean(values)
        return None if value is None else round(value, 3)

    return UsageMeans(
        prompt_tokens=avg([m.usage.prompt_tokens for m in metas]),
        completion_tokens=avg([m.usage.completion_tokens for m in metas]),
        tokens=avg([m.usage.prompt_tokens + m.usage.completion_tokens for m in metas]),
        latency_s=avg([m.seconds for m in metas]),
        calls=avg([m.usage.calls for m in metas]),
        retries=avg([m.usage.retries for m in metas]),
        reasks=avg([m.usage.reasks for m in metas]),
        dropped=avg([len(m.dropped) for m in metas]),
    )


def _prf_block(scores: Sequence[MatcherScore], section: str | None = None) -> PRFBlock:
    one = total(s.counts(section) for s in scores)
    many = total(s.counts(section, "many_to_one") for s in scores)
    return PRFBlock.of_counts(one, many)


def _coverage(results: Sequence[RunResult]) -> CoverageSummary:
    """Reading coverage summed over ``results``: overall and per section (``summarizer.evals.coverage``)."""
    sections = {s: sum((r.coverage[s] for r in results), Coverage()) for s in SECTION_NAMES}
    overall = sum(sections.values(), Coverage())
    return CoverageSummary(
        overall=CoverageCount.of(overall), sections={s: CoverageCount.of(c) for s, c in sections.items()}
    )


def _ratio(parts: Sequence[tuple[int, int]]) -> float | None:
    hits, count = sum(p[0] for p in parts), sum(p[1] for p in parts)
    return round(hits / count, DIGITS) if count else None


def _valid_rate(results: Sequence[RunResult]) -> float:
    return round(sum(r.summary is not None for r in results) / len(results), DIGITS)


def _f1(results: Sequence[RunResult], name: str) -> float:
    return total(r.scores[name].counts() for r in results).f1


def _article_metrics(results: Sequence[RunResult], names: Sequence[str]) -> ArticleMetrics:
    return ArticleMetrics(
        f1={name: round(_f1(results, name), DIGITS) for name in names},
        sections={
            section: {name: _prf_block([r.scores[name] for r in results], section) for name in names}
            for section in SECTION_NAMES
        },
        scores={name: _prf_block([r.scores[name] for r in results]) for name in names},
        grounded_rate=_ratio([r.grounded for r in results]),
        coverage=_coverage(results),
        evidence_overlap={name: Overlap.of([p for r in results for p in r.scores[name].overlaps]) for name in names},
        schema_valid_rate=_valid_rate(results),
        errors=[RunError(run=r.run, error=r.error) for r in results if r.error],
        usage=_usage(results),
        runs=[
            RunF1(run=r.run, valid=r.summary is not None, f1={n: round(_f1([r], n), DIGITS) for n in names})
            for r in results
        ],
    )


def _f1_interval(results: dict[str, list[RunResult]], names: Sequence[str]) -> F1Interval:
    """Each matcher's overall F1, bootstrapped over articles (``summarizer.evals.bootstrap``)."""
    bounds: dict[str, tuple[float, float]] = {}
    for name in names:
        counts = [total(r.scores[name].counts() for r in runs) for runs in results.values()]
        interval = f1_interval(counts)
        bounds[name] = (round(interval.low, DIGITS), round(interval.high, DIGITS))
    return F1Interval(bounds=bounds, resamples=RESAMPLES, level=LEVEL, seed=SEED)


def aggregate(results: dict[str, list[RunResult]], matchers: Sequence[Matcher], runs: int) -> RunMetrics:
    """``metrics.json``'s content from every article's runs (micro-averages over articles and runs)."""
    names = [m.name for m in matchers]
    every = [r for article_runs in results.values() for r in article_runs]
    per_run = [{name: _f1([rs[k] for rs in results.values()], name) for name in names} for k in range(runs)]
    return RunMetrics(
        summarizer_version=__version__,
        runs=runs,
        articles_count=len(results),
        matchers={m.name: MatcherInfo(threshold=m.threshold, embedder=_embedder(m)) for m in matchers},
        overall={name: _prf_block([r.scores[name] for r in every]) for name in names},
        sections={
            section: {name: _prf_block([r.scores[name] for r in every], section) for name in names}
            for section in SECTION_NAMES
        },
        grounded_rate=_ratio([r.grounded for r in every]),
        coverage=_coverage(every),
        evidence_overlap={name: Overlap.of([p for r in every for p in r.scores[name].overlaps]) for name in names},
        schema_valid_rate=_valid_rate(every) if every else None,
        f1_std={name: round(std([f1[name] for f1 in per_run]), DIGITS) for name in names},
        per_run=[RunF1(run=k, f1={n: round(f1[n], DIGITS) for n in names}) for k, f1 in enumerate(per_run)],
        usage=_usage(every),
        articles={article_id: _article_metrics(rs, names) for article_id, rs in results.items()},
        f1_interval=_f1_interval(results, names) if results else None,
    )


def _embedder(matcher: Matcher) -> str | None:
    embedder = getattr(matcher, "embedder", None)
    return None if embedder is None else str(embedder.name)


def write_report(out_dir: Path) -> Path | None:
    """``summarizer.evals.report.write_report(out_dir)`` if that module is installed; else nothing."""
    if importlib.util.find_spec(REPORT_MODULE) is None:
        return None
    report = importlib.import_module(REPORT_MODULE)
    written = report.write_report(out_dir)
    return Path(written) if written else out_dir / "report.html"


def load_articles(gold_dirs: Sequence[Path | str]) -> list[GoldArticle]:
    """Every article folder under ``gold_dirs``, validated; ``GoldError`` on the first problem."""
    articles = [load_gold_dir(folder) for folder in find_gold_dirs(gold_dirs)]
    seen: dict[str, Path] = {}
    for article in articles:
        if article.article_id in seen:
            raise GoldError(
                article.folder, None, f"article_id {article.article_id!r} is also {seen[article.article_id]}"
            )
        seen[article.article_id] = article.folder
    return articles


def evaluate(
    gold_dirs: Sequence[Path | str],
    out_dir: Path | str,
    summarize: SummarizeFn,
    runs: int = 1,
    progress: ProgressFn | None = None,
    matchers: Sequence[Matcher] | None = None,
    concurrency: int = 1,
    folds: Callable[[], Folds] | None = None,
) -> RunMetrics:
    """Summarise every gold article ``runs`` times, score, write the run folder; returns the metrics.

    ``folds`` says, once every article is summarised, how the run was cross-validated
    (``summarizer.evals.folds``); it goes into ``metrics.json``.

    ``matchers`` defaults to ``StrictMatcher()`` and ``SoftMatcher()`` (the real embedding model).
    ``concurrency`` summaries run at once (``summarize`` must be safe to call from that many threads,
    as ``Summarizer.summarize`` is); the results are the same as one at a time, in the same order.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    articles = load_articles(gold_dirs)
    matchers = list(matchers) if matchers is not None else [StrictMatcher(), SoftMatcher()]
    out = Path(out_dir)
    notify = progress or (lambda _message: None)
    golds = {article.article_id: annotation_of(article.gold) for article in articles}
    tasks = [(article, run) for article in articles for run in range(runs)]
    finished = [0]
    lock = threading.Lock()

    def one(task: tuple[GoldArticle, int]) -> RunResult:
        article, run = task
        label = f" run {run + 1}/{runs}" if runs > 1 else ""
        with lock:
            notify(f"[{tasks.index(task) + 1}/{len(tasks)}] {article.article_id}{label} ...")
        result = _run(article, golds[article.article_id], run, summarize, matchers)
        with lock:
            finished[0] += 1
            done = f"[{finished[0]}/{len(tasks)} done] {article.article_id}{label}"
            notify(done if result.summary is not None else f"{done}: invalid run: {result.error}")
        return result

    if concurrency == 1:
        outcomes = [one(task) for task in tasks]
    else:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            outcomes = list(pool.map(one, tasks))
    results: dict[str, list[RunResult]] = {article.article_id: [] for article in articles}
    for (article, run), result in zip(tasks, outcomes, strict=True):
        if result.summary is not None:
            write_json(out / "predictions" / f"{article.article_id}.run{run}.json", result.summary)
        results[article.article_id].append(result)
    for article in articles:
        first = results[article.article_id][0]
        write_json(out / "articles" / f"{article.article_id}.json", _article_file(article, first))
    metrics = aggregate(results, matchers, runs)
    if folds is not None:
        metrics = metrics.model_copy(update={"folds": folds()})
    confidence = confidence_block({a: runs[0].summary for a, runs in results.items()}, golds, matchers)
    if confidence is not None:
        metrics = metrics.model_copy(update={"confidence": confidence})
    write_json(out / "metrics.json", metrics)
    write_report(out)
    return metrics
