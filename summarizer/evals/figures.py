"""The report's figures of the items' confidence, drawn with matplotlib and inlined as SVG.

    precision_recall_figure(block)   # per section, precision against recall by threshold
    reliability_figure(block)        # per confidence bin, the share right, with the diagonal

Each figure is a ``matplotlib.figure.Figure`` on an Agg canvas (no pyplot, so no global backend or
figure state is touched) saved as SVG with the text kept as text, fixed ids and no metadata: the same
numbers give the same bytes. Only our own labels (section titles, numbers) are drawn. ``_inline`` is
the one place the report takes markup it did not escape: matplotlib's SVG output, which escapes any
text it draws.
"""

from __future__ import annotations

import io
import re

import matplotlib
from markupsafe import Markup
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from summarizer.evals.highlight import COLOURS
from summarizer.evals.runfiles import ConfidenceBlock
from summarizer.schemas import SECTION_NAMES, SECTIONS

#: Inches: two figures sit side by side in the report.
SIZE = (5.0, 3.8)
_INK = "#1f2328"
_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}
_NAMESPACES = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=SIZE, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_xlim(-0.02, 1.02)
    axes.set_ylim(-0.02, 1.08)
    axes.grid(True, color="#e2e5ea", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _inline(figure: Figure, name: str) -> Markup:
    """``figure`` as an ``<svg>`` element to put in the page as it is (ids prefixed with ``name``)."""
    for n, artist in enumerate(figure.findobj()):
        if artist.get_gid() is None:
            artist.set_gid(f"{name}-{n}")  # two figures in one page must not share an element id
    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
        figure.savefig(out, format="svg", metadata=_METADATA)
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML declaration or DOCTYPE inside HTML
    end = svg.index(">")
    # Inside HTML the parser gives <svg> its namespace; the page then names no URL at all.
    svg = _NAMESPACES.sub("", svg[:end]) + svg[end:]
    # Trusted: matplotlib wrote it from our labels and numbers, and escapes any text it draws.
    return Markup(svg)


def precision_recall_figure(block: ConfidenceBlock) -> Markup:
    """Precision against recall, one line per section through its thresholds; a star at the default."""
    figure, axes = _figure()
    for section in SECTION_NAMES:
        points = block.plotted(section)
        if not points:
            continue
        colour = COLOURS[section]
        axes.plot(
            [p.recall for p in points],
            [p.precision for p in points],
            color=colour,
            marker="o",
            markersize=3,
            linewidth=1.4,
            label=SECTIONS[section].title,
        )
        for p in points:
            if p.default:
                axes.plot([p.recall], [p.precision], marker="*", markersize=13, color=colour, markeredgecolor=_INK)
    axes.set_xlabel("recall")
    axes.set_ylabel("precision")
    handles, labels = axes.get_legend_handles_labels()
    star = Line2D([], [], marker="*", markersize=11, color="#ffffff", markeredgecolor=_INK, linestyle="none")
    figure.legend([*handles, star], [*labels, "default threshold"], loc="outside lower center", ncols=3)
    return _inline(figure, "confidence-pr")


def reliability_figure(block: ConfidenceBlock) -> Markup:
    """Per confidence bin, the share of its items that matched a gold item; the diagonal is calibrated."""
    figure, axes = _figure()
    axes.plot([0.0, 1.0], [0.0, 1.0], linestyle="--", color="#6b7280", linewidth=1.0, label="calibrated")
    bins = block.filled_bins()
    for low, high, items, _, share in bins:
        axes.bar(low, share, width=high - low, align="edge", color="#bfdbfe", edgecolor="#2563eb")
        axes.annotate(
            f"{items}",
            (low + (high - low) / 2, share),
            textcoords="offset points",
            xytext=(0, 3),
            ha="center",
            fontsize=7,
            color="#6b7280",
        )
    axes.plot(
        [b.mean_confidence for b in bins],
        [b.share_right for b in bins],
        marker="o",
        color="#1d4ed8",
        linestyle="none",
        label="share right at the bin's mean confidence",
    )
    axes.set_xlabel("confidence (predicted)")
    axes.set_ylabel("share right (observed)")
    figure.legend(loc="outside lower center", ncols=2)
    return _inline(figure, "confidence-reliability")
