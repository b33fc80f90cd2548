"""Batch runs: one record per item, bad lines recorded, resume, concurrency, and clean interrupts."""

from __future__ import annotations

import fcntl
import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from summarizer.api import Summarizer
from summarizer.batch import BatchItem, BatchReport, ItemOutcome, read_items, summarize_batch
from summarizer.cli import build_parser
from summarizer.config import Settings
from summarizer.errors import InputError, ModelAuthError
from summarizer.schemas import Summary
from tests.cli_runner import interrupt_cli, run_cli
from tests.fake_server import FakeServer
from tests.fakes import ScriptedEndpoint, error, fake_openai_client, section_of

#: One summary is one overview call and one call per section.
REQUESTS_PER_ITEM = 5


def write_jsonl(path: Path, entries: list[Any]) -> Path:
    lines = [entry if isinstance(entry, str) else json.dumps(entry) for entry in entries]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def records(path: Path) -> list[dict[str, Any]]:
    """Every line of the output, each of which must be a complete JSON record."""
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), "the last line is torn"
    return [json.loads(line) for line in data.splitlines()]


def summarizer_for(handler: ScriptedEndpoint | Callable[[httpx2.Request], httpx2.Response]) -> Summarizer:
    settings = Settings.resolve(base_url="http://fake.invalid/v1", model="fake-model", retries=1)
    return Summarizer(settings, client=fake_openai_client(handler))


@pytest.fixture
def endpoint() -> ScriptedEndpoint:
    return ScriptedEndpoint()


def test_every_item_gets_one_ok_record_with_its_summary(tmp_path, endpoint, article):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "b.txt").write_text(article, encoding="utf-8")
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": article}, {"id": 7, "path": "articles/b.txt"}])
    outcomes: list[ItemOutcome] = []
    with summarizer_for(endpoint) as summarizer:
        report = summarize_batch(read_items(source), tmp_path / "out.jsonl", summarizer, progress=outcomes.append)
    assert (report.total, report.done, report.failed, report.skipped, report.not_run) == (2, 2, 0, 0, 0)
    written = records(tmp_path / "out.jsonl")
    assert [(r["id"], r["ok"]) for r in written] == [("a", True), (7, True)]
    for record in written:
        summary = Summary.model_validate(record["summary"], context={"article": article})
        assert summary.meta.model == "fake-model"
    assert len(endpoint.requests) == 2 * REQUESTS_PER_ITEM
    assert [str(o).split(" ok ")[0] for o in outcomes] == ["[1/2] a", "[2/2] 7"]


def test_batch_and_eval_run_four_articles_at_once_by_default():
    parser = build_parser()
    assert parser.parse_args(["batch", "in.jsonl", "-o", "out.jsonl"]).concurrency == 4
    assert parser.parse_args(["eval", "dev"]).concurrency == 4


def test_the_cli_prints_a_line_per_item_and_a_count(tmp_path, article):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": article}, {"id": "b", "text": article}])
    output = str(tmp_path / "out.jsonl")
    with FakeServer() as server:  # one at a time, so that the lines come in input order
        code, out, err = run_cli(
            "batch", str(source), "-o", output, "--base-url", server.base_url, "--concurrency", "1"
        )
    assert code == 0, err
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[-3].startswith("[1/2] a ok ") and lines[-3].endswith("s")
    assert lines[-2].startswith("[2/2] b ok ")
    assert lines[-1].startswith("batch done: 2 ok, 0 failed, 0 skipped (already done) of 2 in ")
    assert [r["id"] for r in records(tmp_path / "out.jsonl")] == ["a", "b"]


