"""A run's database: SQLite embedded by default, MariaDB for real, over SQLAlchemy 2.

    db = Database.open(None, directory=run_dir, name="openaq")   # run_dir/openaq.sqlite
    db = Database.open("mysql+pymysql://root:pw@127.0.0.1:3306/openaq", directory=run_dir)
    init = db.initialize("queries/initialization")   # refuses a database holding others' rows
    runs = db.schedule_events(clock, start, end)      # the CREATE EVENTs, fired on the clock
    env = db.handler_environment()                    # DB_URL=… for Lambda handlers
    rows = db.query("SELECT COUNT(*) AS n FROM aggregates")
    db.close()

Ownership: streamlab marks a database it initialises with the table ``streamlab_runs``. At
``initialize`` a marked database is reset (its tables, views, events and routines dropped, the
marker kept) and the scripts run again. An unmarked database is initialised only when it holds
nothing but empty tables and views (a new database, or one the docker image's entrypoint just
created); one with rows, scheduled events or routines is refused with
:class:`~sim.database.errors.ForeignDatabase`: streamlab never deletes what it did not write.

Time: streamlab's sessions run in UTC (``time_zone = '+00:00'``). ``NOW()`` in a fired event is
the simulated instant (MariaDB: ``SET timestamp``; SQLite: a registered ``NOW()``); in
:meth:`Database.query` it is the process's time, which a run binds to the simulated clock.

SQLite and concurrent handlers: the file is in WAL mode (readers never block the writer, one
writer at a time) and every connection streamlab opens waits up to ``BUSY_TIMEOUT_S`` for a lock;
handlers opening the same file with ``sqlite3`` wait 5 s by default, which is ample for the short
transactions of this pipeline.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pymysql
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from sim.clock.realtime import wall_time
from sim.database import sqlite_time
from sim.database.errors import (
    DatabaseConfigError,
    DatabaseError,
    DatabaseLoginRefused,
    DatabaseUnavailable,
    EventFailed,
    EventSchedulerUnavailable,
    ForeignDatabase,
)
from sim.database.events import EventRuns, ScheduledEvent
from sim.database.initialization import Plan, plan_scripts
from sim.database.lexer import LexError, tokenize
from sim.database.scripts import load_scripts, script_files
from sim.database.sqlite_dialect import Untranslatable, nest, translate_dml
from sim.database.urls import MARIADB_SCHEMES, redact, scheme

MARKER_TABLE = "streamlab_runs"
# How long streamlab's SQLite connections wait for another connection's lock.
BUSY_TIMEOUT_S = 30.0
# How long a MariaDB connection attempt may take before the server counts as unreachable.
CONNECT_TIMEOUT_S = 5
# MariaDB client error codes (https://mariadb.com/kb/en/mariadb-error-codes/).
CR_CONNECTION_ERROR = 2002
CR_CONN_HOST_ERROR = 2003
CR_UNKNOWN_HOST = 2005
CR_SERVER_GONE_ERROR = 2006
CR_SERVER_LOST = 2013
UNREACHABLE = (
    CR_CONNECTION_ERROR,
    CR_CONN_HOST_ERROR,
    CR_UNKNOWN_HOST,
    CR_SERVER_GONE_ERROR,
    CR_SERVER_LOST,
)
ER_DBACCESS_DENIED_ERROR = 1044
ER_ACCESS_DENIED_ERROR = 1045
ER_BAD_DB_ERROR = 1049
ER_SPECIFIC_ACCESS_DENIED_ERROR = 1227
ER_OPTION_PREVENTS_STATEMENT = 1290
START_MARIADB = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
_DATABASE_NAME = re.compile(r"^[A-Za-z0-9_$]{1,64}$")
# Rows counted when refusing a database (beyond: "more than N").
_ROWS_COUNTED = 1000
# What a driver raises (SQLAlchemy wraps them in DBAPIError where it runs the statement).
DRIVER_ERRORS = (sqlite3.Error, pymysql.err.Error, DBAPIError)
_QUERY_WORDS = ("SELECT", "WITH", "INSERT", "REPLACE", "UPDATE", "DELETE")


@dataclass
class Initialization:
    """What :meth:`Database.initialize` did."""

    scripts: list[str]
    statements: int
    events: list[ScheduledEvent]
    dropped: list[str] = field(default_factory=list)
    reset: bool = False


@dataclass
class _Inventory:
    tables: list[str]
    views: list[str]
    events: list[str]
    routines: list[str]

    @property
    def owned(self) -> bool:
        return MARKER_TABLE in self.tables


class Database:
    """One database of a run. Create with :meth:`open`; ``url`` is what handlers use to reach
    it (with its password, for their environment only); ``repr`` and every message show the
    redacted URL."""

    def __init__(
        self, engine: Engine, *, kind: str, url: str, database: str, path: Path | None = None
    ):
        self.engine = engine
        self.kind = kind
        self.url = url
        self.redacted_url = redact(url)
        self.database_name = database
        self.path = path
        self.events: list[ScheduledEvent] = []
        self._local = threading.local()
        self._password: str | None = None

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        url: str | None,
        *,
        directory: str | Path,
        name: str = "streamlab",
        connect_timeout: int = CONNECT_TIMEOUT_S,
    ) -> Database:
        """The database at ``url``: None for a SQLite file ``<directory>/<name>.sqlite``, a
        ``sqlite:///`` URL (relative paths from ``directory``), or a MariaDB URL, whose
        database is created when missing. Nothing stored is changed."""
        found = "sqlite" if url is None else scheme(url)
        if found in ("sqlite", "sqlite+pysqlite"):
            return cls._open_sqlite(url, Path(directory), name)
        if found in MARIADB_SCHEMES:
            assert url is not None
            return cls._open_mariadb(url, connect_timeout)
        raise DatabaseConfigError(
            f"cannot open {redact(url)}: expected an SQLite URL (sqlite:///path.db) or a MariaDB "
            "URL (mysql+pymysql://user:password@host:3306/database)"
        )

    @classmethod
    def _open_sqlite(cls, url: str | None, directory: Path, name: str) -> Database:
        if url is None:
            path = directory / f"{name}.sqlite"
        else:
            try:
                target = make_url(url).database
            except ArgumentError as exc:
                raise DatabaseConfigError(f"{redact(url)} is not a URL: {exc}") from None
            if not target or target == ":memory:":
                raise DatabaseConfigError(
                    f"{redact(url)}: an in-memory SQLite database cannot be shared with Lambda "
                    "handlers; give a file (sqlite:///openaq.db) or leave url empty"
                )
            path = Path(target) if Path(target).is_absolute() else directory / target
        path = path.resolve()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailable(f"cannot create the directory of {path}: {exc}") from None
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        database = cls(engine, kind="sqlite", url=f"sqlite:///{path}", database=name, path=path)
        event.listen(engine, "connect", database._on_sqlite_connect)
        try:
            with database._raw() as connection:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()
        except (DatabaseError, sqlite3.Error) as exc:
            engine.dispose()
            reason = exc.message if isinstance(exc, DatabaseError) else str(exc)
            raise DatabaseUnavailable(f"cannot open the SQLite file {path}: {reason}") from None
        return database

    def _on_sqlite_connect(self, connection: sqlite3.Connection, _record: Any) -> None:
        sqlite_time.register(connection, self._instant)
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

    def _instant(self) -> float | None:
        return getattr(self._local, "instant", None)

    @classmethod
    def _open_mariadb(cls, url: str, connect_timeout: int) -> Database:
        redacted = redact(url)
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise DatabaseConfigError(
                f"{redacted} is not a URL such as mysql+pymysql://user:password@host:3306/db"
            ) from None
        if "+" not in parsed.drivername:
            parsed = parsed.set(drivername=f"{parsed.drivername}+pymysql")
        name = parsed.database
        if not name:
            raise DatabaseConfigError(
                f"{redacted} names no database: add it to the path (…:3306/openaq); "
                "streamlab creates it when missing"
            )
        if not _DATABASE_NAME.match(name):
            raise DatabaseConfigError(
                f"{redacted}: database name {name!r}: streamlab uses names of letters, digits, "
                "'_' and '$' (at most 64)"
            )
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = connect_timeout
        engine = _mariadb_engine(parsed, connect_args)
        rendered = parsed.render_as_string(hide_password=False)
        database = cls(engine, kind="mariadb", url=rendered, database=name)
        database.redacted_url = redacted
        database._password = parsed.password
        try:
            _probe(engine)
        except DBAPIError as exc:
            if _code(exc) != ER_BAD_DB_ERROR:
                engine.dispose()
                raise database._error(exc) from None
            database._create_database(parsed, connect_args)
        return database

    def _create_database(self, parsed: URL, connect_args: dict[str, Any]) -> None:
        server = _mariadb_engine(_without_database(parsed), connect_args)
        try:
            connection = server.raw_connection()
            try:
                connection.cursor().execute(
                    f"CREATE DATABASE IF NOT EXISTS `{self.database_name}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
            finally:
                connection.close()
            _probe(self.engine)
        except (DBAPIError, pymysql.err.Error) as exc:
            if _code(exc) in (ER_DBACCESS_DENIED_ERROR, ER_ACCESS_DENIED_ERROR):
                raise DatabaseLoginRefused(
                    f"database {self.database_name} does not exist on {self.redacted_url} and "
                    f"the user may not create it ({self._message(exc)}): create it as an "
                    f"administrator (CREATE DATABASE {self.database_name}; GRANT ALL ON "
                    f"{self.database_name}.* TO the user)"
                ) from None
            raise self._error(exc) from None
        finally:
            server.dispose()

    # -- initialising -----------------------------------------------------------------------
    def initialize(self, scripts_dir: str | Path) -> Initialization:
        """Apply the ``*.sql`` scripts of ``scripts_dir`` in name order, after resetting a
        database streamlab initialised before (see the module's ownership rule). Returns what
        was done; ``self.events`` holds the scripts' ``CREATE EVENT`` declarations."""
        statements = load_scripts(scripts_dir)
        plan = plan_scripts(statements, sqlite=self.kind == "sqlite", database=self.database_name)
        inventory = self._inventory()
        if not inventory.owned:
            self._refuse_foreign(inventory)
        dropped = self._drop_all(inventory)
        self._mark([path.name for path in script_files(scripts_dir)])
        executed = self._execute(plan)
        self.events = plan.events
        return Initialization(
            scripts=[str(path) for path in script_files(scripts_dir)],
            statements=executed,
            events=list(plan.events),
            dropped=dropped,
            reset=inventory.owned,
        )

    def _inventory(self) -> _Inventory:
        if self.kind == "sqlite":
            rows = self._rows(
                "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%'"
            )
            return _Inventory(
                tables=[r["name"] for r in rows if r["type"] == "table"],
                views=[r["name"] for r in rows if r["type"] == "view"],
                events=[],
                routines=[],
            )
        schema = {"schema": self.database_name}
        tables = self._rows(
            "SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = :schema",
            schema,
        )
        events = self._rows(
            "SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = :schema",
            schema,
        )
        routines = self._rows(
            "SELECT ROUTINE_TYPE AS type, ROUTINE_NAME AS name FROM information_schema.ROUTINES "
            "WHERE ROUTINE_SCHEMA = :schema",
            schema,
        )
        return _Inventory(
            tables=[r["name"] for r in tables if r["type"] != "VIEW"],
            views=[r["name"] for r in tables if r["type"] == "VIEW"],
            events=[r["name"] for r in events],
            routines=[f"{r['type']} {r['name']}" for r in routines],
        )

    def _refuse_foreign(self, inventory: _Inventory) -> None:
        holding = []
        for table in inventory.tables:
            count = self._count(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {self._quote(table)} "
                f"LIMIT {_ROWS_COUNTED + 1}) AS counted"
            )
            if count:
                amount = f"more than {_ROWS_COUNTED}" if count > _ROWS_COUNTED else str(count)
                holding.append(f"{table} ({amount} row{'s' if count != 1 else ''})")
        problems = []
        if holding:
            problems.append("rows in " + ", ".join(holding))
        if inventory.events:
            problems.append(
                "scheduled events (" + ", ".join(inventory.events) + ") that would write "
                "into it during the run"
            )
        if inventory.routines:
            problems.append("routines (" + ", ".join(inventory.routines) + ")")
        if problems:
            raise ForeignDatabase(
                f"refusing to initialise {self._describe()}: it holds {'; '.join(problems)}, "
                f"which streamlab did not write (it marks its own databases with the table "
                f"{MARKER_TABLE}) and never deletes. Point the URL at another database "
                "(streamlab creates it), or empty it yourself if nothing in it is needed"
            )

    def _describe(self) -> str:
        if self.kind == "sqlite":
            return f"the SQLite file {self.path}"
        return f"database {self.database_name} at {self.redacted_url}"

    def _drop_all(self, inventory: _Inventory) -> list[str]:
        """Drop everything but the marker (a marked database, or an unmarked one holding only
        empty tables and views)."""
        dropped: list[str] = []
        statements: list[str] = []
        for view in inventory.views:
            statements.append(f"DROP VIEW IF EXISTS {self._quote(view)}")
            dropped.append(f"view {view}")
        for table in inventory.tables:
            if table != MARKER_TABLE:
                statements.append(f"DROP TABLE IF EXISTS {self._quote(table)}")
                dropped.append(f"table {table}")
        for name in inventory.events:
            statements.append(f"DROP EVENT IF EXISTS {self._quote(name)}")
            dropped.append(f"event {name}")
        for routine in inventory.routines:
            kind, _, name = routine.partition(" ")
            statements.append(f"DROP {kind} IF EXISTS {self._quote(name)}")
            dropped.append(f"{kind.lower()} {name}")
        if self.kind == "mariadb" and statements:
            statements.insert(0, "SET FOREIGN_KEY_CHECKS = 0")
            statements.append("SET FOREIGN_KEY_CHECKS = 1")
        self._statements(statements)
        return dropped

    def _mark(self, scripts: list[str]) -> None:
        listed = ", ".join(scripts)[:4000].replace("'", "''")
        self._statements(
            [
                f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} ("
                "initialized_at VARCHAR(32) NOT NULL, scripts VARCHAR(4000) NOT NULL)",
                f"INSERT INTO {MARKER_TABLE} (initialized_at, scripts) VALUES "
                f"('{sqlite_time.canonical(wall_time())}', '{listed}')",
            ]
        )

    def _statements(self, statements: list[str]) -> None:
        """Run streamlab's own statements, committed."""
        try:
            with self._raw() as connection:
                cursor = connection.cursor()
                for statement in statements:
                    cursor.execute(statement)
                connection.commit()
        except DRIVER_ERRORS as exc:
            raise self._error(exc) from None

    def _execute(self, plan: Plan) -> int:
        executed = 0
        if self.kind == "sqlite":
            assert self.path is not None
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            sqlite_time.register(connection, self._instant)
            try:
                for step in plan.steps:
                    for sql in step.sql:
                        try:
                            connection.execute(sql)
                        except sqlite3.Error as exc:
                            raise step.statement.error(
                                f"SQLite refused the statement as translated ({exc}): "
                                f"{_shorten(sql)}"
                            ) from None
                    executed += 1
            finally:
                connection.close()
            return executed
        with self._raw() as connection:
            try:
                cursor = connection.cursor()
                for step in plan.steps:
                    try:
                        cursor.execute(step.statement.text)
                        connection.commit()
                    except pymysql.err.Error as exc:
                        if _code(exc) in UNREACHABLE:
                            raise self._error(exc) from None
                        raise step.statement.error(
                            f"MariaDB refused it: {self._message(exc)}"
                        ) from None
                    executed += 1
            finally:
                connection.invalidate()  # the scripts may have changed the session
        return executed

    # -- events -----------------------------------------------------------------------------
    def fire(self, scheduled: ScheduledEvent, now: float) -> int:
        """Run ``scheduled``'s body once with ``NOW()`` = ``now`` (epoch seconds); returns the
        affected rows the database reports. Raises :class:`EventFailed`."""
        try:
            if self.kind == "sqlite":
                return self._fire_sqlite(scheduled, now)
            return self._fire_mariadb(scheduled, now)
        except DRIVER_ERRORS as exc:
            raise EventFailed(
                f"event {scheduled.name} fired at {sqlite_time.canonical(now)} UTC on "
                f"{self._describe()} failed: {self._message(exc)}"
            ) from None

    def _fire_sqlite(self, scheduled: ScheduledEvent, now: float) -> int:
        if scheduled.sqlite_body is None:
            raise DatabaseError(f"event {scheduled.name} was not parsed for SQLite")
        self._local.instant = now
        try:
            rows = 0
            with self._raw() as connection:
                try:
                    for sql in scheduled.sqlite_body:
                        rows += max(connection.execute(sql).rowcount, 0)
                    connection.commit()
                except sqlite3.Error:
                    connection.rollback()
                    raise
            return rows
        finally:
            self._local.instant = None

    def _fire_mariadb(self, scheduled: ScheduledEvent, now: float) -> int:
        with self._raw() as connection, _simulated_time(connection, now) as cursor:
            try:
                cursor.execute(scheduled.body)
                connection.commit()
            except pymysql.err.Error:
                connection.rollback()
                raise
            return max(cursor.rowcount, 0)

    def schedule_events(self, clock: Any, start: float, end: float) -> EventRuns:
        """Fire every enabled event of the scripts on ``clock`` at its schedule within
        ``[start, end)`` (see :mod:`sim.database.events`); the returned :class:`EventRuns`
        counts fires, rows and errors as the clock runs."""
        return EventRuns(self.fire, self.events, clock, start, end)

    def install_events_live(self) -> list[str]:
        """Create the scripts' events in MariaDB for its own scheduler (real time), turning
        ``event_scheduler`` on. An event without ``STARTS`` starts at the next multiple of its
        interval, as in a simulation. Returns the events' names."""
        if self.kind == "sqlite":
            raise EventSchedulerUnavailable(
                "SQLite has no event scheduler: the scripts' events can only be fired on the "
                "simulated clock (events: simulated), or use a MariaDB url for live events"
            )
        with self._raw() as connection:
            cursor = connection.cursor()
            try:
                self._event_scheduler_on(cursor)
                cursor.execute("SET time_zone = '+00:00'")
                for scheduled in self.events:
                    cursor.execute(scheduled.sql)
                    if scheduled.every is not None and scheduled.starts is None:
                        cursor.execute(_aligned_schedule(scheduled, wall_time()))
                connection.commit()
            except pymysql.err.Error as exc:
                if _code(exc) in UNREACHABLE:
                    raise self._error(exc) from None
                raise EventSchedulerUnavailable(
                    f"cannot create the events on {self._describe()}: {self._message(exc)} "
                    f"(the user needs the EVENT privilege: GRANT EVENT ON "
                    f"{self.database_name}.* TO the user)"
                ) from None
        return [scheduled.name for scheduled in self.events]

    def _event_scheduler_on(self, cursor: Any) -> None:
        cursor.execute("SELECT @@GLOBAL.event_scheduler")
        state = str(cursor.fetchone()[0])
        if state.upper() in ("ON", "1"):
            return
        if state.upper() == "DISABLED":
            raise EventSchedulerUnavailable(
                f"MariaDB at {self.redacted_url} was started with --event-scheduler=DISABLED: "
                "restart it with --event-scheduler=ON to run events live"
            )
        try:
            cursor.execute("SET GLOBAL event_scheduler = ON")
        except pymysql.err.Error as exc:
            if _code(exc) in (ER_SPECIFIC_ACCESS_DENIED_ERROR, ER_OPTION_PREVENTS_STATEMENT):
                raise EventSchedulerUnavailable(
                    f"MariaDB's event_scheduler is {state} on {self.redacted_url} and this user "
                    f"may not turn it on (it needs the SUPER privilege: {self._message(exc)}). "
                    "Ask an administrator to run SET GLOBAL event_scheduler = ON, or start "
                    "mariadbd with --event-scheduler=ON"
                ) from None
            raise

    # -- reading ----------------------------------------------------------------------------
    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of one statement as mappings of column to value (``:name`` parameters from
        ``params``). Date-times come back as ``datetime`` on both databases; on SQLite the
        statement is translated as the scripts are (docs/databases.md)."""
        if self.kind == "sqlite":
            sql = _translate_query(sql)
            params = {k: _to_sqlite(v) for k, v in params.items()} if params else params
        try:
            rows = self._query_params(sql, params) if params else self._query_raw(sql)
        except DRIVER_ERRORS as exc:
            if _code(exc) in UNREACHABLE and self.kind == "mariadb":
                raise self._error(exc) from None
            raise DatabaseError(
                f"query on {self._describe()} failed: {self._message(exc)}"
            ) from None
        if self.kind == "sqlite":
            rows = [{k: _from_sqlite(v) for k, v in row.items()} for row in rows]
        return rows

    def _query_raw(self, sql: str) -> list[dict[str, Any]]:
        with self._raw() as connection:
            if self.kind == "sqlite":
                cursor = connection.cursor()
                cursor.execute(sql)
                rows = _fetch(cursor)
            else:
                with _simulated_time(connection, time.time()) as cursor:
                    cursor.execute(sql)
                    rows = _fetch(cursor)
            connection.commit()
        return rows

    def _query_params(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            if self.kind == "mariadb":
                connection.exec_driver_sql(f"SET timestamp = {time.time():.6f}")
            try:
                result = connection.execute(text(sql), params)
                rows = [dict(row._mapping) for row in result] if result.returns_rows else []
                connection.commit()
            finally:
                if self.kind == "mariadb":
                    connection.exec_driver_sql("SET timestamp = DEFAULT")
        return rows

    def _count(self, sql: str) -> int:
        try:
            with self._raw() as connection:
                cursor = connection.cursor()
                cursor.execute(sql)
                return int(cursor.fetchone()[0])
        except DRIVER_ERRORS as exc:
            raise self._error(exc) from None

    def _rows(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """streamlab's own reads (inventory, counts)."""
        try:
            with self.engine.connect() as connection:
                result = connection.execute(text(sql), params or {})
                return [dict(row._mapping) for row in result]
        except DRIVER_ERRORS as exc:
            raise self._error(exc) from None

    # -- for handlers -----------------------------------------------------------------------
    def handler_environment(self, prefix: str = "") -> dict[str, str]:
        """Environment variables for Lambda handlers, the names consumers/openaq_ingest.py
        reads: ``DB_URL`` always; for MariaDB also the seed's ``DB_USERNAME``,
        ``DB_PASSWORD``, ``DB_HOSTNAME``, ``DB_PORT`` and ``DB_NAME``. ``prefix`` is put before
        each name (for a function that uses several databases)."""
        environment = {"DB_URL": self.url}
        if self.kind == "mariadb":
            parsed = make_url(self.url)
            environment.update(
                DB_USERNAME=parsed.username or "",
                DB_PASSWORD=parsed.password or "",
                DB_HOSTNAME=parsed.host or "localhost",
                DB_PORT=str(parsed.port or 3306),
                DB_NAME=self.database_name,
            )
        return {prefix + name: value for name, value in environment.items()}

    # -- the rest ---------------------------------------------------------------------------
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Database {self.kind} {self.redacted_url}>"

    def _quote(self, name: str) -> str:
        if self.kind == "sqlite":
            return '"' + name.replace('"', '""') + '"'
        return "`" + name.replace("`", "``") + "`"

    @contextmanager
    def _raw(self) -> Iterator[Any]:
        """A pooled driver connection (sqlite3 or PyMySQL): statements run as written, with no
        parameter formatting (a ``%`` stays a ``%``)."""
        try:
            connection = self.engine.raw_connection()
        except DBAPIError as exc:
            raise self._error(exc) from None
        try:
            yield connection
        finally:
            connection.close()

    def _error(self, exc: BaseException) -> DatabaseError:
        """A driver error as streamlab's error: unreachable, login refused, or else."""
        code = _code(exc)
        message = self._message(exc)
        url = self.redacted_url
        if self.kind == "sqlite":
            return DatabaseError(f"{self._describe()}: {message}")
        if code in UNREACHABLE:
            return DatabaseUnavailable(
                f"cannot connect to MariaDB at {url}: {message}. Is the server running? "
                f"Start it: {START_MARIADB} (as root), or `docker compose up -d db`; then run "
                "again"
            )
        if code == ER_ACCESS_DENIED_ERROR:
            return DatabaseLoginRefused(
                f"MariaDB at {url} refused the login: {message}. Check the user and password "
                "in the URL (or in the environment variable the scenario's url references)"
            )
        if code == ER_DBACCESS_DENIED_ERROR:
            name = self.database_name
            return DatabaseLoginRefused(
                f"MariaDB at {url} refused the user access to database {name}: {message}. "
                "Either it does not exist and the user may not create it, or the user has no "
                f"privileges on it: as an administrator, CREATE DATABASE IF NOT EXISTS {name}; "
                f"GRANT ALL ON {name}.* TO the user; or use a database the user may write"
            )
        return DatabaseError(f"MariaDB at {url}: {message}")

    def _message(self, exc: Exception) -> str:
        """The driver's own message (not SQLAlchemy's wrapping), with no password in it."""
        original = getattr(exc, "orig", None) or exc
        args = getattr(original, "args", ())
        if len(args) >= 2 and isinstance(args[0], int):
            message = f"({args[0]}) {args[1]}"
        else:
            message = str(original)
        password = getattr(self, "_password", None)
        if password:
            message = message.replace(str(password), "***")
        return message


def _mariadb_engine(url: URL, connect_args: dict[str, Any]) -> Engine:
    # No pool_recycle: it measures connection age with time.time(), which a run binds to the
    # simulated clock; pool_pre_ping replaces a connection the server closed.
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _utc(connection: Any, _record: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET time_zone = '+00:00'")

    return engine


def _without_database(url: URL) -> URL:
    """The server's URL (``URL.set(database=None)`` keeps the database in SQLAlchemy 2.1)."""
    return URL.create(
        url.drivername,
        username=url.username,
        password=url.password,
        host=url.host,
        port=url.port,
        query=url.query,
    )


def _probe(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


def _code(exc: BaseException) -> int | None:
    """The driver's error number (MariaDB's codes; None for SQLite)."""
    original = getattr(exc, "orig", None) or exc
    args = getattr(original, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


@contextmanager
def _simulated_time(connection: Any, instant: float) -> Iterator[Any]:
    """A cursor whose session's NOW() is ``instant`` (UTC) until the block ends."""
    cursor = connection.cursor()
    cursor.execute("SET time_zone = '+00:00'")
    cursor.execute(f"SET timestamp = {instant:.6f}")
    try:
        yield cursor
    finally:
        try:
            cursor.execute("SET timestamp = DEFAULT")
        except pymysql.err.Error:
            connection.invalidate()  # never reuse a session with a frozen clock


def _fetch(cursor: Any) -> list[dict[str, Any]]:
    if cursor.description is None:
        return []
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _to_sqlite(value: Any) -> Any:
    """A query parameter for SQLite: a date-time (``datetime``, or UTC text) as the canonical
    text the DATETIME columns hold, so that it compares as on MariaDB."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return sqlite_time.canonical(value.replace(tzinfo=UTC).timestamp())
    if isinstance(value, str) and sqlite_time.UTC_LITERAL.match(value):
        millis = sqlite_time.parse_millis(value)
        return value if millis is None else sqlite_time.canonical_from_millis(millis)
    return value


def _from_sqlite(value: Any) -> Any:
    return sqlite_time.to_datetime(value) if sqlite_time.is_canonical(value) else value


def _aligned_schedule(scheduled: ScheduledEvent, now: float) -> str:
    """``ALTER EVENT`` giving a live event the simulation's first firing: the next multiple of
    its interval since the epoch."""
    assert scheduled.every is not None
    starts = -(-now // scheduled.every) * scheduled.every
    clause = f"STARTS '{sqlite_time.canonical(starts, 0)[:19]}'"
    if scheduled.ends is not None:
        ends = scheduled.ends.resolve(now)
        clause += f" ENDS '{sqlite_time.canonical(ends, 0)[:19]}'"
    return f"ALTER EVENT `{scheduled.name}` ON SCHEDULE EVERY {scheduled.interval} {clause}"


def _translate_query(sql: str) -> str:
    """A query for SQLite: DML translated as scripts are; anything else (PRAGMA …) as given."""
    try:
        tokens = tokenize(sql)
        first = next((t for t in tokens if t.significant), None)
        if first is None or first.upper not in _QUERY_WORDS:
            return sql
        return translate_dml(nest(tokens))
    except Untranslatable as exc:
        raise DatabaseError(
            f"query not translatable for SQLite: {exc.reason}: {_shorten(sql)}"
        ) from None
    except LexError as exc:
        raise DatabaseError(f"query: {exc.message}: {_shorten(sql)}") from None


def _shorten(sql: str, limit: int = 160) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
