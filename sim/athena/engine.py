"""An Athena-like session: tables from ``CREATE EXTERNAL TABLE``, rows read from S3 objects as
Athena's JSON SerDes read them, SELECT run on DuckDB.

    session = AthenaSession(S3Objects(client))           # or ExportObjects("out/")
    session.execute(LAB_DDL)                             # CREATE EXTERNAL TABLE ...
    session.query("SELECT COUNT(*) FROM wildrydes").rows # [{"_col0": 3}]

Reading (what Athena does with a JSON table, see docs/athena.md for the sources):

* every object under ``LOCATION`` (sub-prefixes too) is read; keys ending in ``/`` and names
  starting with ``_`` or ``.`` are skipped (Hadoop's hidden files); ``.gz`` keys are gunzipped
  (the compression is told by the extension, as Athena does);
* each **line** of an object is one record (``\\n``, ``\\r\\n`` or ``\\r`` end a line); a line
  holding several JSON objects written back to back yields only the **first** one: records that
  Firehose concatenated without a delimiter count as one row per object (``COUNT(*)`` = 1);
  blank lines are skipped;
* a line that is not a JSON object fails the query with ``HIVE_CURSOR_ERROR: Row is not a valid
  JSON Object``, unless the OpenX SerDe has ``'ignore.malformed.json'='true'``: then the line is
  a row of NULLs;
* columns take the JSON keys of the same name, case-insensitively (OpenX's ``case.insensitive``
  defaults to true, and Hive's SerDe matches lower-cased names); OpenX's
  ``'mapping.<column>'='<key>'`` maps a column to another key; a missing key is NULL; values are
  converted to the column's type (numbers from numeric strings, strings from any value, nested
  JSON into ``string`` columns as JSON text) and a value that cannot be converted fails with
  ``HIVE_BAD_DATA: Error parsing field value ...``;
* partition columns take their values from ``column=value`` segments of the key, else NULL.

Queries: one ``SELECT`` (or ``WITH … SELECT``), run by DuckDB after a few rewrites of Presto/Trino
spellings (``default.t``, ``approx_distinct``, ``cardinality``, ``to_unixtime``,
``from_unixtime``, ``from_iso8601_timestamp``, ``json_extract_scalar``). Errors are
:class:`AthenaError` with Athena's error names (``TABLE_NOT_FOUND: line 1:15: Table
'awsdatacatalog.default.x' does not exist``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

from sim.athena.ddl import OPENX_SERDE, DdlError, HiveType, TableDef, parse_ddl

CATALOG = "awsdatacatalog"


class AthenaError(RuntimeError):
    """A failed statement: ``code`` is Athena's error name (``TABLE_NOT_FOUND``, ...)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# -- object sources ---------------------------------------------------------------------------
class ObjectSource(Protocol):
    def keys(self, bucket: str, prefix: str) -> list[str]: ...

    def read(self, bucket: str, key: str) -> bytes: ...


class S3Objects:
    """Objects from an S3 client (the backend's boto3 client)."""

    def __init__(self, client: Any):
        self.client = client

    def keys(self, bucket: str, prefix: str) -> list[str]:
        keys: list[str] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=prefix
            ):
                keys.extend(obj["Key"] for obj in page.get("Contents", []))
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code == "NoSuchBucket":
                raise _no_bucket(bucket) from None
            raise
        return sorted(keys)

    def read(self, bucket: str, key: str) -> bytes:
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()


class ExportObjects:
    """Objects from an export directory (``sim run --export DIR``): ``DIR/s3/<bucket>/<key>``."""

    def __init__(self, directory: str | Path):
        self.root = Path(directory) / "s3"

    def keys(self, bucket: str, prefix: str) -> list[str]:
        base = self.root / bucket
        if not base.is_dir():
            raise _no_bucket(bucket)
        keys = (p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())
        return sorted(k for k in keys if k.startswith(prefix))

    def read(self, bucket: str, key: str) -> bytes:
        return (self.root / bucket / key).read_bytes()


def _no_bucket(bucket: str) -> AthenaError:
    return AthenaError(
        "HIVE_UNKNOWN_ERROR",
        f"The specified bucket does not exist (Service: Amazon S3; Status Code: 404; "
        f"Error Code: NoSuchBucket; Bucket: {bucket})",
    )


