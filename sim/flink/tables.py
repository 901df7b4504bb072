"""The DDL of the tables a runner binds a job to: a watermarked source and a sink.

Every binding (bounded replay, the live bridge, the Kinesis connector) declares the job's
columns the same way and differs only in its ``WITH (…)`` options, so the job sees the same
tables whichever runs it.

**Nested JSON.** A column's type is a Flink SQL type string, or a mapping ``{field: type}`` for
a nested JSON object, declared as ``ROW<…>`` (nested mappings nest). ``ROW<…>`` strings are
accepted as well; the JSON format reads an object into a ``ROW`` by field name.

**Event time.** The event-time column is either a source column of type ``TIMESTAMP(3)``, as
Flink's JSON format reads it (``YYYY-MM-DD HH:MM:SS.mmm``), or a column *computed* from an ISO
8601 string with an offset, anywhere in the record (``event_time_from="date.utc"`` for
``{"date": {"utc": "2026-11-02T09:00:00+00:00"}}``). The computed column is ``TIMESTAMP(3)`` in
UTC. Flink's JSON format cannot read an offset into a timestamp (its ``ISO-8601`` standard
wants a literal ``Z``; ``TO_TIMESTAMP_LTZ(s, 'yyyy-MM-dd''T''HH:mm:ssXXX')`` parses the offset
and then ignores it: measured on PyFlink 2.3.0), so the runner computes it in SQL: the local
part with ``TRY_CAST(… AS TIMESTAMP(3))`` (checking that the day exists: the cast rolls
2026-02-29 over to March), minus the offset's minutes. :func:`iso8601_ms` is
the same rule in Python, for the staged replay's watermark planning. A record whose string is
missing or not of :data:`ISO8601_FORM` gets :data:`INVALID_EVENT_TIME` (epoch 0): Flink fails a
job whose time attribute is NULL ("RowTime field should not be null"), while a record at
1970-01-01 never moves the watermark and is late for every window once a valid record has been
read. Jobs filter it out (``WHERE ts > TIMESTAMP '1970-01-01 00:00:00'``) for the records that
come before that.

A declaration the runner cannot bind raises :class:`TableBindingError`, naming the job's
constant and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

Schema = Mapping[str, Any] | Sequence[tuple[str, Any]]

# The ISO 8601 strings a computed event time accepts: seconds, an optional fraction (1 to 9
# digits, truncated to milliseconds as TIMESTAMP(3) does), and "Z" or an offset ±HH:MM.
# OpenAQ's date.utc ("2026-11-02T09:00:00+00:00") and Python's isoformat() of an aware
# datetime are of this form. The same pattern runs in Flink (REGEXP, Java) and in Python.
ISO8601_FORM = "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]"
ISO8601_PATTERN = (
    r"^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
_ISO8601 = re.compile(ISO8601_PATTERN)
# The event time of a record whose event-time string is missing or malformed (epoch 0).
INVALID_EVENT_TIME = "1970-01-01 00:00:00.000"
INVALID_EVENT_TIME_MS = 0
_EVENT_TIME_TYPES = ("TIMESTAMP", "TIMESTAMP_LTZ")
_STRING_TYPES = ("STRING", "VARCHAR", "CHAR")


class TableBindingError(ValueError):
    """A job declares a source or sink the runner cannot bind (the message says which constant
    and what was expected)."""


def quote(identifier: str) -> str:
    """A Flink SQL identifier in backticks (``parameter``, ``value`` are reserved words)."""
    return "`" + identifier.replace("`", "``") + "`"


def sql_type(declared: Any, where: str = "a column") -> str:
    """The Flink SQL type of a declared column: a type string as is, a mapping as ``ROW<…>``."""
    if isinstance(declared, str) and declared.strip():
        return declared.strip()
    if isinstance(declared, Mapping):
        if not declared:
            raise TableBindingError(
                f"{where}: a nested object needs at least one field, found {{}}"
            )
        fields = ", ".join(
            f"{quote(str(name))} {sql_type(inner, f'{where}.{name}')}"
            for name, inner in declared.items()
        )
        return f"ROW<{fields}>"
    raise TableBindingError(
        f"{where}: expected a Flink SQL type string or a mapping of nested fields, "
        f"found {declared!r}"
    )


def _items(schema: Schema) -> list[tuple[str, Any]]:
    if isinstance(schema, Mapping):
        return [(str(n), t) for n, t in schema.items()]
    return [(str(n), t) for n, t in (tuple(c) for c in schema)]


def columns(schema: Schema) -> list[tuple[str, str]]:
    """``[(name, Flink SQL type), …]`` from a mapping or a sequence of pairs (nested mappings
    become ``ROW<…>``)."""
    return [(name, sql_type(declared, name)) for name, declared in _items(schema)]


# -- reading ROW<…> types, to follow a path such as date.utc ------------------------------------
def _split_top(text: str) -> list[str]:
    """``text`` split at the commas outside brackets, parentheses and backticks."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == "`":
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_ROW = re.compile(r"^ROW\s*[<(](?P<body>.*)[>)](?:\s+NOT\s+NULL)?$", re.IGNORECASE | re.DOTALL)
_FIELD = re.compile(r"^(?:`(?P<quoted>(?:[^`]|``)+)`|(?P<plain>[A-Za-z_][A-Za-z0-9_$]*))\s+(?P<type>.+)$", re.DOTALL)  # fmt: skip


def row_fields(type_text: str) -> dict[str, str] | None:
    """The fields of a ``ROW<name TYPE, …>`` (or ``ROW(…)``) type string; None if not a ROW."""
    m = _ROW.match(type_text.strip())
    if not m:
        return None
    fields: dict[str, str] = {}
    for part in _split_top(m.group("body")):
        f = _FIELD.match(part)
        if not f:
            raise TableBindingError(f"cannot read the ROW field {part!r} in {type_text!r}")
        name = f.group("quoted").replace("``", "`") if f.group("quoted") else f.group("plain")
        # A field may carry a description: `name TYPE 'comment'`.
        fields[name] = re.sub(r"\s+'(?:[^']|'')*'$", "", f.group("type").strip())
    return fields


def field_type(schema: Schema, path: str) -> str:
    """The Flink SQL type at ``path`` (``"date.utc"``) of a source schema; TableBindingError
    naming the step that is missing."""
    steps = path.split(".")
    if not all(steps):
        raise TableBindingError(f"{path!r} is not a field path (expected names joined by '.')")
    fields: dict[str, Any] = dict(_items(schema))
    where = "SOURCE_SCHEMA"
    declared: Any = None
    for depth, step in enumerate(steps):
        if step not in fields:
            raise TableBindingError(
                f"{path!r}: {where} has no field {step!r} (it has {', '.join(fields) or 'none'})"
            )
        declared = fields[step]
        where = ".".join(steps[: depth + 1])
        if depth + 1 < len(steps):
            if isinstance(declared, Mapping):
                fields = dict(declared)
            else:
                nested = row_fields(sql_type(declared, where))
                if nested is None:
                    raise TableBindingError(
                        f"{path!r}: {where} is {sql_type(declared, where)}, not a nested "
                        "object (declare it as a mapping of fields or a ROW<…>)"
                    )
                fields = nested
    return sql_type(declared, path)


def _base_type(type_text: str) -> str:
    return re.split(r"[\s(<]", type_text.strip().upper(), maxsplit=1)[0]


def check_event_time(schema: Schema, event_time_field: str, event_time_from: str | None) -> None:
    """Whether the runner can declare this event time; TableBindingError saying why not."""
    names = [name for name, _ in columns(schema)]
    if event_time_from is None:
        if event_time_field not in names:
            raise TableBindingError(
                f"EVENT_TIME_FIELD {event_time_field!r} is not a source column (declare it in "
                "SOURCE_SCHEMA as TIMESTAMP(3), or compute it from an ISO 8601 string with "
                "EVENT_TIME_FROM = 'field.path')"
            )
        declared = dict(columns(schema))[event_time_field]
        if _base_type(declared) not in _EVENT_TIME_TYPES:
            raise TableBindingError(
                f"EVENT_TIME_FIELD {event_time_field!r} is {declared}: a watermark needs "
                "TIMESTAMP(3) or TIMESTAMP_LTZ(3) (for an ISO 8601 string with an offset, "
                "use EVENT_TIME_FROM)"
            )
        return
    if not isinstance(event_time_from, str):
        raise TableBindingError(
            f"EVENT_TIME_FROM: expected a field path such as 'date.utc', found {event_time_from!r}"
        )
    if event_time_field in names:
        raise TableBindingError(
            f"EVENT_TIME_FIELD {event_time_field!r} is computed from {event_time_from!r}, so it "
            "must not also be a column of SOURCE_SCHEMA (give the computed column another name)"
        )
    try:
        found = field_type(schema, event_time_from)
    except TableBindingError as error:
        raise TableBindingError(f"EVENT_TIME_FROM {error}") from None
    if _base_type(found) not in _STRING_TYPES:
        raise TableBindingError(
            f"EVENT_TIME_FROM {event_time_from!r} is {found}: the runner computes event time "
            f"from an ISO 8601 string ({ISO8601_FORM}), so declare it STRING"
        )


def _field_sql(path: str) -> str:
    return ".".join(quote(step) for step in path.split("."))


def event_time_sql(path: str) -> str:
    """SQL computing a ``TIMESTAMP(3)`` (UTC) from the ISO 8601 string at ``path``, or
    :data:`INVALID_EVENT_TIME` when it is missing or not of :data:`ISO8601_FORM`."""
    s = _field_sql(path)
    zulu = f"{s} LIKE '%Z'"
    n = f"CHAR_LENGTH({s})"
    local = (
        f"TRY_CAST(REPLACE(SUBSTRING({s} FROM 1 FOR {n} - CASE WHEN {zulu} THEN 1 ELSE 6 END), "
        "'T', ' ') AS TIMESTAMP(3))"
    )
    offset = (
        f"CASE WHEN {zulu} THEN 0 ELSE "
        f"(CASE WHEN SUBSTRING({s} FROM {n} - 5 FOR 1) = '-' THEN -1 ELSE 1 END) * "
        f"(CAST(SUBSTRING({s} FROM {n} - 4 FOR 2) AS INT) * 60 "
        f"+ CAST(SUBSTRING({s} FROM {n} - 1 FOR 2) AS INT)) END"
    )
    parsed = f"TIMESTAMPADD(MINUTE, -({offset}), {local})"
    # TRY_CAST rolls a day the month lacks over (2026-02-29 becomes 2026-03-01): refuse it.
    real_day = f"DATE_FORMAT({local}, 'yyyy-MM-dd') = SUBSTRING({s} FROM 1 FOR 10)"
    return (
        f"CAST(COALESCE(CASE WHEN REGEXP({s}, '{ISO8601_PATTERN}') AND {real_day} "
        f"THEN {parsed} END, TIMESTAMP '{INVALID_EVENT_TIME}') AS TIMESTAMP(3))"
    )


def iso8601_ms(value: Any) -> int:
    """Epoch milliseconds of an ISO 8601 string as :func:`event_time_sql` computes it in Flink:
    :data:`INVALID_EVENT_TIME_MS` for anything that is not a string of :data:`ISO8601_FORM`
    naming a real date."""
    if not isinstance(value, str) or not _ISO8601.match(value):
        return INVALID_EVENT_TIME_MS
    zulu = value.endswith("Z")
    body, offset = (value[:-1], "+00:00") if zulu else (value[:-6], value[-6:])
    seconds, _, fraction = body.partition(".")
    try:
        local = datetime.strptime(seconds, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:  # a day the month does not have
        return INVALID_EVENT_TIME_MS
    minutes = (1 if offset[0] == "+" else -1) * (int(offset[1:3]) * 60 + int(offset[4:6]))
    millis = int((fraction + "00")[:3]) if fraction else 0
    return round(local.timestamp()) * 1000 + millis - minutes * 60_000


def _with(options: Mapping[str, str]) -> str:
    return ",\n  ".join(
        f"'{k}' = '{str(v).replace(chr(39), chr(39) * 2)}'" for k, v in options.items()
    )


def source_ddl(
    table: str,
    schema: Schema,
    event_time_field: str,
    watermark_delay: float,
    options: Mapping[str, str],
    *,
    event_time_from: str | None = None,
) -> str:
    """``CREATE TEMPORARY TABLE`` with the job's columns (nested mappings as ``ROW<…>``), the
    event-time column computed from ``event_time_from`` if given (see the module's docstring),
    and ``WATERMARK FOR <event time> AS <event time> - INTERVAL '<delay>' SECOND``.
    TableBindingError if the event time cannot be declared."""
    check_event_time(schema, event_time_field, event_time_from)
    et = quote(event_time_field)
    delay = round(float(watermark_delay) * 1000) / 1000
    lines = [f"{quote(c)} {t}" for c, t in columns(schema)]
    if event_time_from is not None:
        lines.append(f"{et} AS {event_time_sql(event_time_from)}")
    lines.append(f"WATERMARK FOR {et} AS {et} - INTERVAL '{delay:g}' SECOND")
    return (
        f"CREATE TEMPORARY TABLE {table} (\n  "
        + ",\n  ".join(lines)
        + f"\n) WITH (\n  {_with(options)}\n)"
    )


def sink_ddl(table: str, schema: Schema, options: Mapping[str, str]) -> str:
    """``CREATE TEMPORARY TABLE`` with the job's sink columns."""
    return (
        f"CREATE TEMPORARY TABLE {table} (\n  "
        + ",\n  ".join(f"{quote(c)} {t}" for c, t in columns(schema))
        + f"\n) WITH (\n  {_with(options)}\n)"
    )
