"""Plain-text tables for the eval commands: fixed-width columns, one row per section, an overall row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from summarizer.schemas import SECTION_NAMES

_KEYS = ("precision", "recall", "f1")


def _number(value: Any) -> str:
    return "  -  " if value is None else f"{value:5.2f}"


def _signed(value: float) -> str:
    return f"{value:+5.2f}"


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
    sections: Mapping[str, Mapping[str, Mapping[str, Any]]],
    overall: Mapping[str, Mapping[str, Any]],
    matchers: Sequence[str],
    *,
    many_to_one: bool = False,
) -> str:
    """Sections x (matcher P/R/F1 [, many-to-one P/R/F1]) with an ``overall`` row."""
    header = ["section"]
    for name in matchers:
        header += [f"{name} P", "R", "F1"] + (["m:1 P", "R", "F1"] if many_to_one else [])

    def cells(block: Mapping[str, Mapping[str, Any]]) -> list[str]:
        out: list[str] = []
        for name in matchers:
            out += [_number(block[name].get(k)) for k in _KEYS]
            if many_to_one:
                out += [_number(block[name]["many_to_one"].get(k)) for k in _KEYS]
        return out

    rows = [[section, *cells(sections[section])] for section in SECTION_NAMES if section in sections]
    rows.append(["overall", *cells(overall)])
    return render(header, rows)


def delta_table(
    before: Mapping[str, Mapping[str, Mapping[str, Any]]],
    after: Mapping[str, Mapping[str, Mapping[str, Any]]],
    matchers: Sequence[str],
) -> str:
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
            for key in _KEYS:
                a, b = before[section][name][key], after[section][name][key]
                row += [_number(a), _number(b), _signed(b - a)]
            rows.append(row)
    return render(header, rows)
