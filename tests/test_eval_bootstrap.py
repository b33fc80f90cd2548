"""Bootstrap intervals over articles, and the compare verdict built on them, on hand-made counts."""

from __future__ import annotations

import pytest

from summarizer.evals.bootstrap import Interval, f1_difference, f1_interval, percentile
from summarizer.evals.compare import F1Change, f1_change
from summarizer.evals.metrics import Counts, total
from summarizer.evals.runfiles import ArticleMetrics, PRFBlock, RunMetrics

# Eight articles of uneven difficulty: (pred_matched, gold_matched, n_pred, n_gold).
A = [Counts(3, 3, 5, 6), Counts(1, 1, 4, 5), Counts(4, 4, 4, 5), Counts(0, 0, 2, 3),
     Counts(2, 2, 3, 6), Counts(5, 5, 7, 7), Counts(1, 1, 1, 4), Counts(2, 2, 5, 4)]  # fmt: skip
# The same articles, one more gold item matched in each.
BETTER = [Counts(c.pred_matched + 1, c.gold_matched + 1, c.n_pred + 1, c.n_gold) for c in A]


def test_percentile_interpolates_linearly() -> None:
    values = [0.0, 1.0, 2.0, 3.0, 4.0]
    assert (percentile(values, 0.0), percentile(values, 0.5), percentile(values, 1.0)) == (0.0, 2.0, 4.0)
    assert percentile(values, 0.1) == pytest.approx(0.4)
    assert percentile([7.0], 0.05) == 7.0


def test_the_interval_holds_the_point_estimate() -> None:
    interval = f1_interval(A)
    assert total(A).f1 in interval
    assert 0.0 < interval.low < interval.high < 1.0
    assert (interval.level, interval.resamples) == (0.9, 1000)


def test_the_same_seed_gives_the_same_numbers() -> None:
    assert f1_interval(A) == f1_interval(A)
    assert f1_interval(A, seed=1) != f1_interval(A, seed=2)


def test_one_article_has_no_spread() -> None:
    only = f1_interval([A[0]])
    assert only.low == only.high == A[0].f1


def test_more_articles_narrow_the_interval() -> None:
    wide, narrow = f1_interval(A), f1_interval(A * 4)
    assert narrow.high - narrow.low < wide.high - wide.low


def test_identical_runs_differ_by_exactly_nothing() -> None:
    assert f1_difference(A, A) == Interval(0.0, 0.0)


def test_a_run_better_on_every_article_is_better_beyond_noise() -> None:
    interval = f1_difference(A, BETTER)
    assert 0.0 < interval.low <= total(BETTER).f1 - total(A).f1 <= interval.high
    backwards = f1_difference(BETTER, A)
    assert backwards.high < 0.0


def test_a_change_on_one_article_of_eight_is_within_noise() -> None:
    mixed = [*A[:-1], Counts(4, 4, 5, 4)]  # only the last article improves
    interval = f1_difference(A, mixed)
    assert 0.0 in interval and interval.high > 0.0
    assert total(mixed).f1 - total(A).f1 in interval


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: f1_interval([]), "at least one article"),
        (lambda: f1_interval(A, resamples=0), "resamples must be at least 1"),
        (lambda: f1_interval(A, level=1.0), "level must be between 0 and 1"),
        (lambda: f1_difference(A, A[:3]), "the same articles"),
    ],
)
def test_bad_arguments(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def _metrics(counts: list[Counts], ids: list[str] | None = None) -> RunMetrics:
    ids = ids or [f"a{n}" for n in range(len(counts))]
    blocks = {i: ArticleMetrics(scores={"soft": PRFBlock.of_counts(c, c)}) for i, c in zip(ids, counts, strict=True)}
    return RunMetrics(articles=blocks)


def test_compare_verdicts() -> None:
    same = f1_change(_metrics(A), _metrics(A), "soft")
    assert same.describe() == (
        "soft F1 +0.000 (90% interval of the difference +0.000 .. +0.000 over 8 articles: within noise)"
    )
    better = f1_change(_metrics(A), _metrics(BETTER), "soft")
    assert better.describe().endswith("over 8 articles: B better beyond noise)")
    assert better.difference == pytest.approx(total(BETTER).f1 - total(A).f1)
    assert f1_change(_metrics(BETTER), _metrics(A), "soft").describe().endswith("B worse beyond noise)")


def test_compare_uses_only_the_shared_articles() -> None:
    before = _metrics(A[:3], ["x", "y", "z"])
    after = _metrics([A[0], A[1], Counts(9, 9, 9, 9)], ["x", "y", "new"])
    change = f1_change(before, after, "soft")
    assert change.articles == 2 and change.difference == pytest.approx(0.0)
    assert (
        f1_change(_metrics(A[:1]), _metrics(BETTER[:1]), "soft")
        .describe()
        .endswith("(over 1 article: too few to resample)")
    )


def test_compare_without_counts_says_so() -> None:
    old = RunMetrics(articles={"a0": ArticleMetrics(scores={"soft": PRFBlock(f1=0.5)})})
    change = f1_change(old, _metrics(A[:1]), "soft")
    assert change == F1Change("soft", 1)
    assert change.describe() == "soft F1: a run without per-article counts (an older version), no interval"
