"""The engine's timing counters, read from a llama-cpp-python server log."""

from __future__ import annotations

from summarizer.engine.perf import read_counters

LOG = """\
llama_perf_context_print:        load time =   38107.83 ms
llama_perf_context_print: prompt eval time =   38105.93 ms /  1675 tokens (   22.75 ms per token, ...)
llama_perf_context_print:        eval time =    7000.00 ms /   100 runs   (   70.00 ms per token, ...)
llama_perf_context_print:       total time =   47556.32 ms /  1785 tokens
INFO:     127.0.0.1:50412 - "POST /v1/chat/completions HTTP/1.1" 200 OK
Llama.generate: 1598 prefix-match hit, remaining 269 prompt tokens to eval
llama_perf_context_print: prompt eval time =    4974.08 ms /   269 tokens (   18.49 ms per token, ...)
llama_perf_context_print:        eval time =    8000.50 ms /   110 runs   (   72.73 ms per token, ...)
llama_perf_context_print:       total time =   17893.42 ms /   416 tokens
"""


def test_counters_sum_every_request_in_the_log():
    counters = read_counters(LOG)
    assert counters["requests"] == 2
    assert counters["prompt_eval_ms"] == 43080.01
    assert counters["prompt_tokens_evaluated"] == 1675 + 269
    assert counters["generation_ms"] == 15000.5  # "prompt eval time" lines are not counted twice
    assert counters["generated_tokens"] == 210
    assert counters["prompt_tokens_cached"] == 1598
    assert counters["request_ms"] == 65449.74


def test_an_empty_log_gives_zero_counters():
    assert set(read_counters("").values()) == {0}
