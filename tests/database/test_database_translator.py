"""The SQLite translator: MariaDB's DDL and date arithmetic as SQLite runs them, and a clear
refusal of what it does not translate."""

from __future__ import annotations

import sqlite3

import pytest

from sim.database.lexer import tokenize
from sim.database.sqlite_dialect import Untranslatable, nest, translate_dml, translate_statement
from sim.database.sqlite_time import register

NOON = 1793620800.0  # 2026-11-02T12:00:00Z


@pytest.fixture
def sqlite():
    connection = sqlite3.connect(":memory:", isolation_level=None)
    register(connection, lambda: NOON)
    yield connection
    connection.close()


def run(connection: sqlite3.Connection, mariadb: str) -> None:
    for sql in translate_statement(mariadb).sql:
        connection.execute(sql)


def value(connection: sqlite3.Connection, expression: str):
    return connection.execute(translate_dml(nest(tokenize(f"SELECT {expression}")))).fetchone()[0]


def test_create_table_with_mariadb_options_runs_on_sqlite(sqlite):
    run(
        sqlite,
        """CREATE TABLE IF NOT EXISTS `readings` (
             `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'row id',
             station VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
             taken DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
             day DATE,
             payload JSON,
             level DECIMAL(6, 2) DEFAULT -1.5,
             PRIMARY KEY (`id`),
             UNIQUE KEY one_per_instant (station, taken),
             KEY by_station (station(10)),
             INDEX (taken)
           ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci AUTO_INCREMENT=100""",
    )
    sqlite.execute("INSERT INTO readings (station, taken) VALUES ('a', '2026-11-02 09:00')")
    row = sqlite.execute("SELECT id, taken, level FROM readings").fetchone()
    assert row == (100, "2026-11-02 09:00:00.000", -1.5)
    indexes = {r[1] for r in sqlite.execute("SELECT * FROM sqlite_master WHERE type = 'index'")}
    assert {"by_station", "readings_taken"} <= indexes
    with pytest.raises(sqlite3.IntegrityError):  # the UNIQUE KEY holds
        sqlite.execute("INSERT INTO readings (station, taken) VALUES ('a', '2026-11-02T09:00:00')")
    sqlite.execute("INSERT INTO readings (station) VALUES ('b')")  # DEFAULT CURRENT_TIMESTAMP
    assert (
        sqlite.execute("SELECT taken FROM readings WHERE station = 'b'").fetchone()[0][:2] == "20"
    )


def test_datetime_columns_refuse_what_mariadb_refuses(sqlite):
    run(sqlite, "CREATE TABLE t (d DATETIME NOT NULL)")
    sqlite.execute("INSERT INTO t VALUES ('2026-11-02 09:00:00.987')")
    assert sqlite.execute("SELECT d FROM t").fetchone() == ("2026-11-02 09:00:00.000",)
    for bad in ("2026-11-02T09:00:00+00:00", "2026-11-02T09:00:00Z", "yesterday"):
        with pytest.raises(sqlite3.IntegrityError, match="Incorrect datetime value for column t.d"):
            sqlite.execute("INSERT INTO t VALUES (?)", (bad,))


def test_date_arithmetic_is_computed_at_the_registered_instant(sqlite):
    assert value(sqlite, "NOW()") == "2026-11-02 12:00:00.000"
    assert value(sqlite, "CURRENT_TIMESTAMP") == "2026-11-02 12:00:00.000"
    assert value(sqlite, "UTC_TIMESTAMP() - INTERVAL 3 HOUR") == "2026-11-02 09:00:00.000"
    assert value(sqlite, "NOW() - INTERVAL 1 HOUR - INTERVAL '30' MINUTE") == (
        "2026-11-02 10:30:00.000"
    )
    assert value(sqlite, "DATE_SUB(NOW(), INTERVAL 1 DAY)") == "2026-11-01 12:00:00.000"
    assert value(sqlite, "DATE_ADD('2026-11-02 23:59:59', INTERVAL (1 + 1) SECOND)") == (
        "2026-11-03 00:00:01.000"
    )
    assert value(sqlite, "(NOW()) + INTERVAL 2 WEEK") == "2026-11-16 12:00:00.000"
    assert value(sqlite, "UNIX_TIMESTAMP()") == 1793620800
    assert (
        value(sqlite, "FROM_UNIXTIME(1793620800 - 1793620800 % 300)") == "2026-11-02 12:00:00.000"
    )
    assert value(sqlite, "CURRENT_DATE") == "2026-11-02"
    assert value(sqlite, "IF(1 > 0, 'yes', 'no')") == "yes"
    assert value(sqlite, "CONCAT('a', 1, 'b')") == "a1b"


