"""Input checking: one declarative table per operation, one shared checker.

Each ``operations/<operation>.py`` declares ``INPUT``, a dict from AWS member name to
:class:`Field`, in the order AWS reports violations (kinesalite's ``validations/*.js`` tables,
recorded against AWS). Checking runs in AWS's two phases:

1. :meth:`Checker.types` (AWS's deserialiser): drops unknown and null members, decodes blobs
   and reports a wrong JSON type as ``SerializationException`` with the Java-flavoured text
   AWS uses ("class java.lang.String can not be converted to an Integer").
2. :meth:`Checker.constraints`: every constraint violation, at most 10, as one
   ``ValidationException``: ``"2 validation errors detected: Value '0' at 'shardCount' failed
   to satisfy constraint: Member must have value greater than or equal to 1; ..."``.

Constraints are checked in a fixed order per field (not null, value bounds, enum, pattern,
length bounds, member lengths, then children), which is the order AWS's messages list them.
Each table is also compiled (generated Python) into one function that converts and checks in a
single pass and stops at the first violation; only then do the generic phases run to word the
message. Valid input, the common case, costs a few inline checks per member (PutRecords checks
500 entries per call).
"""

from __future__ import annotations

import binascii
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.services.kinesis.exceptions import SerializationException, ValidationException

MAX_REPORTED = 10
_INT_MAX = 2_147_483_647


@dataclass(frozen=True)
class Field:
    """One member of an operation's input and its constraints."""

    type: str  # String Integer Long Boolean Blob Timestamp List Map Structure
    not_null: bool = False
    ge: int | None = None
    le: int | None = None
    enum: tuple[str, ...] | None = None
    regex: str | None = None
    min_len: int | None = None
    max_len: int | None = None
    child_lengths: tuple[int, int] | None = None  # List of strings: each member's length
    child_key_lengths: tuple[int, int] | None = None  # Map: each key's length
    child_value_lengths: tuple[int, int] | None = None  # Map: each value's length
    member_str: str | None = None  # how AWS prints a List's members (Java toString)
    children: Any = None  # List/Map: Field; Structure: dict[str, Field]


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


# -- phase 1: types ---------------------------------------------------------------------------
def _serialization(message: str) -> SerializationException:
    return SerializationException(message)


def _common_type_error(value: Any) -> SerializationException:
    if isinstance(value, list):
        return _serialization("Start of list found where not expected")
    return _serialization("Start of structure or map found where not expected.")


def _to_string(value: Any, spec: Field) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise _serialization("class java.lang.Boolean can not be converted to an String")
    if isinstance(value, int | float):
        raise _serialization(
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber "
            "can not be converted to an String"
        )
    raise _common_type_error(value)


def _to_number(value: Any, spec: Field) -> Any:
    kind = spec.type
    if isinstance(value, bool):
        raise _serialization(f"class java.lang.Boolean can not be converted to an {kind}")
    if isinstance(value, int):
        return min(value, _INT_MAX) if kind == "Integer" else value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _serialization(f"class java.lang.String can not be converted to an {kind}")
        whole = math.floor(value)
        return min(whole, _INT_MAX) if kind == "Integer" else whole
    if isinstance(value, str):
        raise _serialization(f"class java.lang.String can not be converted to an {kind}")
    raise _common_type_error(value)


def _to_boolean(value: Any, spec: Field) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        raise _serialization(
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber "
            "can not be converted to an Boolean"
        )
    if isinstance(value, str):
        raise _serialization(f"'{value.upper()}' can not be converted to an Boolean")
    raise _common_type_error(value)


_B64_ALPHABET = re.compile(r"[^a-zA-Z0-9+/=]|=[^=]")
_a2b = binascii.a2b_base64
_b2a = binascii.b2a_base64


