"""Benchmark: the batch driver, thread engine against Ray engine, at 1, 2 and 4 workers.

    python benchmarks/bench_ray.py [--workers 1 2 4] [--articles 20] [--delay 0.2] [--repeat 3]
                                   [--out bench_ray.json]

Both engines summarise the same articles (distinct texts) against the tests' fake server
(``tests/fake_server.FakeServer``, in a child process of its own), which answers every request after a
fixed ``--delay``: the figures are the driver's overhead and parallelism, not a model's speed. An article
is five requests (the overview, then the four sections at once), so one worker can do at most about
1 / (2 x delay) articles a second, and N workers N times that.

For each engine and worker count: the wall time of the run, articles per second over the whole run, the
first article's latency, and articles per second after the first (the steady rate). Ray's start-up is
measured apart: importing Ray and ``ray.init`` (a local Ray, once, as a command does for each run), and
for each run, its actors' start (the first article on Ray minus the first on threads). Each run is
repeated ``--repeat`` times, and the one with the median wall time reported (a busy machine is noisy).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.api import Summarizer  # noqa: E402
from summarizer.batch import BatchItem, ItemOutcome, run_batch, summarize_batch  # noqa: E402
from summarizer.batch.ray_engine import RayEngine  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from tests.conftest import ARTICLE  # noqa: E402
from tests.fake_server import FakeServer  # noqa: E402


def serve(delay: float, report: Connection) -> None:
    """The fake server, in this (child) process until it is terminated."""
    server = FakeServer(delay=delay).start()
    report.send(server.url)
    while True:
        time.sleep(3600)


def run(engine: str, workers: int, settings: Settings, articles: list[BatchItem], folder: Path) -> dict[str, Any]:
    finished: list[float] = []

    def progress(outcome: ItemOutcome) -> None:
        assert outcome.ok, outcome
        finished.append(time.perf_counter())

    folder.mkdir(exist_ok=True)
    output = folder / f"{engine}-{workers}.jsonl"
    started = time.perf_counter()
    if engine == "ray":
        run_batch(articles, output, RayEngine(settings, workers), progress)
    else:
        with Summarizer(settings) as summarizer:
            summarize_batch(articles, output, summarizer, workers, progress)
    wall = time.perf_counter() - started
    first = finished[0] - started
    return {
        "engine": engine,
        "workers": workers,
        "articles": len(finished),
        "wall_s": round(wall, 2),
        "articles_per_s": round(len(finished) / wall, 2),
        "first_article_s": round(first, 2),
        "steady_articles_per_s": round((len(finished) - 1) / (finished[-1] - finished[0]), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds the fake server takes per request")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each engine and worker count; the median")
    parser.add_argument("--out", default="bench_ray.json")
    args = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    server = multiprocessing.get_context("fork").Process(target=serve, args=(args.delay, send), daemon=True)
    server.start()
    try:
        url = receive.recv()
        settings = Settings.resolve(base_url=url, model="fake-model")
        articles = [BatchItem(f"a{n}", text=f"Dispatch {n}. {ARTICLE}") for n in range(args.articles)]
        started = time.perf_counter()
        import ray

        ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
        ray_start = time.perf_counter() - started
        rows = []
        with tempfile.TemporaryDirectory() as tmp:
            for workers in args.workers:
                for engine in ("threads", "ray"):
                    runs = [run(engine, workers, settings, articles, Path(tmp) / str(n)) for n in range(args.repeat)]
                    rows.append(sorted(runs, key=lambda row: row["wall_s"])[len(runs) // 2])
                    print(json.dumps(rows[-1]), flush=True)
        ray.shutdown()
    finally:
        server.terminate()
    first = {(row["engine"], row["workers"]): row["first_article_s"] for row in rows}
    actors = {w: round(first["ray", w] - first["threads", w], 2) for w in args.workers}
    result = {"articles": args.articles, "delay_s": args.delay, "cpus": os.cpu_count(), "runs": rows}
    result |= {"ray_import_and_init_s": round(ray_start, 2), "ray_actors_start_s": actors}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(table(rows, ray_start, actors))
    return 0


def table(rows: list[dict[str, Any]], ray_start: float, actors: dict[int, float]) -> str:
    """The README's table: articles/s (whole run, and steady) per engine and worker count."""
    lines = [
        "| workers | threads: articles/s | Ray: articles/s (whole run) | Ray: articles/s after the first | "
        "Ray: first article after |",
        "|---|---|---|---|---|",
    ]
    by = {(row["engine"], row["workers"]): row for row in rows}
    for workers in sorted(actors):
        threads, ray = by["threads", workers], by["ray", workers]
        lines.append(
            f"| {workers} | {threads['articles_per_s']} | {ray['articles_per_s']} | "
            f"{ray['steady_articles_per_s']} | {ray['first_article_s']} s |"
        )
    lines.append(
        f"\nRay start-up: import + ray.init {ray_start:.1f} s; actors {min(actors.values()):.1f}-"
        f"{max(actors.values()):.1f} s more before the first article"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
