"""Date-times on SQLite, made to behave like MariaDB's DATETIME(3) for the OpenAQ pipeline.

SQLite has no date-time type. Every DATETIME/TIMESTAMP column of a translated table holds UTC
text in one canonical form, ``YYYY-MM-DD HH:MM:SS.fff`` (always three decimals, truncated to the
column's precision, which may be 0 to 3), so that text comparisons and the primary key on
``window_end`` work as MariaDB's comparisons do:

* triggers created with the table (:func:`canonical_triggers`, plain SQL, so they also run on
  the connections of Lambda handlers) rewrite a value such as ``2026-11-02 09:00:00``,
  ``2026-11-02T09:00:00`` or ``2026-11-02 09:00:00.123456`` into that form, and refuse what
  MariaDB's strict mode refuses: text that is not a date-time, or one with a time zone
  (``2026-11-02T09:00:00+00:00``, ``…Z``);
* the functions MariaDB's date arithmetic needs are registered on streamlab's own connections
  (:func:`register`): ``NOW([p])``, ``UNIX_TIMESTAMP([dt])``, ``FROM_UNIXTIME(n)``,
  ``CURDATE()``, ``CONCAT(…)`` and ``STREAMLAB_ADD_SECONDS(dt, s)`` (what
  ``dt ± INTERVAL n unit`` becomes). ``NOW()`` is the simulated instant while an event is fired.

SQLite's date functions round to the millisecond where MariaDB truncates: a value with more than
three decimals may differ by one millisecond (OpenAQ's times have whole seconds).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime

CANONICAL_PRECISION = 3
_MS_PER_DAY = 86_400_000
_DATETIME = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$")
# A literal written as a UTC (or zone-less) date-time: rewritten to the canonical form when it
# is compared with something (see sim/database/sqlite_dialect.py).
UTC_LITERAL = re.compile(
    r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]00:?00)?$"
)


def epoch_millis(instant: float) -> int:
    """Milliseconds since the epoch, truncated (via microseconds, so 0.123 stays 123)."""
    return round(instant * 1_000_000) // 1000


def canonical_from_millis(millis: int, precision: int = CANONICAL_PRECISION) -> str:
    """``YYYY-MM-DD HH:MM:SS.fff`` of ``millis`` truncated to ``precision`` decimals."""
    step = 10 ** (CANONICAL_PRECISION - min(precision, CANONICAL_PRECISION))
    millis -= millis % step
    seconds, ms = divmod(millis, 1000)
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M:%S") + f".{ms:03d}"


def canonical(instant: float, precision: int = CANONICAL_PRECISION) -> str:
    return canonical_from_millis(epoch_millis(instant), precision)


def parse_millis(value: object) -> int | None:
    """Epoch milliseconds of a date-time text (``YYYY-MM-DD[ HH:MM[:SS[.f]]]``, ``T`` or space,
    optional ``Z`` / ``±HH:MM``), None for anything else (MariaDB's NULL for a bad value)."""
    if not isinstance(value, str):
        return None
    match = _DATETIME.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    millis = int(moment.timestamp()) * 1000 + int((fraction or "0")[:3].ljust(3, "0"))
    if zone and zone != "Z":
        sign = -1 if zone[0] == "+" else 1
        digits = zone[1:].replace(":", "")
        millis += sign * (int(digits[:2]) * 3_600_000 + int(digits[2:]) * 60_000)
    return millis


def is_canonical(value: object) -> bool:
    return isinstance(value, str) and bool(_CANONICAL.match(value))


def to_datetime(value: str) -> datetime:
    """A canonical text as a naive datetime (as PyMySQL returns MariaDB's DATETIME)."""
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S.%f")


# --- SQL for triggers (built-in functions only) ----------------------------------------------


def canonical_sql(expression: str, precision: int) -> str:
    """SQL giving the canonical text of ``expression`` with SQLite's built-ins only."""
    full = f"strftime('%Y-%m-%d %H:%M:%f', {expression})"
    if precision >= CANONICAL_PRECISION:
        return full
    if precision == 0:
        return f"(strftime('%Y-%m-%d %H:%M:%S', {expression}) || '.000')"
    return f"(substr({full}, 1, {20 + precision}) || '{'0' * (CANONICAL_PRECISION - precision)}')"


def canonical_triggers(
    table: str, column: str, precision: int, *, if_not_exists: bool
) -> list[str]:
    """Triggers keeping ``table.column`` canonical on INSERT and UPDATE (``table`` and
    ``column`` are bare names). Like MariaDB in strict mode they refuse a value that is not a
    date-time, and one with a time zone (``…Z``, ``…+00:00``), which MariaDB's DATETIME
    refuses too: what runs on SQLite then runs on MariaDB."""
    quoted_table, quoted_column = _quote(table), _quote(column)
    new = f"NEW.{quoted_column}"
    value = canonical_sql(new, precision)
    refused = (
        f"{value} IS NULL OR (typeof({new}) = 'text' AND "
        f"({new} GLOB '*[Zz]' OR {new} GLOB '*[+-][0-9][0-9]:[0-9][0-9]'))"
    )
    message = (
        f"Incorrect datetime value for column {table}.{column} (MariaDB's DATETIME takes "
        "'YYYY-MM-DD HH:MM:SS[.fff]' in UTC, without a time zone)"
    ).replace("'", "''")
    exists = "IF NOT EXISTS " if if_not_exists else ""
    triggers = []
    for event in ("INSERT", f"UPDATE OF {quoted_column}"):
        name = _quote(f"{table}__{column}__{event.split()[0].lower()}_datetime")
        triggers.append(
            f"CREATE TRIGGER {exists}{name} AFTER {event} ON {quoted_table} FOR EACH ROW "
            f"WHEN {new} IS NOT {value} BEGIN "
            f"SELECT RAISE(ABORT, '{message}') WHERE {refused}; "
            f"UPDATE {quoted_table} SET {quoted_column} = {value} WHERE rowid = NEW.rowid; "
            "END"
        )
    return triggers


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- functions on streamlab's connections ----------------------------------------------------


def register(connection: sqlite3.Connection, now: Callable[[], float | None]) -> None:
    """Register MariaDB's date functions on ``connection``; ``now()`` gives the simulated
    instant, or None for the process's time (``time.time()``, simulated while a run binds it)."""

    def instant() -> float:
        value = now()
        return time.time() if value is None else value

    def now_function(*precision: object) -> str:
        digits = int(precision[0]) if precision and precision[0] is not None else 0
        return canonical(instant(), digits)

    def unix_timestamp(*value: object) -> int | float | None:
        if not value:
            return int(epoch_millis(instant()) // 1000)
        millis = parse_millis(value[0])
        if millis is None:
            return None
        return millis // 1000 if millis % 1000 == 0 else millis / 1000

    def from_unixtime(seconds: object) -> str | None:
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            return None
        return canonical(float(seconds))

    def curdate() -> str:
        return canonical(instant())[:10]

    def add_seconds(value: object, seconds: object) -> str | None:
        millis = parse_millis(value)
        if millis is None or not isinstance(seconds, int | float):
            return None
        return canonical_from_millis(millis + round(seconds * 1000))

    def concat(*parts: object) -> str | None:
        if any(part is None for part in parts):
            return None
        return "".join(_text(part) for part in parts)

    connection.create_function("NOW", -1, now_function)
    connection.create_function("UNIX_TIMESTAMP", -1, unix_timestamp)
    connection.create_function("FROM_UNIXTIME", 1, from_unixtime, deterministic=True)
    connection.create_function("CURDATE", 0, curdate)
    connection.create_function("STREAMLAB_ADD_SECONDS", 2, add_seconds, deterministic=True)
    connection.create_function("CONCAT", -1, concat, deterministic=True)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
