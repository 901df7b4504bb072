"""``sim produce`` (sim/produce.py): the OpenAQ producer on a (fake) wall clock, each
measurement through the ingestion Lambda's code into real SQLite, the real MariaDB on
127.0.0.1:3306, or a Kinesis stream of the embedded backend (in-process and over HTTP)."""

from __future__ import annotations

import argparse
import io
import json
import re
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pymysql
import pytest

from consumers import openaq_ingest
from sim.backends.embedded.server import EndpointServer
from sim.daemon import free_port
from sim.produce import (
    MAX_BATCH,
    WallClock,
    duration_arg,
    param_arg,
    produce_command,
    read_config,
)

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "queries" / "initialization" / "01_measurements.sql"
MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root"}
START = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC).timestamp()
STREAM = "openaq-measurements"


@pytest.fixture(autouse=True)
def close_engines():
    """The handler keeps one engine per URL, as in a Lambda container; close them after a test
    (their databases are dropped)."""
    yield
    for engine in openaq_ingest._engines.values():
        engine.dispose()
    openaq_ingest._engines.clear()


class FakeClock:
    """Wall time that moves only when the command sleeps; ``on_sleep(n)`` runs at each sleep."""

    def __init__(self, start: float = START, on_sleep=None):
        self.time = start
        self.sleeps = 0
        self.on_sleep = on_sleep

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps += 1
        if self.on_sleep is not None:
            self.on_sleep(self.sleeps)
        self.time += seconds

    def wall(self) -> WallClock:
        return WallClock(now=self.now, sleep=self.sleep)