# -- the JSON SerDe ---------------------------------------------------------------------------
_LINES = re.compile(r"\r\n|\n|\r")
_DECODER = json.JSONDecoder()


def object_lines(key: str, data: bytes) -> list[str]:
    """The text lines of an object (gunzipped when the key ends with ``.gz``)."""
    if key.endswith(".gz"):
        data = gzip.decompress(data)
    return _LINES.split(data.decode("utf-8", errors="replace"))


def first_json_object(line: str) -> dict[str, Any]:
    """The first JSON value of ``line`` if it is an object; text after it is ignored, which is why
    back-to-back records count once. ``ValueError`` when the line does not start with an object."""
    text = line.strip()
    try:
        value, _ = _DECODER.raw_decode(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"JSONException: {exc.msg} at character {exc.pos + 1}") from None
    if not isinstance(value, dict):
        raise ValueError(f"JSONException: A JSONObject text must begin with '{{' ({text[:20]!r})")
    return value


def hidden(relative_key: str) -> bool:
    """Hadoop skips files and directories whose names start with ``_`` or ``.``."""
    return any(part.startswith(("_", ".")) for part in relative_key.split("/"))


class BadData(ValueError):
    """A value the SerDe cannot read as its column's Hive type."""


def coerce(value: Any, hive: HiveType, case_insensitive: bool = True) -> Any:
    """``value`` (from JSON) as a value of column type ``hive``; :class:`BadData` if impossible."""
    if value is None:
        return None
    name = hive.name
    if name in ("string", "varchar", "char"):
        if isinstance(value, str):
            text = value
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return text[: hive.params[0]] if hive.params else text
    if name in ("tinyint", "smallint", "int", "bigint"):
        bits = {"tinyint": 8, "smallint": 16, "int": 32, "bigint": 64}[name]
        if isinstance(value, bool):
            raise BadData(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            value = int(value)
        if not isinstance(value, int) or not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise BadData(value)
        return value
    if name in ("float", "double"):
        if isinstance(value, bool):
            raise BadData(value)
        try:
            return float(value)
        except (TypeError, ValueError):
            raise BadData(value) from None
    if name == "decimal":
        try:
            number = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise BadData(value)
        scale = hive.params[1] if len(hive.params) > 1 else 0
        return number.quantize(Decimal(1).scaleb(-scale))
    if name == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return value.strip().lower() == "true"
        raise BadData(value)
    if name == "timestamp":
        return _timestamp(value)
    if name == "date":
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()[:10])
            except ValueError:
                pass
        raise BadData(value)
    if name == "binary":
        if isinstance(value, str):
            return value.encode()
        raise BadData(value)
    if name == "array":
        if not isinstance(value, list):
            raise BadData(value)
        return [coerce(v, hive.items[0], case_insensitive) for v in value]
    if name == "map":
        if not isinstance(value, dict):
            raise BadData(value)
        key_type, value_type = hive.items
        return {
            coerce(k, key_type, case_insensitive): coerce(v, value_type, case_insensitive)
            for k, v in value.items()
        }
    if name == "struct":
        if not isinstance(value, dict):
            raise BadData(value)
        found = _keyed(value, case_insensitive)
        return {n: coerce(found.get(n), t, case_insensitive) for n, t in hive.fields}
    raise BadData(value)


def _keyed(record: dict[str, Any], case_insensitive: bool) -> dict[str, Any]:
    if not case_insensitive:
        return record
    keyed: dict[str, Any] = {}
    for key, value in record.items():
        keyed.setdefault(key.lower(), value)
    return keyed


_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):  # epoch milliseconds
        return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=value)
    if not isinstance(value, str):
        raise BadData(value)
    match = _TIMESTAMP.fullmatch(value.strip())
    if not match:
        raise BadData(value)
    day, hour, minute, second, fraction, zone = match.groups()
    stamp = dt.datetime.fromisoformat(day).replace(
        hour=int(hour or 0),
        minute=int(minute or 0),
        second=int(second or 0),
        microsecond=int((fraction or "0").ljust(6, "0")[:6]),
    )
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        stamp -= sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return stamp


