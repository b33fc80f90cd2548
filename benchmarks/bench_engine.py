"""Benchmark: llama.cpp's own server (the engine) against llama-cpp-python's (the engine before), and slots.

    python benchmarks/bench_engine.py seed [--runs 2] [--strategy sentences] [--out bench_engine_seed.json]
    python benchmarks/bench_engine.py eval [--slots 1 2 4] [--old] [--out bench_engine_eval.json]

``seed``: the seed article with one reader, the same requests on both engines (no logprobs, since the
old server returns them only with ``logits_all``), alternating old and new ``--runs`` times, each from
a cold prompt cache: wall time, calls, prompt tokens the engine evaluated (the rest came from its
cache), generated tokens and generation speed. The old engine needs ``pip install
'llama-cpp-python[server]==0.3.36'`` (no longer a dependency); without it only the new one runs.

``eval``: the six original gold articles as a live eval (no recordings) with the engine at each
``--slots`` N (one server, N slots, N articles at once, each article's calls on its own slot), and with
``--old`` the old engine one article at a time (how evals ran before): wall time, articles per minute,
SOFT/STRICT F1, and whether each configuration's items equal the first one's. (Two server processes
sharing the cores, one article each, were measured against the slots and removed: bench_engine_eval.json
keeps that row, ``engines-2``.)

Run on a quiet machine; absolute times drift 25-40 % here between identical runs, so read the ratios.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openai

from summarizer.api import Summarizer
from summarizer.config import Settings
from summarizer.engine.model_store import ensure_model
from summarizer.engine.server import LocalServer, physical_cores
from summarizer.evals.cli import default_matchers
from summarizer.evals.runner import evaluate
from summarizer.schemas import SECTION_NAMES, Summary

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "evals" / "gold" / "dev"
SEED = DEV / "blinken-gaza-ceasefire" / "article.txt"
SIX = ["blinken-gaza-ceasefire", "chipmaker-profit-warning", "measles-school-exemptions", "rail-signallers-strike",
       "steel-tariff-talks", "water-merger-ruling"]  # fmt: skip
_PROMPT_EVAL = re.compile(r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")
_EVAL = re.compile(r"(?<!prompt )eval time =\s*([\d.]+) ms /\s*(\d+) runs")


def old_engine_available() -> bool:
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def engine(old: bool, *, slots: int = 1, threads: int | None = None) -> Iterator[LocalServer]:
    """A started engine: llama-server (new) or llama-cpp-python's server (old), one or more slots."""
    model = ensure_model()
    if old:
        server = LocalServer(
            model,
            ready_path="/v1/models",
            command=lambda port: [
                sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                "--port", str(port), "--n_ctx", "4096", "--n_threads", str(threads or physical_cores()),
                "--n_threads_batch", str(threads or physical_cores()), "--logits_all", "false", "--verbose", "true",
            ],
        )  # fmt: skip
    else:
        server = LocalServer(model, slots=slots, threads=threads)
    with server:
        yield server


def summarizer_for(server: LocalServer, strategy: str) -> Summarizer:
    """A summarizer sending the embedded engine's requests (same model name, grammar) to ``server``."""
    client = openai.OpenAI(base_url=server.base_url, api_key="not-needed", max_retries=0, timeout=600)
    return Summarizer(same_requests(Settings.resolve(strategy=strategy)), client=client)


def same_requests(settings: Settings) -> Settings:
    """``settings`` without token probabilities: the old server gives them only with ``logits_all``,
    so both engines get the same requests without them."""
    return settings.model_copy(update={"top_logprobs": None})


def old_log_counters(log: str) -> dict[str, float]:
    prompt, generation = _PROMPT_EVAL.findall(log), _EVAL.findall(log)
    return {
        "prompt_tokens_evaluated": sum(int(n) for _, n in prompt),
        "prompt_eval_ms": sum(float(ms) for ms, _ in prompt),
        "generated_tokens": sum(int(n) for _, n in generation),
        "generation_ms": sum(float(ms) for ms, _ in generation),
    }


def cold_cache(server: LocalServer) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0)
    client.chat.completions.create(model="x", messages=[{"role": "user", "content": "hi"}], max_tokens=1)


