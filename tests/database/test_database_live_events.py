"""Live mode: the scripts' events created in MariaDB for its own scheduler (without waiting for
one to fire); SQLite has no scheduler."""

from __future__ import annotations

from datetime import datetime

import pytest
from database_support import SCRIPTS, root_sql

from sim.database import Database, EventSchedulerUnavailable


@pytest.fixture
def scheduler_state():
    """MariaDB's event_scheduler as it was, restored after the test."""
    [(state,)] = root_sql("SELECT @@GLOBAL.event_scheduler")
    try:
        yield state
    finally:
        root_sql(f"SET GLOBAL event_scheduler = {state}")


def test_live_events_are_created_aligned_in_utc_and_the_scheduler_turned_on(
    tmp_path, mariadb_name, mariadb_url, scheduler_state
):
    root_sql("SET GLOBAL event_scheduler = OFF")
    with Database.open(mariadb_url, directory=tmp_path) as db:
        db.initialize(SCRIPTS)
        assert db.install_events_live() == ["aggregate_last_three_hours"]
    [row] = root_sql(
        "SELECT EVENT_NAME, INTERVAL_VALUE, INTERVAL_FIELD, TIME_ZONE, STATUS, STARTS "
        f"FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '{mariadb_name}'"
    )
    name, value, unit, zone, status, starts = row
    assert (name, value, unit, zone, status) == (
        "aggregate_last_three_hours",
        "5",
        "MINUTE",
        "+00:00",
        "ENABLED",
    )
    assert isinstance(starts, datetime) and starts.minute % 5 == 0 and starts.second == 0
    assert root_sql("SELECT @@GLOBAL.event_scheduler") == [("ON",)]
    root_sql("DROP EVENT aggregate_last_three_hours", database=mariadb_name)
    assert root_sql(
        f"SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '{mariadb_name}'"
    ) == [(0,)]


def test_a_live_event_is_dropped_when_the_database_is_reset(
    tmp_path, mariadb_name, mariadb_url, scheduler_state
):
    with Database.open(mariadb_url, directory=tmp_path) as db:
        db.initialize(SCRIPTS)
        db.install_events_live()
        again = db.initialize(SCRIPTS)
    assert "event aggregate_last_three_hours" in again.dropped
    assert root_sql(
        f"SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '{mariadb_name}'"
    ) == [(0,)]


def test_sqlite_has_no_event_scheduler(tmp_path):
    with Database.open(None, directory=tmp_path) as db:
        db.initialize(SCRIPTS)
        with pytest.raises(EventSchedulerUnavailable, match="SQLite has no event scheduler"):
            db.install_events_live()


def test_a_user_who_may_not_turn_the_scheduler_on_is_told_what_to_do(
    tmp_path, mariadb_name, scheduler_state
):
    root_sql("SET GLOBAL event_scheduler = OFF")
    root_sql(f"CREATE DATABASE `{mariadb_name}`")
    root_sql(f"CREATE USER '{mariadb_name}'@'%' IDENTIFIED BY 'pw-{mariadb_name}'")
    try:
        root_sql(f"GRANT ALL ON `{mariadb_name}`.* TO '{mariadb_name}'@'%'")
        url = f"mysql+pymysql://{mariadb_name}:pw-{mariadb_name}@127.0.0.1:3306/{mariadb_name}"
        with Database.open(url, directory=tmp_path) as db:
            db.initialize(SCRIPTS)
            with pytest.raises(EventSchedulerUnavailable) as caught:
                db.install_events_live()
        message = str(caught.value)
        assert "event_scheduler is OFF" in message and "SUPER" in message
        assert "SET GLOBAL event_scheduler = ON" in message and f"pw-{mariadb_name}" not in message
    finally:
        root_sql(f"DROP USER IF EXISTS '{mariadb_name}'@'%'")
