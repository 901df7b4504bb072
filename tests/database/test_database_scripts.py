"""Initialization scripts split as MariaDB's client splits them, run in name order, and a
statement streamlab cannot apply reported with its file, number and line."""

from __future__ import annotations

import sqlite3

import pytest
from database_support import SCRIPTS

from sim.database import Database, ScriptError, UnsupportedStatement
from sim.database.scripts import load_scripts, split_statements


def test_semicolons_in_strings_comments_and_delimiter_blocks():
    text = (
        "-- a header; with a semicolon\n"
        "CREATE TABLE a (x VARCHAR(9) DEFAULT ';');  # trailing ; comment\n"
        "INSERT INTO a VALUES ('it''s; \\\\'' ;'), (\"q;\"); /* ; */\n"
        "DELIMITER $$\n"
        "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO BEGIN\n"
        "  INSERT INTO a VALUES ('1');\n"
        "  INSERT INTO a VALUES ('2');\n"
        "END$$\n"
        "DELIMITER ;\n"
        "SELECT 1"
    )
    statements = split_statements(text, "x.sql")
    assert [(s.number, s.line) for s in statements] == [(1, 2), (2, 3), (3, 5), (4, 10)]
    assert statements[0].text == "CREATE TABLE a (x VARCHAR(9) DEFAULT ';')"
    assert statements[1].text == "INSERT INTO a VALUES ('it''s; \\\\'' ;'), (\"q;\")"
    assert statements[2].text.startswith("CREATE EVENT e") and statements[2].text.endswith("END")
    assert statements[2].text.count(";") == 2
    assert statements[3].text == "SELECT 1"


def test_an_unterminated_string_names_the_file_and_line():
    with pytest.raises(ScriptError) as caught:
        split_statements("SELECT 1;\n\nSELECT 'oops;\n", "bad.sql")
    assert (caught.value.file, caught.value.statement, caught.value.line) == ("bad.sql", 2, 3)
    assert "never closed" in str(caught.value)


def test_scripts_run_in_name_order_and_shell_scripts_are_refused(tmp_path):
    (tmp_path / "02_b.sql").write_text("SELECT 2;")
    (tmp_path / "01_a.sql").write_text("SELECT 1;")
    (tmp_path / "README.md").write_text("not a script")
    assert [s.text for s in load_scripts(tmp_path)] == ["SELECT 1", "SELECT 2"]
    (tmp_path / "03_c.sh").write_text("echo hi")
    with pytest.raises(ScriptError, match=r"03_c.sh: statement 0 \(line 0\): streamlab applies"):
        load_scripts(tmp_path)


def test_the_lab_scripts_split_into_their_statements():
    statements = load_scripts(SCRIPTS)
    assert [(s.file.rsplit("/", 1)[-1], s.number) for s in statements] == [
        ("01_measurements.sql", 1),
        ("02_aggregates.sql", 1),
        ("03_aggregate_event.sql", 1),
        ("03_aggregate_event.sql", 2),
        ("03_aggregate_event.sql", 3),
    ]


def test_an_untranslatable_statement_names_file_statement_and_line_before_any_change(tmp_path):
    (tmp_path / "01_ok.sql").write_text("CREATE TABLE ok (id INT);\n")
    (tmp_path / "02_bad.sql").write_text(
        "CREATE TABLE fine (id INT);\n\n"
        "CREATE TABLE readings (\n"
        "  id INT,\n"
        "  kind ENUM('pm25', 'no2') NOT NULL\n"
        ");\n"
    )
    with (
        Database.open(None, directory=tmp_path, name="t") as db,
        pytest.raises(UnsupportedStatement) as caught,
    ):
        db.initialize(tmp_path)
    error = caught.value
    assert error.file == str(tmp_path / "02_bad.sql")
    assert (error.statement, error.line) == (2, 5)
    assert "ENUM" in str(error) and "statement 2 (line 5)" in str(error)
    with sqlite3.connect(tmp_path / "t.sqlite") as connection:  # nothing was applied
        assert connection.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_a_statement_mariadb_refuses_names_file_and_statement(tmp_path, mariadb_url):
    (tmp_path / "01.sql").write_text("CREATE TABLE a (id INT);\nCREATE TABLE a (id INT);\n")
    with Database.open(mariadb_url, directory=tmp_path) as db, pytest.raises(ScriptError) as caught:
        db.initialize(tmp_path)
    assert (caught.value.statement, caught.value.line) == (2, 2)
    assert "MariaDB refused it: (1050) Table 'a' already exists" in str(caught.value)


def test_use_of_another_database_is_refused(tmp_path):
    (tmp_path / "01.sql").write_text("CREATE DATABASE IF NOT EXISTS t;\nUSE other;\n")
    with (
        Database.open(None, directory=tmp_path, name="t") as db,
        pytest.raises(ScriptError, match="uses database other, but this run's database is t"),
    ):
        db.initialize(tmp_path)
