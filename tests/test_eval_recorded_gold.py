"""The committed recordings replay the embedded model on every gold article: offline, no model.

If this fails with "no recorded response", a prompt, schema or sampling change invalidated the
recordings: re-record with `summarizer eval dev test --out runs/x` (runs the model, ~1 hour here).
Slow (the whole eval of 12 articles, with the soft matcher's embeddings): `make test` runs it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from summarizer.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOLD = sorted(path.parent for path in (ROOT / "evals" / "gold").glob("*/*/gold.json"))
pytestmark = pytest.mark.slow


def test_replaying_the_recorded_gold_eval_needs_no_model(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    recordings = str(ROOT / "evals" / "recordings")
    argv = ["eval", *map(str, GOLD), "--out", str(tmp_path), "--replay", "--record-dir", recordings, "-q"]
    code = main(argv, stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert set(metrics["articles"]) == {path.name for path in GOLD}
    assert metrics["schema_valid_rate"] == 1.0
    assert metrics["grounded_rate"] == 1.0
    assert 0.0 < metrics["overall"]["soft"]["f1"] <= 1.0
    # The default reader's items carry a calibrated confidence, and the run reports how good it is.
    assert metrics["confidence"]["ece"] is not None
    assert (tmp_path / "report.html").is_file()
