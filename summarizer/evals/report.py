"""The HTML report of an eval run: one self-contained page to read a run article by article.

``write_report(run_dir)`` reads what the runner left in ``run_dir`` (``metrics.json`` and
``articles/<article_id>.json``) and writes ``run_dir/report.html``: the overall metrics, then for each
article its metrics per section, its text with every gold and predicted evidence span highlighted, and
the gold and predicted items side by side as the strict and the soft matcher paired them.

This module only reads the run and reduces it to plain view models (frozen dataclasses of strings,
numbers already formatted); ``templates/report.html.j2`` does all the markup, rendered by a Jinja2
environment with autoescape on and ``StrictUndefined``. The page is one file with inline CSS
(``templates/report.css``) and no script or external asset (the strict/soft switch is a pair of radio
buttons). Every string taken from the run is escaped by the template engine: article text and model
output are untrusted. The report renders what it finds: a missing or malformed key shows as "—", never
an error.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from summarizer._version import __version__
from summarizer.schemas import SECTION_NAMES, SECTIONS

__all__ = ["render_report", "write_report"]

TEMPLATE = "report.html.j2"
MISSING = "—"
COVERAGE_NOTE = (
    "Coverage: the share of gold items whose evidence sentence yielded any prediction in that section "
    "(covered/gold). Coverage below 1 means reading misses; recall below coverage means wording misses."
)

_TITLES = {name: section.title for name, section in SECTIONS.items()}
# One colour per section: a solid bar under gold spans, the same colour as a tint behind predicted spans.
_COLOURS = {"positions": "#2563eb", "demands": "#d97706", "conditions": "#7c3aed", "risks": "#e11d48"}
_TINTS = {
    "positions": "rgba(37,99,235,.22)",
    "demands": "rgba(217,119,6,.26)",
    "conditions": "rgba(124,58,237,.22)",
    "risks": "rgba(225,29,72,.20)",
}
_MATCHERS = ("strict", "soft")
_ORDER: dict[str, int] = {section: n for n, section in enumerate(SECTION_NAMES)}
_STATUS_TEXT = {"matched": "matched", "missed": "missed", "spurious": "spurious", "unscored": "not scored"}
_LABELS = {"reasks": "re-asks"}


@functools.cache
def _environment() -> jinja2.Environment:
    """The report's template environment: the package's ``templates`` folder, autoescaped, strict."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("summarizer.evals", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# --- reading untrusted JSON ------------------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _index(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:60] or "article"


# --- formatting numbers ----------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 3) -> str:
    """A score or a rate: a fixed number of decimals (P/R/F1 keep 3)."""
    number = _number(value)
    return MISSING if number is None else f"{number:.{digits}f}"


def _pct(value: Any) -> str:
    number = _number(value)
    return MISSING if number is None else f"{number * 100:.1f}%"


def _count(value: Any) -> str:
    """A count (tokens, calls, items), or a mean of counts: a whole number has no decimals ("8,062")."""
    number = _number(value)
    if number is None:
        return MISSING
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def _label(key: str) -> str:
    return _LABELS.get(key, key.replace("_", " "))


def _scalar(key: str, value: Any) -> str | None:
    """A metric shown by name: scores and rates with 3 decimals, seconds with 1, anything else a count."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if _number(value) is None:
        return None
    if key.endswith(("_f1", "_rate")) or key in {"precision", "recall", "f1"}:
        return _fmt(value)
    if key.endswith("_s") or key == "seconds":
        return _fmt(value, 1)
    return _count(value)


# --- view models -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A table cell for a 0..1 score: its text, the width of the bar behind it, and an optional detail."""

    text: str
    bar: str | None = None  # CSS width ("53.3%"), None when there is no number
    detail: str = ""


@dataclass(frozen=True)
class SectionRow:
    title: str
    coverage: Cell
    strict: tuple[Cell, ...]
    soft: tuple[Cell, ...]


@dataclass(frozen=True)
class SectionTable:
    caption: str
    rows: tuple[SectionRow, ...]
    total: SectionRow | None = None  # all sections together, set apart below the rows
    compact: bool = False


