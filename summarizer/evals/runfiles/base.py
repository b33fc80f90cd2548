"""What every run-file model shares: number types, strict writes and lenient reads, keys spliced per
matcher, and objects carried as given. ``summarizer.evals.runfiles`` describes the files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar

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


class Spliced(RunFile):
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


class AsGiven(RunFile):
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
