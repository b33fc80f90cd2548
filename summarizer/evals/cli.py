"""``summarizer eval``: run and score, compare two runs, or measure annotator agreement.

    summarizer eval GOLD_DIR|dev|test... --out DIR [--runs N] [--replay] [--folds loao] [--record-dir DIR] [--model ...]
    summarizer eval compare RUN_A RUN_B
    summarizer eval agree GOLD_A.json GOLD_B.json [--article article.txt]
    summarizer eval calibrate GOLD_DIR|dev... [--replay] [--strategy items] [--map-out FILE]

Handlers follow the main CLI: ``handler(args, stdout, stderr) -> int``; tables go to stdout, progress
to stderr; a ``SummarizerError`` becomes one line on stderr and exit 1 (in ``summarizer.cli.main``).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from summarizer import defaults
from summarizer.cli_options import add_model_options
from summarizer.errors import SummarizerError

if TYPE_CHECKING:
    from summarizer.evals.matching import Matcher
    from summarizer.evals.runfiles import RunMetrics

# The eval modules (numpy, scipy, the embedder) are imported inside the handlers: registering the
# command must not make ``summarizer summarize`` need the ``eval`` extra, nor slow it down.

DEFAULT_RECORD_DIR = "evals/recordings"
USAGE_ERROR = 2


class EvalExtraMissingError(SummarizerError):
    """``summarizer eval`` needs packages of the ``eval`` extra that are not installed."""


def add_eval_parser(commands: Any) -> None:
    """Register ``eval`` on the main parser's subcommands (``commands = parser.add_subparsers(...)``)."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "eval",
        help="score the summarizer against gold annotations (also: eval compare A B, eval agree A B)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="GOLD_DIR",
        help="article folders (article.txt + gold.json) or folders of them; or 'compare RUN_A RUN_B'; "
        "or 'agree GOLD_A.json GOLD_B.json'",
    )
    parser.add_argument("--out", help="run folder to write: metrics.json, predictions/, articles/, report.html")
    parser.add_argument("--runs", type=int, default=1, help="summarise each article N times (default 1)")
    parser.add_argument(
        "--concurrency",
        "--slots",
        type=int,
        default=defaults.ARTICLES_AT_ONCE,
        help=f"articles summarised at once (default {defaults.ARTICLES_AT_ONCE}); with the embedded model, one "
        "llama.cpp server slot each",
    )
    parser.add_argument("--replay", action="store_true", help="answer only from recorded responses; no model")
    parser.add_argument(
        "--folds",
        choices=["loao"],
        help="cross-validate what the reader fits on gold (merge threshold, calibration map): each article "
        "scored with what was fitted on the others (needs --replay)",
    )
    parser.add_argument(
        "--map-out", help="calibrate: where to write the map (default: the one shipped for the strategy)"
    )
    parser.add_argument(
        "--record-dir", default=DEFAULT_RECORD_DIR, help=f"recorded responses (default {DEFAULT_RECORD_DIR})"
    )
    add_model_options(parser)
    parser.add_argument("--article", help="agree: the article both annotations label (default: beside GOLD_A)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("-v", "--verbose", action="store_true", help="full tracebacks on errors")
    parser.set_defaults(handler=eval_command)


def _usage_error(stderr: TextIO, message: str) -> int:
    print(f"summarizer eval: error: {message}", file=stderr)
    return USAGE_ERROR


class _Status:
    """Progress lines on stderr with the seconds since the command started."""

    def __init__(self, stream: TextIO, quiet: bool) -> None:
        self._stream, self._quiet, self._started = stream, quiet, time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self._quiet:
            print(f"[{time.perf_counter() - self._started:6.1f}s] {message}", file=self._stream, flush=True)


def default_matchers() -> list[Matcher]:
    """STRICT and SOFT with their calibrated thresholds (SOFT loads the embedding model on first use)."""
    from summarizer.evals.matching import SoftMatcher, StrictMatcher

    return [StrictMatcher(), SoftMatcher()]


def eval_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Dispatch on the first positional: ``compare``, ``agree``, or gold folders to run."""
    first, rest = args.targets[0], args.targets[1:]
    if first in ("compare", "agree") and len(rest) != 2:
        return _usage_error(stderr, f"eval {first} takes exactly two paths, got {len(rest)}")
    if first == "calibrate" and not rest:
        return _usage_error(stderr, "eval calibrate takes the gold to fit on, e.g. eval calibrate dev --replay")
    if first not in ("compare", "agree", "calibrate") and not args.out:
        return _usage_error(stderr, "--out DIR is required to run an evaluation")
    if args.folds and not args.replay:
        return _usage_error(stderr, "--folds replays each fold: record the run first, then add --replay")
    try:
        if first == "compare":
            return _compare(rest[0], rest[1], stdout)
        if first == "agree":
            return _agree(rest[0], rest[1], args.article, stdout)
        if first == "calibrate":
            return _calibrate(args, rest, stdout, stderr)
        return _run(args, stdout, stderr)
    except ModuleNotFoundError as error:
        if error.name is None or error.name.split(".")[0] == "summarizer":
            raise
        raise EvalExtraMissingError(
            f"summarizer eval needs the eval extra ({error.name} is not installed): pip install 'summarizer[eval]'"
        ) from error


def _compare(run_a: str, run_b: str, stdout: TextIO) -> int:
    from summarizer.evals.compare import compare_runs, format_comparison

    stdout.write(format_comparison(compare_runs(run_a, run_b), run_a, run_b))
    return 0


def _agree(gold_a: str, gold_b: str, article: str | None, stdout: TextIO) -> int:
    from summarizer.evals.agree import agreement, format_agreement, load_pair

    a, b = load_pair(gold_a, gold_b, article)
    stdout.write(format_agreement(agreement(a, b, default_matchers())))
    return 0


@contextlib.contextmanager
def _quiet_instructor() -> Iterator[None]:
    """Mute instructor's per-attempt error log: a failed run is recorded in metrics.json instead."""
    logger = logging.getLogger("instructor")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def format_run(metrics: RunMetrics) -> str:
    """The per-section table of a run, then one line of run-wide numbers."""
    from summarizer.evals.tables import prf_table

    table = prf_table(metrics.sections, metrics.overall, list(metrics.overall))
    spread = ", ".join(f"{name} {value:.3f}" for name, value in metrics.f1_std.items())
    line = (
        f"{metrics.articles_count} articles x {metrics.runs} runs; schema-valid {_percent(metrics.schema_valid_rate)}; "
        f"grounded evidence {_percent(metrics.grounded_rate)}; F1 std across runs: {spread}\n"
    )
    return table + line + _interval_line(metrics) + _folds_line(metrics) + _confidence_line(metrics)


def _confidence_line(metrics: RunMetrics) -> str:
    """The items' expected calibration error (``summarizer.evals.confidence_report``), if they carry a confidence."""
    block = metrics.confidence
    if block is None or block.ece is None:
        return ""
    return (
        f"confidence: expected calibration error {block.ece:.3f} over {block.items} items "
        f"(kept and dropped under the threshold in run 0, right = paired by the {block.matcher} matcher)\n"
    )


def _folds_line(metrics: RunMetrics) -> str:
    """How the run was cross-validated, if it was: what the folds fitted."""
    if metrics.folds is None or not metrics.folds.fits:
        return ""
    fits = metrics.folds.fits.values()
    merges = sorted({fit.merge_min_score for fit in fits if fit.merge_min_score is not None})
    merge = f"merge threshold {merges[0]:.2f}..{merges[-1]:.2f}" if merges else "no merge threshold"
    calibrated = sum(bool(fit.thresholds) for fit in fits)
    return (
        f"leave-one-article-out over {len(metrics.folds.fits)} folds: each article scored with what the others "
        f"fitted ({merge}; calibration map in {calibrated} folds)\n"
    )


def _interval_line(metrics: RunMetrics) -> str:
    """The bootstrap interval of each matcher's overall F1 (``summarizer.evals.bootstrap``), if the run has one."""
    interval = metrics.f1_interval
    if interval is None or not interval.bounds or interval.level is None:
        return ""
    bounds = ", ".join(f"{name} {low:.3f} .. {high:.3f}" for name, (low, high) in interval.bounds.items())
    return (
        f"F1 {interval.level:.0%} interval, resampling the {metrics.articles_count} articles "
        f"({interval.resamples} resamples): {bounds}\n"
    )


def _run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.runs < 1:
        return _usage_error(stderr, f"--runs must be at least 1, got {args.runs}")
    if args.concurrency < 1:
        return _usage_error(stderr, f"--concurrency must be at least 1, got {args.concurrency}")
    # Imported here so that compare/agree never load the model client stack.
    from summarizer.api import Summarizer
    from summarizer.cli_options import settings_from_args
    from summarizer.evals.runner import evaluate, load_articles
    from summarizer.llm.recording import ResponseStore

    status = _Status(stderr, args.quiet)
    # Everything that can be wrong with the input fails here, before any model or server starts.
    articles = load_articles(args.targets)
    settings = settings_from_args(args, slots=args.concurrency)
    store = ResponseStore(args.record_dir, mode="replay" if args.replay else "record")
    matchers = default_matchers()
    status(f"{len(articles)} articles; loading the embedding model for soft matching")
    for matcher in matchers:
        matcher.text_similarity(["warm-up"], ["warm-up"])
    status(f"model backend: {settings.backend}; responses {store.mode}ed in {store.directory}")
    if args.folds == "loao":
        from summarizer.evals.folds import LeaveOneOut

        soft = next(m for m in matchers if m.name == "soft")
        folds = LeaveOneOut(articles, settings, store, soft, progress=lambda m: status(f"  {m}"))
        with _quiet_instructor():
            metrics = evaluate(args.targets, args.out, folds, progress=status, matchers=matchers, folds=folds.report)
        stdout.write(format_run(metrics))
        status(f"wrote {args.out}/metrics.json")
        return 0
    with _quiet_instructor(), Summarizer(settings, response_store=store, progress=lambda m: status(f"  {m}")) as model:
        metrics = evaluate(
            args.targets,
            args.out,
            model.summarize,
            runs=args.runs,
            progress=status,
            matchers=matchers,
            concurrency=args.concurrency,
        )
    stdout.write(format_run(metrics))
    status(f"wrote {args.out}/metrics.json")
    return 0


def _calibrate(args: argparse.Namespace, gold: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """Fit the calibration map on ``gold`` (every item the reader gives, labelled by the SOFT matcher)."""
    from pathlib import Path

    from summarizer.api import Summarizer
    from summarizer.cli_options import settings_from_args
    from summarizer.confidence.calibration import MAPS_DIR
    from summarizer.confidence.decide import ConfidencePolicy
    from summarizer.evals.calibrate import candidate_rows, fit_map
    from summarizer.evals.runner import load_articles
    from summarizer.llm.recording import ResponseStore
    from summarizer.pipeline import OVERVIEW_TEMPLATE, SYSTEM_TEMPLATE
    from summarizer.schemas import SECTION_NAMES

    status = _Status(stderr, args.quiet)
    articles = load_articles(gold)
    settings = settings_from_args(args)
    store = ResponseStore(args.record_dir, mode="replay" if args.replay else "record")
    matcher = next(m for m in default_matchers() if m.name == "soft")
    rows = []
    with (
        _quiet_instructor(),
        Summarizer(settings, response_store=store, confidence=ConfidencePolicy.everything()) as model,
    ):
        for article in articles:
            status(f"{article.article_id}: reading every item")
            summary = model.summarize(article.text)
            rows += candidate_rows(article.article_id, article.text, summary, article.gold, matcher)
        pipeline = model.open()
        templates = [SYSTEM_TEMPLATE, OVERVIEW_TEMPLATE, *pipeline.reader.templates]
        prompts, model_name = pipeline.prompts.hashes(templates), pipeline.model.model
    counts: dict[str, dict[str, int]] = {
        a.article_id: {s: len(getattr(a.gold, s)) for s in SECTION_NAMES} for a in articles
    }
    fitted = fit_map(rows, counts, strategy=settings.strategy, model=model_name, prompts=prompts)
    target = Path(args.map_out) if args.map_out else MAPS_DIR / f"{settings.strategy}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(fitted.to_json(), encoding="utf-8")
    for section, section_map in fitted.sections.items():
        kept = [r for r in rows if r.section == section]
        print(f"{section:11} {len(kept):4} items, {sum(r.right for r in kept):4} right; keep from "
              f"{section_map.threshold:.2f}", file=stdout)  # fmt: skip
    status(f"wrote {target} (fitted on {len(articles)} articles; cross-validate with --folds loao --replay)")
    return 0
