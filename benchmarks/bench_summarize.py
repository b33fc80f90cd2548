"""Benchmark: summarise an article with the embedded model and compare with the bare engine.

    python benchmarks/bench_summarize.py [ARTICLE | --long] [--runs 3] [--strategy sentences sections]
                                         [--no-bare] [--out bench.json]

Each strategy (``--strategy``, default both: the sentence reader and the per-section reader) is run
``--runs`` times, one after the other on this machine, and the medians are compared as ratios, since
absolute times drift by 25-40 % between identical runs here.

Each run starts with the article out of the engine's prompt cache and summarises it, then sends the
very requests the pipeline sent (re-asks included) straight to the engine over plain HTTP, again from
a cold cache: no openai SDK, no instructor, no validation. That is the physical floor on this machine.

Per run it reports wall time; per call the prompt tokens, the prompt tokens the engine really evaluated
(the rest came from its prompt cache), completion tokens and the engine's own time (llama-server's
per-response ``timings``: prefill and generation, grammar sampling included); the wrapper's overhead
((wall - engine time) / engine time); the ratio of
the summarizer's wall time to the bare requests'; retries and re-asks; the peak RSS of the server and
of this process. ``--long`` benchmarks the long article of ``tests/test_long_article_integration.py``
(about twice the model's context). Headline figures are medians over the runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from summarizer.api import Summarizer
from summarizer.config import Settings
from summarizer.llm.recording import ResponseStore
from summarizer.readers import strategies

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "evals" / "gold" / "dev" / "blinken-gaza-ceasefire" / "article.txt"


class CapturingStore(ResponseStore):
    """Always asks the model (``refresh``) and keeps every request body it saw, and each answer's timings."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory, mode="refresh")
        self.requests: list[dict[str, Any]] = []
        self.timings: list[dict[str, Any]] = []

    def save(self, request: dict[str, Any], response: dict[str, Any]) -> None:
        self.requests.append(json.loads(json.dumps(request, default=str)))
        self.timings.append(dict(response.get("timings") or {}))


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def post(base_url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        return dict(json.loads(response.read()))


def engine_row(timings: dict[str, Any]) -> dict[str, Any]:
    """One request as llama-server reported it: tokens evaluated / cached / generated, engine ms."""
    return {
        "evaluated": timings.get("prompt_n", 0),
        "cached": timings.get("cache_n", 0),
        "generated": timings.get("predicted_n", 0),
        "prefill_ms": round(timings.get("prompt_ms", 0.0), 2),
        "generation_ms": round(timings.get("predicted_ms", 0.0), 2),
        "engine_ms": round(timings.get("prompt_ms", 0.0) + timings.get("predicted_ms", 0.0), 2),
    }


def cold_cache(base_url: str) -> None:
    """A one-token request on other text, so that the next request finds nothing of the article cached."""
    post(base_url, {"model": "x", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1})


def bare_request(request: dict[str, Any]) -> dict[str, Any]:
    """The request as the engine gets it: extra_body merged in, as the openai SDK does."""
    body = {k: v for k, v in request.items() if k != "extra_body"}
    body.update(request.get("extra_body") or {})
    return body


def bare_floor(base_url: str, requests: list[dict[str, Any]]) -> tuple[float, list[dict[str, Any]]]:
    """Wall time and per-request engine counts of ``requests`` sent straight to the engine, cache cold."""
    bodies = [bare_request(r) for r in requests]
    cold_cache(base_url)
    started = time.perf_counter()
    rows = [engine_row(post(base_url, body).get("timings") or {}) for body in bodies]
    return time.perf_counter() - started, rows


def long_article() -> str:
    sys.path.insert(0, str(ROOT))
    from tests.test_long_article_integration import long_article as build

    return build()


def run_once(summarizer: Summarizer, store: CapturingStore, text: str, run: int, *, bare: bool) -> dict[str, Any]:
    server = summarizer._server
    assert server is not None and server.pid is not None
    cold_cache(server.base_url)
    store.requests.clear()
    store.timings.clear()
    started = time.perf_counter()
    summary = summarizer.summarize(text)
    wall = time.perf_counter() - started
    per_request = [engine_row(timings) for timings in store.timings]
    # The floor: the same request bodies, straight to the engine, from a cold cache too.
    bare_wall, bare_per_request = bare_floor(server.base_url, store.requests) if bare else (0.0, [])

    engine = summary.meta.engine or {}
    engine_s = (engine.get("prompt_eval_ms", 0) + engine.get("generation_ms", 0)) / 1000
    usage = summary.meta.usage
    calls = [
        {
            "call": name,
            "prompt_tokens": meta.usage.prompt_tokens,
            "completion_tokens": meta.usage.completion_tokens,
            "seconds": meta.seconds,
        }
        for name, meta in summary.meta.sections.items()
    ]
    return {
        "run": run,
        "wall_s": round(wall, 2),
        "bare_wall_s": round(bare_wall, 2),
        "summarizer_vs_bare_ratio": round(wall / bare_wall, 4) if bare_wall else None,
        # The bare requests are the same, but sampling may run differently from another cache state:
        # compare their generated tokens too.
        "bare_generated_tokens": sum(r["generated"] for r in bare_per_request),
        "bare_engine_s": round(sum(r["engine_ms"] for r in bare_per_request) / 1000, 2),
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "calls": usage.calls,
        "retries": usage.retries,
        "reasks": usage.reasks,
        "sentences": summary.meta.sentences,
        "prompt_tokens_evaluated": engine.get("prompt_tokens_evaluated", 0),
        "generated_tokens": engine.get("generated_tokens", 0),
        "engine": engine,
        "prefill_s": round(engine.get("prompt_eval_ms", 0) / 1000, 2),
        "generation_s": round(engine.get("generation_ms", 0) / 1000, 2),
        "engine_s": round(engine_s, 2),
        "overhead_ratio": round((wall - engine_s) / engine_s, 4) if engine_s else None,
        "items": {s: len(getattr(summary, s)) for s in ("positions", "demands", "conditions", "risks")},
        "dropped": len(summary.meta.dropped),
        "per_call": calls,
        "engine_per_request": per_request,
        "bare_engine_per_request": bare_per_request,
    }


MEDIAN_KEYS = (
    "wall_s",
    "bare_wall_s",
    "summarizer_vs_bare_ratio",
    "bare_engine_s",
    "bare_generated_tokens",
    "engine_s",
    "prefill_s",
    "generation_s",
    "overhead_ratio",
    "prompt_tokens",
    "prompt_tokens_evaluated",
    "completion_tokens",
    "generated_tokens",
    "calls",
    "reasks",
)


def bench_strategy(strategy: str, text: str, runs: int, *, bare: bool) -> dict[str, Any]:
    """``runs`` summaries of ``text`` with one embedded engine, read with ``strategy``; medians and RSS."""
    rows: list[dict[str, Any]] = []
    store = CapturingStore(Path("/nonexistent"))
    with Summarizer(Settings.resolve(strategy=strategy), response_store=store) as summarizer:
        server = summarizer._server
        assert server is not None and server.pid is not None
        for run in range(runs):
            rows.append(run_once(summarizer, store, text, run, bare=bare))
            shown = {k: v for k, v in rows[-1].items() if k not in ("per_call", "engine_per_request", "engine")}
            print(json.dumps({"strategy": strategy, **shown}), flush=True)
        server_rss = peak_rss_mb(server.pid)
    return {
        "runs": rows,
        "median": {key: statistics.median(float(r[key] or 0) for r in rows) for key in MEDIAN_KEYS}
        | {"prompt_tokens_cached": statistics.median(r["engine"].get("prompt_tokens_cached", 0) for r in rows)},
        "peak_rss_mb": {"server": server_rss},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("article", nargs="?", default=str(SEED))
    parser.add_argument("--long", action="store_true", help="the long article of the long-article test")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--strategy", nargs="+", default=["sentences", "sections"], choices=strategies())
    parser.add_argument("--no-bare", dest="bare", action="store_false", help="skip the bare-engine floor runs")
    parser.add_argument("--out", default="bench.json")
    args = parser.parse_args()
    text = long_article() if args.long else Path(args.article).read_text(encoding="utf-8")
    results = {strategy: bench_strategy(strategy, text, args.runs, bare=args.bare) for strategy in args.strategy}
    result = {
        "article": "long (tests/test_long_article_integration.py)" if args.long else args.article,
        "article_chars": len(text),
        "strategies": results,
        "client_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    keys = ("wall_s", "calls", "prompt_tokens", "prompt_tokens_evaluated", "generated_tokens", "engine_s")
    print(f"\nmedians over {args.runs} run(s): " + ", ".join(keys))
    for strategy, found in results.items():
        print(f"{strategy:10} " + "  ".join(f"{found['median'][k]:>10.1f}" for k in keys))
    if {"sentences", "sections"} <= set(results):
        a, b = results["sentences"]["median"], results["sections"]["median"]
        ratios = {k: round(a[k] / b[k], 2) if b[k] else None for k in keys}
        print("sentences / sections: " + json.dumps(ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