def decode_blob(value: str) -> bytes:
    """A JSON blob (base64) as AWS decodes it, with AWS's messages for malformed ones."""
    try:
        data = _a2b(value, strict_mode=True)
    except (binascii.Error, ValueError):
        data = None
    if data is not None:
        tail = len(data) % 3  # a partial last quantum must re-encode to the same characters
        if not tail or _b2a(data[-tail:], newline=False) == value[-4:].encode("ascii"):
            return data
    if len(value) % 4:
        raise _serialization(
            f"'{value}' can not be converted to a Blob: Base64 encoded length is expected a "
            f"multiple of 4 bytes but found: {len(value)}"
        )
    match = _B64_ALPHABET.search(value)
    if match:
        raise _serialization(
            f"'{value}' can not be converted to a Blob: Invalid Base64 character: "
            f"'{match.group(0)[0]}'"
        )
    raise _serialization(
        f"'{value}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"
    )


def _to_blob(value: Any, spec: Field) -> Any:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return decode_blob(value)
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, bool):
        raise _serialization("class java.lang.Boolean can not be converted to a Blob")
    if isinstance(value, int | float):
        raise _serialization(
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber "
            "can not be converted to a Blob"
        )
    raise _common_type_error(value)


def _to_timestamp(value: Any, spec: Field) -> Any:
    if isinstance(value, bool):
        raise _serialization(
            "class java.lang.Boolean can not be converted to milliseconds since epoch"
        )
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        raise _serialization(
            "class java.lang.String can not be converted to milliseconds since epoch"
        )
    raise _common_type_error(value)


def _to_list(value: Any, spec: Field) -> Any:
    if isinstance(value, list):
        child = spec.children
        convert = _CONVERTERS[child.type]
        return [None if item is None else convert(item, child) for item in value]
    if isinstance(value, dict):
        raise _serialization("Start of structure or map found where not expected.")
    raise _serialization("Expected list or null")


def _to_map(value: Any, spec: Field) -> Any:
    if isinstance(value, dict):
        child = spec.children
        convert = _CONVERTERS[child.type]
        return {k: (None if v is None else convert(v, child)) for k, v in value.items()}
    if isinstance(value, list):
        raise _serialization("Start of list found where not expected")
    raise _serialization("Expected map or null")


def _to_structure(value: Any, spec: Field) -> Any:
    if isinstance(value, dict):
        return convert_members(value, spec.children)
    if isinstance(value, list):
        raise _serialization("Start of list found where not expected")
    raise _serialization("Expected null")


_CONVERTERS: dict[str, Callable[[Any, Field], Any]] = {
    "String": _to_string,
    "Integer": _to_number,
    "Long": _to_number,
    "Boolean": _to_boolean,
    "Blob": _to_blob,
    "Timestamp": _to_timestamp,
    "List": _to_list,
    "Map": _to_map,
    "Structure": _to_structure,
}


def convert_members(data: dict, table: dict[str, Field]) -> dict:
    """Phase 1 for one structure: known, non-null members, converted to Python types."""
    out = {}
    for name, spec in table.items():
        value = data.get(name)
        if value is not None:
            out[name] = _CONVERTERS[spec.type](value, spec)
    return out


# -- phase 2: constraints ---------------------------------------------------------------------
def _value_str(value: Any, spec: Field) -> str:
    if value is None:
        return "null"
    kind = spec.type
    if kind == "Blob":
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    if kind == "List":
        return "[" + ", ".join(spec.member_str or _plain(v) for v in value) + "]"
    if kind == "Map":
        return (
            "{" + ", ".join(f"{k}={spec.member_str or _plain(v)}" for k, v in value.items()) + "}"
        )
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Errors(list):
    def add(self, value: Any, spec: Field, path: str, message: str) -> None:
        shown = _value_str(value, spec)
        if shown != "null":
            shown = f"'{shown}'"
        self.append(f"Value {shown} at '{path}' failed to satisfy constraint: {message}")