def seed_run(old: bool, strategy: str, text: str) -> dict[str, Any]:
    with engine(old) as server, summarizer_for(server, strategy) as summarizer:
        cold_cache(server)
        log_before = server._log_path.read_text(errors="replace") if old and server._log_path else ""
        started = time.perf_counter()
        summary = summarizer.summarize(text)
        wall = time.perf_counter() - started
        if old and server._log_path:  # the old server reports only in its log
            counters = old_log_counters(server._log_path.read_text(errors="replace")[len(log_before) :])
        else:
            counters = dict(summary.meta.engine or {})
    generated = summary.meta.usage.completion_tokens
    return {
        "engine": "old (llama-cpp-python server)" if old else "new (llama-server)",
        "wall_s": round(wall, 1),
        "calls": summary.meta.usage.calls,
        "prompt_tokens_evaluated": int(counters.get("prompt_tokens_evaluated", 0)),
        "generated_tokens": generated,
        "generation_tok_s": round(generated / (counters["generation_ms"] / 1000), 2)
        if counters.get("generation_ms")
        else None,
        "items": {s: len(getattr(summary, s)) for s in SECTION_NAMES},
    }


def bench_seed(args: argparse.Namespace) -> dict[str, Any]:
    text = SEED.read_text(encoding="utf-8")
    engines = [True, False] if old_engine_available() else [False]
    rows = []
    for run in range(args.runs):
        for old in engines:
            rows.append({"run": run, **seed_run(old, args.strategy, text)})
            print(json.dumps(rows[-1]), flush=True)
    medians: dict[str, Any] = {}
    for name in {r["engine"] for r in rows}:
        mine = [r for r in rows if r["engine"] == name]
        medians[name] = {k: statistics.median(r[k] for r in mine) for k in ("wall_s", "generated_tokens", "calls")}
        speeds = [r["generation_tok_s"] for r in mine if r["generation_tok_s"]]
        medians[name]["generation_tok_s"] = statistics.median(speeds) if speeds else None
    return {"article": str(SEED.relative_to(ROOT)), "strategy": args.strategy, "runs": rows, "medians": medians}


def items_of(folder: Path) -> dict[str, Any]:
    """Every prediction's items (no meta), by article."""
    out = {}
    for path in sorted((folder / "predictions").glob("*.json")):
        summary = Summary.model_validate_json(path.read_text(encoding="utf-8"))
        out[path.stem] = summary.model_dump(include={"overview", "actors", *SECTION_NAMES})
    return out


def eval_run(name: str, out: Path, strategy: str, *, old: bool = False, slots: int = 1) -> dict[str, Any]:
    gold = [DEV / article for article in SIX]
    folder = out / name
    started = time.perf_counter()
    if old:
        with engine(True) as server, summarizer_for(server, strategy) as summarizer:
            metrics = evaluate(gold, folder, summarizer.summarize, matchers=default_matchers())
    else:
        settings = same_requests(Settings.resolve(strategy=strategy, slots=slots))
        with Summarizer(settings) as summarizer:
            summarizer.open()
            started = time.perf_counter()  # engine started: time the articles only, as for the old one
            metrics = evaluate(gold, folder, summarizer.summarize, matchers=default_matchers(),
                               concurrency=slots)  # fmt: skip
    wall = time.perf_counter() - started
    overall = metrics.model_dump()["overall"]
    return {
        "config": name,
        "wall_s": round(wall, 1),
        "articles_per_min": round(60 * len(gold) / wall, 3),
        "soft_f1": overall["soft"]["f1"],
        "strict_f1": overall["strict"]["f1"],
        "generated_tokens": metrics.model_dump()["usage"]["completion_tokens"],
    }


def bench_eval(args: argparse.Namespace) -> dict[str, Any]:
    out = Path(args.runs_dir)
    rows: list[dict[str, Any]] = []
    configs: list[tuple[str, dict[str, Any]]] = []
    if args.old and old_engine_available():
        configs.append(("old-engine", {"old": True}))
    configs += [(f"slots-{n}", {"slots": n}) for n in args.slots]
    for name, options in configs:
        rows.append(eval_run(name, out, args.strategy, **options))
        print(json.dumps(rows[-1]), flush=True)
    first = items_of(out / configs[0][0])
    for row in rows:
        theirs = items_of(out / row["config"])
        row["items_equal_to_first"] = theirs == first
        row["articles_with_other_items"] = sorted(a for a in first if theirs.get(a) != first[a])
    base = rows[0]["articles_per_min"]
    for row in rows:
        row["throughput_vs_first"] = round(row["articles_per_min"] / base, 3)
    return {"articles": SIX, "strategy": args.strategy, "runs": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["seed", "eval"])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--strategy", default="sentences")
    parser.add_argument("--slots", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--old", action="store_true", help="eval: also the old engine, one article at a time")
    parser.add_argument("--runs-dir", default="runs/bench-engine")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    result = bench_seed(args) if args.what == "seed" else bench_eval(args)
    text = json.dumps(result, indent=2)
    Path(args.out or f"bench_engine_{args.what}.json").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
