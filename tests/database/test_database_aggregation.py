"""The scheduled aggregation on SQLite and on the real MariaDB: initialised from the lab's scripts,
fired at simulated instants, checked against the same windows computed in Python."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from database_support import (
    SCRIPTS,
    epoch,
    expected_aggregates,
    measurements,
    utc,
)
from sqlalchemy import create_engine, text

from sim.clock import Clock, ProcessTime
from sim.database import Database

START = utc("2026-11-02T09:00:00Z")
INSERT = text(
    "INSERT INTO measurements (location, city, country, parameter, value, unit, date_utc, "
    "date_local, latitude, longitude) VALUES (:location, :city, :country, :parameter, :value, "
    ":unit, :date_utc, :date_local, :latitude, :longitude)"
)


def ingest(db: Database, rows: list[dict]) -> None:
    """As the ingestion Lambda would: its own connection to ``db.url``. Date-times go in as
    MariaDB takes them: datetime objects and 'YYYY-MM-DDTHH:MM:SS' text, alternately."""
    engine = create_engine(db.url)
    try:
        with engine.begin() as connection:
            connection.execute(
                INSERT,
                [
                    dict(row, date_utc=row["date_utc"].strftime("%Y-%m-%dT%H:%M:%S"))
                    if i % 2
                    else row
                    for i, row in enumerate(rows)
                ],
            )
    finally:
        engine.dispose()


def aggregates_at(db: Database, window_end: datetime) -> dict[tuple, dict]:
    rows = db.query(
        "SELECT city, parameter, window_start, window_end, avg_value, min_value, max_value, "
        "measurements FROM aggregates WHERE window_end = :end",
        {"end": window_end.strftime("%Y-%m-%d %H:%M:%S")},
    )
    for row in rows:
        assert row["window_start"] == window_end - timedelta(hours=3)
        assert row["window_end"] == window_end
    return {
        (row["city"], row["parameter"]): {
            key: row[key] for key in ("avg_value", "min_value", "max_value", "measurements")
        }
        for row in rows
    }


def assert_matches(found: dict[tuple, dict], expected: dict[tuple, dict]) -> None:
    assert found.keys() == expected.keys()
    for key, values in expected.items():
        assert found[key]["measurements"] == values["measurements"], key
        assert found[key]["min_value"] == values["min_value"], key
        assert found[key]["max_value"] == values["max_value"], key
        assert found[key]["avg_value"] == pytest.approx(values["avg_value"], rel=1e-12), key


def test_initialization_creates_the_tables_and_reads_the_event(database):
    init = database.initialize(SCRIPTS)
    assert [p.rsplit("/", 1)[-1] for p in init.scripts] == [
        "01_measurements.sql",
        "02_aggregates.sql",
        "03_aggregate_event.sql",
    ]
    assert not init.reset and init.dropped == []
    assert database.query("SELECT COUNT(*) AS n FROM measurements") == [{"n": 0}]
    assert database.query("SELECT COUNT(*) AS n FROM aggregates") == [{"n": 0}]
    [event] = database.events
    assert (event.name, event.every, event.interval) == (
        "aggregate_last_three_hours",
        300,
        "5 MINUTE",
    )
    if database.kind == "mariadb":  # a simulation does not create the event in MariaDB
        assert database.query(
            "SELECT COUNT(*) AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()"
        ) == [{"n": 0}]


def test_a_database_initialised_before_is_reset(database):
    database.initialize(SCRIPTS)
    ingest(database, measurements(1, START, 1, 10))
    again = database.initialize(SCRIPTS)
    assert again.reset
    assert sorted(again.dropped) == ["table aggregates", "table measurements"]
    assert database.query("SELECT COUNT(*) AS n FROM measurements") == [{"n": 0}]
    assert len(database.query("SELECT * FROM streamlab_runs")) == 2


def test_fired_aggregation_equals_python_computation(database):
    database.initialize(SCRIPTS)
    rows = measurements(seed=7, start=START, hours=4, count=400)
    ingest(database, rows)
    [event] = database.events
    ends = [
        utc(f"2026-11-02T{t}Z")
        for t in ("09:00:00", "10:00:00", "11:35:00", "12:00:00", "13:00:00")
    ]
    for end in ends:
        database.fire(event, epoch(end))
    for end in ends:
        assert_matches(aggregates_at(database, end), expected_aggregates(rows, end))
    # the windows are not empty: the check compares something
    assert sum(v["measurements"] for v in expected_aggregates(rows, ends[3]).values()) > 200


def test_now_follows_the_simulated_instant(database):
    database.initialize(SCRIPTS)
    ingest(database, measurements(seed=3, start=START, hours=3, count=50))
    [event] = database.events
    database.fire(event, epoch(utc("2026-11-02T12:00:00Z")))
    [(start, end)] = {
        (r["window_start"], r["window_end"])
        for r in database.query("SELECT window_start, window_end FROM aggregates")
    }
    assert (start, end) == (utc("2026-11-02T09:00:00Z"), utc("2026-11-02T12:00:00Z"))
    # a firing late within the five minutes computes the same window (truncated)
    late = database.fire(event, epoch(utc("2026-11-02T12:03:20Z")) + 0.5)
    assert late > 0
    ends = database.query("SELECT DISTINCT window_end FROM aggregates")
    assert ends == [{"window_end": utc("2026-11-02T12:00:00Z")}]


def test_query_now_is_the_process_time_a_run_binds(database):
    clock = Clock(epoch(utc("2026-11-02T12:34:56Z")))
    with ProcessTime(clock):
        [row] = database.query("SELECT NOW() AS now")
    assert row["now"] == utc("2026-11-02T12:34:56Z")


def test_firing_twice_at_one_instant_neither_fails_nor_duplicates(database):
    database.initialize(SCRIPTS)
    rows = measurements(seed=5, start=START, hours=3, count=60)
    ingest(database, rows)
    [event] = database.events
    noon = utc("2026-11-02T12:00:00Z")
    database.fire(event, epoch(noon))
    first = aggregates_at(database, noon)
    database.fire(event, epoch(noon))
    assert aggregates_at(database, noon) == first
    count = database.query("SELECT COUNT(*) AS n FROM aggregates")[0]["n"]
    assert count == len(first)
    # a late measurement inside the window: the re-fire updates the row in place
    late = dict(rows[0], date_utc=noon - timedelta(minutes=1), value=999.0)
    ingest(database, [late])
    database.fire(event, epoch(noon))
    assert database.query("SELECT COUNT(*) AS n FROM aggregates")[0]["n"] == count
    assert_matches(aggregates_at(database, noon), expected_aggregates([*rows, late], noon))


def test_events_fire_on_the_clock_every_five_minutes_from_the_first_boundary(database):
    database.initialize(SCRIPTS)
    rows = measurements(seed=11, start=START, hours=3, count=120)
    ingest(database, rows)
    start = epoch(utc("2026-11-02T09:02:30Z"))
    end = epoch(utc("2026-11-02T12:00:01Z"))
    clock = Clock(start)
    runs = database.schedule_events(clock, start, end)
    clock.run(until=end)
    summary = runs.summary()["aggregate_last_three_hours"]
    assert summary["fires"] == 36  # 09:05, 09:10, … 12:00
    assert summary["first_fire"] == "2026-11-02 09:05:00.000"
    assert summary["last_fire"] == "2026-11-02 12:00:00.000"
    assert summary["failures"] == 0 and runs.errors == []
    ends = database.query("SELECT COUNT(DISTINCT window_end) AS n FROM aggregates")[0]["n"]
    assert ends == 36
    expected_rows = sum(
        len(expected_aggregates(rows, utc("2026-11-02T09:05:00Z") + timedelta(minutes=5 * k)))
        for k in range(36)
    )
    assert summary["rows"] == expected_rows
    noon = utc("2026-11-02T12:00:00Z")
    assert_matches(aggregates_at(database, noon), expected_aggregates(rows, noon))


def test_a_failing_body_is_recorded_and_the_schedule_goes_on(database):
    database.initialize(SCRIPTS)
    database.query("DROP TABLE aggregates")
    start = epoch(utc("2026-11-02T09:00:00Z"))
    clock = Clock(start)
    runs = database.schedule_events(clock, start, start + 900)
    clock.run(until=start + 900)
    summary = runs.summary()["aggregate_last_three_hours"]
    assert summary["fires"] == 3 and summary["failures"] == 3
    assert "aggregate_last_three_hours" in runs.errors[0]
    assert "aggregates" in runs.errors[0]
