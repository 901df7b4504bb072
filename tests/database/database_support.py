"""Helpers of the database tests: the real MariaDB on 127.0.0.1:3306 (root, no password), unique
database names, measurements and their aggregates computed independently in Python."""

from __future__ import annotations

import itertools
import os
import random
import socket
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "queries" / "initialization"
MARIADB_HOST = "127.0.0.1"
MARIADB_PORT = 3306
MARIADB_SERVER = f"mysql+pymysql://root@{MARIADB_HOST}:{MARIADB_PORT}"
WINDOW = timedelta(hours=3)
_names = itertools.count(1)


def unique_name(prefix: str = "streamlab_test") -> str:
    return f"{prefix}_{os.getpid()}_{next(_names)}"


def root_sql(*statements: str, database: str | None = None) -> list[tuple]:
    """Run statements as MariaDB's root; the last one's rows."""
    connection = pymysql.connect(
        host=MARIADB_HOST, port=MARIADB_PORT, user="root", database=database, autocommit=True
    )
    try:
        with connection.cursor() as cursor:
            rows: list[tuple] = []
            for statement in statements:
                cursor.execute(statement)
                rows = list(cursor.fetchall())
            return rows
    finally:
        connection.close()


def free_port() -> int:
    """A TCP port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def utc(text: str) -> datetime:
    """A naive UTC datetime, as the DATETIME columns hold."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=UTC).timestamp()


def measurements(seed: int, start: datetime, hours: int, count: int) -> list[dict]:
    """OpenAQ-shaped rows (city, parameter, value, date_utc) spread over ``hours``, plus rows
    exactly on five-minute boundaries (a window includes its start, excludes its end)."""
    rng = random.Random(seed)
    cities = ["Brussels", "Antwerpen", "Liège"]
    parameters = ["pm25", "no2", "o3"]
    rows = []
    for _ in range(count):
        moment = start + timedelta(seconds=rng.randrange(hours * 3600))
        rows.append(_row(rng.choice(cities), rng.choice(parameters), rng, moment))
    for minutes in range(0, hours * 60, 25):
        rows.append(_row("Brussels", "pm25", rng, start + timedelta(minutes=minutes)))
    return rows


def _row(city: str, parameter: str, rng: random.Random, moment: datetime) -> dict:
    return {
        "location": f"{city} - station",
        "city": city,
        "country": "BE",
        "parameter": parameter,
        "value": round(rng.uniform(0, 80), 2),
        "unit": "µg/m³",
        "date_utc": moment,
        "date_local": (moment + timedelta(hours=1)).isoformat() + "+01:00",
        "latitude": 50.85,
        "longitude": 4.35,
    }


INSERT = (
    "INSERT INTO measurements (location, city, country, parameter, value, unit, date_utc, "
    "date_local, latitude, longitude) VALUES (%s)"
)
COLUMNS = (
    "location",
    "city",
    "country",
    "parameter",
    "value",
    "unit",
    "date_utc",
    "date_local",
    "latitude",
    "longitude",
)


def expected_aggregates(rows: list[dict], window_end: datetime) -> dict[tuple, dict]:
    """The window ending at ``window_end``, computed here: (city, parameter) → avg/min/max/count
    of the values with window_end - 3 h <= date_utc < window_end."""
    groups: dict[tuple, list[float]] = defaultdict(list)
    for row in rows:
        if window_end - WINDOW <= row["date_utc"] < window_end:
            groups[(row["city"], row["parameter"])].append(row["value"])
    return {
        key: {
            "avg_value": sum(values) / len(values),
            "min_value": min(values),
            "max_value": max(values),
            "measurements": len(values),
        }
        for key, values in groups.items()
    }
