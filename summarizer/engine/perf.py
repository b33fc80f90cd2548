"""The engine's own timing counters, read from llama-cpp-python's verbose log.

With ``--verbose true`` the server prints, after every completion::

    Llama.generate: 812 prefix-match hit, remaining 95 prompt tokens to eval
    llama_perf_context_print: prompt eval time =  1222.67 ms /    32 tokens (...)
    llama_perf_context_print:        eval time =   543.65 ms /     6 runs   (...)
    llama_perf_context_print:       total time =  2011.40 ms /    38 tokens

Summed over the log these give cumulative counters; the pipeline reports the difference across one
summary, which shows the engine's prefill and generation time and how many prompt tokens it really
evaluated (the rest came from its prompt cache). ``request_ms`` ("total time") is the engine's whole
time per request: prefill and generation plus sampling under the grammar, which neither counter holds.
"""

from __future__ import annotations

import re
from typing import TypedDict

_PROMPT_EVAL = re.compile(r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")
_EVAL = re.compile(r"(?<!prompt )eval time =\s*([\d.]+) ms /\s*(\d+) runs")
_TOTAL = re.compile(r"total time =\s*([\d.]+) ms /")
_PREFIX_HIT = re.compile(r"Llama\.generate: (\d+) prefix-match hit")


class EngineCounters(TypedDict):
    requests: int
    prompt_eval_ms: float
    prompt_tokens_evaluated: int
    generation_ms: float
    generated_tokens: int
    prompt_tokens_cached: int
    request_ms: float


def read_counters(log: str) -> EngineCounters:
    prompt = _PROMPT_EVAL.findall(log)
    generation = _EVAL.findall(log)
    return EngineCounters(
        requests=len(prompt),
        prompt_eval_ms=round(sum(float(ms) for ms, _ in prompt), 2),
        prompt_tokens_evaluated=sum(int(n) for _, n in prompt),
        generation_ms=round(sum(float(ms) for ms, _ in generation), 2),
        generated_tokens=sum(int(n) for _, n in generation),
        prompt_tokens_cached=sum(int(n) for n in _PREFIX_HIT.findall(log)),
        request_ms=round(sum(float(ms) for ms in _TOTAL.findall(log)), 2),
    )