@dataclass(frozen=True)
class MatcherRow:
    name: str
    cells: tuple[Cell, ...]
    f1_std: str


@dataclass(frozen=True)
class Tile:
    key: str
    value: str


@dataclass(frozen=True)
class Overall:
    matchers: tuple[MatcherRow, ...]
    tiles: tuple[Tile, ...]
    usage: tuple[tuple[str, str], ...]
    extras: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Segment:
    """A piece of the article text; ``classes`` is empty for text that no span covers."""

    text: str
    classes: str = ""
    style: str = ""
    title: str = ""


@dataclass(frozen=True)
class LegendKey:
    title: str
    colour: str
    tint: str


@dataclass(frozen=True)
class Quote:
    """One evidence entry as the report shows it: the quote and where it sits in the article, if anywhere."""

    quote: str
    start: int | None
    end: int | None
    problem: str | None  # None when article[start:end] == quote

    @property
    def where(self) -> str:
        return f"chars {self.start}–{self.end}" if self.start is not None else ""


@dataclass(frozen=True)
class Partner:
    label: str
    score: str
    headline: str


@dataclass(frozen=True)
class Card:
    """One gold or predicted item; ``missing`` when the match names an index the list does not have."""

    label: str
    kind: str
    status: str
    status_text: str
    missing: bool = False
    who: str = ""
    what: tuple[tuple[str, str], ...] = ()  # (field name, or "" when the section has one text field; text)
    quotes: tuple[Quote, ...] = ()
    partner: Partner | None = None


@dataclass(frozen=True)
class SectionPanel:
    section: str
    title: str
    colour: str
    matched: int
    missed: int
    spurious: int
    n_gold: int
    n_pred: int
    rows: tuple[tuple[Card | None, Card | None], ...]


@dataclass(frozen=True)
class MatcherTab:
    input_id: str
    name: str
    sections: tuple[SectionPanel, ...]


@dataclass(frozen=True)
class ArticleView:
    uid: str
    article_id: str
    chips: tuple[tuple[str, str], ...]
    load_error: str | None = None
    failure: str | None = None
    table: SectionTable | None = None
    overview: str = ""
    meta: tuple[tuple[str, str], ...] = ()
    notes: tuple[tuple[str, str], ...] = ()
    segments: tuple[Segment, ...] = ()
    tabs: tuple[MatcherTab, ...] = ()


@dataclass(frozen=True)
class IndexRow:
    uid: str
    article_id: str
    strict_f1: Cell
    soft_f1: Cell
    failed: bool


@dataclass(frozen=True)
class PageView:
    run_name: str
    notice: str | None
    overall: Overall
    sections: SectionTable
    index: tuple[IndexRow, ...]
    articles: tuple[ArticleView, ...]
    legend: tuple[LegendKey, ...]
    version: str
    coverage_note: str = COVERAGE_NOTE


# --- cells and tables ------------------------------------------------------------------------------


def _score_cell(value: Any, detail: str = "") -> Cell:
    number = _number(value)
    if number is None:
        return Cell(MISSING, None, detail)
    return Cell(f"{number:.3f}", f"{max(0.0, min(1.0, number)) * 100:.1f}%", detail)


def _prf(scores: Any) -> tuple[Cell, ...]:
    scores = _dict(scores)
    return tuple(_score_cell(scores.get(k)) for k in ("precision", "recall", "f1"))


def _coverage_cell(raw: Any) -> Cell:
    """``{"rate", "covered", "gold"}`` as a cell: the rate with a bar, "covered/gold" beside it."""
    entry = _dict(raw)
    covered, gold = _index(entry.get("covered")), _index(entry.get("gold"))
    return _score_cell(entry.get("rate"), f"{covered:,}/{gold:,}" if covered is not None and gold is not None else "")


def _section_row(title: str, scores: Any, coverage: Any) -> SectionRow:
    scores = _dict(scores)
    return SectionRow(title, _coverage_cell(coverage), _prf(scores.get("strict")), _prf(scores.get("soft")))


