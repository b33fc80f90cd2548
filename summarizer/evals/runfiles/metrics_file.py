"""``metrics.json``: the run's micro-averages over every article and run, then each article's own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Self

from pydantic import ConfigDict, Field, Strict

from summarizer.evals.coverage import Coverage
from summarizer.evals.metrics import Counts, mean
from summarizer.evals.runfiles.base import DIGITS, Count, Real, RunFile, Spliced
from summarizer.evals.runfiles.confidence_file import ConfidenceBlock


def _f1_key(key: str, _value: Any) -> str | None:
    return key.removesuffix("_f1") if key.endswith("_f1") else None


class PRF(RunFile):
    """Precision, recall and F1, rounded to ``DIGITS``."""

    precision: Real | None = None
    recall: Real | None = None
    f1: Real | None = None

    @classmethod
    def of(cls, counts: Counts) -> Self:
        return cls(
            precision=round(counts.precision, DIGITS), recall=round(counts.recall, DIGITS), f1=round(counts.f1, DIGITS)
        )


class PRFBlock(PRF):
    """One-to-one P/R/F1 with the counts behind them, and the many-to-one P/R/F1."""

    pred_matched: Count | None = None
    gold_matched: Count | None = None
    n_pred: Count | None = None
    n_gold: Count | None = None
    many_to_one: PRF = PRF()

    @classmethod
    def of_counts(cls, one: Counts, many: Counts) -> PRFBlock:
        """The block of the one-to-one counts ``one`` and the many-to-one counts ``many``."""
        prf = PRF.of(one)
        return cls(
            precision=prf.precision,
            recall=prf.recall,
            f1=prf.f1,
            pred_matched=one.pred_matched,
            gold_matched=one.gold_matched,
            n_pred=one.n_pred,
            n_gold=one.n_gold,
            many_to_one=PRF.of(many),
        )

    def counts(self) -> Counts | None:
        """The one-to-one counts, or ``None`` where the file lacks any of them (older runs)."""
        if self.pred_matched is None or self.gold_matched is None or self.n_pred is None or self.n_gold is None:
            return None
        return Counts(self.pred_matched, self.gold_matched, self.n_pred, self.n_gold)


class CoverageCount(RunFile):
    """Gold items whose evidence sentence yielded a prediction in their section (``evals.coverage``)."""

    rate: Real | None = None
    covered: Count | None = None
    gold: Count | None = None

    @classmethod
    def of(cls, coverage: Coverage) -> Self:
        return cls.model_validate(coverage.as_dict())


class CoverageSummary(RunFile):
    overall: CoverageCount | None = None
    sections: dict[str, CoverageCount] = Field(default_factory=dict)


class Overlap(RunFile):
    """Mean character IoU and gold coverage of the matched pairs' evidence."""

    iou: Real | None = None
    coverage: Real | None = None
    pairs: Count = 0

    @classmethod
    def of(cls, pairs: Sequence[tuple[float, float]]) -> Self:
        iou, coverage = mean([p[0] for p in pairs]), mean([p[1] for p in pairs])
        return cls(
            iou=None if iou is None else round(iou, DIGITS),
            coverage=None if coverage is None else round(coverage, DIGITS),
            pairs=len(pairs),
        )


class MatcherInfo(RunFile):
    threshold: Real | None = None
    embedder: str | None = Field(None, exclude_if=lambda value: value is None)


class UsageMeans(RunFile):
    """Means per valid run (3 decimals); ``None`` without a valid run."""

    prompt_tokens: Real | None = None
    completion_tokens: Real | None = None
    tokens: Real | None = None
    latency_s: Real | None = None
    calls: Real | None = None
    retries: Real | None = None
    reasks: Real | None = None
    dropped: Real | None = None


class RunError(RunFile):
    run: Count = 0
    error: str = ""


class RunF1(Spliced):
    """One run's micro F1 per matcher: ``{"run": 0, "valid": true, "strict_f1": 0.5}`` (``valid`` per article)."""

    SPLICED: ClassVar[dict[str, str]] = {"f1": "{}_f1"}
    CLAIMS = (("f1", _f1_key),)

    run: Count = 0
    valid: Annotated[bool, Strict()] | None = Field(None, exclude_if=lambda value: value is None)
    f1: dict[str, Real] = Field(default_factory=dict)