def test_bad_lines_become_error_records_and_the_rest_still_runs(tmp_path, article):
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9")
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "good", "text": article},  # 1
            "{not json",  # 2
            {"text": article},  # 3
            {"id": "good", "text": article},  # 4: a repeat of line 1
            {"id": "gone", "path": "missing.txt"},  # 5
            {"id": "blank", "text": " \n "},  # 6
            {"id": "empty-file", "path": "empty.txt"},  # 7
            {"id": "latin1", "path": "latin1.txt"},  # 8
            {"id": "both", "text": article, "path": "x.txt"},  # 9
            {"id": True, "text": article},  # 10
            "[1, 2]",  # 11
            "",  # blank lines are not items
            {"id": "last", "text": article},  # 13
        ],
    )
    output = str(tmp_path / "out.jsonl")
    with FakeServer() as server:  # one at a time, so that "[5/12]" is line 5's
        code, _, err = run_cli("batch", str(source), "-o", output, "--base-url", server.base_url, "--concurrency", "1")
    assert code == 1
    assert "batch done: 2 ok, 10 failed, 0 skipped (already done) of 12" in err
    assert "Traceback" not in err
    by_line = {r.get("line"): r for r in records(tmp_path / "out.jsonl") if not r["ok"]}
    assert {r["id"] for r in records(tmp_path / "out.jsonl") if r["ok"]} == {"good", "last"}
    expected = {
        2: (None, "line 2: not JSON"),
        3: (None, 'line 3: no "id"'),
        4: (None, 'line 4: duplicate id "good" (first on line 1)'),
        5: ("gone", "missing.txt: no such file"),
        6: ("blank", "the article is empty"),
        7: ("empty-file", "empty.txt: is empty; there is nothing to summarise"),
        8: ("latin1", "latin1.txt: not UTF-8 text (byte 0xe9 at offset 3)"),
        9: ("both", 'line 9: give exactly one of "text" or "path"'),
        10: (None, 'line 10: "id" must be a non-empty string or an integer, got true'),
        11: (None, "line 11: not a JSON object but list"),
    }
    assert sorted(by_line) == sorted(expected)
    for line, (item_id, message) in expected.items():
        record = by_line[line]
        assert record["id"] == item_id
        assert record["error"]["type"] == "InputError"
        assert message in record["error"]["message"]
    assert "[5/12] gone error: InputError: " in err


def test_a_rerun_skips_done_ids_and_retries_failed_ones(tmp_path, endpoint, article):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": article}, {"id": "b", "path": "b.txt"}])
    output = tmp_path / "out.jsonl"
    with summarizer_for(endpoint) as summarizer:
        first = summarize_batch(read_items(source), output, summarizer)
        assert (first.done, first.failed, first.skipped) == (1, 1, 0)
        (tmp_path / "b.txt").write_text(article, encoding="utf-8")
        second = summarize_batch(read_items(source), output, summarizer)
        assert (second.done, second.failed, second.skipped) == (1, 0, 1)
        third = summarize_batch(read_items(source), output, summarizer)
        assert (third.done, third.failed, third.skipped, third.not_run) == (0, 0, 2, 0)
    assert [(r["id"], r["ok"]) for r in records(output)] == [("a", True), ("b", False), ("b", True)]
    assert len(endpoint.requests) == 2 * REQUESTS_PER_ITEM


def test_a_torn_last_line_is_cut_off_and_its_item_run_again(tmp_path, endpoint, article):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": article}, {"id": "b", "text": article}])
    output = tmp_path / "out.jsonl"
    with summarizer_for(endpoint) as summarizer:
        summarize_batch(read_items(source)[:1], output, summarizer)
        with output.open("ab") as crashed:
            crashed.write(b'{"id": "b", "ok": true, "summary": {"overv')
        report = summarize_batch(read_items(source), output, summarizer)
    assert report.repaired and (report.done, report.skipped) == (1, 1)
    assert "dropped a torn last line" in str(report)
    assert [(r["id"], r["ok"]) for r in records(output)] == [("a", True), ("b", True)]