def _check_field(errors: _Errors, value: Any, spec: Field, path: str) -> None:
    """Every constraint of one member, in AWS's order (kinesalite ``checkNonRequired``)."""
    if len(errors) >= MAX_REPORTED:
        return
    if spec.not_null and value is None:
        errors.add(value, spec, path, "Member must not be null")
    if value is None:
        return
    steps = (
        ("ge", spec.ge),
        ("le", spec.le),
        ("enum", spec.enum),
        ("regex", spec.regex),
        ("min_len", spec.min_len),
        ("max_len", spec.max_len),
        ("child_lengths", spec.child_lengths),
        ("child_key_lengths", spec.child_key_lengths),
        ("child_value_lengths", spec.child_value_lengths),
    )
    for name, bound in steps:
        if bound is None:
            continue
        if len(errors) >= MAX_REPORTED:
            return
        if name == "ge" and not value >= bound:
            errors.add(
                value, spec, path, f"Member must have value greater than or equal to {bound}"
            )
        elif name == "le" and not value <= bound:
            errors.add(value, spec, path, f"Member must have value less than or equal to {bound}")
        elif name == "enum" and value not in bound:
            errors.add(
                value, spec, path, f"Member must satisfy enum value set: [{', '.join(bound)}]"
            )
        elif name == "regex" and not _fullmatch(bound, value):
            errors.add(
                value, spec, path, f"Member must satisfy regular expression pattern: {bound}"
            )
        elif name == "min_len" and not len(value) >= bound:
            errors.add(
                value, spec, path, f"Member must have length greater than or equal to {bound}"
            )
        elif name == "max_len" and not len(value) <= bound:
            errors.add(value, spec, path, f"Member must have length less than or equal to {bound}")
        elif name == "child_lengths" and not all(bound[0] <= len(v) <= bound[1] for v in value):
            errors.add(value, spec, path, _bounds_message("Member must satisfy constraint", bound))
        elif name == "child_key_lengths" and not all(bound[0] <= len(k) <= bound[1] for k in value):
            errors.add(
                value, spec, path, _bounds_message("Map keys must satisfy constraint", bound)
            )
        elif name == "child_value_lengths" and not all(
            bound[0] <= len(v) <= bound[1] for v in value.values() if v is not None
        ):
            errors.add(
                value, spec, path, _bounds_message("Map value must satisfy constraint", bound)
            )
    child = spec.children
    if child is None:
        return
    if spec.type == "List":
        for i, item in enumerate(value, 1):
            _check_field(errors, item, child, f"{path}.{i}.member")
    elif spec.type == "Map":
        for key in reversed(list(value)):
            _check_field(errors, value[key], child, f"{path}.{key}.member")
    else:
        _check_members(errors, value, child, path)


def _bounds_message(prefix: str, bound: tuple[int, int]) -> str:
    return (
        f"{prefix}: [Member must have length less than or equal to {bound[1]}, "
        f"Member must have length greater than or equal to {bound[0]}]"
    )


_PATTERNS: dict[str, re.Pattern] = {}


def _fullmatch(pattern: str, value: str) -> bool:
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern)
    return compiled.fullmatch(value) is not None


def _check_members(errors: _Errors, data: dict, table: dict[str, Field], parent: str) -> None:
    for name, spec in table.items():
        path = f"{parent}.{lower_first(name)}" if parent else lower_first(name)
        _check_field(errors, data.get(name), spec, path)


class _Invalid(Exception):
    """Raised by compiled checks at the first violated constraint (the slow path reports)."""


_INVALID = _Invalid()


