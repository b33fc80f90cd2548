"""The HTML report of an eval run: one self-contained page to read a run article by article.

``write_report(run_dir)`` reads what the runner left in ``run_dir`` (``metrics.json`` and
``articles/<article_id>.json``) and writes ``run_dir/report.html``: the overall metrics, then for each
article its metrics per section, its text with every gold and predicted evidence span highlighted, and
the gold and predicted items side by side as the strict and the soft matcher paired them.

The page is one file with inline CSS and no script or external asset (the strict/soft switch is a pair
of radio buttons). Every string taken from the run is escaped: article text and model output are
untrusted. The report renders what it finds: a missing or malformed key shows as "—", never an error.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer._version import __version__
from summarizer.schemas import SECTION_NAMES

__all__ = ["render_report", "write_report"]

_TITLES = {"positions": "Positions", "demands": "Demands", "conditions": "Conditions", "risks": "Risks"}
# One colour per section: a solid bar under gold spans, the same colour as a tint behind predicted spans.
_COLOURS = {"positions": "#2563eb", "demands": "#d97706", "conditions": "#7c3aed", "risks": "#e11d48"}
_TINTS = {
    "positions": "rgba(37,99,235,.22)",
    "demands": "rgba(217,119,6,.26)",
    "conditions": "rgba(124,58,237,.22)",
    "risks": "rgba(225,29,72,.20)",
}
_WHO = {"positions": "actor", "demands": "actor", "conditions": "actor", "risks": "raised_by"}
_WHAT = {"positions": ("stance",), "demands": ("demand",), "conditions": ("action", "condition"), "risks": ("risk",)}
_MATCHERS = ("strict", "soft")
_ORDER: dict[str, int] = {section: n for n, section in enumerate(SECTION_NAMES)}
_STATUS_TEXT = {"matched": "matched", "missed": "missed", "spurious": "spurious", "unscored": "not scored"}


def _esc(value: Any) -> str:
    return html.escape(value if isinstance(value, str) else str(value), quote=True)


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


def _fmt(value: Any, digits: int = 3) -> str:
    number = _number(value)
    return "—" if number is None else f"{number:.{digits}f}"


def _pct(value: Any) -> str:
    number = _number(value)
    return "—" if number is None else f"{number * 100:.1f}%"


def _score_cell(value: Any) -> str:
    """A table cell for a 0..1 score, with a bar behind the number."""
    number = _number(value)
    if number is None:
        return '<td class="num">—</td>'
    width = max(0.0, min(1.0, number)) * 100
    return f'<td class="num score" style="--v:{width:.1f}%">{number:.3f}</td>'


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:60] or "article"


# --- evidence and highlighting ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Quote:
    """One evidence entry as the report shows it: the quote and where it sits in the article, if anywhere."""

    quote: str
    start: int | None
    end: int | None
    problem: str | None  # None when article[start:end] == quote


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str  # "gold" or "pred"
    section: str
    index: int


def _quote(raw: Any, text: str) -> _Quote:
    """Normalise an evidence entry: an object with offsets, or (gold only) a plain string to find."""
    if isinstance(raw, str):
        at = text.find(raw) if raw else -1
        if at < 0:
            return _Quote(raw, None, None, "not found in the article")
        return _Quote(raw, at, at + len(raw), None)
    entry = _dict(raw)
    quote = entry.get("quote")
    quote = quote if isinstance(quote, str) else ""
    start, end = _index(entry.get("start")), _index(entry.get("end"))
    if start is None or end is None or not start < end <= len(text):
        return _Quote(quote, None, None, "no usable offsets")
    if text[start:end] != quote:
        return _Quote(quote, start, end, "offsets do not match the quote")
    return _Quote(quote, start, end, None)


def _item_quotes(item: Any, text: str) -> list[_Quote]:
    return [_quote(raw, text) for raw in _list(_dict(item).get("evidence"))]


def _spans(kind: str, summary: dict[str, Any], text: str) -> list[_Span]:
    spans: list[_Span] = []
    for section in SECTION_NAMES:
        for index, item in enumerate(_list(summary.get(section))):
            for quote in _item_quotes(item, text):
                if quote.start is not None and quote.end is not None:
                    spans.append(_Span(quote.start, quote.end, kind, section, index))
    return spans


def _segment_style(gold: Sequence[str], pred: Sequence[str]) -> str:
    """Gold sections stack as coloured bars under the text; predicted sections share the background."""
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


def _highlight(text: str, spans: list[_Span]) -> str:
    """The article as HTML, cut into non-overlapping segments at every span boundary."""
    bounds = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans})
    out: list[str] = []
    for a, b in itertools.pairwise(bounds):
        piece = _esc(text[a:b])
        cover = [s for s in spans if s.start <= a and b <= s.end]
        if not cover:
            out.append(piece)
            continue
        gold = [s for s in SECTION_NAMES if any(c.kind == "gold" and c.section == s for c in cover)]
        pred = [s for s in SECTION_NAMES if any(c.kind == "pred" and c.section == s for c in cover)]
        classes = " ".join(["hl", *(f"g-{s}" for s in gold), *(f"p-{s}" for s in pred)])
        title = "; ".join(
            f"{'gold' if c.kind == 'gold' else 'predicted'} {c.section} {'G' if c.kind == 'gold' else 'P'}{c.index}"
            for c in sorted(cover, key=lambda c: (c.kind != "gold", _ORDER[c.section], c.index))
        )
        out.append(f'<span class="{classes}" style="{_segment_style(gold, pred)}" title="{_esc(title)}">{piece}</span>')
    return "".join(out)


def _legend() -> str:
    keys = "".join(
        f'<span class="key"><b>{_TITLES[s]}</b>'
        f'<span class="sw-gold" style="box-shadow:0 3px 0 {_COLOURS[s]}">gold</span>'
        f'<span class="sw-pred" style="background:{_TINTS[s]}">predicted</span></span>'
        for s in SECTION_NAMES
    )
    return f'<div class="legend">{keys}<span class="legend-note">hover a highlighted span to see its items</span></div>'


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
    for field in _WHAT[section]:
        if isinstance(item.get(field), str) and item[field]:
            return str(item[field])
    return "(no text)"


def _quotes_html(quotes: list[_Quote]) -> str:
    if not quotes:
        return '<p class="muted small">no evidence</p>'
    rows = []
    for q in quotes:
        where = f"chars {q.start}–{q.end}" if q.start is not None else ""
        problem = f' <span class="warn">{_esc(q.problem)}</span>' if q.problem else ""
        rows.append(f'<li><q>{_esc(q.quote)}</q> <span class="off">{where}</span>{problem}</li>')
    return f'<ul class="quotes">{"".join(rows)}</ul>'


def _card(section: str, kind: str, index: int, items: list[Any], status: str, partner: str, text: str) -> str:
    label = f"{'G' if kind == 'gold' else 'P'}{index}"
    if index >= len(items):
        return f'<div class="item missing">{label}: no such item in the {_esc(kind)} list</div>'
    item = _dict(items[index])
    who = str(item.get(_WHO[section], "") or "—")
    if section == "demands":
        who += f" → {item.get('addressee') or '—'}"
    fields = _WHAT[section]
    what = "".join(
        f'<div class="what">{f"<span class=field>{_esc(f)}</span> " if len(fields) > 1 else ""}'
        f"{_esc(item.get(f, '—'))}</div>"
        for f in fields
    )
    badge = f'<span class="badge badge-{status}">{_STATUS_TEXT[status]}</span>'
    return (
        f'<div class="item status-{status}" data-status="{status}" data-kind="{kind}">'
        f'<div class="item-head"><span class="idx">{label}</span>{badge}{partner}</div>'
        f'<div class="who">{_esc(who)}</div>{what}{_quotes_html(_item_quotes(item, text))}</div>'
    )


def _partner(kind: str, other: int, score: float | None, others: list[Any], section: str) -> str:
    label = f"{'P' if kind == 'gold' else 'G'}{other}"
    headline = _headline(section, others[other]) if other < len(others) else "(missing item)"
    score_text = "score —" if score is None else f"score {score:.2f}"
    return (
        f'<span class="partner">with {label} <span class="score-tag">{score_text}</span></span>'
        f'<div class="partner-text">↔ {_esc(headline)}</div>'
    )


def _section_panel(section: str, gold: list[Any], pred: list[Any], pairing: _Pairing, text: str) -> str:
    rows: list[str] = []
    empty = '<div class="item empty">—</div>'
    seen_gold: set[int] = set()
    seen_pred: set[int] = set()
    for gi, (pi, score) in sorted(pairing.gold_to_pred.items()):
        seen_gold.add(gi)
        seen_pred.add(pi)
        left = _card(section, "gold", gi, gold, "matched", _partner("gold", pi, score, pred, section), text)
        right = _card(section, "pred", pi, pred, "matched", _partner("pred", gi, score, gold, section), text)
        rows.append(left + right)
    for gi in sorted(pairing.missed - seen_gold):
        seen_gold.add(gi)
        rows.append(_card(section, "gold", gi, gold, "missed", "", text) + empty)
    for pi in sorted(pairing.spurious - seen_pred):
        seen_pred.add(pi)
        rows.append(empty + _card(section, "pred", pi, pred, "spurious", "", text))
    for gi in range(len(gold)):
        if gi not in seen_gold:
            rows.append(_card(section, "gold", gi, gold, "unscored", "", text) + empty)
    for pi in range(len(pred)):
        if pi not in seen_pred:
            rows.append(empty + _card(section, "pred", pi, pred, "unscored", "", text))
    counts = (
        f'<span class="counts">{len(pairing.gold_to_pred)} matched · {len(pairing.missed)} missed · '
        f"{len(pairing.spurious)} spurious</span>"
    )
    body = "".join(f'<div class="pair">{row}</div>' for row in rows) or '<p class="muted">No items on either side.</p>'
    return (
        f'<div class="section section-{section}">'
        f'<h3 class="section-title"><span class="swatch" style="background:{_COLOURS[section]}"></span>'
        f"{_TITLES[section]}{counts}</h3>"
        f'<div class="pair pair-head"><div>Gold ({len(gold)})</div><div>Predicted ({len(pred)})</div></div>'
        f"{body}</div>"
    )


def _matcher_tabs(uid: str, article: dict[str, Any], gold: dict[str, Any], pred: dict[str, Any], text: str) -> str:
    matches = _dict(article.get("matches"))
    matchers = [m for m in _MATCHERS if m in matches] + [m for m in matches if m not in _MATCHERS]
    matchers = matchers or list(_MATCHERS)
    tabs, panels = [], []
    for n, matcher in enumerate(matchers):
        tab_id = f"{uid}-m{n}"
        checked = " checked" if n == 0 else ""
        tabs.append(
            f'<input type="radio" class="tab-input" name="{uid}-matcher" id="{tab_id}"{checked}>'
            f'<label class="tab" for="{tab_id}">{_esc(matcher)} matcher</label>'
        )
        by_section = _dict(matches.get(matcher))
        sections = "".join(
            _section_panel(s, _list(gold.get(s)), _list(pred.get(s)), _pairing(by_section.get(s)), text)
            for s in SECTION_NAMES
        )
        panels.append(f'<div class="panel" data-matcher="{_esc(matcher)}">{sections}</div>')
    # Panel n is shown while radio n is checked (nth-of-type rules in the stylesheet).
    return f'<div class="tabs">{"".join(tabs)}{"".join(panels)}</div>'


# --- tables ----------------------------------------------------------------------------------------


def _prf_cells(scores: Any) -> str:
    scores = _dict(scores)
    return "".join(_score_cell(scores.get(k)) for k in ("precision", "recall", "f1"))


_PRF_HEAD = '<th><abbr title="precision">P</abbr></th><th><abbr title="recall">R</abbr></th><th>F1</th>'


def _section_table(rows: dict[str, Any], caption: str, *, compact: bool = False) -> str:
    names = [s for s in SECTION_NAMES if s in rows] + [s for s in rows if s not in SECTION_NAMES]
    body = "".join(
        f"<tr><th scope=row>{_esc(_TITLES.get(name, name))}</th>"
        f"{_prf_cells(_dict(rows[name]).get('strict'))}{_prf_cells(_dict(rows[name]).get('soft'))}</tr>"
        for name in names
    )
    if not body:
        body = '<tr><td colspan="7" class="muted">no section metrics</td></tr>'
    return (
        f'<table class="metrics{" compact" if compact else ""}"><caption>{_esc(caption)}</caption>'
        '<thead><tr><th rowspan="2">section</th><th colspan="3">strict</th><th colspan="3">soft</th></tr>'
        f"<tr>{_PRF_HEAD}{_PRF_HEAD}</tr>"
        f"</thead><tbody>{body}</tbody></table>"
    )


def _overall(metrics: dict[str, Any], n_articles: int) -> str:
    overall = _dict(metrics.get("overall"))
    f1_std = _dict(metrics.get("f1_std"))
    rows = "".join(
        f"<tr><th scope=row>{m}</th>{_prf_cells(overall.get(m))}<td class=num>{_fmt(f1_std.get(m))}</td></tr>"
        for m in _MATCHERS
    )
    table = (
        '<table class="metrics"><caption>Overall</caption><thead><tr><th>matcher</th>'
        f"{_PRF_HEAD}<th>F1 std</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    runs = metrics.get("runs")
    tiles = [
        ("grounded rate", _pct(metrics.get("grounded_rate"))),
        ("schema-valid rate", _pct(metrics.get("schema_valid_rate"))),
        ("runs", _esc(runs) if _index(runs) is not None else "—"),
        ("articles", str(n_articles)),
    ]
    tiles_html = "".join(
        f'<div class="tile"><div class="tile-v">{v}</div><div class="tile-k">{k}</div></div>' for k, v in tiles
    )
    shown = {"overall", "sections", "articles", "grounded_rate", "schema_valid_rate", "runs", "f1_std"}
    extras = [(k, v) for k, v in metrics.items() if k not in shown and isinstance(v, str | int | float | bool)]
    extra_html = ""
    if extras:
        items = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in extras)
        extra_html = f'<details class="extras"><summary>More from metrics.json</summary><dl>{items}</dl></details>'
    return f'<div class="overall">{table}<div class="tiles">{tiles_html}</div></div>{extra_html}'


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


def _meta_line(pred: dict[str, Any]) -> str:
    meta = _dict(pred.get("meta"))
    usage = _dict(meta.get("usage"))
    bits = [
        ("model", meta.get("model")),
        ("backend", meta.get("backend")),
        ("seconds", _fmt(meta.get("seconds"), 1) if _number(meta.get("seconds")) is not None else None),
        ("prompt tokens", usage.get("prompt_tokens")),
        ("completion tokens", usage.get("completion_tokens")),
        ("calls", usage.get("calls")),
        ("re-asks", usage.get("reasks")),
        ("dropped", len(_list(meta.get("dropped"))) if "dropped" in meta else None),
    ]
    shown = "".join(f"<span><b>{_esc(k)}</b> {_esc(v)}</span>" for k, v in bits if v is not None and v != "")
    return f'<div class="meta">{shown}</div>' if shown else ""


def _article_section(article: _Article, run_metrics: dict[str, Any]) -> str:
    data = article.data
    head_metrics = _dict(_dict(run_metrics.get("articles")).get(article.article_id))
    chips = "".join(
        f'<span class="chip"><b>{_esc(k.replace("_", " "))}</b> {_fmt(v) if isinstance(v, float) else _esc(v)}</span>'
        for k, v in head_metrics.items()
        if isinstance(v, str | int | float | bool)
    )
    parts = [
        f'<section class="article" id="{article.uid}">',
        f'<header class="article-head"><h2>{_esc(article.article_id)}</h2>',
        f'<div class="chips">{chips}</div></header>',
    ]
    if article.load_error:
        parts.append(
            f'<div class="banner error" role="alert"><b>Unreadable article file.</b> '
            f"{_esc(article.load_error)}</div></section>"
        )
        return "".join(parts)
    text = data["text"] if isinstance(data.get("text"), str) else ""
    gold = _dict(data.get("gold"))
    pred = _dict(data.get("prediction"))
    error = data.get("error")
    if error or data.get("prediction") is None:
        message = _esc(error) if error else "no prediction was recorded"
        parts.append(f'<div class="banner error" role="alert"><b>The prediction failed.</b> {message}</div>')

    by_section: dict[str, Any] = {}
    article_metrics = _dict(data.get("metrics"))
    for matcher in _MATCHERS:
        for section, scores in _dict(article_metrics.get(matcher)).items():
            by_section.setdefault(section, {})[matcher] = scores
    parts.append(_section_table(by_section, "Metrics by section", compact=True))

    notes = []
    if gold.get("annotator"):
        notes.append(f"<span><b>gold by</b> {_esc(gold['annotator'])}</span>")
    if gold.get("notes"):
        notes.append(f"<span><b>notes</b> {_esc(gold['notes'])}</span>")
    overview = pred.get("overview")
    parts.append('<div class="card">')
    if isinstance(overview, str) and overview:
        parts.append(f'<p class="overview"><b>Model overview.</b> {_esc(overview)}</p>')
    parts.append(_meta_line(pred))
    if notes:
        parts.append(f'<div class="meta">{"".join(notes)}</div>')
    spans = _spans("gold", gold, text) + _spans("pred", pred, text)
    parts.append(_legend())
    body = _highlight(text, spans) if text else '<span class="muted">(no article text in this file)</span>'
    parts.append(f'<div class="article-text">{body}</div></div>')
    parts.append(_matcher_tabs(article.uid, data, gold, pred, text))
    parts.append("</section>")
    return "".join(parts)


def _index_table(articles: list[_Article], run_metrics: dict[str, Any]) -> str:
    per_article = _dict(run_metrics.get("articles"))
    rows = []
    for a in articles:
        m = _dict(per_article.get(a.article_id))
        failed = a.load_error or a.data.get("error") or a.data.get("prediction") is None
        status = '<span class="badge badge-missed">failed</span>' if failed else '<span class="badge ok">ok</span>'
        rows.append(
            f'<tr><th scope=row><a href="#{a.uid}">{_esc(a.article_id)}</a></th>'
            f"{_score_cell(m.get('strict_f1'))}{_score_cell(m.get('soft_f1'))}<td>{status}</td></tr>"
        )
    body = "".join(rows) or '<tr><td colspan="4" class="muted">no article files found</td></tr>'
    return (
        '<table class="metrics compact index"><caption>Articles</caption><thead><tr><th>article</th>'
        f"<th>strict F1</th><th>soft F1</th><th class='l'>prediction</th></tr></thead><tbody>{body}</tbody></table>"
    )


_CSS = """
:root{--bg:#f5f6f8;--card:#fff;--line:#e2e5ea;--ink:#1f2328;--muted:#6b7280;
--ok:#15803d;--ok-bg:#dcfce7;--bad:#b91c1c;--bad-bg:#fee2e2;--warn:#9a3412;--warn-bg:#ffedd5}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.page{max-width:1180px;margin:0 auto;padding:28px 24px 60px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:21px;margin:0}
.sub{color:var(--muted);margin:0 0 20px}
.muted{color:var(--muted)}.small{font-size:13px}
.card,.article{background:var(--card);border:1px solid var(--line);border-radius:12px}
.summary-grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:20px;align-items:start}
.block{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px 18px;margin-bottom:20px}
.overall{display:flex;flex-direction:column;gap:14px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(110px,1fr));gap:10px}
.tile{border:1px solid var(--line);border-radius:10px;padding:10px 12px;background:#fafbfc}
.tile-v{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}
.tile-k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
table.metrics{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:14px}
table.metrics caption{text-align:left;font-weight:650;padding:0 0 6px;font-size:15px}
table.metrics th,table.metrics td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left}
table.metrics thead th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;
letter-spacing:.03em;background:#fafbfc}
table.metrics td.num,table.metrics thead th{text-align:right}
table.metrics thead tr:first-child th:first-child{text-align:left}table.metrics thead th[colspan]{text-align:center}
table.metrics thead th.l{text-align:left}
abbr{text-decoration:none}
table.metrics.compact{width:auto;min-width:min(100%,560px)}
table.metrics.compact td.num{padding-left:30px}
td.score{background:linear-gradient(90deg,rgba(21,128,61,.16) var(--v),transparent var(--v))}
table.index a{color:#1d4ed8;text-decoration:none}table.index a:hover{text-decoration:underline}
.extras{margin-top:10px;font-size:13px}.extras dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}
.extras dt{color:var(--muted)}.extras dd{margin:0}
.article{padding:20px 22px;margin:26px 0}
.article-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:12px;margin-bottom:12px}
.chips{display:flex;flex-wrap:wrap;gap:6px}
.chip{background:#f1f3f6;border-radius:999px;padding:2px 10px;font-size:13px;font-variant-numeric:tabular-nums}
.chip b{font-weight:600;color:var(--muted)}
.banner{border-radius:10px;padding:10px 14px;margin:0 0 14px}
.banner.error{background:var(--bad-bg);color:var(--bad);border:1px solid #fca5a5}
.article .card{padding:14px 18px;margin:16px 0;background:#fcfcfd}
.overview{margin:0 0 8px}
.meta{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:13px;color:var(--muted);margin-bottom:6px}
.meta b{font-weight:600;color:#4b5563}
.legend{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;font-size:12px;margin:10px 0 6px}
.legend .key{display:inline-flex;gap:5px;align-items:center}.legend .key b{font-weight:600}
.sw-gold,.sw-pred{padding:0 5px;border-radius:3px}
.legend-note{color:var(--muted)}
.article-text{font:17px/2.15 Georgia,"Times New Roman",serif;white-space:pre-wrap;overflow-wrap:anywhere;
padding:6px 2px;max-width:78ch}
.hl{cursor:help}
.tabs{margin-top:8px}
.tab-input{position:absolute;opacity:0;pointer-events:none}
.tab{display:inline-block;padding:6px 14px;margin-right:6px;border:1px solid var(--line);border-radius:999px;
cursor:pointer;font-size:14px;background:#fff;text-transform:capitalize}
.tab-input:checked+.tab{background:var(--ink);color:#fff;border-color:var(--ink)}
.tab-input:focus-visible+.tab{outline:2px solid #2563eb;outline-offset:2px}
.panel{display:none;margin-top:12px}
.tab-input:nth-of-type(1):checked~.panel:nth-of-type(1),.tab-input:nth-of-type(2):checked~.panel:nth-of-type(2),
.tab-input:nth-of-type(3):checked~.panel:nth-of-type(3),.tab-input:nth-of-type(4):checked~.panel:nth-of-type(4)
{display:block}
.section{margin:18px 0 6px}
.section-title{display:flex;align-items:center;gap:8px;font-size:17px;margin:0 0 8px}
.swatch{width:12px;height:12px;border-radius:3px;display:inline-block}
.counts{margin-left:auto;font-weight:400;font-size:13px;color:var(--muted)}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:10px;margin-bottom:10px}
.pair-head{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin-bottom:4px}
.item{border:1px solid var(--line);border-left-width:4px;border-radius:8px;padding:8px 12px;font-size:14px;
background:#fff}
.item.empty{border-style:dashed;border-left-width:1px;color:#c0c4cc;display:flex;align-items:center;
justify-content:center;background:transparent}
.item.missing{color:var(--bad)}
.status-matched{border-left-color:var(--ok)}.status-missed{border-left-color:var(--bad)}
.status-spurious{border-left-color:#ea580c}.status-unscored{border-left-color:#9ca3af}
.item-head{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-bottom:4px}
.idx{font:600 12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted)}
.badge{font-size:11px;font-weight:650;text-transform:uppercase;letter-spacing:.04em;padding:1px 8px;
border-radius:999px}
.badge-matched,.badge.ok{background:var(--ok-bg);color:var(--ok)}
.badge-missed{background:var(--bad-bg);color:var(--bad)}
.badge-spurious{background:var(--warn-bg);color:var(--warn)}
.badge-unscored{background:#f3f4f6;color:#4b5563}
.partner{font-size:12px;color:var(--muted)}
.score-tag{font-variant-numeric:tabular-nums;background:#f1f3f6;border-radius:4px;padding:0 5px;color:var(--ink)}
.partner-text{font-size:12px;color:var(--muted);margin:-2px 0 4px}
.who{font-weight:650}
.what .field{font-size:11px;text-transform:uppercase;color:var(--muted);letter-spacing:.04em}
.quotes{margin:6px 0 0;padding-left:18px;color:#374151}
.quotes li{margin:2px 0}
.quotes q{font-family:Georgia,"Times New Roman",serif}
.off{font-size:12px;color:var(--muted);font-variant-numeric:tabular-nums}
.warn{font-size:12px;color:var(--bad)}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:30px}
@media (max-width:820px){.summary-grid,.pair{grid-template-columns:1fr}}
"""


def render_report(run_dir: Path) -> str:
    """The report of the eval run in ``run_dir`` as one self-contained HTML page."""
    run_dir = Path(run_dir)
    notice = ""
    run_metrics: dict[str, Any] = {}
    metrics_path = run_dir / "metrics.json"
    try:
        run_metrics = _dict(json.loads(metrics_path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        notice = '<div class="banner error" role="alert">metrics.json was not found in this run folder.</div>'
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        notice = f'<div class="banner error" role="alert">metrics.json could not be read: {_esc(e)}</div>'
    articles = _load_articles(run_dir)
    sections = _section_table(_dict(run_metrics.get("sections")), "By section")
    name = run_dir.resolve().name
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>Eval report · {_esc(name)}</title><style>{_CSS}</style></head><body><div class=page>"
        f'<header><h1>Eval report</h1><p class="sub">run <code>{_esc(name)}</code> · '
        f"{len(articles)} article{'s' if len(articles) != 1 else ''}</p></header>{notice}"
        f'<div class="summary-grid"><div class="block">{_overall(run_metrics, len(articles))}</div>'
        f'<div class="block">{sections}</div></div>'
        f'<div class="block">{_index_table(articles, run_metrics)}</div>'
        f"<main>{''.join(_article_section(a, run_metrics) for a in articles)}</main>"
        f"<footer>summarizer {_esc(__version__)} · offline eval report</footer></div></body></html>\n"
    )


def write_report(run_dir: Path) -> Path:
    """Write ``run_dir/report.html`` and return its path."""
    path = Path(run_dir) / "report.html"
    path.write_text(render_report(Path(run_dir)), encoding="utf-8")
    return path