def _section_table(scores: dict[str, Any], coverage: dict[str, Any], caption: str, *, compact: bool) -> SectionTable:
    """One row per section: coverage, then strict and soft P/R/F1 (``scores[section][matcher]``)."""
    present = [*scores, *(s for s in coverage if s not in scores)]
    names = [s for s in SECTION_NAMES if s in present] + [s for s in present if s not in SECTION_NAMES]
    rows = tuple(_section_row(_TITLES.get(name, name), scores.get(name), coverage.get(name)) for name in names)
    return SectionTable(caption, rows, compact=compact)


def _run_sections(metrics: dict[str, Any]) -> SectionTable:
    """The run's table by section, with a row for all sections together (``overall`` and coverage)."""
    coverage = _dict(metrics.get("coverage"))
    table = _section_table(_dict(metrics.get("sections")), _dict(coverage.get("sections")), "By section", compact=False)
    if not table.rows:
        return table
    total = _section_row("All sections", metrics.get("overall"), coverage.get("overall"))
    return SectionTable(table.caption, table.rows, total)


def _overall(metrics: dict[str, Any], n_articles: int) -> Overall:
    overall = _dict(metrics.get("overall"))
    f1_std = _dict(metrics.get("f1_std"))
    matchers = tuple(MatcherRow(m, _prf(overall.get(m)), _fmt(f1_std.get(m))) for m in _MATCHERS)
    runs = metrics.get("runs")
    tiles = (
        Tile("grounded rate", _pct(metrics.get("grounded_rate"))),
        Tile("schema-valid rate", _pct(metrics.get("schema_valid_rate"))),
        Tile("runs", _count(runs) if _index(runs) is not None else MISSING),
        Tile("articles", _count(n_articles)),
    )
    usage = tuple(
        (_label(k), shown) for k, v in _dict(metrics.get("usage")).items() if (shown := _scalar(k, v)) is not None
    )
    hidden = {"overall", "sections", "articles", "grounded_rate", "schema_valid_rate", "runs", "f1_std", "coverage"}
    extras = tuple((k, shown) for k, v in metrics.items() if k not in hidden and (shown := _scalar(k, v)) is not None)
    return Overall(matchers, tiles, usage, extras)


# --- evidence and highlighting ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str  # "gold" or "pred"
    section: str
    index: int


def _quote(raw: Any, text: str) -> Quote:
    """Normalise an evidence entry: an object with offsets, or (gold only) a plain string to find."""
    if isinstance(raw, str):
        at = text.find(raw) if raw else -1
        if at < 0:
            return Quote(raw, None, None, "not found in the article")
        return Quote(raw, at, at + len(raw), None)
    entry = _dict(raw)
    quote = entry.get("quote")
    quote = quote if isinstance(quote, str) else ""
    start, end = _index(entry.get("start")), _index(entry.get("end"))
    if start is None or end is None or not start < end <= len(text):
        return Quote(quote, None, None, "no usable offsets")
    if text[start:end] != quote:
        return Quote(quote, start, end, "offsets do not match the quote")
    return Quote(quote, start, end, None)


def _item_quotes(item: Any, text: str) -> tuple[Quote, ...]:
    return tuple(_quote(raw, text) for raw in _list(_dict(item).get("evidence")))


def _spans(kind: str, summary: dict[str, Any], text: str) -> list[_Span]:
    spans: list[_Span] = []
    for section in SECTION_NAMES:
        for index, item in enumerate(_list(summary.get(section))):
            for quote in _item_quotes(item, text):
                if quote.start is not None and quote.end is not None:
                    spans.append(_Span(quote.start, quote.end, kind, section, index))
    return spans