def _usage_key(key: str, _value: Any) -> str | None:
    return key if key in UsageMeans.model_fields else None


def _block_key(key: str, value: Any) -> str | None:
    return key if isinstance(value, dict) else None


class ArticleMetrics(Spliced):
    """``metrics.json``'s entry for one article, over all its runs.

    On disk: ``<matcher>_f1`` first, a ``PRFBlock`` under each matcher's name after ``sections``, the
    usage means inline before ``runs``. Other scalar keys of older files are kept in ``model_extra``.
    """

    model_config = ConfigDict(extra="allow")
    SPLICED: ClassVar[dict[str, str]] = {"f1": "{}_f1", "scores": "{}", "usage": "{}"}
    CLAIMS = (("usage", _usage_key), ("f1", _f1_key), ("scores", _block_key))

    f1: dict[str, Real] = Field(default_factory=dict)
    sections: dict[str, dict[str, PRFBlock]] = Field(default_factory=dict)
    scores: dict[str, PRFBlock] = Field(default_factory=dict)
    grounded_rate: Real | None = None
    coverage: CoverageSummary = CoverageSummary()
    evidence_overlap: dict[str, Overlap] = Field(default_factory=dict)
    schema_valid_rate: Real | None = None
    errors: list[RunError] = Field(default_factory=list)
    usage: UsageMeans = UsageMeans()
    runs: list[RunF1] = Field(default_factory=list)


def _bounds_key(key: str, value: Any) -> str | None:
    return key if isinstance(value, list | tuple) else None


class F1Interval(Spliced):
    """Bootstrap interval of each matcher's overall F1 over articles: ``{"strict": [lo, hi], ...}``."""

    SPLICED: ClassVar[dict[str, str]] = {"bounds": "{}"}
    CLAIMS = (("bounds", _bounds_key),)

    bounds: dict[str, tuple[Real, Real]] = Field(default_factory=dict)
    resamples: Count | None = None
    level: Real | None = None
    seed: Annotated[int, Strict()] | None = None


class FoldFit(RunFile):
    """What one leave-one-article-out fold fitted without its article."""

    merge_min_score: Real | None = None
    #: Per section, the calibrated threshold (absent when the reader's answers carried no probabilities).
    thresholds: dict[str, Real] = Field(default_factory=dict)


class Folds(RunFile):
    """How the run was cross-validated: ``loao``, and each held-out article's fit."""

    method: str = "loao"
    fits: dict[str, FoldFit] = Field(default_factory=dict)


class RunMetrics(RunFile):
    """``metrics.json``: micro-averages over every article and run, then each article's own numbers.

    Keys this version does not know (hand-made or newer files) are kept in ``model_extra``.
    """

    model_config = ConfigDict(extra="allow")

    summarizer_version: str | None = None
    runs: Count | None = None
    articles_count: Count | None = None
    matchers: dict[str, MatcherInfo] = Field(default_factory=dict)
    overall: dict[str, PRFBlock] = Field(default_factory=dict)
    sections: dict[str, dict[str, PRFBlock]] = Field(default_factory=dict)
    grounded_rate: Real | None = None
    coverage: CoverageSummary = CoverageSummary()
    evidence_overlap: dict[str, Overlap] = Field(default_factory=dict)
    schema_valid_rate: Real | None = None
    f1_std: dict[str, Real] = Field(default_factory=dict)
    per_run: list[RunF1] = Field(default_factory=list)
    usage: UsageMeans = UsageMeans()
    articles: dict[str, ArticleMetrics] = Field(default_factory=dict)
    f1_interval: F1Interval | None = Field(None, exclude_if=lambda value: value is None)
    folds: Folds | None = Field(None, exclude_if=lambda value: value is None)
    confidence: ConfidenceBlock | None = Field(None, exclude_if=lambda value: value is None)
