"""``CREATE EXTERNAL TABLE`` as Athena accepts it for JSON data, parsed into a :class:`TableDef`.

The grammar is Hive's DDL as Athena documents it (clauses in Hive's order; each optional except
the column list and ``LOCATION``)::

    CREATE EXTERNAL TABLE [IF NOT EXISTS] [db.]name (col type [COMMENT 'text'], ...)
      [COMMENT 'text']
      [PARTITIONED BY (col type [COMMENT 'text'], ...)]
      [ROW FORMAT SERDE 'class' [WITH SERDEPROPERTIES ('key'='value', ...)]]
      [STORED AS INPUTFORMAT 'class' OUTPUTFORMAT 'class' | STORED AS TEXTFILE]
      LOCATION 's3://bucket/prefix/'
      [TBLPROPERTIES ('key'='value', ...)]
      [;]

Types: ``string``, ``varchar(n)``, ``char(n)``, ``tinyint``, ``smallint``, ``int``/``integer``,
``bigint``, ``float``, ``double``, ``decimal(p,s)``, ``boolean``, ``timestamp``, ``date``,
``binary``, ``array<T>``, ``map<K,V>``, ``struct<name:T,...>``. Identifiers may be back-quoted;
names are lower-cased as the Glue catalog stores them. Errors are :class:`DdlError` with the
line and column (1-based) in Athena's words: ``line 1:8: mismatched input 'TABEL'. Expecting:
'TABLE'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The JSON SerDes Athena supports (https://docs.aws.amazon.com/athena/latest/ug/json-serde.html).
OPENX_SERDE = "org.openx.data.jsonserde.JsonSerDe"
HIVE_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe"
JSON_SERDES = (OPENX_SERDE, HIVE_SERDE)

PRIMITIVES = {
    "string": "VARCHAR",
    "varchar": "VARCHAR",
    "char": "VARCHAR",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "decimal": "DECIMAL",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "binary": "BLOB",
}
COMPLEX = ("array", "map", "struct")


class DdlError(ValueError):
    """A statement Athena would refuse, with its position (1-based line and column)."""

    def __init__(self, line: int, column: int, message: str):
        super().__init__(f"line {line}:{column}: {message}")
        self.line = line
        self.column = column
        self.message = message


@dataclass(frozen=True)
class HiveType:
    """A column type: ``name`` (lower case) and its parameters.

    ``decimal(10,2)`` → ``HiveType("decimal", params=(10, 2))``; ``array<int>`` →
    ``HiveType("array", items=(HiveType("int"),))``; ``struct<a:int>`` → ``HiveType("struct",
    fields=(("a", HiveType("int")),))``; ``map<K,V>`` has ``items=(K, V)``.
    """

    name: str
    params: tuple[int, ...] = ()
    items: tuple[HiveType, ...] = ()
    fields: tuple[tuple[str, HiveType], ...] = ()

    def __str__(self) -> str:
        if self.name == "struct":
            return "struct<" + ",".join(f"{n}:{t}" for n, t in self.fields) + ">"
        if self.items:
            return f"{self.name}<" + ",".join(str(t) for t in self.items) + ">"
        if self.params:
            return f"{self.name}(" + ",".join(str(p) for p in self.params) + ")"
        return self.name

    def duckdb(self) -> str:
        """The DuckDB type that holds this type's values."""
        if self.name == "array":
            return f"{self.items[0].duckdb()}[]"
        if self.name == "map":
            return f"MAP({self.items[0].duckdb()}, {self.items[1].duckdb()})"
        if self.name == "struct":
            return "STRUCT(" + ", ".join(f'"{n}" {t.duckdb()}' for n, t in self.fields) + ")"
        if self.name == "decimal":
            precision, scale = (*self.params, 10, 0)[:2] if self.params else (10, 0)
            return f"DECIMAL({precision}, {scale})"
        return PRIMITIVES[self.name]


@dataclass(frozen=True)
class Column:
    name: str
    type: HiveType
    comment: str | None = None


@dataclass
class TableDef:
    """A parsed ``CREATE EXTERNAL TABLE``."""

    name: str
    columns: list[Column]
    location: str
    database: str = "default"
    serde: str | None = None
    serde_properties: dict[str, str] = field(default_factory=dict)
    partitions: list[Column] = field(default_factory=list)
    table_properties: dict[str, str] = field(default_factory=dict)
    input_format: str | None = None
    if_not_exists: bool = False
    comment: str | None = None

    @property
    def bucket(self) -> str:
        return self.location[len("s3://") :].split("/", 1)[0]

    @property
    def prefix(self) -> str:
        """The key prefix under the bucket, ending with ``/`` unless empty."""
        rest = self.location[len("s3://") :].split("/", 1)
        prefix = rest[1] if len(rest) > 1 else ""
        return prefix if not prefix or prefix.endswith("/") else prefix + "/"

    @property
    def qualified_name(self) -> str:
        return f"{self.database}.{self.name}"

    def property(self, key: str, default: str | None = None) -> str | None:
        """A SERDEPROPERTIES value (keys compared case-insensitively)."""
        for k, v in self.serde_properties.items():
            if k.lower() == key.lower():
                return v
        return default

    def flag(self, key: str, default: bool) -> bool:
        value = self.property(key)
        return default if value is None else value.strip().lower() == "true"