def _segment_style(gold: Sequence[str], pred: Sequence[str]) -> str:
    """The inline CSS of a segment (a style value, not markup): gold sections stack as coloured bars
    under the text; predicted sections share the background. Computed here because the bands depend
    on how many sections cover the segment."""
    rules: list[str] = []
    if gold:
        rules.append("box-shadow:" + ",".join(f"0 {3 * (n + 1)}px 0 {_COLOURS[s]}" for n, s in enumerate(gold)))
    if len(pred) == 1:
        rules.append(f"background:{_TINTS[pred[0]]}")
    elif pred:
        step = 100 / len(pred)
        bands = ",".join(f"{_TINTS[s]} {n * step:.1f}% {(n + 1) * step:.1f}%" for n, s in enumerate(pred))
        rules.append(f"background:linear-gradient(to bottom,{bands})")
    return ";".join(rules)


def _segments(text: str, spans: list[_Span]) -> tuple[Segment, ...]:
    """The article cut into non-overlapping segments at every span boundary."""
    bounds = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans})
    out: list[Segment] = []
    for a, b in itertools.pairwise(bounds):
        cover = [s for s in spans if s.start <= a and b <= s.end]
        if not cover:
            out.append(Segment(text[a:b]))
            continue
        gold = [s for s in SECTION_NAMES if any(c.kind == "gold" and c.section == s for c in cover)]
        pred = [s for s in SECTION_NAMES if any(c.kind == "pred" and c.section == s for c in cover)]
        classes = " ".join(["hl", *(f"g-{s}" for s in gold), *(f"p-{s}" for s in pred)])
        title = "; ".join(
            f"{'gold' if c.kind == 'gold' else 'predicted'} {c.section} {'G' if c.kind == 'gold' else 'P'}{c.index}"
            for c in sorted(cover, key=lambda c: (c.kind != "gold", _ORDER[c.section], c.index))
        )
        out.append(Segment(text[a:b], classes, _segment_style(gold, pred), title))
    return tuple(out)


# --- items and matches -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pairing:
    gold_to_pred: dict[int, tuple[int, float | None]]
    pred_to_gold: dict[int, tuple[int, float | None]]
    missed: set[int]
    spurious: set[int]


def _pairing(raw: Any) -> _Pairing:
    match = _dict(raw)
    gold_to_pred: dict[int, tuple[int, float | None]] = {}
    pred_to_gold: dict[int, tuple[int, float | None]] = {}
    for pair in _list(match.get("pairs")):
        pair = _dict(pair)
        gi, pi = _index(pair.get("gold")), _index(pair.get("pred"))
        if gi is not None and pi is not None:
            score = _number(pair.get("score"))
            gold_to_pred[gi] = (pi, score)
            pred_to_gold[pi] = (gi, score)
    missed = {i for i in map(_index, _list(match.get("missed"))) if i is not None}
    spurious = {i for i in map(_index, _list(match.get("spurious"))) if i is not None}
    return _Pairing(gold_to_pred, pred_to_gold, missed, spurious)


def _headline(section: str, item: Any) -> str:
    item = _dict(item)
    for name in SECTIONS[section].text_fields:
        if isinstance(item.get(name), str) and item[name]:
            return str(item[name])
    return "(no text)"


def _partner(kind: str, other: int, score: float | None, others: list[Any], section: str) -> Partner:
    return Partner(
        label=f"{'P' if kind == 'gold' else 'G'}{other}",
        score=MISSING if score is None else f"{score:.2f}",
        headline=_headline(section, others[other]) if other < len(others) else "(missing item)",
    )


def _card(
    section: str, kind: str, index: int, items: list[Any], status: str, text: str, partner: Partner | None = None
) -> Card:
    label = f"{'G' if kind == 'gold' else 'P'}{index}"
    if index >= len(items):
        return Card(label, kind, status, _STATUS_TEXT[status], missing=True)
    item = _dict(items[index])
    who = str(item.get(SECTIONS[section].actor_field, "") or MISSING)
    if section == "demands":
        who += f" → {item.get('addressee') or MISSING}"
    names = SECTIONS[section].text_fields
    what = tuple(
        (name if len(names) > 1 else "", MISSING if item.get(name) is None else str(item.get(name))) for name in names
    )
    return Card(label, kind, status, _STATUS_TEXT[status], False, who, what, _item_quotes(item, text), partner)


