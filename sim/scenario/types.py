"""Value types of the scenario schema and the words used to describe them.

Each constrained type carries a marker in its ``Annotated`` metadata (:class:`Range`,
:class:`Text`, :class:`ValueType`). The marker validates the value, and the same marker tells
error messages and the generated reference what is allowed, so the two cannot drift apart.
Validators fail through :func:`fail`, whose context (``expected``, ``found``, ``key``, ``hint``)
:mod:`sim.scenario.model` turns into a :class:`~sim.scenario.errors.ScenarioError`.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NoReturn

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError, core_schema

from sim.clock.durations import parse_duration, parse_rate, to_epoch
from sim.scenario import limits
from sim.scenario.errors import describe_value

# Keys of ``json_schema_extra`` understood by the model helpers.
ONE_OF = "one_of"  # the field is one alternative of a group: exactly one of the group is given
NULLABLE = "nullable"  # with ONE_OF: an explicit null counts as giving the field
REF = "ref"  # the value names a declared resource: "streams", "tables", "functions", ...


def fail(
    expected: str,
    found: Any = None,
    *,
    key: str | None = None,
    hint: str | None = None,
    found_text: str | None = None,
    keys: Sequence[str] = (),
) -> NoReturn:
    """Reject a value: ``expected`` in plain words.

    ``key`` (a name or a path of names and indices) narrows the location to a sub-key; ``keys``
    lists several sub-keys, of which the one written last in the file is reported.
    """
    ctx: dict[str, Any] = {"expected": expected}
    ctx["found"] = found_text if found_text is not None else describe_value(found)
    if key is not None:
        ctx["key"] = key
    if keys:
        ctx["keys"] = tuple(keys)
    if hint is not None:
        ctx["hint"] = hint
    raise PydanticCustomError("scenario", "expected {expected}, found {found}", ctx)


# --- markers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """Numbers from ``lo`` to ``hi`` (inclusive), or above ``gt``, or one of ``also``."""

    lo: float | None = None
    hi: float | None = None
    gt: float | None = None
    also: tuple[float, ...] = ()
    noun: str = "a number"
    unit: str = ""

    def contains(self, value: float) -> bool:
        if value in self.also:
            return True
        return (
            (self.lo is None or value >= self.lo)
            and (self.hi is None or value <= self.hi)
            and (self.gt is None or value > self.gt)
        )

    def bounds(self, *, short: bool = False) -> str:
        """``from 1 to 10000``, ``of at least 1``, ``greater than 0`` (short: ``1 to 10000``)."""
        lo, hi, gt = (_num(v) for v in (self.lo, self.hi, self.gt))
        if lo is not None and hi is not None:
            text = f"{lo} to {hi}" if short else f"from {lo} to {hi}"
        elif lo is not None:
            text = f"at least {lo}" if short else f"of at least {lo}"
        elif hi is not None:
            text = f"at most {hi}" if short else f"of at most {hi}"
        elif gt is not None:
            text = f"greater than {gt}"
        else:
            text = ""
        return f"{text} {self.unit}".strip() if self.unit else text

    def describe(self) -> str:
        text = f"{self.noun} {self.bounds()}".strip()
        if self.also:
            text = " or ".join([*(_num(v) for v in self.also), text])
        return text

    def check(self, value: Any) -> Any:
        if not self.contains(value):
            fail(self.describe(), value)
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))


@dataclass(frozen=True)
class Text:
    """Strings of ``min_len`` to ``max_len`` characters matching ``pattern``."""

    pattern: str
    what: str
    min_len: int = 1
    max_len: int | None = None

    def describe(self) -> str:
        return self.what

    def check(self, value: str) -> str:
        if len(value) < self.min_len or (self.max_len is not None and len(value) > self.max_len):
            fail(self.what, value, hint=f"it has {len(value)} characters")
        if not re.fullmatch(self.pattern, value):
            fail(self.what, value)
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))


@dataclass(frozen=True)
class ValueType:
    """A named value type (duration, rate, time) with its explanation for the reference."""

    name: str
    noun: str
    explanation: str


def _num(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else str(value)


# --- durations, rates, times -----------------------------------------------------------------

DURATION = ValueType(
    "duration",
    "a duration such as 30s, 15m, 3h or 1h30m",
    "A number of seconds (`90`, `0.5`) or text with units `ms`, `s`, `m`, `h`, `d` "
    "(`90s`, `30m`, `3h`, `1h30m`). Stored as float seconds.",
)
RATE = ValueType(
    "rate",
    "a rate such as 10/s or 100/min",
    "A number per second (`10`, `0.5`) or text `<count>/<unit>` with unit `s`, `min`, `h` "
    "or `d` (`10/s`, `100/min`). Stored as float per second.",
)
TIME = ValueType(
    "time",
    "a time such as 2021-11-01T00:00:00Z",
    "An ISO-8601 time (`2021-11-01T00:00:00Z`, `2021-11-01T02:00:00+02:00`; without a zone it "
    "is UTC) or epoch seconds. Stored as float epoch seconds.",
)
VALUE_TYPES = (DURATION, RATE, TIME)


def _duration(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        fail(DURATION.noun, value)
    try:
        return parse_duration(value)
    except ValueError:
        if isinstance(value, int | float):
            fail(f"{DURATION.noun} (not negative)", value)
        fail(DURATION.noun, value, hint="units are ms, s, m, h and d")


def _rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        fail(RATE.noun, value)
    try:
        return parse_rate(value)
    except ValueError:
        if isinstance(value, int | float):
            fail(f"{RATE.noun} (greater than 0)", value)
        fail(RATE.noun, value, hint="units are s, min, h and d")


def _time(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        fail(TIME.noun, value)
    try:
        return to_epoch(value)
    except (ValueError, OverflowError):
        fail(TIME.noun, value)


Duration = Annotated[float, BeforeValidator(_duration), DURATION]
"""Seconds, from a number or ``30m``-style text."""
Offset = Duration
"""A duration after the clock's start (durations are never negative)."""
Rate = Annotated[float, BeforeValidator(_rate), RATE]
"""Events per second, from a number or ``100/min``-style text."""
Time = Annotated[float, BeforeValidator(_time), TIME]
"""Epoch seconds, from ISO-8601 text (naive means UTC) or a number."""


