"""CREATE EVENT parsed into a schedule and a body; when a simulation fires it."""

from __future__ import annotations

import pytest
from database_support import epoch, utc

from sim.database import UnsupportedStatement
from sim.database.events import parse_event
from sim.database.scripts import split_statements

START = epoch(utc("2026-11-02T09:02:30Z"))


def event(sql: str, *, sqlite: bool = True):
    [statement] = split_statements(sql, "e.sql")
    return parse_event(statement, sqlite=sqlite)


def hhmm(instants: list[float]) -> list[str]:
    from sim.database.sqlite_time import canonical

    return [canonical(t)[11:16] for t in instants]


def test_every_without_starts_fires_on_the_interval_boundaries_from_the_start():
    parsed = event(
        "CREATE EVENT IF NOT EXISTS agg ON SCHEDULE EVERY 5 MINUTE "
        "ON COMPLETION PRESERVE ENABLE COMMENT 'x' DO INSERT INTO t SELECT NOW()"
    )
    assert (parsed.name, parsed.every, parsed.interval, parsed.enabled) == (
        "agg",
        300.0,
        "5 MINUTE",
        True,
    )
    assert parsed.body == "INSERT INTO t SELECT NOW()"
    assert parsed.sqlite_body == ["INSERT INTO t SELECT NOW()"]
    assert hhmm(parsed.fire_times(START, START + 1200)) == ["09:05", "09:10", "09:15", "09:20"]
    on_boundary = epoch(utc("2026-11-02T09:00:00Z"))
    assert hhmm(parsed.fire_times(on_boundary, on_boundary + 600)) == ["09:00", "09:05"]


def test_starts_and_ends_literals_and_relative_times():
    parsed = event(
        "CREATE EVENT e ON SCHEDULE EVERY '1' HOUR STARTS '2026-11-02 08:30:00' "
        "ENDS '2026-11-02 11:30:00' DO DELETE FROM t"
    )
    assert hhmm(parsed.fire_times(START, START + 86400)) == ["09:30", "10:30", "11:30"]
    relative = event(
        "CREATE EVENT e ON SCHEDULE EVERY 10 SECOND "
        "STARTS CURRENT_TIMESTAMP + INTERVAL 1 MINUTE ENDS NOW() + INTERVAL 90 SECOND "
        "DO DELETE FROM t"
    )
    assert [t - START for t in relative.fire_times(START, START + 600)] == [60, 70, 80, 90]


def test_at_fires_once_and_disable_never():
    once = event("CREATE EVENT e ON SCHEDULE AT '2026-11-02 10:00:00' DO DELETE FROM t")
    assert hhmm(once.fire_times(START, START + 86400)) == ["10:00"]
    assert once.fire_times(START + 86400, START + 2 * 86400) == []
    off = event("CREATE EVENT e ON SCHEDULE EVERY 1 MINUTE DISABLE ON SLAVE DO DELETE FROM t")
    assert off.fire_times(START, START + 600) == []


def test_a_compound_body_runs_as_an_anonymous_block_on_mariadb_and_statement_by_statement():
    [statement] = split_statements(
        "DELIMITER //\n"
        "CREATE DEFINER = `root`@`localhost` EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN\n"
        "  DELETE FROM t WHERE d < NOW() - INTERVAL 7 DAY;\n"
        "  INSERT INTO log VALUES (NOW());\n"
        "END//\n",
        "e.sql",
    )
    parsed = parse_event(statement, sqlite=True)
    assert parsed.body.startswith("BEGIN NOT ATOMIC\n  DELETE FROM t")
    assert parsed.body.endswith("END")
    assert parsed.sqlite_body == [
        "DELETE FROM t WHERE d < STREAMLAB_ADD_SECONDS(NOW(), (7) * -86400)",
        "INSERT INTO log VALUES (NOW())",
    ]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("CREATE EVENT e ON SCHEDULE EVERY 1 MONTH DO DELETE FROM t", "EVERY 1 MONTH"),
        ("CREATE EVENT e ON SCHEDULE EVERY '1:30' HOUR_MINUTE DO DELETE FROM t", "HOUR_MINUTE"),
        ("CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO CALL tidy()", "CALL is not translated"),
        ("CREATE EVENT e ON SCHEDULE EVERY 1 HOUR STARTS DATE(NOW()) DO DELETE FROM t", "literal"),
    ],
)
def test_what_streamlab_cannot_schedule_names_the_statement(sql, reason):
    with pytest.raises(UnsupportedStatement) as caught:
        event("\n\n" + sql)
    assert reason in str(caught.value)
    assert (caught.value.file, caught.value.statement, caught.value.line) == ("e.sql", 1, 3)


def test_mariadb_bodies_are_not_translated():
    parsed = event("CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO CALL tidy()", sqlite=False)
    assert parsed.body == "CALL tidy()" and parsed.sqlite_body is None
