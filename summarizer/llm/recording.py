"""Record and replay model responses on disk, so evals run offline, in seconds, with no model at all.

A response is stored under the sha256 of its request: model, messages (which hold the rendered prompt
templates and the article), the response schema and the sampling parameters. The same prompts, schema,
article and sampling therefore find the same answer; change any of them and the key changes. Files hold
the request's identity (hashes, model, sampling) and the raw completion, never credentials.

Modes: ``record`` answers from the store when it can and stores every new response; ``replay`` answers
only from the store and raises ``ReplayMissError`` on a miss; ``refresh`` always asks the model and
overwrites.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from summarizer.errors import ReplayMissError

StoreMode = Literal["record", "replay", "refresh"]
_KEY_FIELDS = (
    "model", "messages", "response_format", "extra_body", "temperature", "max_tokens", "seed", "top_p",
    "logprobs", "top_logprobs",
)  # fmt: skip
#: Request fields that route a request without changing its answer: not part of its identity.
_ROUTING_FIELDS = ("id_slot",)


def _sha256(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def request_identity(request: dict[str, Any]) -> dict[str, Any]:
    """The parts of a chat request that decide its answer (no headers, so no credentials)."""
    identity = {name: request[name] for name in _KEY_FIELDS if name in request and request[name] is not None}
    extra = identity.get("extra_body")
    if isinstance(extra, dict):
        extra = {k: v for k, v in extra.items() if k not in _ROUTING_FIELDS}
        if extra:
            identity["extra_body"] = extra
        else:
            del identity["extra_body"]
    return json.loads(json.dumps(identity, default=str))


def without_token_bytes(response: dict[str, Any]) -> dict[str, Any]:
    """``response`` without the UTF-8 bytes of each token and alternative (``logprobs``): they repeat the
    token's text, take most of a record's size, and nothing reads them."""
    choices = []
    for choice in response.get("choices") or []:
        logprobs = choice.get("logprobs") if isinstance(choice, dict) else None
        if isinstance(logprobs, dict) and isinstance(logprobs.get("content"), list):
            content = [
                {
                    **{k: v for k, v in entry.items() if k != "bytes"},
                    "top_logprobs": [
                        {k: v for k, v in alt.items() if k != "bytes"} for alt in entry.get("top_logprobs") or []
                    ],
                }
                for entry in logprobs["content"]
            ]
            choice = {**choice, "logprobs": {**logprobs, "content": content}}
        choices.append(choice)
    return {**response, "choices": choices} if "choices" in response else response


class ResponseStore:
    """A folder of recorded chat completions keyed by request."""

    def __init__(self, directory: Path | str, mode: StoreMode = "record") -> None:
        if mode not in ("record", "replay", "refresh"):
            raise ValueError(f"mode must be record, replay or refresh, got {mode!r}")
        self.directory = Path(directory)
        self.mode: StoreMode = mode
        self.hits = 0
        self.misses = 0

    def key(self, request: dict[str, Any]) -> str:
        return _sha256(request_identity(request))

    def _path(self, key: str) -> Path:
        """Where a new record goes: gzipped JSON (token log-probabilities make records large)."""
        return self.directory / key[:2] / f"{key}.json.gz"

    def _read(self, key: str) -> dict[str, Any] | None:
        """The record under ``key``: gzipped, or plain ``.json`` as earlier versions wrote it."""
        path = self._path(key)
        if path.is_file():
            return dict(json.loads(gzip.decompress(path.read_bytes()).decode("utf-8")))
        plain = path.with_suffix("")
        if plain.is_file():
            return dict(json.loads(plain.read_text(encoding="utf-8")))
        return None

    def lookup(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """The recorded completion for ``request``; ``None`` if the model must be asked."""
        if self.mode == "refresh":
            return None
        key = self.key(request)
        record = self._read(key)
        if record is not None:
            self.hits += 1
            return dict(record["response"])
        self.misses += 1
        if self.mode == "replay":
            identity = request_identity(request)
            raise ReplayMissError(
                f"no recorded response for this request (key {key[:12]}, model {identity.get('model')!r}) in "
                f"{self.directory}: the prompts, schema, article, model or sampling changed since recording; "
                "run without --replay to record it",
                key=key,
            )
        return None

    def save(self, request: dict[str, Any], response: dict[str, Any]) -> None:
        if self.mode == "replay":
            return
        response = without_token_bytes(response)
        identity = request_identity(request)
        messages = identity.get("messages", [])
        key = self.key(request)
        record = {
            "key": key,
            "model": identity.get("model"),
            "messages_sha256": _sha256(messages),
            "schema_sha256": _sha256([identity.get("response_format"), identity.get("extra_body")]),
            "sampling": {
                k: identity[k]
                for k in ("temperature", "max_tokens", "seed", "top_p", "logprobs", "top_logprobs")
                if k in identity
            },
            "turns": len(messages),
            "response": response,
        }
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                text = json.dumps(record, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
                # mtime=0: the same record always compresses to the same bytes
                out.write(gzip.compress(text.encode("utf-8"), mtime=0))
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