# --- names -----------------------------------------------------------------------------------

_NAME = r"[a-zA-Z0-9_.\-]+"
ScenarioName = Annotated[
    str, Text(r"[a-z0-9][a-z0-9\-]*", "a name of lowercase letters, digits and '-' (not first)")
]
AccountId = Annotated[str, Text(r"[0-9]{12}", "an AWS account id of 12 digits")]
Region = Annotated[str, Text(r"[a-z]{2}(-[a-z]+)+-[0-9]+", "an AWS Region such as us-east-1")]
StreamName = Annotated[
    str,
    Text(
        _NAME,
        f"a stream name of 1 to {limits.STREAM_NAME_MAX} letters, digits, '_', '.' or '-'",
        max_len=limits.STREAM_NAME_MAX,
    ),
]


def _dynamodb_name(what: str) -> Text:
    return Text(
        _NAME,
        f"{what} name of {limits.TABLE_NAME_MIN} to {limits.TABLE_NAME_MAX} letters, digits, "
        "'_', '.' or '-'",
        min_len=limits.TABLE_NAME_MIN,
        max_len=limits.TABLE_NAME_MAX,
    )


TableName = Annotated[str, _dynamodb_name("a table")]
IndexName = Annotated[str, _dynamodb_name("an index")]
BucketName = Annotated[
    str,
    Text(
        r"(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.\-]*[a-z0-9]",
        f"a bucket name of {limits.BUCKET_NAME_MIN} to {limits.BUCKET_NAME_MAX} lowercase "
        "letters, digits, '.' or '-', starting and ending with a letter or digit",
        min_len=limits.BUCKET_NAME_MIN,
        max_len=limits.BUCKET_NAME_MAX,
    ),
]
TopicName = Annotated[
    str,
    Text(
        r"[a-zA-Z0-9_\-]+",
        f"a topic name of 1 to {limits.TOPIC_NAME_MAX} letters, digits, '_' or '-'",
        max_len=limits.TOPIC_NAME_MAX,
    ),
]
QueueName = Annotated[
    str,
    Text(
        r"[a-zA-Z0-9_\-]+(\.fifo)?",
        f"a queue name of 1 to {limits.QUEUE_NAME_MAX} letters, digits, '_' or '-' "
        "(FIFO queues end in .fifo)",
        max_len=limits.QUEUE_NAME_MAX,
    ),
]
FunctionName = Annotated[
    str,
    Text(
        r"[a-zA-Z0-9_\-]+",
        f"a function name of 1 to {limits.FUNCTION_NAME_MAX} letters, digits, '_' or '-'",
        max_len=limits.FUNCTION_NAME_MAX,
    ),
]
RuleName = Annotated[
    str,
    Text(
        r"[\.\-_A-Za-z0-9]+",
        f"a rule or schedule name of 1 to {limits.RULE_NAME_MAX} letters, digits, '.', '-' or '_'",
        max_len=limits.RULE_NAME_MAX,
    ),
]
RoleName = Annotated[
    str,
    Text(
        r"[\w+=,.@\-]+",
        f"a role name of 1 to {limits.ROLE_NAME_MAX} letters, digits or +=,.@_-",
        max_len=limits.ROLE_NAME_MAX,
    ),
]
PolicyName = Annotated[
    str,
    Text(
        r"[\w+=,.@\-]+",
        f"a policy name of 1 to {limits.POLICY_NAME_MAX} letters, digits or +=,.@_-",
        max_len=limits.POLICY_NAME_MAX,
    ),
]
Name = Annotated[str, Text(r"\S(.*\S)?", "a non-empty name")]
"""A free-form name (producers, expectations): not empty, no surrounding spaces."""
AttributeName = Annotated[str, Text(r".+", "a non-empty attribute name")]

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
HANDLER_PATTERN = rf"{_IDENT}(\.{_IDENT})*:{_IDENT}"
Handler = Annotated[
    str, Text(HANDLER_PATTERN, "a handler such as package.module:function", min_len=3)
]
ProducerType = Annotated[
    str,
    Text(
        rf"[a-z][a-z0-9_\-]*|{_IDENT}(\.{_IDENT})*:{_IDENT}",
        "a built-in producer name such as noaa, or package.module:ClassName",
    ),
]


