"""What a batch run reports: its counts, each finished item, and an interrupt that carries the counts."""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.batch.inputs import ItemId


@dataclass
class BatchReport:
    """What one run did: ``done`` and ``failed`` were written now, ``skipped`` were done before."""

    total: int = 0
    done: int = 0
    failed: int = 0
    skipped: int = 0
    repaired: bool = False
    seconds: float = 0.0

    @property
    def not_run(self) -> int:
        """Items left for the next run (after an interrupt or a fatal error)."""
        return self.total - self.done - self.failed - self.skipped

    def __str__(self) -> str:
        parts = [f"{self.done} ok", f"{self.failed} failed", f"{self.skipped} skipped (already done)"]
        if self.not_run:
            parts.append(f"{self.not_run} not run")
        repaired = "; dropped a torn last line" if self.repaired else ""
        return f"{', '.join(parts)} of {self.total} in {self.seconds:.1f}s{repaired}"


@dataclass(frozen=True)
class ItemOutcome:
    """One finished item, as passed to ``progress``; ``str()`` gives the progress line."""

    index: int
    total: int
    id: ItemId | None
    line: int | None
    ok: bool
    seconds: float
    error: str | None = None

    def __str__(self) -> str:
        name = str(self.id) if self.id is not None else f"line {self.line}"
        result = f"ok {self.seconds:.1f}s" if self.ok else f"error: {self.error}"
        return f"[{self.index}/{self.total}] {name} {result}"


class BatchInterrupted(KeyboardInterrupt):
    """The run was interrupted; ``report`` holds the counts so far. Run again to finish."""

    def __init__(self, report: BatchReport) -> None:
        super().__init__("batch interrupted")
        self.report = report
