"""The embedded engine: llama.cpp's own OpenAI-compatible ``llama-server`` as a child process.

``LocalServer`` starts the server (built by ``summarizer.engine.build``) on 127.0.0.1 on a free port,
waits until it answers, is reused for any number of requests, and always stops it: on ``__exit__``
(exceptions and Ctrl-C included), at interpreter exit, and, on Linux, when this process dies without
cleaning up (``PR_SET_PDEATHSIG``). Its log is kept in a temporary file, and its last lines go into
the error when it fails to start.

``slots`` sets llama-server's parallel slots, each with its own ``n_ctx`` of KV cache: one article per
slot (requests name their slot with ``id_slot``), so that several articles can be summarised at once,
each keeping its own article prefix cached. Several slots on ONE article would each evaluate the
article again.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from summarizer.engine.build import find_binary
from summarizer.errors import EngineError

DEFAULT_CONTEXT = 4096
STARTUP_TIMEOUT_SECONDS = 180.0
STOP_TIMEOUT_SECONDS = 10.0
_POLL_SECONDS = 0.25
_LOG_TAIL_CHARS = 2000


def physical_cores() -> int:
    """Cores to give the engine: llama.cpp runs best with one thread per physical core."""
    try:
        siblings: set[tuple[str, str]] = set()
        physical = core = ""
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("physical id"):
                physical = line.split(":")[1].strip()
            elif line.startswith("core id"):
                core = line.split(":")[1].strip()
                siblings.add((physical, core))
        if siblings:
            return len(siblings)
    except OSError:
        pass
    return max(os.cpu_count() or 1, 1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to send SIGTERM to the server if this (parent) process dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


#: Host-memory prompt cache of llama-server (MiB): room for a few idle articles' prefixes, bounded.
PROMPT_CACHE_MIB = 1024


def server_command(model_path: Path, port: int, *, n_ctx: int, threads: int, slots: int, binary: Path) -> list[str]:
    """The ``llama-server`` command line: ``slots`` slots of ``n_ctx`` tokens each, ``threads`` threads."""
    return [
        str(binary),
        "--model", str(model_path),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--ctx-size", str(n_ctx * slots),
        "--parallel", str(slots),
        "--no-kv-unified",
        "--threads", str(threads),
        "--threads-batch", str(threads),
        "--cache-ram", str(PROMPT_CACHE_MIB),
        "--jinja",
        "--no-webui",
    ]  # fmt: skip


class LocalServer:
    """A llama.cpp server serving one GGUF, owned by this process."""

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = DEFAULT_CONTEXT,
        threads: int | None = None,
        slots: int = 1,
        startup_timeout: float = STARTUP_TIMEOUT_SECONDS,
        binary: Path | None = None,
        command: Callable[[int], list[str]] | None = None,
        ready_path: str = "/health",
    ) -> None:
        """``command(port)`` replaces the llama-server command line (tests and benchmarks start another
        server); ``ready_path`` is where it answers 200 once it serves."""
        if slots < 1:
            raise ValueError(f"slots must be at least 1, got {slots}")
        self.model_path = Path(model_path)
        self.n_ctx = n_ctx
        self.threads = threads or physical_cores()
        self.slots = slots
        self.startup_timeout = startup_timeout
        self._binary = binary
        self._command = command
        self._ready_path = ready_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self.port: int | None = None
        self.starts = 0

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise EngineError("the local server is not running")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> LocalServer:
        """Start the server (once) and wait until it answers; ``EngineError`` if it cannot."""
        if self.running:
            return self
        if not self.model_path.is_file():
            raise EngineError(f"model file not found: {self.model_path}")
        command = self._command or self._server_command
        self.port = free_port()
        argv = command(self.port)
        handle, log_name = tempfile.mkstemp(prefix="summarizer-llama-", suffix=".log")
        self._log_path = Path(log_name)
        with os.fdopen(handle, "wb") as log:
            self._process = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        self.starts += 1
        atexit.register(self.stop)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _server_command(self, port: int) -> list[str]:
        binary = self._binary or find_binary()
        return server_command(
            self.model_path, port, n_ctx=self.n_ctx, threads=self.threads, slots=self.slots, binary=binary
        )

    def _wait_until_ready(self) -> None:
        """Poll ``/health`` (503 while the model loads, 200 once it serves) until it answers 200."""
        deadline = time.monotonic() + self.startup_timeout
        url = f"http://127.0.0.1:{self.port}{self._ready_path}"
        while time.monotonic() < deadline:
            assert self._process is not None
            code = self._process.poll()
            if code is not None:
                raise EngineError(
                    f"the llama.cpp server exited with code {code} while starting; its log ends:\n{self.log_tail()}",
                    log_tail=self.log_tail(),
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(_POLL_SECONDS)
        raise EngineError(
            f"the llama.cpp server did not answer within {self.startup_timeout:.0f} s; its log ends:\n"
            + self.log_tail(),
            log_tail=self.log_tail(),
        )

    def stop(self) -> None:
        """Stop the server if it runs: SIGTERM, then SIGKILL after a grace period. Idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)

    def log_tail(self) -> str:
        if self._log_path is None or not self._log_path.exists():
            return ""
        return self._log_path.read_text(encoding="utf-8", errors="replace")[-_LOG_TAIL_CHARS:]

    def close(self) -> None:
        self.stop()
        if self._log_path is not None:
            self._log_path.unlink(missing_ok=True)
            self._log_path = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
