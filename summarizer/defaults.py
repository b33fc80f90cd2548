"""Every default value that more than one module needs, written once (``summarizer.config`` documents them)."""

from __future__ import annotations

#: The model's context, in tokens (the embedded engine's ``n_ctx``).
N_CTX = 4096
#: The answer cap of a model call, in tokens.
MAX_TOKENS = 900
#: Seconds to wait for one model answer.
TIMEOUT_SECONDS = 300.0
#: Attempts per request on transient faults (timeouts, 429, 5xx).
RETRIES = 4
#: Re-asks of an answer that failed validation.
REASKS = 1
#: Articles summarised at once by `summarizer batch` and `summarizer eval`: with the embedded engine one
#: llama-server slot each (benchmarks/bench_engine.py eval: of 1, 2 and 4 slots, 4 ran the six gold articles fastest).
ARTICLES_AT_ONCE = 4