def read_rows(table: TableDef, source: ObjectSource) -> Iterator[tuple[Any, ...]]:
    """The table's rows, in key order then line order, as the table's JSON SerDe reads them."""
    openx = table.serde == OPENX_SERDE
    ignore_malformed = openx and table.flag("ignore.malformed.json", False)
    case_insensitive = table.flag("case.insensitive", True) if openx else True
    mapping = {
        k[len("mapping.") :].lower(): v.lower() if case_insensitive else v
        for k, v in table.serde_properties.items()
        if openx and k.lower().startswith("mapping.")
    }
    keys = [(c.name, mapping.get(c.name, c.name)) for c in table.columns]
    prefix = table.prefix
    for key in source.keys(table.bucket, prefix):
        relative = key[len(prefix) :]
        if key.endswith("/") or not relative or hidden(relative):
            continue
        partitions = _partition_values(table, relative)
        for number, line in enumerate(object_lines(key, source.read(table.bucket, key)), 1):
            if not line.strip():
                continue
            try:
                record = _keyed(first_json_object(line), case_insensitive)
            except ValueError as exc:
                if ignore_malformed:
                    record = {}
                else:
                    raise AthenaError(
                        "HIVE_CURSOR_ERROR",
                        f"Row is not a valid JSON Object - {exc} "
                        f"(s3://{table.bucket}/{key}, line {number})",
                    ) from None
            row: list[Any] = []
            for index, (column, json_key) in enumerate(keys):
                value = record.get(json_key)
                try:
                    row.append(coerce(value, table.columns[index].type, case_insensitive))
                except BadData:
                    shown = value if isinstance(value, str) else json.dumps(value)
                    raise AthenaError(
                        "HIVE_BAD_DATA",
                        f"Error parsing field value '{shown}' for field {index}: "
                        f'For input string: "{shown}" (column {column} '
                        f"{table.columns[index].type}, s3://{table.bucket}/{key}, line {number})",
                    ) from None
            yield (*row, *partitions)


def _partition_values(table: TableDef, relative: str) -> list[Any]:
    found = {}
    for part in relative.split("/")[:-1]:
        name, sep, value = part.partition("=")
        if sep:
            found[name.lower()] = value
    values = []
    for column in table.partitions:
        try:
            values.append(coerce(found.get(column.name), column.type))
        except BadData:
            values.append(None)
    return values


# -- results ----------------------------------------------------------------------------------
@dataclass
class QueryResult:
    """Column names (Athena's: unnamed expressions are ``_col0``, ``_col1``…), DuckDB types,
    and rows as dicts of plain JSON values."""

    columns: list[str]
    types: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def values(self) -> Any:
        """One row of one column: the value; one column: the list of values; else the rows."""
        if len(self.columns) == 1:
            values = [row[self.columns[0]] for row in self.rows]
            return values[0] if len(values) == 1 else values
        return self.rows


def _float32(value: float) -> float:
    """The shortest decimal that reads back as the same 32-bit float (``0.1``, not
    ``0.10000000149011612``), as Athena prints a ``float`` (REAL) column."""
    packed = struct.pack("<f", value)
    for digits in range(6, 10):
        candidate = float(f"{value:.{digits}g}")
        if struct.pack("<f", candidate) == packed:
            return candidate
    return value


