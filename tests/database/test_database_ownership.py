"""Nothing already stored is lost: a database holding rows, events or routines streamlab did not
write is refused; one holding only empty tables is taken over; streamlab's own is reset."""

from __future__ import annotations

import sqlite3

import pytest
from database_support import SCRIPTS, root_sql

from sim.database import Database, ForeignDatabase

FOREIGN_TABLE = "CREATE TABLE measurements (id INT PRIMARY KEY, city VARCHAR(20))"


def test_sqlite_file_with_foreign_rows_is_refused_and_kept(tmp_path):
    path = tmp_path / "openaq.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute(FOREIGN_TABLE)
        connection.executemany(
            "INSERT INTO measurements VALUES (?, ?)", [(1, "Brussels"), (2, "Gent")]
        )
    with (
        Database.open(None, directory=tmp_path, name="openaq") as db,
        pytest.raises(ForeignDatabase) as caught,
    ):
        db.initialize(SCRIPTS)
    message = str(caught.value)
    assert "measurements (2 rows)" in message
    assert str(path) in message and "streamlab_runs" in message
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM measurements").fetchone() == (2,)
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    assert "streamlab_runs" not in tables and "aggregates" not in tables


def test_mariadb_database_with_foreign_rows_is_refused_and_kept(
    tmp_path, mariadb_name, mariadb_url
):
    root_sql(f"CREATE DATABASE `{mariadb_name}`")
    root_sql(
        FOREIGN_TABLE,
        "INSERT INTO measurements VALUES (1, 'Brussels')",
        "CREATE TABLE notes (id INT)",  # empty: not a reason to refuse, but not dropped either
        database=mariadb_name,
    )
    with (
        Database.open(mariadb_url, directory=tmp_path) as db,
        pytest.raises(ForeignDatabase) as caught,
    ):
        db.initialize(SCRIPTS)
    message = str(caught.value)
    assert f"database {mariadb_name} at mysql+pymysql://root@127.0.0.1:3306/" in message
    assert "measurements (1 row)" in message and "notes" not in message
    assert root_sql("SELECT COUNT(*) FROM measurements", database=mariadb_name) == [(1,)]
    assert root_sql("SHOW TABLES", database=mariadb_name) == [("measurements",), ("notes",)]


def test_mariadb_database_with_foreign_events_is_refused(tmp_path, mariadb_name, mariadb_url):
    root_sql(f"CREATE DATABASE `{mariadb_name}`")
    root_sql("CREATE EVENT tidy ON SCHEDULE EVERY 1 DAY DISABLE DO SELECT 1", database=mariadb_name)
    with (
        Database.open(mariadb_url, directory=tmp_path) as db,
        pytest.raises(ForeignDatabase, match=r"scheduled events \(tidy\)"),
    ):
        db.initialize(SCRIPTS)
    assert root_sql(
        f"SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '{mariadb_name}'"
    ) == [("tidy",)]


def test_empty_foreign_tables_are_taken_over(database):
    database.query("CREATE TABLE aggregates (city VARCHAR(10))")
    init = database.initialize(SCRIPTS)
    assert init.dropped == ["table aggregates"] and not init.reset
    columns = database.query("SELECT * FROM aggregates")
    assert columns == []
    database.query(
        "INSERT INTO aggregates VALUES ('Gent', 'no2', '2026-11-02 09:00:00', "
        "'2026-11-02 12:00:00', 1, 1, 1, 1)"
    )  # the scripts' table (8 columns), not the foreign one
    assert database.initialize(SCRIPTS).reset


def test_a_new_mariadb_database_is_created(tmp_path, mariadb_name, mariadb_url):
    assert root_sql(f"SHOW DATABASES LIKE '{mariadb_name}'") == []
    with Database.open(mariadb_url, directory=tmp_path):
        pass
    assert root_sql(f"SHOW DATABASES LIKE '{mariadb_name}'") == [(mariadb_name,)]
