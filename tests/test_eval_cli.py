"""``summarizer eval`` in-process: run with record/replay, compare, agree, and usage errors.

The SOFT matcher runs on the hashing embedder here (``default_matchers`` is patched);
``test_eval_embedder.py`` runs the real model.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from summarizer.api import Summarizer
from summarizer.config import Settings
from summarizer.evals import cli as eval_cli
from summarizer.evals.embedder import HashingEmbedder
from summarizer.evals.gold import load_gold_dir
from summarizer.evals.matching import SoftMatcher, StrictMatcher
from summarizer.evals.metrics import Counts, total
from summarizer.evals.runfiles import ArticleMetrics, ArticleRecord, PRFBlock, RunMetrics, write_json
from summarizer.evals.runner import evaluate
from summarizer.llm.recording import ResponseStore
from tests.cli_runner import run_cli
from tests.conftest import ARTICLE
from tests.fakes import ScriptedEndpoint, fake_openai_client, ok
from tests.test_eval_runner import gold_as_summary
from tests.test_server_lifecycle import fake_server

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "evals" / "gold" / "dev" / "blinken-gaza-ceasefire"
ANALYST_B = ROOT / "evals" / "agreement" / "blinken-gaza-ceasefire.analyst-b.json"
BASE_URL = "http://fake.invalid/v1"

HARBOUR_GOLD: dict[str, Any] = {
    "article_id": "harbour",
    "actors": [
        {"name": "Harbour Board", "aliases": ["the board"]},
        {"name": "Maya Stone", "aliases": ["Stone", "Union leader Maya Stone"]},
    ],
    "positions": [
        {"actor": "Harbour Board", "stance": "Will close the north pier for repairs",
         "evidence": ["it would close the north pier for repairs"]},
    ],
    "demands": [
        {"actor": "Maya Stone", "addressee": "Harbour Board",
         "demand": "Keep the pier open until the ferry season ends",
         "evidence": ["called on the board to keep the pier open until the ferry season ends"]},
    ],
    "conditions": [
        {"actor": "Harbour Board", "action": "Reopen the pier", "condition": "Only if the safety inspection is passed",
         "evidence": ["will reopen the pier only if the safety inspection is passed by June"]},
    ],
    "risks": [
        {"raised_by": "Maya Stone", "risk": "Hundreds of jobs lost if the closure drags on",
         "evidence": ["hundreds of jobs could be lost if the closure drags on"]},
    ],
}  # fmt: skip

ANSWERS = {
    "overview": {
        "overview": "The board will close a pier; the union objects.",
        "actors": [{"name": "Harbour Board", "aliases": ["the board"]}, {"name": "Maya Stone", "aliases": ["Stone"]}],
    },
    "positions": {"positions": [{"actor": "Harbour Board", "stance": "Will close the north pier for repairs",
                                 "evidence": ["it would close the north pier for repairs"]}]},
    "demands": {"demands": [{"actor": "Stone", "addressee": "the board", "demand": "Keep the pier open this season",
                             "evidence": ["keep the pier open until the ferry season ends"]}]},
    "conditions": {"conditions": []},
    "risks": {"risks": [{"raised_by": "Maya Stone", "risk": "Hundreds of jobs lost if the closure drags on",
                         "evidence": ["hundreds of jobs could be lost"]}]},
}  # fmt: skip


@pytest.fixture(autouse=True)
def fake_soft_matcher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eval_cli, "default_matchers", lambda: [StrictMatcher(), SoftMatcher(HashingEmbedder())])


def _gold_dir(root: Path, article: str = ARTICLE) -> Path:
    folder = root / "harbour"
    folder.mkdir(parents=True)
    (folder / "article.txt").write_text(article, encoding="utf-8")
    (folder / "gold.json").write_text(json.dumps(HARBOUR_GOLD), encoding="utf-8")
    return folder


def _record(gold: Path, recordings: Path) -> ScriptedEndpoint:
    """Summarise the harbour article once through a fake HTTP endpoint, recording every response."""
    endpoint = ScriptedEndpoint({section: [ok(answer)] for section, answer in ANSWERS.items()})
    settings = Settings.resolve(base_url=BASE_URL, model="fake-model")
    store = ResponseStore(recordings, mode="record")
    with Summarizer(settings, client=fake_openai_client(endpoint), response_store=store) as summarizer:
        summarizer.summarize((gold / "article.txt").read_text(encoding="utf-8"))
    return endpoint


def test_run_replays_recorded_responses_without_a_model(tmp_path: Path) -> None:
    gold = _gold_dir(tmp_path / "gold")
    recordings = tmp_path / "recordings"
    endpoint = _record(gold, recordings)
    assert len(endpoint.requests) == 5 and len(list(recordings.rglob("*.json.gz"))) == 5

    out = tmp_path / "run"
    args = ["--replay", "--record-dir", str(recordings), "--base-url", BASE_URL, "--model", "fake-model"]
    code, stdout, stderr = run_cli("eval", str(gold), "--out", str(out), *args)
    assert code == 0, stderr
    assert len(endpoint.requests) == 5  # nothing new was asked
    assert "[1/1] harbour ..." in stderr
    lines = stdout.splitlines()
    assert lines[0].split()[:4] == ["section", "strict", "P", "R"]
    assert any(line.startswith("overall") for line in lines)
    assert "1 articles x 1 runs; schema-valid 100%; grounded evidence 100%" in stdout
    strict, soft = metrics_file_f1(out)
    interval = f"F1 90% interval, resampling the 1 articles (1000 resamples): strict {strict} .. {strict}, soft {soft}"
    assert interval in stdout  # one article: no spread
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["sections"]["positions"]["strict"]["f1"] == 1.0
    assert metrics["sections"]["risks"]["strict"]["f1"] == 1.0
    assert metrics["sections"]["conditions"]["strict"]["recall"] == 0.0
    assert metrics["articles"]["harbour"]["tokens"] == 600  # 5 calls x (100 + 20), from the recordings
    assert (out / "predictions" / "harbour.run0.json").is_file()
    assert (out / "articles" / "harbour.json").is_file()


def test_run_records_through_a_server_then_replays_without_it(tmp_path: Path) -> None:
    gold = _gold_dir(tmp_path / "gold")
    recordings = tmp_path / "recordings"
    gguf = tmp_path / "x.gguf"
    gguf.write_bytes(b"GGUF")
    with fake_server(gguf) as server:  # a stand-in llama.cpp server on loopback: empty answers
        base_url = server.base_url
        code, _, stderr = run_cli("eval", str(gold), "--out", str(tmp_path / "a"), "--base-url", base_url,
                              "--record-dir", str(recordings), "-q")  # fmt: skip
        assert code == 0, stderr
    assert len(list(recordings.rglob("*.json.gz"))) == 5
    args = ["--replay", "--record-dir", str(recordings), "--base-url", base_url, "--model", "fake-gguf", "-q"]
    code, _, stderr = run_cli("eval", str(gold), "--out", str(tmp_path / "b"), *args)
    assert code == 0, stderr
    first = json.loads((tmp_path / "a" / "metrics.json").read_text(encoding="utf-8"))
    second = json.loads((tmp_path / "b" / "metrics.json").read_text(encoding="utf-8"))
    assert first["overall"] == second["overall"]
    assert second["schema_valid_rate"] == 1.0


def test_replay_cache_miss_fails_in_one_line(tmp_path: Path) -> None:
    recordings = tmp_path / "recordings"
    _record(_gold_dir(tmp_path / "recorded"), recordings)
    changed = _gold_dir(tmp_path / "changed", ARTICLE + " The ferry company declined to comment.")
    args = ["--replay", "--record-dir", str(recordings), "--base-url", BASE_URL, "--model", "fake-model", "-q"]
    code, stdout, stderr = run_cli("eval", str(changed), "--out", str(tmp_path / "run"), *args)
    assert code == 1
    assert stdout == ""
    assert stderr.count("\n") == 1
    assert stderr.startswith("summarizer: error: no recorded response for this request")


def test_replay_with_no_recordings_fails_clearly(tmp_path: Path) -> None:
    gold = _gold_dir(tmp_path / "gold")
    code, _, stderr = run_cli(
        "eval", str(gold), "--out", str(tmp_path / "out"), "--replay", "--record-dir", str(tmp_path)
    )
    assert code == 1  # the embedded backend, replayed: no model is needed to get this far
    last = stderr.splitlines()[-1]
    assert last.startswith("summarizer: error: no recorded response") and "run without --replay" in last
    assert not (tmp_path / "out" / "metrics.json").exists()


def test_bad_gold_fails_before_any_model_starts(tmp_path: Path) -> None:
    gold = _gold_dir(tmp_path / "gold")
    (gold / "gold.json").write_text("{", encoding="utf-8")
    code, _, stderr = run_cli("eval", str(gold), "--out", str(tmp_path / "run"), "--replay")
    assert code == 1
    assert stderr.startswith(f"summarizer: error: {gold / 'gold.json'}: not valid JSON")


def _fake_run(out: Path, keep: int | None) -> Path:
    text = (SEED / "article.txt").read_text(encoding="utf-8")
    gold = load_gold_dir(SEED).gold
    evaluate([SEED], out, lambda _: gold_as_summary(gold, text, keep), matchers=eval_cli.default_matchers())
    return out


def test_compare_two_runs(tmp_path: Path) -> None:
    before, after = _fake_run(tmp_path / "a", keep=1), _fake_run(tmp_path / "b", keep=2)
    code, stdout, stderr = run_cli("eval", "compare", str(before), str(after))
    assert code == 0, stderr
    assert "positions" in stdout and "overall" in stdout
    row = next(line for line in stdout.splitlines() if line.startswith("positions") and " strict " in line)
    assert row.split()[2:5] == ["1.00", "1.00", "+0.00"]  # precision stays 1.0
    assert "+ blinken-gaza-ceasefire [strict] positions[1] Antony Blinken: Argues a pause would let" in stdout
    assert "- blinken" not in stdout
    code, stdout, _ = run_cli("eval", "compare", str(after), str(before))
    assert "- blinken-gaza-ceasefire [soft] risks[1] Antony Blinken: Hamas could exploit" in stdout


def metrics_file_f1(run_dir: Path) -> tuple[str, str]:
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["f1_interval"]["resamples"] == 1000 and metrics["f1_interval"]["level"] == 0.9
    return f"{metrics['overall']['strict']['f1']:.3f}", f"{metrics['overall']['soft']['f1']:.3f}"


def _counts_run(folder: Path, counts: list[Counts]) -> Path:
    """A run folder of eight articles whose metrics.json holds only ``counts`` (the same for both matchers)."""
    entries = {
        f"a{n}": ArticleMetrics(scores={m: PRFBlock.of_counts(c, c) for m in ("strict", "soft")})
        for n, c in enumerate(counts)
    }
    blocks = {m: PRFBlock.of_counts(total(counts), total(counts)) for m in ("strict", "soft")}
    write_json(folder / "metrics.json", RunMetrics(overall=blocks, sections={}, articles=entries))
    for article_id in entries:
        write_json(folder / "articles" / f"{article_id}.json", ArticleRecord(article_id=article_id))
    return folder


def test_compare_says_whether_the_f1_change_is_beyond_noise(tmp_path: Path) -> None:
    base = [Counts(n % 4, n % 4, 4, 5) for n in range(8)]
    better = [Counts(c.pred_matched + 1, c.gold_matched + 1, c.n_pred, c.n_gold) for c in base]
    one_better = [*base[:-1], better[-1]]
    a, b, c = (
        _counts_run(tmp_path / "a", base),
        _counts_run(tmp_path / "b", better),
        _counts_run(tmp_path / "c", one_better),
    )
    _, stdout, _ = run_cli("eval", "compare", str(a), str(b))
    verdicts = [line.strip() for line in stdout.splitlines() if " interval of the difference " in line]
    assert len(verdicts) == 2 and verdicts[0].startswith("strict F1 +0.2") and verdicts[1].startswith("soft F1 +0.2")
    assert all(line.endswith("over 8 articles: B better beyond noise)") for line in verdicts)
    _, stdout, _ = run_cli("eval", "compare", str(a), str(c))
    assert "over 8 articles: within noise)" in stdout and "beyond noise" not in stdout
    _, stdout, _ = run_cli("eval", "compare", str(b), str(a))
    assert "B worse beyond noise" in stdout


def test_compare_needs_run_folders(tmp_path: Path) -> None:
    code, _, stderr = run_cli("eval", "compare", str(tmp_path), str(tmp_path))
    assert code == 1
    assert "metrics.json: no such file" in stderr


def test_agree_two_annotations(tmp_path: Path) -> None:
    code, stdout, stderr = run_cli("eval", "agree", str(SEED / "gold.json"), str(ANALYST_B))
    assert code == 0, stderr
    assert stdout.startswith("blinken-gaza-ceasefire: A = analyst-a, B = analyst-b")
    header = stdout.splitlines()[1].split()
    assert header[:4] == ["section", "strict", "P", "R"] and "m:1" in header
    assert [line.split()[0] for line in stdout.splitlines()[3:]] == [
        "positions", "demands", "conditions", "risks", "overall",
    ]  # fmt: skip
    # The second file lives elsewhere: the article is found beside the first. A copy works with --article.
    copy = tmp_path / "b.json"
    shutil.copy(ANALYST_B, copy)
    code, _, stderr = run_cli("eval", "agree", str(copy), str(copy))
    assert code == 1 and "pass --article PATH" in stderr
    code, stdout, _ = run_cli("eval", "agree", str(copy), str(copy), "--article", str(SEED / "article.txt"))
    assert code == 0
    assert stdout.splitlines()[-1].split()[1:4] == ["1.00", "1.00", "1.00"]


def test_agree_rejects_annotations_of_different_articles() -> None:
    other = ROOT / "evals" / "gold" / "dev" / "steel-tariff-talks" / "gold.json"
    code, _, stderr = run_cli("eval", "agree", str(SEED / "gold.json"), str(other))
    assert code == 1
    assert "annotates 'steel-tariff-talks'" in stderr or "is not a substring" in stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "compare", "only-one"], "eval compare takes exactly two paths, got 1"),
        (["eval", "agree", "a", "b", "c"], "eval agree takes exactly two paths, got 3"),
        (["eval", "evals/gold"], "--out DIR is required"),
        (["eval", "evals/gold", "--out", "x", "--runs", "0"], "--runs must be at least 1"),
    ],
)
def test_usage_errors(argv: list[str], message: str) -> None:
    code, _, stderr = run_cli(*argv)
    assert code == 2
    assert stderr == f"summarizer eval: error: {message}\n" or message in stderr


def test_eval_help_lists_the_subcommands() -> None:
    code, stdout, _ = run_cli("eval", "--help")
    assert code == 0
    assert "summarizer eval compare RUN_A RUN_B" in stdout and "--replay" in stdout


def test_a_missing_eval_extra_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: object) -> int:
        raise ModuleNotFoundError("No module named 'scipy'", name="scipy")

    monkeypatch.setattr(eval_cli, "_agree", missing)
    code, _, stderr = run_cli("eval", "agree", "a.json", "b.json")
    assert code == 1
    assert stderr == (
        "summarizer: error: summarizer eval needs the eval extra (scipy is not installed): "
        "pip install 'summarizer[eval]'\n"
    )


def test_registering_eval_does_not_import_the_eval_stack() -> None:
    code = (
        "import sys, summarizer.cli; summarizer.cli.build_parser(); print(sorted({'scipy', 'torch'} & {*sys.modules}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