class _Compiler:
    """Generates one Python function per structure that converts and checks in one pass.

    The generated code raises SerializationException (phase 1) exactly as
    :func:`convert_members` would, and :class:`_Invalid` at the first constraint violation,
    after which :class:`Checker` reruns both phases generically to build AWS's message.
    """

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "_INVALID": _INVALID,
            "_to_string": _to_string,
            "_to_number": _to_number,
            "_to_boolean": _to_boolean,
            "_to_blob": _to_blob,
            "_decode_blob": decode_blob,
            "_to_timestamp": _to_timestamp,
            "_to_list": _to_list,
            "_to_map": _to_map,
            "_to_structure": _to_structure,
            "_str": str,
            "_int": int,
            "_bool": bool,
            "_bytes": bytes,
            "_list": list,
            "_dict": dict,
            "_len": len,
            "_INT_MAX": _INT_MAX,
        }
        self.count = 0
        self.sources: list[str] = []

    def name(self, prefix: str, value: Any = None) -> str:
        self.count += 1
        name = f"{prefix}{self.count}"
        if value is not None:
            self.namespace[name] = value
        return name

    def build(self, table: dict[str, Field]) -> Callable[[dict], dict]:
        entry = self.structure(table)
        exec("\n".join(self.sources), self.namespace)  # noqa: S102 (generated from our tables)
        return self.namespace[entry]

    def structure(self, table: dict[str, Field], spec: Field | None = None) -> str:
        """A function converting a structure; given ``spec``, it also checks it is a dict."""
        fn = self.name("_struct")
        lines = [f"def {fn}(d):"]
        if spec is not None:
            s = self.name("_spec", spec)
            lines.append(f"    if d.__class__ is not _dict: return _to_structure(d, {s})")
        lines += ["    out = {}", "    get = d.get"]
        for member, spec in table.items():
            lines.append(f"    v = get({member!r})")
            lines.append("    if v is not None:")
            lines.extend("        " + line for line in self.value(spec))
            lines.append(f"        out[{member!r}] = v")
            if spec.not_null:
                lines.append("    else:")
                lines.append("        raise _INVALID")
        lines.append("    return out")
        self.sources.append("\n".join(lines))
        return fn

    def element(self, spec: Field) -> str:
        """A function converting and checking one non-null value of ``spec``."""
        plain = (spec.ge, spec.le, spec.enum, spec.regex, spec.min_len, spec.max_len)
        if spec.type == "Structure" and all(bound is None for bound in plain):
            return self.structure(spec.children, spec)
        fn = self.name("_value")
        lines = [f"def {fn}(v):"]
        lines.extend("    " + line for line in self.value(spec))
        lines.append("    return v")
        self.sources.append("\n".join(lines))
        return fn

    def value(self, spec: Field) -> list[str]:
        """Statements turning ``v`` (not None) into its checked, converted value."""
        s = self.name("_spec", spec)
        kind = spec.type
        lines: list[str] = []
        if kind == "String":
            lines.append(f"if v.__class__ is not _str: v = _to_string(v, {s})")
        elif kind in ("Integer", "Long"):
            lines.append(f"if v.__class__ is not _int: v = _to_number(v, {s})")
            if kind == "Integer":
                lines.append("elif v > _INT_MAX: v = _INT_MAX")
        elif kind == "Boolean":
            lines.append(f"if v.__class__ is not _bool: v = _to_boolean(v, {s})")
        elif kind == "Blob":
            lines.append("if v.__class__ is _str: v = _decode_blob(v)")
            lines.append(f"elif v.__class__ is not _bytes: v = _to_blob(v, {s})")
        elif kind == "Timestamp":
            lines.append(f"v = _to_timestamp(v, {s})")
        elif kind == "List":
            child = self.element(spec.children)
            lines.append(f"if v.__class__ is not _list: v = _to_list(v, {s})")
            lines.append(f"else: v = [None if x is None else {child}(x) for x in v]")
        elif kind == "Map":
            child = self.element(spec.children)
            lines.append(f"if v.__class__ is not _dict: v = _to_map(v, {s})")
            lines.append(
                f"else: v = {{k: (None if x is None else {child}(x)) for k, x in v.items()}}"
            )
        elif kind == "Structure":
            child = self.structure(spec.children)
            lines.append(f"if v.__class__ is not _dict: v = _to_structure(v, {s})")
            lines.append(f"else: v = {child}(v)")
        else:
            raise ValueError(f"unknown type {kind}")
        if spec.ge is not None:
            lines.append(f"if v < {spec.ge!r}: raise _INVALID")
        if spec.le is not None:
            lines.append(f"if v > {spec.le!r}: raise _INVALID")
        if spec.enum is not None:
            lines.append(f"if v not in {self.name('_enum', frozenset(spec.enum))}: raise _INVALID")
        if spec.regex is not None:
            match = self.name("_match", re.compile(spec.regex).fullmatch)
            lines.append(f"if {match}(v) is None: raise _INVALID")
        if spec.min_len is not None or spec.max_len is not None:
            low = spec.min_len if spec.min_len is not None else 0
            high = spec.max_len if spec.max_len is not None else "float('inf')"
            lines.append(f"if not {low} <= _len(v) <= {high}: raise _INVALID")
        if spec.child_lengths or spec.child_key_lengths or spec.child_value_lengths:
            bounds = self.name(
                "_bounds", (spec.child_lengths, spec.child_key_lengths, spec.child_value_lengths)
            )
            lines.append(f"if not _children_ok(v, {bounds}): raise _INVALID")
            self.namespace["_children_ok"] = _children_ok
        return lines


