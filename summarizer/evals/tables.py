"""Plain-text tables for the eval commands: fixed-width columns, one row per section, an overall row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from summarizer.evals.runfiles import PRF, PRFBlock
from summarizer.schemas import SECTION_NAMES

#: A P/R/F1 block: ``runfiles.PRFBlock``, or its JSON (``{"precision", "recall", "f1", "many_to_one"}``).
Block = PRFBlock | Mapping[str, Any]
#: ``{section or "overall": {matcher: Block}}``
Blocks = Mapping[str, Mapping[str, Block]]


def _number(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.2f}"


def _signed(before: float | None, after: float | None) -> str:
    return "  -  " if before is None or after is None else f"{after - before:+5.2f}"


def _values(block: PRF) -> list[float | None]:
    return [block.precision, block.recall, block.f1]


def render(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned first column, right-aligned others, columns sized to fit."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [str(cell).ljust(widths[0]) if i == 0 else str(cell).rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def prf_table(
    sections: Blocks, overall: Mapping[str, Block], matchers: Sequence[str], *, many_to_one: bool = False
) -> str:
    """Sections x (matcher P/R/F1 [, many-to-one P/R/F1]) with an ``overall`` row."""
    header = ["section"]
    for name in matchers:
        header += [f"{name} P", "R", "F1"] + (["m:1 P", "R", "F1"] if many_to_one else [])

    def cells(blocks: Mapping[str, Block]) -> list[str]:
        out: list[str] = []
        for name in matchers:
            block = PRFBlock.model_validate(blocks[name])
            out += [_number(value) for value in _values(block)]
            if many_to_one:
                out += [_number(value) for value in _values(block.many_to_one)]
        return out

    rows = [[section, *cells(sections[section])] for section in SECTION_NAMES if section in sections]
    rows.append(["overall", *cells(overall)])
    return render(header, rows)


def delta_table(before: Blocks, after: Blocks, matchers: Sequence[str]) -> str:
    """Rows of (section or 'overall') x matcher: A -> B and the change, for P, R and F1."""
    header = ["section", "matcher"]
    for key in ("P", "R", "F1"):
        header += [f"{key} A", "B", "delta"]
    rows = []
    for section in [*SECTION_NAMES, "overall"]:
        if section not in before or section not in after:
            continue
        for name in matchers:
            if name not in before[section] or name not in after[section]:
                continue
            row = [section, name]
            a, b = PRFBlock.model_validate(before[section][name]), PRFBlock.model_validate(after[section][name])
            for value_a, value_b in zip(_values(a), _values(b), strict=True):
                row += [_number(value_a), _number(value_b), _signed(value_a, value_b)]
            rows.append(row)
    return render(header, rows)
