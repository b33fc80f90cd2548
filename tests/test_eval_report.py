"""The HTML eval report: escaping, markers, highlighting, robustness, and a real headless browser."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from summarizer.evals.report import render_report, write_report

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


def _span(start: int, end: int) -> str:
    return str(ARTICLE["text"][start:end])


def test_fixture_evidence_is_grounded() -> None:
    text = ARTICLE["text"]
    for side in ("gold", "prediction"):
        for section in SECTIONS:
            for item in ARTICLE[side][section]:
                for ev in item["evidence"]:
                    assert text[ev["start"] : ev["end"]] == ev["quote"]


def test_untrusted_text_is_escaped(page: str) -> None:
    assert "<script" not in page  # the page itself has no script, and the article's is escaped
    assert "&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page  # model output
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
    page = render_report(tmp_path)
    assert "Unreadable article file." in page
    assert "no usable offsets" in page
    assert "—" in page
    assert "metrics.json was not found" in render_report(tmp_path / "articles")


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


def test_renders_in_a_real_browser(tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not on PATH (apt-get install -y chromium) so the browser check cannot run")
    report = write_report(shutil.copytree(RUN, tmp_path / "run"))
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