def _children_ok(value: Any, bounds: tuple) -> bool:
    lengths, key_lengths, value_lengths = bounds
    if lengths and not all(lengths[0] <= len(v) <= lengths[1] for v in value):
        return False
    if key_lengths and not all(key_lengths[0] <= len(k) <= key_lengths[1] for k in value):
        return False
    return not value_lengths or all(
        value_lengths[0] <= len(v) <= value_lengths[1] for v in value.values() if v is not None
    )


class Checker:
    """The compiled checks of one operation's ``INPUT`` table: ``checker(data) -> request``."""

    def __init__(self, table: dict[str, Field]) -> None:
        self.table = table
        self._fast = _Compiler().build(table)

    def __call__(self, data: Any) -> dict:
        if not isinstance(data, dict):
            raise SerializationException("")
        try:
            return self._fast(data)
        except _Invalid:
            pass
        converted = convert_members(data, self.table)
        self.constraints(converted)
        return converted

    def constraints(self, data: dict) -> None:
        """Phase 2 on converted data: ValidationException listing up to 10 violations."""
        errors = _Errors()
        _check_members(errors, data, self.table, "")
        if errors:
            errors = errors[:MAX_REPORTED]
            plural = "s" if len(errors) > 1 else ""
            raise ValidationException(
                f"{len(errors)} validation error{plural} detected: " + "; ".join(errors)
            )


# -- shared member specs ----------------------------------------------------------------------
def _name(not_null: bool = False) -> Field:
    from sim.services.kinesis.limits import NAME_MAX_LENGTH, NAME_PATTERN

    return Field("String", not_null=not_null, regex=NAME_PATTERN, min_len=1,
                 max_len=NAME_MAX_LENGTH)  # fmt: skip


def stream_name(not_null: bool = False) -> Field:
    return _name(not_null)


def shard_id(not_null: bool = False) -> Field:
    return _name(not_null)


def stream_arn(not_null: bool = False) -> Field:
    from sim.services.kinesis.limits import ARN_MAX_LENGTH, STREAM_ARN_PATTERN

    return Field("String", not_null=not_null, regex=STREAM_ARN_PATTERN, min_len=1,
                 max_len=ARN_MAX_LENGTH)  # fmt: skip


def resource_arn() -> Field:
    from sim.services.kinesis.limits import ARN_MAX_LENGTH, RESOURCE_ARN_PATTERN

    return Field("String", not_null=True, regex=RESOURCE_ARN_PATTERN, min_len=1,
                 max_len=ARN_MAX_LENGTH)  # fmt: skip


DRY_RUN = Field("Boolean")