# --- helpers for models -----------------------------------------------------------------------


def one_of(group: str, description: str, *, nullable: bool = False, ref: str | None = None) -> Any:
    """A field that is one alternative of ``group``: exactly one alternative must be given."""
    extra: dict[str, Any] = {ONE_OF: group}
    if nullable:
        extra[NULLABLE] = True
    if ref is not None:
        extra[REF] = ref
    return Field(None, description=description, json_schema_extra=extra)


def ref(kind: str, description: str, default: Any = ...) -> Any:
    """A field naming a declared resource of ``kind`` (``streams``, ``tables``, ``functions``)."""
    return Field(default, description=description, json_schema_extra={REF: kind})


def field_extra(field: Any) -> dict[str, Any]:
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


# --- describing types in plain words ----------------------------------------------------------


def unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """Strip ``Annotated`` and ``Optional``: (bare type, metadata found, whether None is allowed)."""
    metadata: list[Any] = []
    nullable = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            args = typing.get_args(annotation)
            annotation, metadata = args[0], [*args[1:], *metadata]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) < len(typing.get_args(annotation)):
                nullable = True
                annotation = args[0] if len(args) == 1 else typing.Union[tuple(args)]  # noqa: UP007
                continue
        return annotation, metadata, nullable


def marker(metadata: Sequence[Any], kind: type) -> Any:
    for item in reversed(metadata):
        if isinstance(item, kind):
            return item
    return None


def literal_values(annotation: Any) -> tuple[Any, ...] | None:
    bare, _, _ = unwrap(annotation)
    if typing.get_origin(bare) is Literal:
        return typing.get_args(bare)
    return None


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


_BASIC = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
_BASIC_PLURAL = {str: "strings", int: "integers", float: "numbers", bool: "booleans"}


def describe(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """Plain words for what a value of this type looks like: ``an integer from 1 to 10000``."""
    bare, inner, _ = unwrap(annotation)
    metadata = [*metadata, *inner]
    for kind in (Range, Text, ValueType):
        found = marker(metadata, kind)
        if found is not None:
            return found.noun if isinstance(found, ValueType) else found.describe()
    values = literal_values(bare)
    if values is not None:
        return "one of " + ", ".join(str(v) for v in values)
    if is_model(bare):
        return "a mapping with the keys " + ", ".join(bare.model_fields)
    origin, args = typing.get_origin(bare), typing.get_args(bare)
    if origin is list:
        item, _, _ = unwrap(args[0]) if args else (Any, [], False)
        if item in _BASIC_PLURAL:
            return f"a list of {_BASIC_PLURAL[item]}"
        return (
            "a list of mappings" if is_model(item) or typing.get_origin(item) is dict else "a list"
        )
    if origin is tuple:
        return f"a list of {len(args)} values"
    if origin is dict:
        value, _, _ = unwrap(args[1]) if len(args) > 1 else (Any, [], False)
        if value in _BASIC_PLURAL:
            return f"a mapping of names to {_BASIC_PLURAL[value]}"
        return "a mapping"
    if bare in _BASIC:
        return _BASIC[bare]
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(arg) for arg in args)
    return "a value"