def test_compared_utc_literals_become_the_stored_form(sqlite):
    run(sqlite, "CREATE TABLE t (d DATETIME(3))")
    sqlite.execute("INSERT INTO t VALUES ('2026-11-02 12:00:00')")
    for where in (
        "d = '2026-11-02 12:00:00'",
        "'2026-11-02T12:00:00Z' = d",
        "d BETWEEN '2026-11-02 11:00' AND '2026-11-02 12:00:00'",
        'd >= "2026-11-02 12:00:00"',
        "t.d - INTERVAL 1 HOUR = '2026-11-02 11:00:00' -- a qualified column",
    ):
        sql = translate_dml(nest(tokenize(f"SELECT COUNT(*) FROM t WHERE {where}")))
        assert sqlite.execute(sql).fetchone() == (1,), where


def test_on_duplicate_key_update_becomes_an_upsert(sqlite):
    run(sqlite, "CREATE TABLE t (k INT PRIMARY KEY, n INT)")
    run(sqlite, "CREATE TABLE s (k INT, n INT)")
    run(sqlite, "INSERT INTO s VALUES (1, 5), (2, 7)")
    upsert = "INSERT INTO t (k, n) SELECT k, n FROM s ON DUPLICATE KEY UPDATE n = VALUES(n) + t.n"
    run(sqlite, upsert)
    run(sqlite, upsert)
    assert sqlite.execute("SELECT k, n FROM t ORDER BY k").fetchall() == [(1, 10), (2, 14)]
    run(sqlite, "INSERT IGNORE INTO t VALUES (1, 0)")
    assert sqlite.execute("SELECT n FROM t WHERE k = 1").fetchone() == (10,)


def test_session_settings_that_change_nothing_are_accepted():
    for statement in (
        "SET time_zone = '+00:00'",
        "SET NAMES utf8mb4",
        "SET foreign_key_checks = 0, @@session.unique_checks = 0",
    ):
        assert translate_statement(statement).sql == []


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("SELECT 7 DIV 2", "DIV has no SQLite equivalent"),
        ("SELECT NOW() - INTERVAL 1 MONTH", "MONTH: a calendar unit"),
        ("SELECT a + NOW() - INTERVAL 1 HOUR FROM t", "put the date-time in parentheses"),
        ("SELECT INTERVAL 1 HOUR + NOW()", "INTERVAL is translated only as"),
        ("SELECT SYSDATE()", "SYSDATE() reads the server's clock"),
        ("INSERT INTO t SET a = 1", "INSERT … SET"),
        ("CREATE TABLE t (d DATETIME(6))", "use DATETIME(3)"),
        ("CREATE TABLE t (d TIMESTAMP ON UPDATE CURRENT_TIMESTAMP)", "ON UPDATE"),
        ("CREATE TABLE t (k ENUM('a'))", "ENUM"),
        ("CREATE TABLE t (a TEXT, FULLTEXT (a))", "FULLTEXT"),
        ("CREATE TABLE t (a INT) PARTITION BY HASH (a)", "PARTITION"),
        ("ALTER TABLE t ADD COLUMN b INT", "ALTER statements are not translated"),
        ("SET time_zone = 'Europe/Brussels'", "keeps date-times as UTC text"),
        ("SET GLOBAL max_connections = 10", "SET GLOBAL"),
        ("/*!40101 SET NAMES utf8 */", "executable comment"),
        ("CREATE PROCEDURE p() SELECT 1", "CREATE PROCEDURE"),
    ],
)
def test_what_is_not_translated_is_refused_with_the_reason(statement, reason):
    with pytest.raises(Untranslatable) as caught:
        translate_statement(statement, line=4)
    assert reason in caught.value.reason
    assert caught.value.line == 4