def test_a_complete_last_line_that_lost_its_newline_is_kept(tmp_path, endpoint, article):
    output = tmp_path / "out.jsonl"
    output.write_text(json.dumps({"id": "a", "ok": True, "summary": {}}), encoding="utf-8")
    with summarizer_for(endpoint) as summarizer:
        report = summarize_batch([BatchItem("a", text=article), BatchItem("b", text=article)], output, summarizer)
    assert not report.repaired and (report.done, report.skipped) == (1, 1)
    assert [r["id"] for r in records(output)] == ["a", "b"]


def test_concurrency_two_runs_two_items_at_once_and_writes_each_id_once(tmp_path, article):
    scripted = ScriptedEndpoint()
    both_started = threading.Barrier(2, timeout=10)
    overviews = 0
    lock = threading.Lock()

    def handle(request: httpx2.Request) -> httpx2.Response:
        nonlocal overviews
        if request.url.path.endswith("/chat/completions") and section_of(json.loads(request.content)) == "overview":
            with lock:
                overviews += 1
                first_two = overviews <= 2
            if first_two:  # only passes if two items are in flight together
                both_started.wait()
        return scripted.handle(request)

    items = [BatchItem(f"item-{n}", text=article) for n in range(7)]
    outcomes: list[ItemOutcome] = []
    with summarizer_for(handle) as summarizer:
        report = summarize_batch(items, tmp_path / "out.jsonl", summarizer, concurrency=2, progress=outcomes.append)
    assert (report.done, report.failed) == (7, 0)
    written = records(tmp_path / "out.jsonl")
    assert sorted(r["id"] for r in written) == sorted(item.id for item in items)
    assert all(r["ok"] for r in written)
    assert [o.index for o in outcomes] == list(range(1, 8))


def test_an_error_that_would_fail_every_item_stops_the_batch(tmp_path, article):
    items = [BatchItem("a", text=article), BatchItem("b", text=article)]
    refused = ScriptedEndpoint({"overview": [error(401, "bad key")]})
    with summarizer_for(refused) as summarizer, pytest.raises(ModelAuthError):
        summarize_batch(items, tmp_path / "out.jsonl", summarizer)
    assert records(tmp_path / "out.jsonl") == []


def test_two_runs_cannot_share_one_output(tmp_path, endpoint, article):
    output = tmp_path / "out.jsonl"
    with output.open("ab") as other, summarizer_for(endpoint) as summarizer:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(InputError, match="another batch is writing to it"):
            summarize_batch([BatchItem("a", text=article)], output, summarizer)
    assert endpoint.requests == []


@pytest.mark.parametrize(
    ("argv", "code", "reason"),
    [
        (["--concurrency", "0"], 2, "must be a whole number of at least 1"),
        (["-o", "{tmp}/no/such/folder/out.jsonl"], 1, "does not exist"),
    ],
)
def test_bad_options_fail_with_one_line(tmp_path, article, argv, code, reason):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": article}])
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "out.jsonl")]
    with FakeServer() as server:
        got, _, err = run_cli("batch", str(source), *argv, "--base-url", server.base_url)
    assert got == code and reason in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--engine", "ray"], "--engine ray needs a model server: pass --base-url URL (or --model for OpenAI); "),
        (["--ray-address", "auto"], "--ray-address needs --engine ray"),
    ],
    ids=["embedded-model-on-ray", "ray-address-without-ray"],
)
def test_the_ray_engine_asked_for_wrongly_is_a_usage_error(tmp_path, article, argv, reason):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": article}])
    code, _, err = run_cli("batch", str(source), "-o", str(tmp_path / "out.jsonl"), *argv)
    assert code == 2
    assert err.startswith(f"summarizer batch: error: {reason}") and len(err.splitlines()) == 1
    assert not (tmp_path / "out.jsonl").exists()


