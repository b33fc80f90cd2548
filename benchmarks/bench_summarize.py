"""Benchmark: summarise an article with the embedded model and compare with the bare engine.

    python benchmarks/bench_summarize.py [ARTICLE] [--runs 3] [--out bench.json]

For each run it prints wall time, prompt and completion tokens, calls, retries, re-asks, the engine's
own prefill and generation time and prompt tokens evaluated vs taken from its cache, the wrapper's
overhead ((wall - engine time) / engine time), and the peak RSS of the server and of this process.
After the runs, the same requests the pipeline sent are replayed straight to the engine over plain HTTP
(no openai SDK, no instructor, no validation): that is the physical floor on this machine, reported as a
ratio. Reported figures are medians over the runs.
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

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "evals" / "gold" / "blinken-gaza-ceasefire" / "article.txt"


class CapturingStore(ResponseStore):
    """Always asks the model (``refresh``) and keeps every request body it saw."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory, mode="refresh")
        self.requests: list[dict[str, Any]] = []

    def save(self, request: dict[str, Any], response: dict[str, Any]) -> None:
        self.requests.append(json.loads(json.dumps(request, default=str)))


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


def bare_request(request: dict[str, Any]) -> dict[str, Any]:
    """The request as the engine gets it: extra_body merged in, as the openai SDK does."""
    body = {k: v for k, v in request.items() if k != "extra_body"}
    body.update(request.get("extra_body") or {})
    return body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("article", nargs="?", default=str(SEED))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default="bench.json")
    args = parser.parse_args()
    text = Path(args.article).read_text(encoding="utf-8")
    rows: list[dict[str, Any]] = []
    store = CapturingStore(Path("/nonexistent"))
    with Summarizer(Settings.resolve(), response_store=store) as summarizer:
        server = summarizer._server
        assert server is not None and server.pid is not None
        for run in range(args.runs):
            # A one-token request first, so every run starts with the article out of the prompt cache.
            post(server.base_url, {"model": "x", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1})
            store.requests.clear()
            started = time.perf_counter()
            summary = summarizer.summarize(text)
            wall = time.perf_counter() - started
            engine = summary.meta.engine or {}
            engine_s = (engine.get("prompt_eval_ms", 0) + engine.get("generation_ms", 0)) / 1000
            usage = summary.meta.usage
            rows.append(
                {
                    "run": run,
                    "wall_s": round(wall, 2),
                    "prompt_tokens": usage.prompt_tokens,
                    "completion_tokens": usage.completion_tokens,
                    "calls": usage.calls,
                    "retries": usage.retries,
                    "reasks": usage.reasks,
                    "engine": engine,
                    "engine_s": round(engine_s, 2),
                    "overhead_ratio": round((wall - engine_s) / engine_s, 4) if engine_s else None,
                    "items": {s: len(getattr(summary, s)) for s in ("positions", "demands", "conditions", "risks")},
                    "per_call": {
                        name: {
                            "prompt_tokens": meta.usage.prompt_tokens,
                            "completion_tokens": meta.usage.completion_tokens,
                            "seconds": meta.seconds,
                        }
                        for name, meta in summary.meta.sections.items()
                    },
                }
            )
            print(json.dumps(rows[-1]), flush=True)
        # The floor: the same request bodies of the last run, straight to the engine.
        requests = [bare_request(r) for r in store.requests]
        post(server.base_url, {"model": "x", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1})
        started = time.perf_counter()
        for body in requests:
            post(server.base_url, body)
        bare_wall = time.perf_counter() - started
        server_rss = peak_rss_mb(server.pid)
    client_rss = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    median_wall = statistics.median(r["wall_s"] for r in rows)
    result = {
        "article": args.article,
        "runs": rows,
        "median": {
            "wall_s": median_wall,
            "engine_s": statistics.median(r["engine_s"] for r in rows),
            "overhead_ratio": statistics.median(r["overhead_ratio"] or 0 for r in rows),
            "completion_tokens": statistics.median(r["completion_tokens"] for r in rows),
            "prompt_tokens_evaluated": statistics.median(r["engine"].get("prompt_tokens_evaluated", 0) for r in rows),
            "prompt_tokens_cached": statistics.median(r["engine"].get("prompt_tokens_cached", 0) for r in rows),
        },
        "bare_engine": {"requests": len(requests), "wall_s": round(bare_wall, 2)},
        "summarizer_vs_bare_ratio": round(rows[-1]["wall_s"] / bare_wall, 3) if bare_wall else None,
        "peak_rss_mb": {"server": server_rss, "client": client_rss},
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
