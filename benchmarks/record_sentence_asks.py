"""Record the sentence reader asking EVERY question of every sentence, with token log-probabilities.

    python benchmarks/record_sentence_asks.py GOLD_DIR... [--record-dir runs/rec-all-asks] [--out runs/all-asks]
                                              [--top-logprobs 10] [--concurrency 2]

The default reader puts the demands, risks and conditions questions only to sentences with a cue word
(``ASK_CUES``). Here every question goes to every sentence, and every answer carries the log-probability
of each token with its ``--top-logprobs`` most likely alternatives, so that any gate (the cue words, the
model's own probabilities, a calibrated threshold) can later be replayed from this one recording without
the model: a gated reader's requests are a subset of these. The run folder (``--out``) scores the
ungated reader itself. Recorded responses go to ``--record-dir`` (gzipped JSON, outside the repository
by default: they are large).
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
from summarizer.readers import cues


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", nargs="+")
    parser.add_argument("--record-dir", default="runs/rec-all-asks")
    parser.add_argument("--out", default="runs/all-asks")
    parser.add_argument("--top-logprobs", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--gated", action="store_true", help="keep the cue gates: record the default reader")
    args = parser.parse_args()
    if not args.gated:
        cues.ASK_CUES = {}  # every question to every sentence
    settings = Settings.resolve(top_logprobs=args.top_logprobs, slots=args.concurrency)
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