def plain(value: Any, type_name: str = "") -> Any:
    """A DuckDB value as plain JSON: timestamps as Athena prints them (``2021-11-01
    09:00:00.000``), dates as ``YYYY-MM-DD``, decimals as numbers, REAL as its short form."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if type_name == "FLOAT" and value == value:
            return _float32(value)
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def athena_column_names(names: list[str]) -> list[str]:
    """DuckDB's result names as Athena names them: plain names lower-cased, expressions
    ``_col<position>``."""
    return [
        name.lower() if _IDENTIFIER.fullmatch(name) else f"_col{index}"
        for index, name in enumerate(names)
    ]


# -- dialect ----------------------------------------------------------------------------------
# Presto/Trino functions Athena has and DuckDB spells differently (temporary macros).
MACROS = (
    "approx_distinct(x) AS approx_count_distinct(x)",
    "cardinality(x) AS len(x)",
    "to_unixtime(ts) AS epoch(ts)",
    "from_unixtime(x) AS make_timestamp(CAST(round(x * 1000000) AS BIGINT))",
    "from_iso8601_timestamp(s) AS CAST(CAST(s AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)",
    "from_iso8601_date(s) AS CAST(s AS DATE)",
    "json_extract_scalar(j, p) AS json_extract_string(j, p)",
)

_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")


def translate(sql: str) -> str:
    """Presto spellings DuckDB reads differently, outside string literals and quoted names:
    ``default`` (a reserved word in DuckDB) as a schema name is quoted."""
    out: list[str] = []
    position = 0
    for match in _QUOTED.finditer(sql):
        out.append(_translate_code(sql[position : match.start()]))
        out.append(match.group())
        position = match.end()
    out.append(_translate_code(sql[position:]))
    return "".join(out)


def _translate_code(code: str) -> str:
    return re.sub(r"(?i)(?<![\w.])default(?=\s*\.)", '"default"', code)


def _position(sql: str, name: str) -> tuple[int, int]:
    """Line and column (1-based) of ``name`` (a possibly qualified name) in ``sql``."""
    last = name.split(".")[-1]
    pattern = re.compile(rf'(?i)(?<![\w"]){re.escape(last)}(?![\w"])|"{re.escape(last)}"')
    match = pattern.search(sql)
    if match is None:
        return 1, 1
    start = match.start()
    # back up over a qualifier: awsdatacatalog."default".name
    qualified = re.search(r'(?:(?:"[^"]*"|\w+)\s*\.\s*)+$', sql[:start])
    if qualified:
        start = qualified.start()
    line = sql.count("\n", 0, start) + 1
    column = start - (sql.rfind("\n", 0, start) + 1) + 1
    return line, column


def _caret(message: str, sql: str) -> tuple[int, int] | None:
    match = re.search(r"LINE (\d+): (.*)\n( *)\^", message)
    if not match:
        return None
    line, shown, pad = int(match.group(1)), match.group(2), len(match.group(3))
    column = pad - len(f"LINE {line}: ") + 1
    if shown.startswith("..."):  # DuckDB shortens long lines: find the shown text
        lines = sql.splitlines() or [""]
        text = lines[line - 1] if line <= len(lines) else ""
        offset = text.find(shown[3:20])
        column = offset + (column - 3) if offset >= 0 else 1
    return line, max(column, 1)


# -- the session ------------------------------------------------------------------------------
class AthenaSession:
    """Tables declared with ``CREATE EXTERNAL TABLE`` over an object source; ``query`` runs a
    SELECT over what the objects hold at the time of the first query that reads each table."""

    def __init__(self, source: ObjectSource, tables: Iterable[TableDef | str] = ()):
        import duckdb

        self.source = source
        self.tables: dict[str, TableDef] = {}
        self._loaded: set[str] = set()
        self._db = duckdb.connect()
        self._duckdb = duckdb
        self._db.execute("SET TimeZone = 'UTC'")
        self._db.execute(f"ATTACH ':memory:' AS {CATALOG}")
        self._db.execute(f'CREATE SCHEMA {CATALOG}."default"')
        self._db.execute(f'USE {CATALOG}."default"')
        for macro in MACROS:
            with contextlib.suppress(duckdb.Error):  # e.g. no json extension
                self._db.execute(f"CREATE OR REPLACE TEMP MACRO {macro}")
        for table in tables:
            self.create_table(table)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> AthenaSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- DDL --------------------------------------------------------------------------------
    def create_table(self, table: TableDef | str) -> TableDef:
        if isinstance(table, str):
            try:
                table = parse_ddl(table)
            except DdlError as exc:
                raise AthenaError("SYNTAX_ERROR", str(exc)) from None
        qualified = table.qualified_name
        if qualified in self.tables:
            if table.if_not_exists:
                return self.tables[qualified]
            raise AthenaError("AlreadyExistsException", f"Table {qualified} already exists")
        columns = [*table.columns, *table.partitions]
        definition = ", ".join(f'"{c.name}" {c.type.duckdb()}' for c in columns)
        self._db.execute(f'CREATE SCHEMA IF NOT EXISTS {CATALOG}."{table.database}"')
        self._db.execute(f"CREATE TABLE {self._name(table)} ({definition})")
        self.tables[qualified] = table
        return table

    def _name(self, table: TableDef) -> str:
        return f'{CATALOG}."{table.database}"."{table.name}"'

    def _load(self, table: TableDef) -> None:
        if table.qualified_name in self._loaded:
            return
        rows = list(read_rows(table, self.source))
        if rows:
            marks = ", ".join("?" for _ in rows[0])
            self._db.executemany(f"INSERT INTO {self._name(table)} VALUES ({marks})", rows)
        self._loaded.add(table.qualified_name)

    # -- queries ----------------------------------------------------------------------------
    def execute(self, sql: str) -> QueryResult | TableDef:
        """A ``CREATE EXTERNAL TABLE`` (registers the table) or a query."""
        if re.match(r"\s*CREATE\b", sql, re.IGNORECASE):
            return self.create_table(sql)
        return self.query(sql)

    def query(self, sql: str) -> QueryResult:
        duckdb = self._duckdb
        text = translate(sql.strip().rstrip(";"))
        try:
            statements = self._db.extract_statements(text)
        except duckdb.ParserException as exc:
            raise self._error(exc, sql) from None
        if len(statements) != 1:
            raise AthenaError("INVALID_INPUT", "Only one sql statement is allowed.")
        if statements[0].type != duckdb.StatementType.SELECT:
            raise AthenaError(
                "NOT_SUPPORTED", "Only SELECT queries (and CREATE EXTERNAL TABLE) run here"
            )
        for name in self._referenced(text):
            self._load(name)
        try:
            relation = self._db.sql(text)
            columns = athena_column_names(list(relation.columns))
            types = [str(t) for t in relation.types]
            records = relation.fetchall()
        except duckdb.Error as exc:
            raise self._error(exc, sql) from None
        rows = [
            {c: plain(v, t) for c, v, t in zip(columns, record, types, strict=True)}
            for record in records
        ]
        return QueryResult(columns, types, rows)

    def _referenced(self, sql: str) -> list[TableDef]:
        try:
            names = self._db.get_table_names(sql, qualified=True)
        except Exception:  # cannot tell: read every table
            return list(self.tables.values())
        found = []
        for name in names:
            parts = [p.strip('"').lower() for p in name.split(".")]
            for table in self.tables.values():
                if parts[-1] == table.name and (len(parts) == 1 or parts[-2] == table.database):
                    found.append(table)
        return found

    def _error(self, exc: Exception, sql: str) -> AthenaError:
        message = str(exc)
        first = message.split("\n", 1)[0]
        first = re.sub(r"^\w+ Error: ", "", first)
        missing_table = re.search(r"Table with name (\S+) does not exist", message)
        if missing_table:
            name = missing_table.group(1)
            line, column = _position(sql, name)
            parts = name.split(".")
            qualified = ".".join(([CATALOG, "default"] + parts)[-3:]) if len(parts) < 3 else name
            return AthenaError(
                "TABLE_NOT_FOUND",
                f"line {line}:{column}: Table '{qualified.lower()}' does not exist",
            )
        missing_column = re.search(r'Referenced column "([^"]+)" not found', message)
        if missing_column:
            name = missing_column.group(1)
            line, column = _position(sql, name)
            return AthenaError(
                "COLUMN_NOT_FOUND",
                f"line {line}:{column}: Column '{name}' cannot be resolved or requester is not "
                "authorized to access requested resources",
            )
        missing_function = re.search(r"Function with name (\w+) does not exist", message)
        if missing_function:
            name = missing_function.group(1)
            line, column = _position(sql, name)
            return AthenaError(
                "FUNCTION_NOT_FOUND", f"line {line}:{column}: Function '{name}' not registered"
            )
        where = _caret(message, sql)
        at = f"line {where[0]}:{where[1]}: " if where else ""
        if isinstance(exc, self._duckdb.ParserException):
            return AthenaError("SYNTAX_ERROR", f"{at}{first}")
        return AthenaError("GENERIC_USER_ERROR", f"{at}{first} (DuckDB)")


def query_objects(source: ObjectSource, tables: Iterable[TableDef | str], sql: str) -> QueryResult:
    """Register ``tables``, run ``sql``, close."""
    with AthenaSession(source, tables) as session:
        return session.query(sql)
