"""Run the ``summarizer`` command in-process, as the tests do: ``code, stdout, stderr = run_cli(...)``."""

from __future__ import annotations

import io

from summarizer.cli import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``summarizer ARGV...`` in this process: its exit code and what it wrote to stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()