def test_the_ray_engine_without_the_extra_says_how_to_install_it(tmp_path, article, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the ray extra were not installed: `import ray` fails
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": article}])
    argv = ["-o", str(tmp_path / "out.jsonl"), "--base-url", "http://127.0.0.1:9/v1", "--engine", "ray"]
    code, _, err = run_cli("batch", str(source), *argv)
    assert code == 2
    assert err == (
        "summarizer batch: error: --engine ray needs Ray, which is not installed: pip install 'summarizer[ray]'\n"
    )


def test_a_missing_input_file_fails_with_one_line(tmp_path):
    code, _, err = run_cli("batch", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    assert code == 1 and "nope.jsonl: no such file" in err and len(err.strip().splitlines()) == 1


def test_an_item_needs_text_or_path_and_a_real_id():
    with pytest.raises(ValueError, match="exactly one of"):
        BatchItem("a")
    with pytest.raises(ValueError, match="non-empty str or an int"):
        BatchItem("", text="x")
    assert str(BatchReport(total=3, done=1, failed=1)).startswith("1 ok, 1 failed, 0 skipped (already done), 1 not run")


@pytest.mark.slow  # a child process, killed mid-run
@pytest.mark.parametrize(
    ("signum", "concurrency"), [(signal.SIGINT, 1), (signal.SIGTERM, 2)], ids=["SIGINT", "SIGTERM-concurrency-2"]
)
def test_an_interrupted_run_stops_cleanly_and_a_rerun_finishes_it(tmp_path, article, signum, concurrency):
    ids = [f"item-{n}" for n in range(5)]
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": item_id, "text": article} for item_id in ids])
    output = tmp_path / "out.jsonl"
    # The first requests are answered (slowly); later ones are held until released, so that the run is
    # caught mid-item with at least one item written and some not.
    with FakeServer(delay=0.02, hold_after=concurrency * REQUESTS_PER_ITEM) as server:
        argv = ["batch", str(source), "-o", str(output), "--base-url", server.base_url]
        interrupt_then_finish(server, [*argv, "--concurrency", str(concurrency)], output, ids, signum)


def interrupt_then_finish(server: FakeServer, argv: list[str], output: Path, ids: list[str], signum: int) -> str:
    """Run the batch command ``argv`` in a child process and send it ``signum`` once it has written a record
    and ``server`` holds a request; check that it stopped cleanly, keeping every record it wrote; then
    release the server, run the same command in-process and check that it finishes the batch.
    Returns the interrupted run's stderr.
    """

    def one_written_and_one_held() -> bool:
        return server.held.is_set() and output.exists() and b"\n" in output.read_bytes()

    code, err = interrupt_cli(*argv, when=one_written_and_one_held, signum=signum, limit=120)
    assert code == 130, err
    interrupted = records(output)
    written = len(interrupted)
    assert 1 <= written < len(ids)
    assert all(r["ok"] for r in interrupted) and len({r["id"] for r in interrupted}) == written
    left = len(ids) - written
    assert f"batch interrupted: {written} ok, 0 failed, 0 skipped (already done), {left} not run" in err
    assert err.rstrip().endswith("summarizer: interrupted")

    server.release.set()
    code, _, rerun_err = run_cli(*argv)  # in-process: the start-up is the slow part
    assert code == 0, rerun_err
    assert f"batch done: {left} ok, 0 failed, {written} skipped (already done) of {len(ids)}" in rerun_err
    final = records(output)
    assert final[:written] == interrupted
    assert sorted(r["id"] for r in final) == sorted(ids)
    assert all(r["ok"] for r in final)
    return err


def test_usage_is_counted_per_item_when_threads_share_one_model() -> None:
    import threading

    from summarizer.api import Summarizer
    from summarizer.config import Settings
    from tests.conftest import ARTICLE
    from tests.fakes import ScriptedEndpoint, fake_openai_client

    settings = Settings.resolve(base_url="http://fake.invalid/v1", model="fake-model")
    with Summarizer(settings, client=fake_openai_client(ScriptedEndpoint())) as summarizer:
        calls: list[int] = []
        lock = threading.Lock()

        def work() -> None:
            for _ in range(3):
                summary = summarizer.summarize(ARTICLE)
                with lock:
                    calls.append(summary.meta.usage.calls)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert calls == [5] * 12