# -- tokens -----------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"""
    (?P<space>\s+|--[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*")
  | (?P<quoted>`(?:[^`]|``)*`)
  | (?P<number>\d+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<punct>[(),<>:;=.])
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # word, quoted, string, number, punct, end
    text: str
    line: int
    column: int

    @property
    def value(self) -> str:
        if self.kind == "string":
            body = self.text[1:-1]
            return re.sub(r"\\(.)", r"\1", body.replace("''", "'"))
        if self.kind == "quoted":
            return self.text[1:-1].replace("``", "`")
        return self.text

    def shown(self) -> str:
        return "<EOF>" if self.kind == "end" else f"'{self.text}'"


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, line, line_start = 0, 1, 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        column = position - line_start + 1
        if match is None:
            raise DdlError(line, column, f"token recognition error at: '{text[position]}'")
        kind = match.lastgroup or ""
        chunk = match.group()
        if kind != "space":
            tokens.append(_Token(kind, chunk, line, column))
        newlines = chunk.count("\n")
        if newlines:
            line += newlines
            line_start = position + chunk.rindex("\n") + 1
        position = match.end()
    tokens.append(_Token("end", "", line, position - line_start + 1))
    return tokens


# -- parser -----------------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.index = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def error(self, expecting: str, token: _Token | None = None) -> DdlError:
        token = token or self.token
        return DdlError(
            token.line, token.column, f"mismatched input {token.shown()}. Expecting: {expecting}"
        )

    def at(self, *words: str) -> bool:
        """The next tokens are these keywords (case-insensitive)."""
        for offset, word in enumerate(words):
            if self.index + offset >= len(self.tokens):
                return False
            token = self.tokens[self.index + offset]
            if token.kind != "word" or token.text.upper() != word:
                return False
        return True

    def keyword(self, *words: str) -> None:
        for word in words:
            if not self.at(word):
                raise self.error(f"'{word}'")
            self.index += 1

    def accept(self, *words: str) -> bool:
        if self.at(*words):
            self.index += len(words)
            return True
        return False

    def punct(self, char: str) -> None:
        if self.token.kind != "punct" or self.token.text != char:
            raise self.error(f"'{char}'")
        self.index += 1

    def accept_punct(self, char: str) -> bool:
        if self.token.kind == "punct" and self.token.text == char:
            self.index += 1
            return True
        return False

    def identifier(self, what: str = "<identifier>") -> str:
        token = self.token
        if token.kind not in ("word", "quoted"):
            raise self.error(what)
        self.index += 1
        return token.value.lower()

    def string(self, what: str = "<string>") -> str:
        if self.token.kind != "string":
            raise self.error(what)
        value = self.token.value
        self.index += 1
        return value

    def number(self) -> int:
        if self.token.kind != "number":
            raise self.error("<integer>")
        value = int(self.token.text)
        self.index += 1
        return value

    # -- statement --------------------------------------------------------------------------
    def statement(self) -> TableDef:
        self.keyword("CREATE")
        if self.at("TABLE"):
            raise DdlError(
                self.token.line,
                self.token.column,
                "Only external table creation is supported: CREATE EXTERNAL TABLE (Athena's "
                "CREATE TABLE without EXTERNAL makes Iceberg tables, which streamlab does not read)",
            )
        self.keyword("EXTERNAL", "TABLE")
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        name = self.identifier("<table name>")
        database = "default"
        if self.accept_punct("."):
            database, name = name, self.identifier("<table name>")
        columns = self.columns()
        table = TableDef(
            name=name,
            database=database,
            columns=columns,
            location="",
            if_not_exists=if_not_exists,
        )
        if self.accept("COMMENT"):
            table.comment = self.string()
        if self.accept("PARTITIONED"):
            self.keyword("BY")
            table.partitions = self.columns()
        if self.accept("ROW"):
            self.keyword("FORMAT")
            if self.at("DELIMITED"):
                raise self.error("'SERDE' (streamlab reads JSON tables only)")
            self.keyword("SERDE")
            serde_token = self.token
            table.serde = self.string("<SerDe class name>")
            if table.serde not in JSON_SERDES:
                raise DdlError(
                    serde_token.line,
                    serde_token.column,
                    f"SerDe {table.serde!r} is not supported here: use "
                    + " or ".join(f"'{s}'" for s in JSON_SERDES),
                )
            if self.accept("WITH"):
                self.keyword("SERDEPROPERTIES")
                table.serde_properties = self.properties()
        if self.accept("STORED"):
            self.keyword("AS")
            if self.accept("INPUTFORMAT"):
                table.input_format = self.string("<input format class>")
                self.keyword("OUTPUTFORMAT")
                self.string("<output format class>")
            elif self.accept("TEXTFILE"):
                table.input_format = "org.apache.hadoop.mapred.TextInputFormat"
            else:
                raise self.error("'INPUTFORMAT', 'TEXTFILE'")
        if not self.at("LOCATION"):
            raise self.error(self._expecting(table))
        if table.serde is None:
            raise DdlError(
                self.token.line,
                self.token.column,
                "ROW FORMAT SERDE is missing: streamlab reads JSON tables only ("
                + " or ".join(f"'{s}'" for s in JSON_SERDES)
                + "); without it Athena would use LazySimpleSerDe (delimited text)",
            )
        self.keyword("LOCATION")
        location_token = self.token
        table.location = self.string("<'s3://bucket/prefix/'>")
        if not re.fullmatch(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?", table.location):
            raise DdlError(
                location_token.line,
                location_token.column,
                f"LOCATION must be 's3://bucket/prefix/' with a valid bucket name (3 to 63 "
                f"characters: a-z, 0-9, '.', '-'), found {table.location!r}",
            )
        if self.accept("TBLPROPERTIES"):
            table.table_properties = self.properties()
        self.accept_punct(";")
        if self.token.kind != "end":
            raise self.error("<EOF>" if table.table_properties else "'TBLPROPERTIES', <EOF>")
        return table

    def _expecting(self, table: TableDef) -> str:
        options = ["'LOCATION'"]
        if table.input_format is None:
            options.insert(0, "'STORED'")
        if table.serde is None:
            options.insert(0, "'ROW'")
        if not table.partitions and table.serde is None:
            options.insert(0, "'PARTITIONED'")
        return ", ".join(options)

    def columns(self) -> list[Column]:
        self.punct("(")
        columns: list[Column] = []
        seen: set[str] = set()
        while True:
            token = self.token
            name = self.identifier("<column name>")
            if name in seen:
                raise DdlError(
                    token.line, token.column, f"Column '{name}' specified more than once"
                )
            seen.add(name)
            column_type = self.type()
            comment = self.string() if self.accept("COMMENT") else None
            columns.append(Column(name, column_type, comment))
            if self.accept_punct(")"):
                return columns
            if not self.accept_punct(","):
                raise self.error("',', ')'")

    def type(self) -> HiveType:
        token = self.token
        if token.kind != "word":
            raise self.error("<type>")
        name = token.text.lower()
        if name not in PRIMITIVES and name not in COMPLEX:
            known = ", ".join([*PRIMITIVES, *(f"{c}<…>" for c in COMPLEX)])
            raise DdlError(token.line, token.column, f"Unknown type '{token.text}'. Known: {known}")
        self.index += 1
        if name == "array":
            self.punct("<")
            item = self.type()
            self.punct(">")
            return HiveType("array", items=(item,))
        if name == "map":
            self.punct("<")
            key = self.type()
            self.punct(",")
            value = self.type()
            self.punct(">")
            return HiveType("map", items=(key, value))
        if name == "struct":
            self.punct("<")
            fields: list[tuple[str, HiveType]] = []
            while True:
                field_name = self.identifier("<field name>")
                self.punct(":")
                fields.append((field_name, self.type()))
                if self.accept_punct(">"):
                    return HiveType("struct", fields=tuple(fields))
                if not self.accept_punct(","):
                    raise self.error("',', '>'")
        if name in ("decimal", "varchar", "char") and self.accept_punct("("):
            params = [self.number()]
            if name == "decimal" and self.accept_punct(","):
                params.append(self.number())
            self.punct(")")
            if name == "decimal" and not (1 <= params[0] <= 38 and params[-1] <= params[0]):
                raise DdlError(
                    token.line, token.column, f"Invalid decimal precision/scale {tuple(params)}"
                )
            return HiveType(name, params=tuple(params))
        if name == "integer":
            name = "int"
        return HiveType(name)

    def properties(self) -> dict[str, str]:
        self.punct("(")
        result: dict[str, str] = {}
        while True:
            key = self.string("<property name>")
            self.punct("=")
            result[key] = self.string("<property value>")
            if self.accept_punct(")"):
                return result
            if not self.accept_punct(","):
                raise self.error("',', ')'")


def parse_ddl(text: str) -> TableDef:
    """The table declared by ``text``; :class:`DdlError` when Athena would refuse it."""
    return _Parser(text).statement()
