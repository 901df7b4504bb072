"""Input checking for the four DynamoDB Streams operations: one declarative table each.

Checking runs in AWS's two phases (the framework DynamoDB and Kinesis share):

1. types: a member of the wrong JSON type is a ``SerializationException`` (DynamoDB's texts:
   "NUMBER_VALUE cannot be converted to String", "STRING_VALUE can not be converted to an
   Integer", "Start of structure or map found where not expected."). Unknown members are
   dropped, as AWS ignores them.
2. constraints, at most 10, as one ``ValidationException``: ``"1 validation error detected:
   Value '5000' at 'limit' failed to satisfy constraint: Member must have value less than or
   equal to 1000"``. Member names are lower-camel (``streamArn``, ``shardFilter.type``).

Bounds come from botocore's service model (see :mod:`.limits`); the upper bounds on ``Limit``
are the documented "upper limit" of each operation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sim.services.dynamodbstreams.exceptions import SerializationException, ValidationException

MAX_REPORTED = 10


@dataclass(frozen=True)
class Field:
    """One input member and its constraints."""

    type: str  # String | Integer | Timestamp | Structure
    required: bool = False
    ge: int | None = None
    le: int | None = None
    min_len: int | None = None
    max_len: int | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    children: dict[str, Field] | None = None  # Structure members


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, int | float):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    if isinstance(value, list):
        return "START_ARRAY"
    return "START_OBJECT"


def _convert(value: Any, spec: Field) -> Any:
    kind = spec.type
    if kind == "Structure":
        if not isinstance(value, dict):
            raise SerializationException(f"{_json_kind(value)} can not be converted to a Structure")
        return value
    if isinstance(value, dict | list):
        raise SerializationException(
            "Start of structure or map found where not expected."
            if isinstance(value, dict)
            else "Start of list found where not expected"
        )
    if kind == "String":
        if not isinstance(value, str):
            raise SerializationException(f"{_json_kind(value)} cannot be converted to String")
        return value
    if kind == "Integer":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SerializationException(f"{_json_kind(value)} can not be converted to an Integer")
        if isinstance(value, float) and not math.isfinite(value):
            raise SerializationException("NUMBER_VALUE can not be converted to an Integer")
        return int(value)
    if kind == "Timestamp":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SerializationException(f"{_json_kind(value)} can not be converted to a Timestamp")
        return float(value)
    raise ValueError(f"unknown field type {kind}")


def _shown(value: Any) -> str:
    return str(value)


def _violations(table: dict[str, Field], data: dict[str, Any], prefix: str) -> list[str]:
    found: list[str] = []
    for name, spec in table.items():
        path = prefix + name[:1].lower() + name[1:]
        value = data.get(name)
        if value is None:
            if spec.required:
                found.append(
                    f"Value null at '{path}' failed to satisfy constraint: Member must not be null"
                )
            continue
        head = f"Value '{_shown(value)}' at '{path}' failed to satisfy constraint: "
        if spec.ge is not None and value < spec.ge:
            found.append(head + f"Member must have value greater than or equal to {spec.ge}")
        if spec.le is not None and value > spec.le:
            found.append(head + f"Member must have value less than or equal to {spec.le}")
        if spec.enum is not None and value not in spec.enum:
            found.append(head + f"Member must satisfy enum value set: [{', '.join(spec.enum)}]")
        if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
            found.append(head + f"Member must satisfy regular expression pattern: {spec.pattern}")
        if spec.min_len is not None and len(value) < spec.min_len:
            found.append(head + f"Member must have length greater than or equal to {spec.min_len}")
        if spec.max_len is not None and len(value) > spec.max_len:
            found.append(head + f"Member must have length less than or equal to {spec.max_len}")
        if spec.children is not None:
            found.extend(_violations(spec.children, value, path + "."))
    return found


def _types(table: dict[str, Field], data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in table.items():
        value = data.get(name)
        if value is None:
            continue
        value = _convert(value, spec)
        if spec.children is not None:
            value = _types(spec.children, value)
        out[name] = value
    return out


def check(table: dict[str, Field], data: dict[str, Any]) -> dict[str, Any]:
    """The request's known members, converted; raises AWS's error for the first bad phase."""
    request = _types(table, data)
    found = _violations(table, request, "")
    if found:
        shown = found[:MAX_REPORTED]
        plural = "s" if len(shown) > 1 else ""
        raise ValidationException(
            f"{len(shown)} validation error{plural} detected: " + "; ".join(shown)
        )
    return request
