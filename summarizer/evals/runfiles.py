"""The files of an eval run folder, typed: ``metrics.json`` and ``articles/<article_id>.json``.

The runner builds these models and writes them (``write_json``); the report and ``eval compare`` read
them back (``read_metrics``, ``read_article``). The layout on disk is fixed: keys, their order, the
rounding and the indentation stay what they were, so run folders of different versions compare.

Some keys are spelled per matcher on disk (``strict_f1``; an article's P/R/F1 block under the
matcher's own name; the F1 intervals). The models hold them as dicts keyed by matcher and splice them
back in their place when written. ``gold`` and ``prediction`` of an article file are the gold file's
and the ``Summary``'s own JSON: the fields the eval code reads are typed, the rest rides along, and a
record is written back with the keys it was given, in their order.

Writing validates strictly. Reading forgives (``LENIENT``), for run folders of older versions and
hand-made ones: a missing key takes its default, and so does a malformed value (a string where a
number belongs, a negative count, NaN, a list where an object belongs), so that the report shows "—"
for what is off and never fails on a value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    Strict,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from summarizer.evals.coverage import Coverage
from summarizer.evals.matching import SectionMatch
from summarizer.evals.metrics import Counts, mean
from summarizer.schemas import SECTION_NAMES

#: Validation context that reads a run file leniently (see the module docstring).
LENIENT: dict[str, Any] = {"lenient": True}
#: Decimals of every score and rate in the files.
DIGITS = 4

#: A finite number (score, rate, mean): an int reads as a float; a bool, a string or NaN is malformed.
Real = Annotated[float, Strict(), AllowInfNan(False)]
#: A count or an index: a non-negative int (a bool is malformed).
Count = Annotated[int, Strict(), Field(ge=0)]
#: A number as the ``Summary`` wrote it: an int stays an int, a float a float.
Number = Annotated[int, Strict()] | Real


def _lenient(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and info.context.get("lenient") is True


class RunFile(BaseModel):
    """A JSON object of a run file; fields in the order they are written."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _object_when_lenient(cls, data: Any, info: ValidationInfo) -> Any:
        """Read leniently, a value that is not an object reads as ``{}``: every field at its default."""
        return {} if _lenient(info) and not isinstance(data, dict | BaseModel) else data

    @field_validator("*", mode="wrap")
    @classmethod
    def _default_when_malformed(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        try:
            return handler(value)
        except ValidationError:
            if not _lenient(info) or info.field_name is None:
                raise
            return cls.model_fields[info.field_name].get_default(call_default_factory=True)


Claim = Callable[[str, Any], str | None]


def _f1_key(key: str, _value: Any) -> str | None:
    return key.removesuffix("_f1") if key.endswith("_f1") else None


class _Spliced(RunFile):
    """A run-file object whose dict fields ``SPLICED`` stand on disk as keys of the object itself.

    ``SPLICED`` maps such a field to the pattern of its keys on disk (``"{}_f1"``); ``CLAIMS`` says, in
    order, which field an unknown key read from disk belongs to (a claim returns the name in the dict).
    """

    SPLICED: ClassVar[dict[str, str]] = {}
    CLAIMS: ClassVar[tuple[tuple[str, Claim], ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _gather(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        gathered: dict[str, dict[str, Any]] = {field: {} for field, _ in cls.CLAIMS}
        rest: dict[str, Any] = {}
        for key, value in data.items():
            claimed = key not in cls.model_fields and next(
                ((field, name) for field, claim in cls.CLAIMS if (name := claim(key, value)) is not None), None
            )
            if claimed:
                gathered[claimed[0]][claimed[1]] = value
            else:
                rest[key] = value
        return {**{field: entries for field, entries in gathered.items() if entries}, **rest}

    @model_serializer(mode="wrap")
    def _splice(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in handler(self).items():
            if key in self.SPLICED:
                out.update({self.SPLICED[key].format(name): entry for name, entry in value.items()})
            else:
                out[key] = value
        return out


# --- metrics.json ----------------------------------------------------------------------------------


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
    sections: dict[str, CoverageCount] = {}


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


class RunF1(_Spliced):
    """One run's micro F1 per matcher: ``{"run": 0, "valid": true, "strict_f1": 0.5}`` (``valid`` per article)."""

    SPLICED = {"f1": "{}_f1"}
    CLAIMS = (("f1", _f1_key),)

    run: Count = 0
    valid: Annotated[bool, Strict()] | None = Field(None, exclude_if=lambda value: value is None)
    f1: dict[str, Real] = {}


def _usage_key(key: str, _value: Any) -> str | None:
    return key if key in UsageMeans.model_fields else None


def _block_key(key: str, value: Any) -> str | None:
    return key if isinstance(value, dict) else None


class ArticleMetrics(_Spliced):
    """``metrics.json``'s entry for one article, over all its runs.

    On disk: ``<matcher>_f1`` first, a ``PRFBlock`` under each matcher's name after ``sections``, the
    usage means inline before ``runs``. Other scalar keys of older files are kept in ``model_extra``.
    """

    model_config = ConfigDict(extra="allow")
    SPLICED = {"f1": "{}_f1", "scores": "{}", "usage": "{}"}
    CLAIMS = (("usage", _usage_key), ("f1", _f1_key), ("scores", _block_key))

    f1: dict[str, Real] = {}
    sections: dict[str, dict[str, PRFBlock]] = {}
    scores: dict[str, PRFBlock] = {}
    grounded_rate: Real | None = None
    coverage: CoverageSummary = CoverageSummary()
    evidence_overlap: dict[str, Overlap] = {}
    schema_valid_rate: Real | None = None
    errors: list[RunError] = []
    usage: UsageMeans = UsageMeans()
    runs: list[RunF1] = []


def _bounds_key(key: str, value: Any) -> str | None:
    return key if isinstance(value, list | tuple) else None


class F1Interval(_Spliced):
    """Bootstrap interval of each matcher's overall F1 over articles: ``{"strict": [lo, hi], ...}``."""

    SPLICED = {"bounds": "{}"}
    CLAIMS = (("bounds", _bounds_key),)

    bounds: dict[str, tuple[Real, Real]] = {}
    resamples: Count | None = None
    level: Real | None = None
    seed: Annotated[int, Strict()] | None = None


class RunMetrics(RunFile):
    """``metrics.json``: micro-averages over every article and run, then each article's own numbers.

    Keys this version does not know (hand-made or newer files) are kept in ``model_extra``.
    """

    model_config = ConfigDict(extra="allow")

    summarizer_version: str | None = None
    runs: Count | None = None
    articles_count: Count | None = None
    matchers: dict[str, MatcherInfo] = {}
    overall: dict[str, PRFBlock] = {}
    sections: dict[str, dict[str, PRFBlock]] = {}
    grounded_rate: Real | None = None
    coverage: CoverageSummary = CoverageSummary()
    evidence_overlap: dict[str, Overlap] = {}
    schema_valid_rate: Real | None = None
    f1_std: dict[str, Real] = {}
    per_run: list[RunF1] = []
    usage: UsageMeans = UsageMeans()
    articles: dict[str, ArticleMetrics] = {}
    f1_interval: F1Interval | None = Field(None, exclude_if=lambda value: value is None)


# --- articles/<article_id>.json --------------------------------------------------------------------


class _AsGiven(RunFile):
    """A JSON object from elsewhere: typed where read, the rest kept; written with the keys it was given."""

    model_config = ConfigDict(extra="allow")
    _keys: tuple[str, ...] | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _remember_keys(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        record = handler(data)
        if isinstance(data, dict):
            record._keys = tuple(data)
        return record

    @model_serializer(mode="wrap")
    def _as_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return data if self._keys is None else {key: data[key] for key in self._keys if key in data}


class EvidenceRecord(RunFile):
    quote: str = ""
    start: Count | None = None
    end: Count | None = None


class ItemRecord(_AsGiven):
    """An item of any section; the fields of ``schemas.SECTIONS[...].item_model`` ("" when absent)."""

    actor: str = ""
    raised_by: str = ""
    addressee: str = ""
    stance: str = ""
    demand: str = ""
    action: str = ""
    condition: str = ""
    risk: str = ""
    #: Spans; a gold file may give a plain string (``GOLD_FORMAT.md``), located by whoever reads it.
    evidence: list[str | EvidenceRecord] = []


class ActorRecord(_AsGiven):
    name: str = ""
    aliases: list[str] = []


class UsageRecord(_AsGiven):
    prompt_tokens: Number | None = None
    completion_tokens: Number | None = None
    calls: Number | None = None
    reasks: Number | None = None


class MetaRecord(_AsGiven):
    """``Summary.meta``: what the report shows of it."""

    model: str | None = None
    backend: str | None = None
    seconds: Number | None = None
    usage: UsageRecord = UsageRecord()
    dropped: list[Any] | None = None


class AnnotationRecord(_AsGiven):
    """A gold annotation (``article_id``, ``annotator``, ``notes``) or a ``Summary`` (``overview``, ``meta``)."""

    article_id: str | None = None
    annotator: str | None = None
    notes: str | None = None
    overview: str | None = None
    actors: list[ActorRecord] = []
    positions: list[ItemRecord] = []
    demands: list[ItemRecord] = []
    conditions: list[ItemRecord] = []
    risks: list[ItemRecord] = []
    meta: MetaRecord | None = None

    def section(self, name: str) -> list[ItemRecord]:
        if name not in SECTION_NAMES:
            raise ValueError(f"no section {name!r}; sections are {', '.join(SECTION_NAMES)}")
        items: list[ItemRecord] = getattr(self, name)
        return items


class PairRecord(RunFile):
    gold: Count | None = None
    pred: Count | None = None
    score: Real | None = None


class SectionMatches(RunFile):
    """One section's one-to-one pairs, and the gold and predicted indices left unpaired."""

    pairs: list[PairRecord] = []
    missed: list[Count] = []
    spurious: list[Count] = []

    @classmethod
    def of(cls, match: SectionMatch) -> Self:
        pairs = [PairRecord(gold=p.gold, pred=p.pred, score=p.score) for p in match.pairs]
        return cls(pairs=pairs, missed=match.missed, spurious=match.spurious)


class ArticleRecord(RunFile):
    """``articles/<article_id>.json``: the article, its gold, run 0's prediction and how they matched."""

    article_id: str = ""
    text: str = ""
    gold: AnnotationRecord = AnnotationRecord()
    prediction: AnnotationRecord | None = None
    error: str | None = None
    matches: dict[str, dict[str, SectionMatches]] = {}
    #: matcher -> section -> P/R/F1
    metrics: dict[str, dict[str, PRF]] = {}
    coverage: dict[str, CoverageCount] = {}


# --- files -----------------------------------------------------------------------------------------


def write_json(path: Path, model: BaseModel) -> None:
    """``model`` as indented UTF-8 JSON (the runner's one way of writing a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _read_object(path: Path) -> Mapping[str, Any]:
    """The JSON object in ``path``; ``OSError``, or ``ValueError`` when it is not UTF-8 JSON or no object."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"holds a JSON {type(data).__name__}, not an object")
    return data


def read_metrics(path: Path) -> RunMetrics:
    """``metrics.json`` read leniently; ``OSError`` or ``ValueError`` when it cannot be read at all."""
    return RunMetrics.model_validate(_read_object(path), context=LENIENT)


def read_article(path: Path) -> ArticleRecord:
    """An ``articles/<id>.json`` read leniently; ``OSError`` or ``ValueError`` when it cannot be read at all."""
    return ArticleRecord.model_validate(_read_object(path), context=LENIENT)
