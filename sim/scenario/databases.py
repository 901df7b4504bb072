"""The ``databases:`` section: SQL databases of the run (the OpenAQ batch pipeline's MariaDB).

    databases:
      - name: openaq                                   # sql expectations name it
        url: null                                      # SQLite in the run's directory
        init: ../queries/initialization                # *.sql, run in name order
        events: simulated                              # CREATE EVENTs fired on the clock
      - name: openaq-real
        url: mysql+pymysql://root:${MARIADB_PASSWORD}@127.0.0.1:3306/openaq

A URL may reference environment variables as ``${NAME}``; they are read when the run starts, so
no password need be written in a scenario. Messages about a URL show it with its password hidden.
When the scenario's path is known, :func:`check_database_scripts` reads the scripts at load time
and reports a statement streamlab cannot apply with the scenario's line and the script's own
file, statement number and line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.database.errors import DatabaseError
from sim.database.urls import check_references, check_scheme, expand_environment, is_sqlite, redact
from sim.scenario.base import Spec
from sim.scenario.types import Text, fail

DEFAULT_INIT = "../queries/initialization"
URL_EXAMPLE = "mysql+pymysql://user:${PASSWORD}@127.0.0.1:3306/openaq"

DatabaseName = Annotated[
    str,
    Text(
        r"[A-Za-z][A-Za-z0-9_\-]*",
        "a database name of letters, digits, '_' or '-' starting with a letter (at most 64)",
        max_len=64,
    ),
]


class DatabaseSpec(Spec):
    """A SQL database of the run: SQLite in the run's directory, or a MariaDB server. It is
    initialised with the scripts of `init` (a database streamlab initialised before is reset;
    one holding rows streamlab did not write is refused), and the scripts' `CREATE EVENT`s run
    on the simulated clock with the database's `NOW()` following it. See docs/databases.md."""

    name: DatabaseName = Field(
        description="The database's name in this scenario (`sql` expectations use it); with "
        "`url: null` also the SQLite file's name (`<name>.sqlite`)."
    )
    url: str | None = Field(
        None,
        description="null: an embedded SQLite file. Else a SQLAlchemy URL: "
        "`mysql+pymysql://user:password@host:3306/database` for MariaDB (the database is "
        "created when missing) or `sqlite:///path.db`. `${NAME}` is replaced by the "
        "environment variable NAME when the run starts (e.g. "
        "`mysql+pymysql://root:${MARIADB_PASSWORD}@127.0.0.1:3306/openaq`, or `${OPENAQ_DB}`), "
        "so no password is written here.",
    )
    init: str = Field(
        DEFAULT_INIT,
        description="Directory of the initialization scripts (`*.sql`, applied in name order "
        "as MariaDB's docker entrypoint applies them), relative to the scenario file.",
    )
    events: Literal["simulated", "live", "off"] = Field(
        "simulated",
        description="The scripts' `CREATE EVENT`s: `simulated` fires them on the simulated "
        "clock with `NOW()` = the simulated instant (they are not created in the database); "
        "`live` creates them in MariaDB for its own event scheduler (real time; MariaDB only); "
        "`off` leaves them unfired.",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        found = repr(redact(value)) if value else "an empty string"
        if not value.strip():
            fail(f"null or a URL such as {URL_EXAMPLE}", found_text=found)
        problem = check_references(value)
        if problem is not None:
            fail("${NAME} references to environment variables", found_text=f"{found}: {problem}")
        problem = check_scheme(value)
        if problem is not None:
            fail(problem, found_text=found)
        return value

    @model_validator(mode="after")
    def _live_needs_mariadb(self) -> DatabaseSpec:
        if self.events == "live" and (self.url is None or is_sqlite(self.url)):
            fail(
                "events simulated or off on SQLite (it has no event scheduler)",
                found_text="events: live",
                key="events",
                hint="give a MariaDB url, or use events: simulated",
            )
        return self

    def resolved_url(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The URL with its ``${NAME}`` references replaced (None for embedded SQLite).
        Raises :class:`~sim.database.errors.DatabaseConfigError` naming a variable not set."""
        if self.url is None:
            return None
        return expand_environment(
            self.url, os.environ if environ is None else environ, where=f"databases {self.name}"
        )

    def init_directory(self, scenario_file: str | Path | None) -> Path:
        """``init`` resolved against the scenario file's directory (the working directory when
        the scenario has no file)."""
        base = Path(scenario_file).resolve().parent if scenario_file else Path.cwd()
        return (base / self.init).resolve()


def check_database_scripts(databases: list[DatabaseSpec], lines: Any, file: str) -> list[Any]:
    """Errors for ``init`` directories whose scripts cannot be read, split or (for SQLite)
    translated, with the scenario's line: for callers that know the scenario's path."""
    from sim.database.initialization import plan_scripts
    from sim.database.scripts import load_scripts
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import format_path

    errors = []
    for index, spec in enumerate(databases):
        sqlite = spec.url is None or (not spec.url.startswith("${") and is_sqlite(spec.url))
        try:
            statements = load_scripts(spec.init_directory(file))
            plan_scripts(statements, sqlite=sqlite, database=None)
        except DatabaseError as exc:
            at = ("databases", index, "init")
            errors.append(
                ScenarioError(
                    file=file,
                    line=lines.value_line(at),
                    key=format_path(at),
                    expected="initialization scripts streamlab can apply"
                    + (" on SQLite" if sqlite else ""),
                    found=exc.message,
                )
            )
    return errors
