"""The ``athena:`` section: tables declared as in Athena, for ``athena`` expectations and
``sim query``.

    athena:
      tables:
        - |
          CREATE EXTERNAL TABLE wildrydes (Name string, ...)
          ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
          LOCATION 's3://wildrydes-data/'
        - file: tables/other.sql          # relative to the scenario file

Inline statements are parsed when the file is validated, so a mistake is reported with the
scenario's file and line plus the statement's own ``line L:C``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PrivateAttr, model_validator

from sim.athena.ddl import DdlError, TableDef, parse_ddl
from sim.scenario.base import Spec
from sim.scenario.types import fail, one_of

DDL_EXPECTED = "a CREATE EXTERNAL TABLE statement Athena accepts (JSON SerDe, LOCATION 's3://…')"


class AthenaTable(Spec):
    """One table: a `CREATE EXTERNAL TABLE` statement, inline or in a file. A plain string is
    short for `{ddl: …}`."""

    ddl: str | None = one_of(
        "source", "The statement (Hive DDL as Athena runs it; JSON SerDes only)."
    )
    file: str | None = one_of(
        "source", "A file holding the statement, relative to the scenario file."
    )
    _table: TableDef | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _parse(self) -> AthenaTable:
        if self.ddl is not None:
            try:
                self._table = parse_ddl(self.ddl)
            except DdlError as exc:
                fail(DDL_EXPECTED, found_text=str(exc), key="ddl")
        return self

    def definition(self, base: str | Path | None = None) -> TableDef:
        """The parsed table; a ``file`` is read relative to ``base`` (the scenario's directory;
        the working directory when None). ``ValueError`` when it cannot be read or parsed."""
        if self._table is not None:
            return self._table
        assert self.file is not None
        path = Path(base or ".") / self.file
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"athena table file {path}: {exc.strerror or exc}") from None
        try:
            return parse_ddl(text)
        except DdlError as exc:
            raise ValueError(f"{path}: {exc}") from None


def _shorthand(value: Any) -> Any:
    return {"ddl": value} if isinstance(value, str) else value


class Athena(Spec):
    """Athena tables over the objects the run stores in S3."""

    tables: list[Annotated[AthenaTable, BeforeValidator(_shorthand)]] = Field(
        default_factory=list,
        description="`CREATE EXTERNAL TABLE` statements (strings) or `{file: path}` entries; "
        "`athena` expectations and `sim query` read these tables.",
    )

    @model_validator(mode="after")
    def _unique(self) -> Athena:
        seen: dict[str, int] = {}
        for index, table in enumerate(self.tables):
            if table._table is None:
                continue
            name = table._table.qualified_name
            if name in seen:
                fail(
                    "a table name not declared twice",
                    found_text=f"{name!r}, already declared by tables[{seen[name]}]",
                    key=("tables", index),
                )
            seen[name] = index
        return self

    def definitions(self, base: str | Path | None = None) -> list[TableDef]:
        return [table.definition(base) for table in self.tables]


def check_athena_files(athena: Athena, lines: Any, file: str) -> list[Any]:
    """Errors for ``{file: …}`` tables that cannot be read or parsed (relative to ``file``'s
    directory), with the scenario's line: for callers that know the scenario's path."""
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import format_path

    errors = []
    for index, table in enumerate(athena.tables):
        if table.file is None:
            continue
        try:
            table.definition(Path(file).parent)
        except ValueError as exc:
            at = ("athena", "tables", index, "file")
            errors.append(
                ScenarioError(
                    file=file,
                    line=lines.value_line(at),
                    key=format_path(at),
                    expected=DDL_EXPECTED,
                    found=str(exc),
                )
            )
    return errors