def _section_panel(section: str, gold: list[Any], pred: list[Any], pairing: _Pairing, text: str) -> SectionPanel:
    rows: list[tuple[Card | None, Card | None]] = []
    seen_gold: set[int] = set()
    seen_pred: set[int] = set()
    for gi, (pi, score) in sorted(pairing.gold_to_pred.items()):
        seen_gold.add(gi)
        seen_pred.add(pi)
        left = _card(section, "gold", gi, gold, "matched", text, _partner("gold", pi, score, pred, section))
        right = _card(section, "pred", pi, pred, "matched", text, _partner("pred", gi, score, gold, section))
        rows.append((left, right))
    for gi in sorted(pairing.missed - seen_gold):
        seen_gold.add(gi)
        rows.append((_card(section, "gold", gi, gold, "missed", text), None))
    for pi in sorted(pairing.spurious - seen_pred):
        seen_pred.add(pi)
        rows.append((None, _card(section, "pred", pi, pred, "spurious", text)))
    rows.extend(
        (_card(section, "gold", gi, gold, "unscored", text), None) for gi in range(len(gold)) if gi not in seen_gold
    )
    rows.extend(
        (None, _card(section, "pred", pi, pred, "unscored", text)) for pi in range(len(pred)) if pi not in seen_pred
    )
    return SectionPanel(
        section=section,
        title=_TITLES[section],
        colour=_COLOURS[section],
        matched=len(pairing.gold_to_pred),
        missed=len(pairing.missed),
        spurious=len(pairing.spurious),
        n_gold=len(gold),
        n_pred=len(pred),
        rows=tuple(rows),
    )


def _matcher_tabs(
    uid: str, article: dict[str, Any], gold: dict[str, Any], pred: dict[str, Any], text: str
) -> tuple[MatcherTab, ...]:
    matches = _dict(article.get("matches"))
    matchers = [m for m in _MATCHERS if m in matches] + [m for m in matches if m not in _MATCHERS]
    tabs = []
    for n, matcher in enumerate(matchers or _MATCHERS):
        by_section = _dict(matches.get(matcher))
        sections = tuple(
            _section_panel(s, _list(gold.get(s)), _list(pred.get(s)), _pairing(by_section.get(s)), text)
            for s in SECTION_NAMES
        )
        tabs.append(MatcherTab(f"{uid}-m{n}", matcher, sections))
    return tuple(tabs)


# --- articles --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Article:
    uid: str
    article_id: str
    data: dict[str, Any]
    load_error: str | None


def _load_articles(run_dir: Path) -> list[_Article]:
    articles: list[_Article] = []
    folder = run_dir / "articles"
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    for n, path in enumerate(paths):
        data: dict[str, Any] = {}
        error = None
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            data = _dict(loaded)
            if not data:
                error = "the file does not hold a JSON object"
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            error = f"could not read {path.name}: {e}"
        article_id = data.get("article_id") if isinstance(data.get("article_id"), str) else path.stem
        articles.append(_Article(f"a{n}-{_slug(str(article_id))}", str(article_id), data, error))
    return articles


