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
