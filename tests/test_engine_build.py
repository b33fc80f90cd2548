"""The embedded engine's binary: built from a pinned, hashed source into a cache keyed by what built it."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from pathlib import Path

import pytest

from summarizer.engine import build
from summarizer.engine.build import PinnedSource, build_engine, build_key, cached_binary_path, find_binary
from summarizer.errors import EngineError, EngineNotInstalledError

TOY_CMAKE = """cmake_minimum_required(VERSION 3.14)
project(toy C)
add_executable(llama-server main.c)
set_target_properties(llama-server PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
"""
TOY_MAIN = '#include <stdio.h>\nint main(void) { puts("toy llama-server"); return 0; }\n'


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def toy_source(tmp_path: Path) -> tuple[PinnedSource, Path]:
    """A tiny CMake project that builds a ``llama-server`` program, packed like the pinned archive."""
    archive = tmp_path / "toy-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, text in (("CMakeLists.txt", TOY_CMAKE), ("main.c", TOY_MAIN)):
            data = text.encode()
            info = tarfile.TarInfo(f"toy-1.0/vendor/llama.cpp/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    sha256 = hashlib.sha256(archive.read_bytes()).hexdigest()
    return PinnedSource("toy", "1.0", archive.name, sha256, "toy-1.0/vendor/llama.cpp"), archive


def test_the_cache_key_follows_the_source_the_flags_and_the_machine():
    source = build.LLAMA_CPP_SOURCE
    key = build_key(source, build.CMAKE_FLAGS)
    assert key == build_key(source, build.CMAKE_FLAGS)
    assert key != build_key(source, (*build.CMAKE_FLAGS, "-DGGML_AVX512=OFF"))
    other = PinnedSource(source.package, source.version, source.file_name, "0" * 64, source.tree)
    assert key != build_key(other, build.CMAKE_FLAGS)


def test_a_missing_engine_says_how_to_build_it():
    with pytest.raises(EngineNotInstalledError, match="summarizer engine build"):
        find_binary()


def test_a_binary_of_your_own_is_used_if_it_is_executable(tmp_path, monkeypatch):
    binary = tmp_path / "llama-server"
    binary.write_text("#!/bin/sh\n")
    monkeypatch.setenv("SUMMARIZER_LLAMA_SERVER", str(binary))
    with pytest.raises(EngineNotInstalledError, match="not an executable file"):
        find_binary()
    binary.chmod(0o755)
    assert find_binary() == binary


def test_an_archive_that_is_not_the_pinned_source_is_refused(tmp_path):
    source, archive = toy_source(tmp_path)
    pinned = PinnedSource(source.package, source.version, source.file_name, "f" * 64, source.tree)
    with pytest.raises(EngineError, match="not the pinned source"):
        build_engine(archive=archive, source=pinned, flags=())
    assert not cached_binary_path(pinned, ()).exists()


def test_a_cached_engine_is_not_built_again(tmp_path):
    source, _ = toy_source(tmp_path)
    target = cached_binary_path(source, ())
    target.parent.mkdir(parents=True)
    target.write_bytes(b"built before")
    said: list[str] = []
    assert build_engine(source=source, flags=(), progress=said.append) == target  # no archive, no download
    assert said == [f"the engine is already built: {target}"]


def test_the_build_compiles_the_pinned_tree_and_caches_the_binary_with_its_manifest(tmp_path):
    source, archive = toy_source(tmp_path)
    binary = build_engine(archive=archive, source=source, flags=("-DCMAKE_BUILD_TYPE=Release",), jobs=1)
    assert binary == cached_binary_path(source, ("-DCMAKE_BUILD_TYPE=Release",))
    assert os.access(binary, os.X_OK)
    manifest = build.build_manifest(binary)
    assert manifest is not None and manifest["source_sha256"] == source.sha256
    assert not list(binary.parent.parent.glob("summarizer-build-*"))  # the scratch folder is gone