def produce(**options) -> tuple[int, str, str]:
    """Run the command; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    arguments = {
        "producer": "openaq",
        "rate_per_minute": 100.0,
        "count": None,
        "duration": None,
        "seed": 7,
        "db_url": None,
        "config_file": None,
        "stream": None,
        "endpoint_url": None,
        "clock": FakeClock().wall(),
    }
    arguments.update(options)
    status = produce_command(**arguments, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def sqlite_schema() -> str:
    """01_measurements.sql adapted to SQLite: an INTEGER key, no inline INDEX clauses."""
    text = SCHEMA.read_text()
    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("INDEX"))
    text = re.sub(r"BIGINT\s+NOT NULL AUTO_INCREMENT PRIMARY KEY", "INTEGER PRIMARY KEY", text)
    return re.sub(r",(\s*\);)", r"\1", text)


@pytest.fixture
def sqlite_db(tmp_path) -> Path:
    path = tmp_path / "openaq.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(sqlite_schema())
    return path


def sqlite_query(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture
def mariadb():
    """A fresh database with the real schema on the local MariaDB; dropped afterwards."""
    name = f"openaq_test_{uuid.uuid4().hex[:12]}"
    admin = pymysql.connect(**MARIADB, autocommit=True)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
            cursor.execute(f"USE {name}")
            cursor.execute(SCHEMA.read_text())
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.close()


def mariadb_query(database: str, sql: str) -> list[tuple]:
    connection = pymysql.connect(**MARIADB, database=database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())
    finally:
        connection.close()


@pytest.fixture
def mariadb_user(mariadb):
    """A user with a password on the test database; dropped afterwards."""
    user = f"oq_{uuid.uuid4().hex[:10]}"
    password = f"Pw-{uuid.uuid4().hex}"
    admin = pymysql.connect(**MARIADB, autocommit=True)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
            cursor.execute(f"GRANT ALL ON {mariadb}.* TO '{user}'@'%'")
        yield user, password
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        admin.close()


def write_config(path: Path, **settings: str) -> Path:
    path.write_text("".join(f'{key} = "{value}"\n' for key, value in settings.items()))
    return path


@pytest.fixture
def aws_env(cloud, monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", cloud.region)
    monkeypatch.setenv("AWS_DEFAULT_REGION", cloud.region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    cloud.client("kinesis").create_stream(StreamName=STREAM, ShardCount=2)
    return cloud


def stream_records(kinesis) -> list[dict]:
    records = []
    for shard in kinesis.list_shards(StreamName=STREAM)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=STREAM, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while True:
            answer = kinesis.get_records(ShardIterator=iterator, Limit=10000)
            records += answer["Records"]
            if not answer["Records"]:
                break
            iterator = answer["NextShardIterator"]
    return records


# -- SQLite ---------------------------------------------------------------------------------
def test_measurements_at_the_rate_with_a_progress_line_a_minute_into_sqlite(sqlite_db):
    clock = FakeClock()
    status, out, err = produce(db_url=f"sqlite:///{sqlite_db}", count=250, clock=clock.wall())
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"sim produce: openaq (seed 7) at 100/min into sqlite:///{sqlite_db}; Ctrl-C stops",
        "[01:00] 101 measurements: 101 stored, 0 rejected",
        "[02:00] 201 measurements: 201 stored, 0 rejected",
        f"sim produce: 250 measurements in 149.4 s: 250 stored in sqlite:///{sqlite_db}, "
        "0 rejected",
    ]
    times = [t for (t,) in sqlite_query(sqlite_db, "SELECT date_utc FROM measurements ORDER BY id")]
    assert len(times) == 250
    # one tick every 0.6 s of the wall clock, stamped when it is emitted (whole seconds)
    assert times[0] == "2026-11-02 09:00:00.000000"
    assert times[100] == "2026-11-02 09:01:00.000000"
    assert times[-1] == "2026-11-02 09:02:29.000000"
    cities = {c for (c,) in sqlite_query(sqlite_db, "SELECT DISTINCT city FROM measurements")}
    assert len(cities) == 10


def test_invalid_measurements_are_rejected_by_the_lambdas_rules_and_counted(sqlite_db):
    status, out, _ = produce(
        db_url=f"sqlite:///{sqlite_db}",
        count=400,
        rate_per_minute=0,
        params={"invalid_fraction": 0.25},
    )
    assert status == 0
    summary = out.splitlines()[-1]
    match = re.match(
        r"sim produce: 400 measurements in .* s: (\d+) stored in .*, (\d+) rejected \((.*)\)$",
        summary,
    )
    assert match, summary
    stored, rejected = int(match.group(1)), int(match.group(2))
    assert stored + rejected == 400 and 60 < rejected < 140
    reasons = dict(part.rsplit(": ", 1) for part in match.group(3).split("; "))
    assert sum(int(n) for n in reasons.values()) == rejected
    assert {"negative value", "bad date.utc", "value is not a number"} <= set(reasons)
    assert sqlite_query(sqlite_db, "SELECT COUNT(*), MIN(value) FROM measurements")[0][0] == stored
    assert sqlite_query(sqlite_db, "SELECT MIN(value) FROM measurements")[0][0] >= 0


def test_duration_stops_the_command_on_time(sqlite_db):
    clock = FakeClock()
    status, out, _ = produce(db_url=f"sqlite:///{sqlite_db}", duration=90, clock=clock.wall())
    assert status == 0
    assert clock.time - START == pytest.approx(90)
    assert sqlite_query(sqlite_db, "SELECT COUNT(*) FROM measurements") == [(150,)]
    assert out.splitlines()[-1].startswith("sim produce: 150 measurements in 90.0 s: 150 stored")


def test_rate_zero_sends_batches_as_fast_as_possible(sqlite_db):
    clock = FakeClock()
    status, _, _ = produce(
        db_url=f"sqlite:///{sqlite_db}", rate_per_minute=0, count=1234, clock=clock.wall()
    )
    assert status == 0
    assert clock.sleeps == 0 and clock.time == START
    assert sqlite_query(sqlite_db, "SELECT COUNT(*) FROM measurements") == [(1234,)]
    assert MAX_BATCH == 500


def test_ctrl_c_stops_cleanly_with_the_summary(sqlite_db):
    def interrupt(sleeps):
        if sleeps == 40:
            raise KeyboardInterrupt

    clock = FakeClock(on_sleep=interrupt)
    status, out, err = produce(db_url=f"sqlite:///{sqlite_db}", clock=clock.wall())
    assert (status, err) == (0, "")
    [(stored,)] = sqlite_query(sqlite_db, "SELECT COUNT(*) FROM measurements")
    assert stored == 40
    assert out.splitlines()[-1] == (
        f"sim produce: 40 measurements in 23.4 s: 40 stored in sqlite:///{sqlite_db}, "
        "0 rejected (interrupted)"
    )


def test_a_store_failing_mid_run_stops_with_exit_2_and_the_summary(sqlite_db):
    def drop_table(sleeps):
        if sleeps == 10:
            with sqlite3.connect(sqlite_db) as connection:
                connection.execute("DROP TABLE measurements")

    clock = FakeClock(on_sleep=drop_table)
    status, out, err = produce(db_url=f"sqlite:///{sqlite_db}", clock=clock.wall())
    assert status == 2
    assert f"sim produce: sqlite:///{sqlite_db}: " in err and "no such table" in err
    assert out.splitlines()[-1].endswith("(stopped by the error above)")
    assert "sim produce: 10 measurements" in out.splitlines()[-1]


def test_a_missing_table_or_file_is_reported_before_anything_is_sent(tmp_path):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    status, out, err = produce(db_url=f"sqlite:///{empty}", count=5)
    assert (status, out) == (2, "")
    assert err == (
        f"sim produce: sqlite:///{empty} has no table measurements "
        "(create it with queries/initialization/01_measurements.sql)\n"
    )
    missing = tmp_path / "nope.db"
    status, _, err = produce(db_url=f"sqlite:///{missing}", count=5)
    assert status == 2 and "no such database file" in err
    assert not missing.exists()


# -- MariaDB --------------------------------------------------------------------------------
def test_measurements_into_mariadb(mariadb):
    url = f"mysql+pymysql://root@127.0.0.1:3306/{mariadb}"
    status, out, err = produce(db_url=url, count=600, rate_per_minute=0)
    assert (status, err) == (0, "")
    assert f"600 stored in {url}" in out
    [(rows, cities, unit)] = mariadb_query(
        mariadb, "SELECT COUNT(*), COUNT(DISTINCT city), MIN(unit) FROM measurements"
    )
    assert (rows, cities, unit) == (600, 10, "µg/m³")
    [(liege,)] = mariadb_query(mariadb, "SELECT COUNT(*) FROM measurements WHERE city = 'Liège'")
    assert liege > 0


def test_a_config_file_names_the_database_and_its_password_is_never_shown(
    tmp_path, mariadb, mariadb_user
):
    user, password = mariadb_user
    config = write_config(
        tmp_path / "openaq.db.conf",
        DB_USERNAME=user,
        DB_PASSWORD=password,
        DB_HOSTNAME="127.0.0.1",
        DB_NAME=mariadb,
    )
    status, out, err = produce(config_file=str(config), count=120, rate_per_minute=6000)
    assert (status, err) == (0, "")
    assert f"into mysql+pymysql://{user}:***@127.0.0.1:3306/{mariadb};" in out
    assert password not in out
    assert mariadb_query(mariadb, "SELECT COUNT(*) FROM measurements") == [(120,)]

    wrong = password[::-1]
    write_config(
        config, DB_USERNAME=user, DB_PASSWORD=wrong, DB_HOSTNAME="127.0.0.1", DB_NAME=mariadb
    )
    status, out, err = produce(config_file=str(config), count=5)
    assert (status, out) == (2, "")
    assert err.startswith(f"sim produce: cannot connect to mysql+pymysql://{user}:***@127.0.0.1")
    assert "Access denied" in err
    assert wrong not in err and password not in err


def test_a_down_mariadb_is_a_clear_error_and_exit_2():
    port = free_port()
    password = "Hunter2-s3cret-pw"
    url = f"mysql+pymysql://openaq:{password}@127.0.0.1:{port}/openaq"
    status, out, err = produce(db_url=url, count=5)
    assert (status, out) == (2, "")
    assert err.startswith(
        f"sim produce: cannot connect to mysql+pymysql://openaq:***@127.0.0.1:{port}/openaq: "
    )
    assert "Connection refused" in err
    assert password not in err


def test_the_seed_config_with_the_default_database_name(tmp_path):
    """DB_NAME defaults to openaq, as the seed's database; port 3306."""
    config = write_config(
        tmp_path / "c.conf", DB_USERNAME="nobody", DB_PASSWORD="pw-xyz-123", DB_HOSTNAME="127.0.0.1"
    )
    settings = read_config(config)
    assert settings == {
        "DB_USERNAME": "nobody",
        "DB_PASSWORD": "pw-xyz-123",
        "DB_HOSTNAME": "127.0.0.1",
    }
    status, _, err = produce(config_file=str(config), count=1)
    assert status == 2
    assert "mysql+pymysql://nobody:***@127.0.0.1:3306/openaq" in err
    assert "pw-xyz-123" not in err


