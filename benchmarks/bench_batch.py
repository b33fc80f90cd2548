"""Benchmark: batch throughput of the embedded model at concurrency 1 vs 2, in one run.

    python benchmarks/bench_batch.py [--concurrency 1 2] [--words N] [--out bench_batch.json]

The batch is 8 articles: each gold article cut in two at the paragraph nearest its middle (distinct
texts of ~300-400 words, so that no article finds another's text in the engine's prompt cache). For each
concurrency N it runs the batch over them as ``summarizer batch --concurrency N`` does: one llama-server
with N slots, each article on its own slot, fresh for each N.
It reports wall time, articles per minute, the engine's counters summed over the batch, items and errors.
``--words N`` cuts each text after the sentence that reaches N words, for a quicker run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from summarizer.api import Summarizer
from summarizer.batch import read_items, summarize_batch
from summarizer.config import Settings

ROOT = Path(__file__).resolve().parents[1]
GOLD = sorted((ROOT / "evals" / "gold" / "dev").glob("*/article.txt"))


def halves(text: str) -> tuple[str, str]:
    paragraphs = [p for p in text.strip().split("\n") if p.strip()]
    middle = len(text) / 2
    cut, best = 1, float("inf")
    for index in range(1, len(paragraphs)):
        distance = abs(sum(len(p) + 1 for p in paragraphs[:index]) - middle)
        if distance < best:
            cut, best = index, distance
    return "\n".join(paragraphs[:cut]), "\n".join(paragraphs[cut:])


def first_words(text: str, words: int | None) -> str:
    """``text`` up to the end of the sentence in which its ``words``-th word falls (all of it if None)."""
    if words is None:
        return text
    for count, match in enumerate(re.finditer(r"\S+", text), start=1):
        if count >= words and match.group().endswith((".", '."', ".\u201d")):
            return text[: match.end()]
    return text


def batch_input(folder: Path, words: int | None = None) -> Path:
    path = folder / "batch.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for part in (0, 1):
            for article in GOLD:
                text = first_words(halves(article.read_text(encoding="utf-8"))[part], words)
                out.write(json.dumps({"id": f"{article.parent.name}-{part + 1}", "text": text}) + "\n")
    return path


def run(concurrency: int, input_path: Path, folder: Path) -> dict[str, Any]:
    """The batch at ``concurrency`` on one engine with that many slots."""
    output = folder / f"out-{concurrency}.jsonl"
    with Summarizer(Settings.resolve(slots=concurrency)) as summarizer:
        summarizer.open()
        started = time.perf_counter()
        report = summarize_batch(read_items(input_path), output, summarizer=summarizer, concurrency=concurrency)
        wall = time.perf_counter() - started
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    summaries = [r["summary"] for r in records if r.get("summary")]
    engine: dict[str, float] = {}
    for summary in summaries:  # llama-server's own counters, per summary (meta.engine)
        for key, value in (summary["meta"].get("engine") or {}).items():
            engine[key] = round(engine.get(key, 0) + value, 2)
    return {
        "concurrency": concurrency,
        "articles": len(records),
        "errors": sum(1 for r in records if r.get("error")),
        "wall_s": round(wall, 1),
        "articles_per_minute": round(60 * len(summaries) / wall, 3),
        "items": sum(len(s[k]) for s in summaries for k in ("positions", "demands", "conditions", "risks")),
        "engine": engine,
        "report": str(report),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--words", type=int, default=None, help="cut each text after about this many words")
    parser.add_argument("--out", default="bench_batch.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        input_path = batch_input(folder, args.words)
        rows = []
        for concurrency in args.concurrency:
            rows.append(run(concurrency, input_path, folder))
            print(json.dumps(rows[-1]), flush=True)
    base = rows[0]["articles_per_minute"]
    ratios = [round(r["articles_per_minute"] / base, 3) for r in rows]
    result = {"words": args.words, "runs": rows, "throughput_vs_first": ratios}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["throughput_vs_first"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
