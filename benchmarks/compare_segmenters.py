"""Measure sentence segmenters against hand-checked sentence boundaries: why ``summarizer.sentences`` uses pysbd.

    pip install pysbd==0.3.4 syntok==1.4.4 blingfire==0.1.8 sentencex==1.0.32 nupunkt==0.8.0 numpy
    python benchmarks/compare_segmenters.py

References (``tests/data/sentences/``): ``tricky.txt`` (a headline, a byline, "Inc.", "Mr.", "Dr.",
"St.", "U.S.", "U.K.", "Jan.", initials, "a.m.", decimals, an ellipsis, a question inside a quotation, a
two-sentence quotation with its attribution, a list) and every gold article, one sentence a line in
``<name>.expected.txt``. A quotation of several sentences followed by its attribution ("... deal," Smith
said.) is one sentence: split, its second half loses its speaker. Each gold reference was checked by
hand where the candidates disagreed.

A boundary is the offset where a sentence (other than the first) starts. Every candidate runs on each
line (paragraph) separately, as ``summarizer.sentences`` does, so line breaks are boundaries for all.
Candidates that are not installed are listed as such.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "sentences"
GOLD = ROOT / "evals" / "gold" / "dev"

Splitter = Callable[[str], list[str]]


def _pysbd() -> Splitter:
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False)
    return lambda line: [str(s) for s in segmenter.segment(line)]


def _blingfire() -> Splitter:
    import blingfire

    return lambda line: blingfire.text_to_sentences(line).split("\n")


def _syntok() -> Splitter:
    from syntok import segmenter

    def split(line: str) -> list[str]:
        return [
            "".join(token.spacing + token.value for token in sentence).strip()
            for paragraph in segmenter.analyze(line)
            for sentence in paragraph
        ]

    return split


def _sentencex() -> Splitter:
    import sentencex

    return lambda line: list(sentencex.segment("en", line))


def _nupunkt() -> Splitter:
    import nupunkt

    return lambda line: list(nupunkt.sent_tokenize(line))


CANDIDATES: dict[str, tuple[str, Callable[[], Splitter]]] = {
    "pysbd": ("pysbd", _pysbd),
    "blingfire": ("blingfire", _blingfire),
    "syntok": ("syntok", _syntok),
    "sentencex": ("sentencex", _sentencex),
    "nupunkt": ("nupunkt", _nupunkt),
}


def boundaries(text: str, pieces: list[str]) -> set[int]:
    """Offsets where each piece after the first starts, found in order in ``text``."""
    found: set[int] = set()
    cursor = 0
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        at = text.find(piece, cursor)
        if at < 0:  # the splitter changed the text: count the rest as unknown
            break
        if at > 0:
            found.add(at)
        cursor = at + len(piece)
    return found


def split_by_lines(text: str, split: Splitter) -> list[str]:
    return [piece for line in text.split("\n") if line.strip() for piece in split(line)]


def references() -> list[tuple[str, str, list[str]]]:
    pairs = [("tricky", DATA / "tricky.txt")]
    pairs += [(path.parent.name, path) for path in sorted(GOLD.glob("*/article.txt"))
              if (DATA / f"{path.parent.name}.expected.txt").is_file()]  # the hand-checked ones
    out = []
    for name, path in pairs:
        expected = (DATA / f"{name}.expected.txt").read_text(encoding="utf-8").splitlines()
        out.append((name, path.read_text(encoding="utf-8"), [line for line in expected if line.strip()]))
    return out


def main() -> None:
    refs = references()
    header = f"{'segmenter':10} {'texts':>5} {'boundaries':>10} {'found':>6} {'missed':>6} {'extra':>6} {'errors':>6}"
    print(header + f" {'ms/article':>10}")
    for name, (module, factory) in CANDIDATES.items():
        if importlib.util.find_spec(module) is None:
            print(f"{name:10} not installed")
            continue
        split = factory()
        total = found = extra = 0
        started = time.perf_counter()
        for _, text, expected in refs:
            want = boundaries(text, expected)
            got = boundaries(text, split_by_lines(text, split))
            total += len(want)
            found += len(want & got)
            extra += len(got - want)
        ms = (time.perf_counter() - started) * 1000 / len(refs)
        missed = total - found
        print(f"{name:10} {len(refs):5} {total:10} {found:6} {missed:6} {extra:6} {missed + extra:6} {ms:10.1f}")


if __name__ == "__main__":
    sys.exit(main())