# -- the configuration file -----------------------------------------------------------------
def test_config_files_allow_comments_blank_lines_and_optional_settings(tmp_path):
    config = tmp_path / "db.conf"
    config.write_text(
        "# the seed's database configuration\n"
        "\n"
        'DB_USERNAME = "admin"\n'
        "DB_PASSWORD='p\"w # not a comment'   # a trailing comment\n"
        'DB_HOSTNAME   =   "db.example"\n'
        "DB_PORT = 3307\n"
        'DB_NAME = "aq"\n'
    )
    assert read_config(config) == {
        "DB_USERNAME": "admin",
        "DB_PASSWORD": 'p"w # not a comment',
        "DB_HOSTNAME": "db.example",
        "DB_PORT": "3307",
        "DB_NAME": "aq",
    }


SECRET = "Sup3r-Secret-Value"
BAD_CONFIGS = [
    (
        f'DB_USERNAME = "u"\nDB_PASSWORD = {SECRET}\nDB_HOSTNAME = "h"\n',
        2,
        'the value of DB_PASSWORD must be a quoted string, as in DB_PASSWORD = "..."',
    ),
    (f'DB_USERNAME = "u"\n{SECRET}\n', 2, 'expected a setting such as DB_HOSTNAME = "localhost"'),
    (
        f'DB_USERNAME = "u"\nDB_PASSWORD = "{SECRET}"\nDB_HOST = "h"\n',
        3,
        "unknown setting DB_HOST (expected DB_USERNAME, DB_PASSWORD, DB_HOSTNAME, DB_PORT, DB_NAME)",
    ),
    (
        f'DB_PASSWORD = "{SECRET}"\nDB_PASSWORD = "{SECRET}"\n',
        2,
        "DB_PASSWORD is set twice (first on line 1)",
    ),
    (
        f"DB_PASSWORD = __import__('os').system('{SECRET}')\n",
        1,
        "the value of DB_PASSWORD must be a quoted string",
    ),
    (
        f'DB_PASSWORD = "{SECRET}\nDB_USERNAME = "u"\n',
        1,
        "the value of DB_PASSWORD must be a quoted string",
    ),
    ('DB_USERNAME = ""\n', 1, "DB_USERNAME is empty"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD_CONFIGS)
def test_a_bad_config_line_is_named_by_file_and_line_never_by_its_value(
    tmp_path, text, line, message
):
    config = tmp_path / "openaq.db.conf"
    config.write_text(text)
    status, out, err = produce(config_file=str(config), count=1)
    assert (status, out) == (2, "")
    assert err.startswith(f"sim produce: {config}: line {line}: {message}")
    assert SECRET not in err


def test_a_config_file_missing_settings_or_missing_altogether(tmp_path):
    config = write_config(tmp_path / "c.conf", DB_USERNAME="u")
    status, _, err = produce(config_file=str(config), count=1)
    assert status == 2
    assert err.startswith(f"sim produce: {config}: missing DB_PASSWORD, DB_HOSTNAME (")
    status, _, err = produce(config_file=str(tmp_path / "absent.conf"), count=1)
    assert status == 2
    assert (
        err == f"sim produce: {tmp_path / 'absent.conf'}: cannot read: No such file or directory\n"
    )


# -- Kinesis --------------------------------------------------------------------------------
def test_measurements_onto_a_stream_keyed_by_location(aws_env):
    status, out, err = produce(
        stream=STREAM, count=120, rate_per_minute=0, params={"invalid_fraction": 0.1}
    )
    assert (status, err) == (0, "")
    summary = out.splitlines()[-1]
    stored = int(
        re.search(r": (\d+) stored in stream openaq-measurements at AWS", summary).group(1)
    )
    records = stream_records(aws_env.client("kinesis"))
    assert len(records) == stored and 90 < stored < 120
    for record in records:
        measurement = json.loads(record["Data"])
        assert record["PartitionKey"] == measurement["location"]
        assert measurement["value"] >= 0


def test_measurements_onto_a_stream_through_an_endpoint(aws_env):
    server = EndpointServer(aws_env.backend, port=free_port()).start()
    try:
        status, out, err = produce(
            stream=STREAM, endpoint_url=server.url, count=50, rate_per_minute=600
        )
        assert (status, err) == (0, "")
        assert f"50 stored in stream {STREAM} at {server.url}" in out
        status, _, err = produce(stream="no-such-stream", endpoint_url=server.url, count=1)
        assert status == 2
        assert err == f"sim produce: no stream no-such-stream at {server.url}\n"
    finally:
        server.stop()
    assert len(stream_records(aws_env.client("kinesis"))) == 50


# -- options --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "give one target: --db URL, --config FILE or --stream NAME"),
        (
            {"db_url": "sqlite://", "stream": "s"},
            "give one target: --db URL, --config FILE or --stream NAME (got --db and --stream)",
        ),
        (
            {"db_url": "sqlite://", "endpoint_url": "http://x"},
            "--endpoint-url goes with --stream NAME",
        ),
        (
            {"db_url": "sqlite://", "rate_per_minute": -1.0},
            "--rate must be 0 (as fast as possible) or more, got -1.0",
        ),
        ({"db_url": "sqlite://", "count": -1}, "--count must be 0 or more, got -1"),
        ({"db_url": "sqlite://", "producer": "nosuch"}, "unknown producer type 'nosuch'"),
        (
            {"db_url": "sqlite://", "params": {"cities": ["Paris"]}},
            "producer type 'openaq': OpenAQProducer: unknown city 'Paris'",
        ),
        ({"db_url": "not a url: pw=Hunter2-xyz"}, "--db: not an SQLAlchemy URL"),
    ],
)
def test_bad_options_exit_2_with_what_is_wrong(options, message):
    status, out, err = produce(**options)
    assert (status, out) == (2, "")
    assert err.startswith(f"sim produce: {message}")
    assert "Hunter2" not in err


def test_argument_helpers_for_the_cli():
    assert duration_arg("90") == 90.0
    assert duration_arg("1h30m") == 5400.0
    with pytest.raises(argparse.ArgumentTypeError, match="expected a duration such as 30s"):
        duration_arg("soon")
    with pytest.raises(argparse.ArgumentTypeError, match="positive"):
        duration_arg("0")
    assert param_arg("invalid_fraction=0.05") == ("invalid_fraction", 0.05)
    assert param_arg('cities=["Brussels","Ghent"]') == ("cities", ["Brussels", "Ghent"])
    assert param_arg("from_file=data/openaq.csv") == ("from_file", "data/openaq.csv")
    with pytest.raises(argparse.ArgumentTypeError, match="expected KEY=VALUE"):
        param_arg("invalid_fraction")
