"""The HTML eval report: escaping, markers, highlighting, numbers, coverage, robustness, a real browser."""

from __future__ import annotations

import html
import importlib.resources
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from summarizer.evals.report import render_report, write_report
from tests.confidence_cases import block as hand_made_confidence

RUN = Path(__file__).parent / "data" / "report_run"
ARTICLE = json.loads((RUN / "articles" / "harbour-ferry-mini.json").read_text(encoding="utf-8"))
SECTIONS = ("positions", "demands", "conditions", "risks")


class _Page(HTMLParser):
    """Collects what the tests look at: item cards per (article, matcher), highlight segments, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.article = ""
        self.matcher = ""
        self.items: list[tuple[str, str, str, str]] = []  # (article uid, matcher, kind, status)
        self.segments: list[tuple[frozenset[str], str]] = []
        self.article_text: dict[str, str] = {}
        self._stack: list[str] = []  # "text" / "hl" / "" per open div/span inside an article text
        self._hl: list[str] | None = None
        self._hl_classes: frozenset[str] = frozenset()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "section" and "article" in classes:
            self.article = a["id"]
        if "data-matcher" in a:
            self.matcher = a["data-matcher"]
        if "data-status" in a:
            self.items.append((self.article, self.matcher, a["data-kind"], a["data-status"]))
        if self._stack or "article-text" in classes:
            self._stack.append(tag)
            if "article-text" in classes:
                self.article_text[self.article] = ""
            if "hl" in classes:
                self._hl, self._hl_classes = [], frozenset(classes)

    def handle_endtag(self, tag: str) -> None:
        if self._stack:
            self._stack.pop()
            if self._hl is not None:
                self.segments.append((self._hl_classes, "".join(self._hl)))
                self._hl = None

    def handle_data(self, data: str) -> None:
        if self._stack:
            self.article_text[self.article] += data
            if self._hl is not None:
                self._hl.append(data)


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(RUN)


@pytest.fixture(scope="module")
def parsed(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


class _Tables(HTMLParser):
    """Every table as (article uid or "", caption, header cells, rows of cell texts; a cell's pieces joined by " ")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.article = ""
        self.tables: list[tuple[str, str, list[str], list[list[str]]]] = []
        self._where = ""  # "caption", "head", "body" while inside a table
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "section" and "article" in a.get("class", "").split():
            self.article = a["id"]
        elif tag == "table":
            self.tables.append((self.article, "", [], []))
        elif tag == "caption":
            self._where = "caption"
        elif tag == "thead":
            self._where = "head"
        elif tag == "tbody":
            self._where = "body"
        elif tag == "tr" and self._where == "body":
            self.tables[-1][3].append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None:
            text = " ".join(piece.strip() for piece in self._cell if piece.strip())
            if self._where == "head":
                self.tables[-1][2].append(text)
            elif self._where == "body":
                self.tables[-1][3][-1].append(text)
            self._cell = None
        elif tag == "caption":
            self._where = ""

    def handle_data(self, data: str) -> None:
        if self._where == "caption":
            article, _, head, rows = self.tables[-1]
            self.tables[-1] = (article, data.strip(), head, rows)
        elif self._cell is not None:
            self._cell.append(data)


def _tables(page: str) -> list[tuple[str, str, list[str], list[list[str]]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def _table(page: str, caption: str, article: str = "") -> tuple[list[str], dict[str, list[str]]]:
    """The header cells and the rows (by their first cell) of the table with ``caption`` (in ``article``)."""
    found = [(h, r) for a, c, h, r in _tables(page) if c == caption and a.endswith(article)]
    assert len(found) == 1, (caption, article, found)
    head, rows = found[0]
    return head, {row[0]: row[1:] for row in rows}


def _span(start: int, end: int) -> str:
    return str(ARTICLE["text"][start:end])


def _with_confidence(tmp_path: Path, block: dict[str, object] | None = None) -> Path:
    """The fixture run with a ``confidence`` block in its metrics.json (by default, of hand-made items)."""
    run = shutil.copytree(RUN, tmp_path / "run")
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    metrics["confidence"] = block if block is not None else hand_made_confidence().model_dump(mode="json")
    (run / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    return run


def _confidence_part(page: str) -> str:
    start = page.index('<section class="block confidence" id="confidence">')
    return page[start : page.index("</section>", start)]


def test_fixture_evidence_is_grounded() -> None:
    text = ARTICLE["text"]
    for side in ("gold", "prediction"):
        for section in SECTIONS:
            for item in ARTICLE[side][section]:
                for ev in item["evidence"]:
                    assert text[ev["start"] : ev["end"]] == ev["quote"]


def test_untrusted_text_is_escaped(page: str) -> None:
    assert "<script" not in page  # the page itself has no script, and the article's is escaped
    # the template engine's autoescape writes quotes as &#39; and &#34;
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt; &amp; &#34;more&#34;." in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page  # model output
    assert "drags on &#34;for weeks&#34; &lt;img" in page  # a quote in model output
    assert "<i>" not in page and "stoppage &lt;i&gt;." in page  # the model's overview
    assert "<b>not bold</b>" not in page and "&lt;b&gt;not bold&lt;/b&gt;" in page  # gold notes
    assert "&lt;after 3 attempts&gt;" in page  # the error message


def test_every_section_is_present(page: str, parsed: _Page) -> None:
    for section in SECTIONS:
        assert f'class="section section-{section}"' in page
        assert f'{section.capitalize()}<span class="counts">' in page
    for matcher in ("strict", "soft"):
        assert f'data-matcher="{matcher}"' in page
    assert "harbour-ferry-mini" in page and "pier-failed" in page


def test_items_are_marked_matched_missed_spurious(page: str, parsed: _Page) -> None:
    def statuses(matcher: str) -> list[tuple[str, str]]:
        return sorted((k, s) for a, m, k, s in parsed.items if a.endswith("harbour-ferry-mini") and m == matcher)

    # strict: positions and risks pair up; demands and conditions are missed; a condition and a risk are spurious
    assert statuses("strict") == sorted(
        [("gold", "matched")] * 2 + [("pred", "matched")] * 2 + [("gold", "missed")] * 2 + [("pred", "spurious")] * 2
    )
    # soft also pairs the conditions
    assert statuses("soft") == sorted(
        [("gold", "matched")] * 3 + [("pred", "matched")] * 3 + [("gold", "missed"), ("pred", "spurious")]
    )
    for marker in ("badge-matched", "badge-missed", "badge-spurious"):
        assert marker in page
    assert 'with P0 <span class="score-tag">score 0.81</span>' in page  # partner and score
    assert "score 0.66" in page  # the soft-only condition pair


def test_overlapping_spans_become_segments(parsed: _Page) -> None:
    text = ARTICLE["text"]
    uid = next(uid for uid in parsed.article_text if uid.endswith("harbour-ferry-mini"))
    assert parsed.article_text[uid] == text  # every character once, in order
    segments = {(tuple(sorted(c - {"hl"})), t) for c, t in parsed.segments}
    gold_pos = ARTICLE["gold"]["positions"][0]["evidence"][0]
    pred_pos = ARTICLE["prediction"]["positions"][0]["evidence"][0]
    assert gold_pos["start"] < pred_pos["start"] < gold_pos["end"] < pred_pos["end"]  # a partial overlap
    assert (("g-positions",), _span(gold_pos["start"], pred_pos["start"])) in segments
    assert (("g-positions", "p-positions"), _span(pred_pos["start"], gold_pos["end"])) in segments
    assert (("p-positions",), _span(gold_pos["end"], pred_pos["end"])) in segments
    # a predicted condition nested inside the gold one
    assert (("g-conditions", "p-conditions"), "call off Friday's stoppage") in segments
    # gold given as a plain string (allowed by GOLD_FORMAT) is found in the text
    assert (("g-positions",), "Residents object to the noise") in segments


def test_error_banner_for_failed_prediction(page: str) -> None:
    failed = page[page.index('id="a1-pier-failed"') :]
    assert "The prediction failed." in failed
    assert "ModelUnavailableError: connection refused" in failed
    ok = page[page.index('id="a0-harbour-ferry-mini"') : page.index('id="a1-pier-failed"')]
    assert "The prediction failed." not in ok


def test_metrics_are_shown(page: str) -> None:
    assert "100.0%" in page and "50.0%" in page  # grounded and schema-valid rates
    assert "0.444" in page and "0.667" in page  # overall strict and soft F1
    assert "fixture-model" in page  # an optional key of metrics.json


def test_counts_print_as_integers(page: str) -> None:
    # metrics.json stores means of counts as floats (8062.0): a whole number prints without decimals
    assert "8062.000" not in page and "8062.0" not in page
    assert '<span class="chip"><b>prompt tokens</b> 8,062</span>' in page
    assert '<span class="chip"><b>calls</b> 0</span>' in page
    assert '<span class="chip"><b>retries</b> 2</span>' in page
    assert '<span class="chip"><b>re-asks</b> 1.5</span>' in page  # a genuinely fractional mean keeps it
    assert '<span class="chip"><b>latency s</b> 4.1</span>' in page  # seconds: one decimal
    assert '<span class="chip"><b>strict f1</b> 0.533</span>' in page  # scores: three decimals
    counts = r"(?:prompt tokens|completion tokens|tokens|calls|retries|re-asks|dropped|runs|articles)"
    assert not re.search(rf"<b>{counts}</b> [\d,]+\.0+<", page)
    # the run's mean usage, the prediction's own usage (integers already), other numbers of metrics.json
    assert "mean per article run:" in page and "<span><b>tokens</b> 8,302</span>" in page
    assert "<span><b>re-asks</b> 0.5</span>" in page
    assert "<span><b>prompt tokens</b> 812</span>" in page and "<span><b>calls</b> 5</span>" in page
    assert "<dt>articles_count</dt><dd>2</dd>" in page
    assert '<div class="tile-v">1</div><div class="tile-k">runs</div>' in page


def test_f1_interval_column(page: str) -> None:
    run = Path(__file__).parent / "data" / "run_format" / "expected"  # written by the runner, with an interval
    head, rows = _table(render_report(run), "Overall")
    assert head == ["matcher", "P", "R", "F1", "F1 std", "F1 interval"]
    assert rows["strict"][-1] == "0.500–0.571" and rows["soft"][-1] == "0.333–0.571"
    assert 'title="90% bootstrap interval of the overall F1' in render_report(run)
    _, rows = _table(page, "Overall")  # the fixture's metrics.json predates the interval
    assert rows["strict"][-1] == rows["soft"][-1] == "—"


def test_coverage_column(page: str) -> None:
    head, rows = _table(page, "By section")
    assert head[:2] == ["section", "coverage"]
    assert rows["Positions"] == ["0.500 1/2", "1.000", "0.500", "0.667", "1.000", "0.500", "0.667"]
    assert rows["Demands"][0] == "0.000 0/1"
    # coverage 1 with strict recall 0: the condition was read, and missed on wording
    assert rows["Conditions"][:3] == ["1.000 1/1", "0.000", "0.000"]
    assert rows["Risks"][0] == "1.000 1/1"
    assert rows["All sections"] == ["0.600 3/5", "0.500", "0.400", "0.444", "0.750", "0.600", "0.667"]
    assert "recall below coverage means wording misses" in page  # the one-line explanation

    head, rows = _table(page, "Metrics by section", "harbour-ferry-mini")
    assert head[:2] == ["section", "coverage"]
    assert [rows[s][0] for s in ("Positions", "Demands", "Conditions", "Risks")] == [
        "1.000 1/1",
        "0.000 0/1",
        "1.000 1/1",
        "1.000 1/1",
    ]
    assert '<span class="chip"><b>coverage</b> 0.750 (3/4)</span>' in page
    # the failed article's file and metrics entry have no coverage: the column shows "—"
    _, rows = _table(page, "Metrics by section", "pier-failed")
    assert [row[0] for row in rows.values()] == ["—"] * 4


def test_a_run_without_coverage_shows_dashes(tmp_path: Path) -> None:
    run = shutil.copytree(RUN, tmp_path / "run")
    for path in [run / "metrics.json", *(run / "articles").glob("*.json")]:
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("coverage", None)
        for entry in data.get("articles", {}).values():
            entry.pop("coverage", None)
        path.write_text(json.dumps(data), encoding="utf-8")
    page = render_report(run)
    _, rows = _table(page, "By section")
    assert [row[0] for row in rows.values()] == ["—"] * 5
    assert rows["All sections"][1:] == ["0.500", "0.400", "0.444", "0.750", "0.600", "0.667"]
    for article in ("harbour-ferry-mini", "pier-failed"):
        _, rows = _table(page, "Metrics by section", article)
        assert [row[0] for row in rows.values()] == ["—"] * 4
    assert "<b>coverage</b>" not in page


def test_coverage_falls_back_to_the_metrics_entry(tmp_path: Path) -> None:
    run = shutil.copytree(RUN, tmp_path / "run")
    article = run / "articles" / "harbour-ferry-mini.json"
    data = json.loads(article.read_text(encoding="utf-8"))
    del data["coverage"]
    article.write_text(json.dumps(data), encoding="utf-8")
    _, rows = _table(render_report(run), "Metrics by section", "harbour-ferry-mini")
    assert rows["Demands"][0] == "0.000 0/1"


def test_markup_in_attributes_is_escaped(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    evil = '"><script>alert(1)</script>'
    article = {
        "article_id": f"id{evil}",
        "text": f'He said <script>alert("x")</script> and left{evil}',
        "gold": {"annotator": f"ann{evil}", "positions": [{"actor": evil, "stance": evil, "evidence": [evil]}]},
        "prediction": {"overview": evil, "meta": {"model": evil, "usage": {"calls": 2.0}}},
        "error": None,
        "matches": {'soft" onclick="alert(1)': {}},
    }
    (tmp_path / "articles" / "evil.json").write_text(json.dumps(article))
    (tmp_path / "metrics.json").write_text(json.dumps({"model": evil, "articles": {f"id{evil}": {"x": evil}}}))
    page = render_report(tmp_path)
    assert "<script" not in page
    assert 'data-matcher="soft&#34; onclick=&#34;alert(1)"' in page
    assert "He said &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; and left" in page
    assert 'title="gold positions G0">&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</span>' in page  # a span

    attributes: list[str] = []

    class Attrs(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            attributes.extend(k for k, _ in attrs)
            assert tag != "script"

    Attrs().feed(page)
    assert not any(name.startswith("on") for name in attributes)
    parsed = _Page()
    parsed.feed(page)
    assert next(iter(parsed.article_text.values())) == article["text"]  # the text survives, as text


def test_a_run_without_confidence_has_no_confidence_part(page: str) -> None:
    assert 'id="confidence"' not in page and "<svg" not in page and "calibration error" not in page


def test_the_confidence_part(tmp_path: Path) -> None:
    run = _with_confidence(tmp_path)
    page = render_report(run)
    part = _confidence_part(page)
    ids: list[str] = []

    class Figures(HTMLParser):
        """(figure id, the tag right inside it) and every element id."""

        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.figure: str | None = None
            self.first: dict[str, str] = {}

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if a.get("id"):
                ids.append(str(a["id"]))
            if self.figure is not None and self.figure not in self.first:
                self.first[self.figure] = tag
            if tag == "figure":
                self.figure = a.get("id")

    parser = Figures()
    parser.feed(page)
    # each figure holds an inline <svg> element, drawn by matplotlib (its text stays text)
    assert parser.first == {"confidence-pr": "svg", "confidence-reliability": "svg"}
    assert part.count("<svg") == 2 and "</svg>" in part
    assert ">recall</text>" in part and ">precision</text>" in part and ">default threshold</text>" in part
    assert ">confidence (predicted)</text>" in part and ">calibrated</text>" in part
    assert len(ids) == len(set(ids)), "two figures share an element id"
    # the ECE in words, and the run's own thresholds
    assert "Expected calibration error 0.342 over 6 items" in part
    assert "34.2 percentage points" in part and "too low (under-confident)" in part
    head, rows = _table(page, "At the run's thresholds")
    assert head == ["section", "threshold", "P", "R", "kept"]
    assert rows["Positions"] == ["0.50", "0.750", "0.750", "4 of 6"]
    # the same bytes every time, and still nothing from outside the page
    assert render_report(run) == page
    for needle in ("http://", "https://", "<?xml", "<!doctype svg", "<script"):
        assert needle not in page.lower()


def test_a_malformed_confidence_block_does_not_crash(tmp_path: Path) -> None:
    block = {
        "matcher": "<i>soft</i>",
        "curves": {"positions": [{"threshold": "x", "precision": None}, 7], "<b>odd</b>": [{"default": True}]},
        "reliability": [{"items": -1}, 5, {"low": 0.9, "high": 1.0, "items": 2, "mean_confidence": "high"}],
        "ece": "bad",
    }
    part = _confidence_part(render_report(_with_confidence(tmp_path, block)))
    assert part.count("<svg") == 2  # empty figures
    assert "No item carried a confidence" in part
    assert "&lt;i&gt;soft&lt;/i&gt; matcher" in part and "<i>" not in part
    assert "&lt;b&gt;odd&lt;/b&gt;" in part and "<b>odd" not in part  # a section name from the file, as text


def test_the_template_ships_in_the_package() -> None:
    templates = importlib.resources.files("summarizer.evals") / "templates"
    assert (templates / "report.html.j2").is_file() and (templates / "report.css").is_file()


def test_no_external_assets(page: str) -> None:
    refs: list[str] = []

    class Refs(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            refs.extend(v or "" for k, v in attrs if k in {"src", "href", "srcset", "action", "data", "poster"})

    Refs().feed(page)
    assert refs and all(ref.startswith("#") for ref in refs), refs  # in-page anchors only
    for needle in ("http://", "https://", "//cdn", "@import", "url(", "<link", "@font-face"):
        assert needle not in page.lower()


def test_write_report(tmp_path: Path) -> None:
    run = shutil.copytree(RUN, tmp_path / "run")
    path = write_report(run)
    assert path == run / "report.html"
    assert path.read_text(encoding="utf-8") == render_report(run)


def test_missing_and_malformed_keys_do_not_crash(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "metrics.json").write_text(json.dumps({"overall": {"strict": {"f1": "n/a"}}, "articles": []}))
    (tmp_path / "articles" / "bare.json").write_text(json.dumps({"article_id": "bare"}))
    (tmp_path / "articles" / "broken.json").write_text("{not json")
    (tmp_path / "articles" / "odd.json").write_text(
        json.dumps(
            {
                "article_id": "odd",
                "text": "abc",
                "gold": {"positions": [{"actor": 3, "evidence": [{"quote": "zz", "start": 9, "end": 11}, 5]}]},
                "prediction": {"positions": "not a list", "risks": [None], "meta": []},
                "error": None,
                "matches": {"strict": {"positions": {"pairs": [{"gold": 0, "pred": 7, "score": None}]}}},
                "metrics": {"strict": {"positions": {"f1": True}}},
            }
        )
    )
    (tmp_path / "articles" / "odd-coverage.json").write_text(
        json.dumps({"article_id": "odd-coverage", "coverage": {"positions": {"rate": "x", "covered": -1}, "risks": 3}})
    )
    page = render_report(tmp_path)
    assert "Unreadable article file." in page
    assert "no usable offsets" in page
    assert "—" in page
    _, rows = _table(page, "Metrics by section", "odd-coverage")
    assert rows == {"Positions": ["—"] * 7, "Risks": ["—"] * 7}
    assert "metrics.json was not found" in render_report(tmp_path / "articles")
    (tmp_path / "metrics.json").write_text(
        json.dumps({"coverage": {"overall": [], "sections": {"demands": {"rate": 0.5, "covered": 1}}}, "usage": 7})
    )
    _, rows = _table(render_report(tmp_path), "By section")
    assert rows == {"Demands": ["0.500"] + ["—"] * 6, "All sections": ["—"] * 7}


def _chromium(*args: str, user_data_dir: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium")
    assert binary is not None
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={user_data_dir}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


#: Appended to a copy of the report (the report itself has no script): writes, onto <body>, each confidence
#: figure's id, the laid-out size of its <svg> and whether it shows, as "id:width:height:display:visibility".
FIGURE_PROBE = """<script>
document.body.setAttribute("data-figures", Array.from(document.querySelectorAll("#confidence figure")).map(f => {
  const svg = f.querySelector(":scope > svg");
  if (!svg) return f.id + ":0:0:missing:missing";
  const box = svg.getBoundingClientRect(), style = getComputedStyle(svg);
  return [f.id, Math.round(box.width), Math.round(box.height), style.display, style.visibility].join(":");
}).join(" "));
</script>"""


def test_renders_in_a_real_browser(tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not on PATH (apt-get install -y chromium) so the browser check cannot run")
    report = write_report(_with_confidence(tmp_path))
    result = _chromium("--dump-dom", report.as_uri(), user_data_dir=tmp_path / "profile-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<h2>harbour-ferry-mini</h2>" in dom
    for section in SECTIONS:
        assert re.search(rf"<h3 class=\"section-title\">.*?{section.capitalize()}<span", dom), section
    highlighted = re.findall(r'<span class="hl ([^"]*)"[^>]*>([^<]*)</span>', dom)
    assert ("g-positions p-positions", "rejected the night timetable") in highlighted
    # the script in the article stayed text: it did not run (the title is ours) and made no element
    title = re.search(r"<title>(.*?)</title>", dom, flags=re.DOTALL)
    assert title is not None and html.unescape(title.group(1)).startswith("Eval report")
    assert "<script" not in dom
    assert "recall below coverage means wording misses" in dom and "0.600" in dom  # the coverage column
    # the confidence figures are SVG elements in the DOM, with their text as text
    figures = re.findall(r'<figure id="(confidence-[a-z]+)"><svg[^>]*viewBox="[^"]+"', dom)
    assert figures == ["confidence-pr", "confidence-reliability"]
    assert ">default threshold</text>" in dom and ">calibrated</text>" in dom

    # ... laid out with a size, and shown
    probe = report.with_name("probe.html")
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", FIGURE_PROBE + "</body>"), encoding="utf-8")
    probed = _chromium("--dump-dom", "--window-size=1280,2000", probe.as_uri(), user_data_dir=tmp_path / "p3")
    assert probed.returncode == 0, probed.stderr[-2000:]
    found = re.search(r'<body data-figures="([^"]*)"', probed.stdout)
    assert found is not None, probed.stdout[-2000:]
    shown = {}
    for entry in found.group(1).split():
        name, width, height, display, visibility = entry.split(":")
        shown[name] = (int(width) > 200 and int(height) > 150, display != "none", visibility == "visible")
    assert shown == {name: (True, True, True) for name in ("confidence-pr", "confidence-reliability")}, found.group(1)

    png = tmp_path / "report.png"
    shot = _chromium(f"--screenshot={png}", "--window-size=1280,2000", report.as_uri(), user_data_dir=tmp_path / "p2")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_spans_of_several_sections_share_a_segment(tmp_path: Path) -> None:
    text = "We will strike unless pay rises."
    ev = {"quote": "strike unless pay rises", "start": 8, "end": 31}
    (tmp_path / "articles").mkdir()
    article = {
        "article_id": "shared-span",
        "text": text,
        "gold": {"conditions": [{"evidence": [ev]}], "risks": [{"evidence": [ev]}]},
        "prediction": {
            "demands": [{"evidence": [ev]}],
            "risks": [{"evidence": [{**ev, "start": 15, "quote": ev["quote"][7:]}]}],
        },
        "error": None,
    }
    (tmp_path / "articles" / "shared-span.json").write_text(json.dumps(article))
    parser = _Page()
    parser.feed(render_report(tmp_path))
    segments = {(tuple(sorted(c - {"hl"})), t) for c, t in parser.segments}
    assert segments == {
        (("g-conditions", "g-risks", "p-demands"), "strike "),
        (("g-conditions", "g-risks", "p-demands", "p-risks"), "unless pay rises"),
    }
    assert next(iter(parser.article_text.values())) == text
