"""Where the embedded engine keeps what it builds and assembles: ``$SUMMARIZER_CACHE_DIR``, else
``$XDG_CACHE_HOME/summarizer`` (``~/.cache/summarizer``); models in ``models/``, engines in ``engines/``."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    configured = os.environ.get("SUMMARIZER_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "summarizer"