def _meta(pred: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    meta = _dict(pred.get("meta"))
    usage = _dict(meta.get("usage"))
    bits = [
        ("model", meta.get("model")),
        ("backend", meta.get("backend")),
        ("seconds", meta.get("seconds")),
        ("prompt tokens", usage.get("prompt_tokens")),
        ("completion tokens", usage.get("completion_tokens")),
        ("calls", usage.get("calls")),
        ("re-asks", usage.get("reasks")),
        ("dropped", len(_list(meta.get("dropped"))) if "dropped" in meta else None),
    ]
    return tuple((k, shown) for k, v in bits if v != "" and (shown := _scalar(k, v)) is not None)


def _chips(head: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The article's run-level numbers (``metrics.json``'s entry for it); coverage overall at the end."""
    chips = [(_label(k), shown) for k, v in head.items() if (shown := _scalar(k, v)) is not None]
    coverage = _dict(head.get("coverage"))
    if "overall" in coverage:
        cell = _coverage_cell(coverage["overall"])
        chips.append(("coverage", f"{cell.text} ({cell.detail})" if cell.detail else cell.text))
    return tuple(chips)


def _article_view(article: _Article, run_metrics: dict[str, Any]) -> ArticleView:
    data = article.data
    head = _dict(_dict(run_metrics.get("articles")).get(article.article_id))
    chips = _chips(head)
    if article.load_error:
        return ArticleView(article.uid, article.article_id, chips, load_error=article.load_error)
    text = data["text"] if isinstance(data.get("text"), str) else ""
    gold = _dict(data.get("gold"))
    pred = _dict(data.get("prediction"))
    error = data.get("error")
    failure = None
    if error or data.get("prediction") is None:
        failure = str(error) if error else "no prediction was recorded"

    by_section: dict[str, Any] = {}
    article_metrics = _dict(data.get("metrics"))
    for matcher in _MATCHERS:
        for section, scores in _dict(article_metrics.get(matcher)).items():
            by_section.setdefault(section, {})[matcher] = scores
    # The article file's coverage is that of the run its items come from; older files lack it.
    coverage = _dict(data.get("coverage")) or _dict(_dict(head.get("coverage")).get("sections"))
    table = _section_table(by_section, coverage, "Metrics by section", compact=True)

    notes = []
    if gold.get("annotator"):
        notes.append(("gold by", str(gold["annotator"])))
    if gold.get("notes"):
        notes.append(("notes", str(gold["notes"])))
    overview = pred.get("overview")
    spans = _spans("gold", gold, text) + _spans("pred", pred, text)
    return ArticleView(
        uid=article.uid,
        article_id=article.article_id,
        chips=chips,
        failure=failure,
        table=table,
        overview=overview if isinstance(overview, str) else "",
        meta=_meta(pred),
        notes=tuple(notes),
        segments=_segments(text, spans) if text else (),
        tabs=_matcher_tabs(article.uid, data, gold, pred, text),
    )


def _index_rows(articles: list[_Article], run_metrics: dict[str, Any]) -> tuple[IndexRow, ...]:
    per_article = _dict(run_metrics.get("articles"))
    rows = []
    for a in articles:
        m = _dict(per_article.get(a.article_id))
        failed = bool(a.load_error or a.data.get("error") or a.data.get("prediction") is None)
        rows.append(
            IndexRow(a.uid, a.article_id, _score_cell(m.get("strict_f1")), _score_cell(m.get("soft_f1")), failed)
        )
    return tuple(rows)


# --- the page --------------------------------------------------------------------------------------


def _page(run_dir: Path) -> PageView:
    notice = None
    run_metrics: dict[str, Any] = {}
    try:
        run_metrics = _dict(json.loads((run_dir / "metrics.json").read_text(encoding="utf-8")))
    except FileNotFoundError:
        notice = "metrics.json was not found in this run folder."
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        notice = f"metrics.json could not be read: {e}"
    articles = _load_articles(run_dir)
    return PageView(
        run_name=run_dir.resolve().name,
        notice=notice,
        overall=_overall(run_metrics, len(articles)),
        sections=_run_sections(run_metrics),
        index=_index_rows(articles, run_metrics),
        articles=tuple(_article_view(a, run_metrics) for a in articles),
        legend=tuple(LegendKey(_TITLES[s], _COLOURS[s], _TINTS[s]) for s in SECTION_NAMES),
        version=__version__,
    )


def render_report(run_dir: Path) -> str:
    """The report of the eval run in ``run_dir`` as one self-contained HTML page."""
    return _environment().get_template(TEMPLATE).render(page=_page(Path(run_dir)))


def write_report(run_dir: Path) -> Path:
    """Write ``run_dir/report.html`` and return its path."""
    path = Path(run_dir) / "report.html"
    path.write_text(render_report(Path(run_dir)), encoding="utf-8")
    return path
