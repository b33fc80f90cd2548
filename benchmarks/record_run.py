"""Record a reader's answers over gold articles, with token log-probabilities, into a store of our own.

    python benchmarks/record_run.py GOLD_DIR... --strategy items --record-dir runs/rec-items
                                    [--out runs/items] [--top-logprobs 10] [--concurrency 2]

The eval CLI records into ``evals/recordings``; studies record elsewhere (large, not committed) so that
replaying them (``benchmarks/study_confidence.py``, ``summarizer eval ... --replay --record-dir``) is
free. The run folder (``--out``) scores the reader with its default confidence decision.
"""

from __future__ import annotations

import argparse
import sys
import time

from summarizer.api import Summarizer
from summarizer.config import Settings
from summarizer.evals.cli import default_matchers
from summarizer.evals.runner import evaluate
from summarizer.llm.recording import ResponseStore


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", nargs="+")
    parser.add_argument("--strategy", default="items")
    parser.add_argument("--record-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--top-logprobs", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    settings = Settings.resolve(strategy=args.strategy, top_logprobs=args.top_logprobs, slots=args.concurrency)
    store = ResponseStore(args.record_dir, mode="record")
    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

    with Summarizer(settings, response_store=store, progress=lambda m: None) as model:
        evaluate(args.gold, args.out, model.summarize, progress=say, matchers=default_matchers(),
                 concurrency=args.concurrency)  # fmt: skip
    say(f"done: {store.hits} recorded before, {store.misses} asked now")
    return 0


if __name__ == "__main__":
    sys.exit(main())
