"""The ``summarizer`` command. Results go to stdout (or ``-o FILE``); progress and errors to stderr.

Exit codes: 0 success, 1 a failure with a one-line reason, 2 bad usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from summarizer import defaults
from summarizer._version import __version__
from summarizer.api import Summarizer
from summarizer.cli_options import add_model_options, settings_from_args
from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.inputs import decode_article, read_article_file
from summarizer.markdown import render_markdown

if TYPE_CHECKING:
    from summarizer.batch import BatchItem, BatchReport, ItemOutcome


class _Status:
    """Progress lines on stderr, each with the seconds since the command started."""

    def __init__(self, stream: TextIO, quiet: bool) -> None:
        self._stream = stream
        self._quiet = quiet
        self._started = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self._quiet:
            elapsed = time.perf_counter() - self._started
            print(f"[{elapsed:6.1f}s] {message}", file=self._stream, flush=True)


def read_article(source: str, stdin: TextIO | None = None) -> str:
    """The article text from a path or ``-`` (stdin), as strict UTF-8; ``InputError`` otherwise."""
    if source != "-":
        return read_article_file(source)
    stream = stdin or sys.stdin
    data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode("utf-8")
    return decode_article(data, "standard input")


def write_output(text: str, destination: str | None, stdout: TextIO) -> None:
    """Write to stdout, or atomically to a file (never a half-written file)."""
    if destination is None or destination == "-":
        stdout.write(text)
        stdout.flush()
        return
    path = Path(destination)
    if path.parent and not path.parent.exists():
        raise InputError(f"-o {destination}: folder {path.parent} does not exist")
    handle, temporary = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="summarizer", description="Structured, evidence-grounded summaries of news articles."
    )
    parser.add_argument("--version", action="version", version=f"summarizer {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    summarize = commands.add_parser("summarize", help="summarise one article")
    summarize.add_argument("path", help="the article file (UTF-8 text), or - for standard input")
    summarize.add_argument("--format", choices=["json", "markdown"], default="json")
    summarize.add_argument("-o", "--output", help="write the result to this file instead of stdout")
    summarize.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    summarize.add_argument("-v", "--verbose", action="store_true", help="full tracebacks on errors")
    add_model_options(summarize)
    summarize.set_defaults(handler=_summarize_command)
    batch = commands.add_parser("batch", help="summarise many articles from a JSON-lines file, resumably")
    batch.add_argument("input", help='JSON lines: {"id": ..., "text": ...} or {"id": ..., "path": ...} per line')
    batch.add_argument("-o", "--output", required=True, help="JSON-lines results; a re-run skips the ids done there")
    batch.add_argument(
        "--concurrency",
        "--slots",
        type=_at_least_one,
        default=defaults.ARTICLES_AT_ONCE,
        help=f"articles in flight at once (default {defaults.ARTICLES_AT_ONCE}); with the embedded model, one "
        "llama.cpp server slot each on one server; with --engine ray, one Ray actor each (at most four per CPU core)",
    )
    batch.add_argument(
        "--engine",
        choices=["threads", "ray"],
        default="threads",
        help="threads in this process (default), or Ray actors on this machine or a cluster (needs a model "
        "server: --base-url; and pip install 'summarizer[ray]')",
    )
    batch.add_argument(
        "--ray-address",
        help="with --engine ray: the Ray cluster to use (auto: the one `ray start` runs here); default: one "
        "running here, else a local one started for this run",
    )
    batch.add_argument("-q", "--quiet", action="store_true", help="no per-item progress on stderr")
    batch.add_argument(
        "-v", "--verbose", action="store_true", help="full tracebacks on errors; with --engine ray, Ray's own logs"
    )
    add_model_options(batch)
    batch.set_defaults(handler=_batch_command)
    engine = commands.add_parser(
        "engine", help="build the embedded llama.cpp server (once; make setup does it), or show where it is"
    )
    engine.add_argument("action", choices=["build", "info"])
    engine.add_argument("--source", help="build: the pinned llama-cpp-python source archive, if you have it")
    engine.add_argument("--jobs", type=_at_least_one, help="build: compile jobs (default: one per CPU)")
    engine.add_argument("-v", "--verbose", action="store_true", help="full tracebacks on errors")
    engine.set_defaults(handler=_engine_command)
    from summarizer.evals.cli import add_eval_parser

    add_eval_parser(commands)
    return parser


def _engine_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from summarizer.engine.build import LLAMA_CPP_SOURCE, build_engine, build_manifest, find_binary

    if args.action == "build":
        status = _Status(stderr, quiet=False)
        archive = Path(args.source) if args.source else None
        print(build_engine(archive=archive, jobs=args.jobs, progress=status), file=stdout)
        return 0
    binary = find_binary()
    manifest = build_manifest(binary)
    print(f"llama-server: {binary}", file=stdout)
    if manifest is None:
        print("built elsewhere (SUMMARIZER_LLAMA_SERVER)", file=stdout)
    else:
        print(f"source: {manifest['source']} (sha256 {LLAMA_CPP_SOURCE.sha256[:16]}...)", file=stdout)
        flags = manifest["flags"]
        shown = " ".join(str(flag) for flag in flags) if isinstance(flags, list) else str(flags)
        print(f"built in {manifest['build_seconds']} s with: {shown}", file=stdout)
    return 0


def _summarize_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    status = _Status(stderr, args.quiet)
    article = read_article(args.path)
    settings = settings_from_args(args)
    status(f"read {len(article)} characters; model backend: {settings.backend}")
    with Summarizer(settings, progress=status) as summarizer:
        summary = summarizer.summarize(article)
    rendered = render_markdown(summary) if args.format == "markdown" else summary.model_dump_json(indent=2) + "\n"
    write_output(rendered, args.output, stdout)
    usage = summary.meta.usage
    counts = ", ".join(f"{len(getattr(summary, s))} {s}" for s in ("positions", "demands", "conditions", "risks"))
    status(
        f"done in {summary.meta.seconds:.1f} s: {counts}; {usage.prompt_tokens} prompt + "
        f"{usage.completion_tokens} completion tokens, {usage.calls} calls, {usage.retries} retries, "
        f"{usage.reasks} re-asks, {len(summary.meta.dropped)} dropped"
    )
    return 0


def _at_least_one(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {value!r}")
    return int(value)


def _batch_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from summarizer.batch import BatchInterrupted, read_items, run_batch

    if args.ray_address is not None and args.engine != "ray":
        return _usage_error(stderr, "batch", "--ray-address needs --engine ray")
    ray_engine = None
    if args.engine == "ray":
        from summarizer.batch.ray_engine import RayEngine

        settings = settings_from_args(args)  # outside the try: a bad option fails as in every command
        try:
            ray_engine = RayEngine(settings, args.concurrency, address=args.ray_address, ray_logs=args.verbose)
        except ConfigError as error:  # no Ray, or the embedded model: the command cannot run as asked
            return _usage_error(stderr, "batch", str(error))
    status = _Status(stderr, args.quiet)
    items = read_items(args.input)

    def item_done(outcome: ItemOutcome) -> None:
        if not args.quiet:
            print(outcome, file=stderr, flush=True)

    try:
        if ray_engine is not None:
            report = run_batch(items, args.output, ray_engine, progress=item_done)
        else:
            report = _batch_on_threads(args, items, status, item_done)
    except BatchInterrupted as interrupted:
        print(f"batch interrupted: {interrupted.report}; run the same command again to finish", file=stderr)
        raise
    print(f"batch done: {report}", file=stderr, flush=True)
    return 1 if report.failed else 0


def _batch_on_threads(
    args: argparse.Namespace, items: list[BatchItem], status: _Status, progress: Callable[[ItemOutcome], None]
) -> BatchReport:
    from summarizer.batch import summarize_batch

    opened = threading.Event()  # once items run, the per-item lines replace the pipeline's per-section notes

    def note(message: str) -> None:
        if not opened.is_set():
            status(message)

    with Summarizer(settings_from_args(args, slots=args.concurrency), progress=note) as summarizer:
        opened.set()
        return summarize_batch(items, args.output, summarizer, args.concurrency, progress=progress)


def _usage_error(stderr: TextIO, command: str, message: str) -> int:
    """Bad usage that argparse cannot see: one line, exit 2."""
    print(f"summarizer {command}: error: {message}", file=stderr)
    return 2


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    handler: Callable[[argparse.Namespace, TextIO, TextIO], int] = args.handler
    instructor_logger = logging.getLogger("instructor")
    instructor_level = instructor_logger.level
    if not getattr(args, "verbose", False):
        # instructor logs every exhausted re-ask at ERROR; we report those in meta.dropped instead.
        instructor_logger.setLevel(logging.CRITICAL)
    previous = signal.getsignal(signal.SIGTERM)
    in_main_thread = _is_main_thread()
    if in_main_thread:  # SIGTERM unwinds like Ctrl-C, so the embedded server is always stopped
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        return handler(args, stdout, stderr)
    except SummarizerError as error:
        if getattr(args, "verbose", False):
            traceback.print_exc(file=stderr)
        print(f"summarizer: error: {error}", file=stderr)
        return 1
    except KeyboardInterrupt:
        print("summarizer: interrupted", file=stderr)
        return 130
    except Exception as error:  # a bug, not a user error: one line, details on --verbose
        if getattr(args, "verbose", False):
            traceback.print_exc(file=stderr)
        print(
            f"summarizer: internal error: {type(error).__name__}: {error} (run with --verbose for details)",
            file=stderr,
        )
        return 1
    finally:
        instructor_logger.setLevel(instructor_level)
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _is_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":
    raise SystemExit(main())


def main_entry() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
