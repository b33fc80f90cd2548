"""The model options every command takes (``summarize``, ``batch``, ``eval``), and the settings they make.

An option not given is left to the environment (``SUMMARIZER_<OPTION>``) and then to the default in
``summarizer.config.Settings``, which the help text quotes; nothing here repeats a default.
"""

from __future__ import annotations

import argparse
from typing import Any

from summarizer.config import Settings
from summarizer.readers import strategies


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """The ``model`` option group."""
    group = parser.add_argument_group("model")
    group.add_argument("--model", help="model name; without --base-url this means OpenAI (needs OPENAI_API_KEY)")
    group.add_argument(
        "--base-url", help="an OpenAI-compatible server, e.g. http://localhost:11434/v1 (or SUMMARIZER_BASE_URL)"
    )
    group.add_argument("--model-path", help="serve this local GGUF file with the embedded engine")
    group.add_argument(
        "--grammar",
        action=argparse.BooleanOptionalAction,
        help="send the JSON schema as a llama.cpp grammar (default: on for the embedded engine only)",
    )
    group.add_argument(
        "--follow-up",
        action=argparse.BooleanOptionalAction,
        help="sections reader: ask once more for a section answered with only 1-2 items "
        "(default: on for the embedded engine only)",
    )
    group.add_argument(
        "--strategy",
        choices=strategies(),
        help="how to read the article: sentences (a few calls per sentence) or sections (one call per "
        "section) (default: sentences for the embedded engine, sections otherwise)",
    )
    group.add_argument("--temperature", type=float, help=f"(default {_default('temperature')})")
    group.add_argument(
        "--timeout", type=float, help=f"seconds to wait for each answer (default {_default('timeout'):g})"
    )
    group.add_argument("--max-tokens", type=int, help=f"per model call (default {_default('max_tokens')})")
    group.add_argument(
        "--retries", type=int, help=f"attempts per request on transient faults (default {_default('retries')})"
    )
    group.add_argument(
        "--reasks", type=int, help=f"re-asks on an invalid or ungrounded answer (default {_default('reasks')})"
    )
    group.add_argument(
        "--parallel-calls",
        type=int,
        help="calls of one article sent at once (default 8 for a remote endpoint, 1 for the embedded engine)",
    )
    group.add_argument(
        "--min-confidence",
        type=float,
        help="keep items at least this likely right, 0-1 (default: the calibrated threshold of each section)",
    )
    group.add_argument(
        "--top-logprobs",
        type=int,
        help="ask for each answer token's probability and this many alternatives (0-20; default: not asked)",
    )


def settings_from_args(args: argparse.Namespace, **more: Any) -> Settings:
    """Settings from the model options in ``args`` (and ``more``); ``ConfigError`` for a bad combination."""
    names = (
        "model", "base_url", "model_path", "grammar", "follow_up", "strategy", "temperature", "timeout",
        "max_tokens", "retries", "reasks", "parallel_calls", "top_logprobs", "min_confidence",
    )  # fmt: skip
    return Settings.resolve(**{name: getattr(args, name, None) for name in names}, **more)
