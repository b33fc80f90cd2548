"""Run the ``summarizer`` command as the tests do: in-process (``code, stdout, stderr = run_cli(...)``), or
in a child process that is sent a signal mid-run (``code, stderr = interrupt_cli(...)``)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from summarizer.cli import main

ROOT = Path(__file__).resolve().parents[1]
#: How long a child may take to stop once signalled.
STOP_SECONDS = 30


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``summarizer ARGV...`` in this process: its exit code and what it wrote to stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def interrupt_cli(*argv: str, when: Callable[[], bool], signum: int, limit: float = 60.0) -> tuple[int, str]:
    """``summarizer ARGV...`` in a child process, sent ``signum`` once ``when()`` holds: its exit code and stderr.

    The child runs from the repository without SUMMARIZER_* and OPENAI_* variables. The test fails if it
    ends before ``when()`` holds, if that takes over ``limit`` s, or if it does not stop within
    ``STOP_SECONDS`` of the signal (then with every thread's stack).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    # -X faulthandler: if the run fails to stop, SIGABRT makes it print every thread's stack.
    command = [sys.executable, "-X", "faulthandler", "-m", "summarizer.cli", *argv]
    # As from a terminal: a test run started in the background (CI, `cmd &`) has SIGINT ignored, and
    # the child would inherit that and never see the Ctrl-C this test sends.
    restore_sigint = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, preexec_fn=restore_sigint, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(when, process, limit)
        process.send_signal(signum)
        try:
            _, err = process.communicate(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)
            try:
                stacks = process.communicate(timeout=10)[1]
            except subprocess.TimeoutExpired:
                process.kill()
                stacks = process.communicate()[1]
            pytest.fail(f"the command did not stop within {STOP_SECONDS} s of the signal; stderr and stacks:\n{stacks}")
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, err


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], limit: float) -> None:
    """Until ``condition`` holds; fail at once if the process ends first."""
    deadline = time.monotonic() + limit
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the command ended early (exit {process.returncode}): {process.communicate()[1]}")
        if time.monotonic() > deadline:
            pytest.fail(f"the command did not get there within {limit:.0f} s")
        time.sleep(0.02)
