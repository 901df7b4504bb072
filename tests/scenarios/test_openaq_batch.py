"""scenarios/openaq-batch.yaml end to end, on embedded SQLite and on the real MariaDB: the
aggregate table's last window equals an independent computation over the produced
measurements; a MariaDB that cannot be reached is a clear error with the password hidden."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from sim import Simulation
from tests.openaq_windows import measurements, windows

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = str(ROOT / "scenarios" / "openaq-batch.yaml")
MARIADB = "mysql+pymysql://root@127.0.0.1:3306"
LAST_WINDOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def expected():
    return windows(measurements(SCENARIO, "belgium"), LAST_WINDOW)


@pytest.fixture
def mariadb_url():
    name = f"streamlab_openaq_{os.getpid()}"
    yield f"{MARIADB}/{name}"
    with sa.create_engine(f"{MARIADB}/").connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))


def run(database_url: str | None = None):
    urls = {"openaq": database_url} if database_url else None
    with Simulation.from_file(SCENARIO, database_urls=urls) as simulation:
        result = simulation.run()
        rows = simulation.databases["openaq"].query(
            "SELECT city, parameter, avg_value, min_value, max_value, measurements "
            "FROM aggregates WHERE window_end = :end",
            {"end": LAST_WINDOW.replace(tzinfo=None)},
        )
    return result, rows


def check_last_window(rows, expected) -> None:
    got = {(row["city"], row["parameter"]): row for row in rows}
    assert set(got) == set(expected)
    for key, want in expected.items():
        row = got[key]
        assert row["measurements"] == want["count"], key
        assert row["min_value"] == want["min"] and row["max_value"] == want["max"], key
        assert row["avg_value"] == pytest.approx(want["avg"], rel=1e-9), key


def test_sqlite_the_last_window_equals_an_independent_computation(expected):
    result, rows = run()
    assert result.passed, result.report()
    check_last_window(rows, expected)
    assert len(expected) == 60  # ten cities, six parameters
    report = result.report()
    assert "openaq.aggregate_last_three_hours: 37 fires" in report
    assert "refused (rejected by openaq-ingest: negative value)" in report


def test_mariadb_the_same(mariadb_url, expected):
    result, rows = run(mariadb_url)
    assert result.passed, result.report()
    check_last_window(rows, expected)


def test_a_mariadb_that_is_down_is_a_clear_error_with_the_password_hidden(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            SCENARIO,
            "--in-process",
            "--no-progress",
            "--db",
            "mysql+pymysql://root:s3cret-pw@127.0.0.1:1/openaq_sim",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "s3cret-pw" not in done.stdout + done.stderr
    assert "mysql+pymysql://root:***@127.0.0.1:1/openaq_sim" in done.stderr
    assert "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd" in (
        done.stderr
    )
