"""The OpenAQ ingestion Lambda, run as deployed: batch mode against real SQLite and the real
MariaDB on 127.0.0.1:3306, streaming mode against the embedded backend's Kinesis (the ``cloud``
fixture). Every rejection reason, the response contract, the event shapes, the retries of
refused records, and passwords that never reach an error."""

from __future__ import annotations

import copy
import json
import logging
import random
import re
import sqlite3
import traceback
import uuid
from datetime import datetime
from pathlib import Path

import pymysql
import pytest
from botocore.exceptions import ClientError

import consumers.openaq_ingest as handler_module
from consumers.openaq_ingest import (
    PUT_ATTEMPTS,
    PUT_RECORDS_MAX_BYTES,
    PUT_RECORDS_MAX_RECORDS,
    RETRY_BASE_DELAY_S,
    RETRY_MAX_DELAY_S,
    DatabaseNotConfigured,
    DatabaseUnavailable,
    RecordsNotDelivered,
    backoff_delay,
    database_url,
    engine_for,
    lambda_handler,
    put_measurements,
)
from sim.daemon import free_port
from sim.services.lambda_ import FunctionConfig, LambdaRuntime
from tests.cloud_code import top_level_imports

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "queries" / "initialization" / "01_measurements.sql"
MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root"}
STREAM = "openaq-measurements"
SETTINGS = ("STREAM_NAME", "DB_URL", "DB_USERNAME", "DB_PASSWORD", "DB_HOSTNAME", "DB_PORT")
SETTINGS += ("DB_NAME",)

MEASUREMENT = {
    "locationId": 4879,
    "location": "Brussels - Molenbeek",
    "city": "Brussels",
    "country": "BE",
    "parameter": "pm25",
    "value": 12.4,
    "unit": "µg/m³",
    "date": {"utc": "2026-11-02T09:00:00+00:00", "local": "2026-11-02T10:00:00+01:00"},
    "coordinates": {"latitude": 50.8486, "longitude": 4.3317},
}


def measurement(**changes) -> dict:
    """MEASUREMENT with top-level fields changed (None: removed)."""
    m = copy.deepcopy(MEASUREMENT)
    for key, value in changes.items():
        if value is None:
            m.pop(key, None)
        else:
            m[key] = value
    return m


def sqlite_schema() -> str:
    """01_measurements.sql adapted to SQLite: an INTEGER key, no inline INDEX clauses."""
    text = SCHEMA.read_text()
    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("INDEX"))
    text = re.sub(r"BIGINT\s+NOT NULL AUTO_INCREMENT PRIMARY KEY", "INTEGER PRIMARY KEY", text)
    return re.sub(r",(\s*\);)", r"\1", text)


@pytest.fixture(autouse=True)
def close_engines():
    """The handler keeps one engine per URL, as in a Lambda container; close them after a test
    (their databases are dropped)."""
    yield
    for engine in handler_module._engines.values():
        engine.dispose()
    handler_module._engines.clear()


@pytest.fixture
def clean_env(monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def sqlite_db(tmp_path, clean_env) -> Path:
    path = tmp_path / "openaq.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(sqlite_schema())
    clean_env.setenv("DB_URL", f"sqlite:///{path}")
    return path


def sqlite_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT location, city, country, parameter, value, unit, date_utc, date_local, "
            "latitude, longitude FROM measurements ORDER BY id"
        ).fetchall()


@pytest.fixture
def mariadb(clean_env):
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


def mariadb_rows(database: str) -> list[tuple]:
    connection = pymysql.connect(**MARIADB, database=database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT location, city, country, parameter, value, unit, date_utc, date_local, "
                "latitude, longitude FROM measurements ORDER BY id"
            )
            return list(cursor.fetchall())
    finally:
        connection.close()


@pytest.fixture
def mariadb_user(mariadb):
    """A user with a password, allowed on the test database only; dropped afterwards."""
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


@pytest.fixture
def env(cloud, clean_env):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS", "AWS_PROFILE"):
        clean_env.delenv(name, raising=False)
    clean_env.setenv("AWS_REGION", cloud.region)
    clean_env.setenv("AWS_DEFAULT_REGION", cloud.region)
    clean_env.setenv("AWS_ACCESS_KEY_ID", "testing")
    clean_env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    handler_module._clients.clear()  # a client with a test's event hooks stays with that test
    yield cloud
    handler_module._clients.clear()


@pytest.fixture
def stream(env, clean_env):
    """A one-shard stream named by STREAM_NAME (streaming mode)."""
    env.client("kinesis").create_stream(StreamName=STREAM, ShardCount=1)
    clean_env.setenv("STREAM_NAME", STREAM)
    return env.client("kinesis")


def stream_records(kinesis) -> list[dict]:
    shard = kinesis.list_shards(StreamName=STREAM)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(
        StreamName=STREAM, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = []
    while True:
        answer = kinesis.get_records(ShardIterator=iterator, Limit=10000)
        records += answer["Records"]
        if not answer["Records"]:
            return records
        iterator = answer["NextShardIterator"]


def secret_free(error: BaseException, password: str) -> bool:
    text = "".join(traceback.format_exception(error))
    return password not in text and password not in str(error)


# -- batch mode: SQLite -----------------------------------------------------------------------
def test_a_measurement_becomes_a_row_with_its_utc_instant_local_string_and_coordinates(sqlite_db):
    liege = measurement(
        location="Liège - Avroy",
        city="Liège",
        parameter="no2",
        value=31,
        date={"utc": "2026-07-01T12:30:45.123789+02:00", "local": "2026-07-01T12:30:45+02:00"},
        coordinates=None,
    )
    assert lambda_handler([MEASUREMENT, liege], None) == {"accepted": 2, "rejected": []}
    assert sqlite_rows(sqlite_db) == [
        (
            "Brussels - Molenbeek",
            "Brussels",
            "BE",
            "pm25",
            12.4,
            "µg/m³",
            "2026-11-02 09:00:00.000000",
            "2026-11-02T10:00:00+01:00",
            50.8486,
            4.3317,
        ),
        # the UTC instant, truncated to milliseconds; no coordinates: NULL
        (
            "Liège - Avroy",
            "Liège",
            "BE",
            "no2",
            31.0,
            "µg/m³",
            "2026-07-01 10:30:45.123000",
            "2026-07-01T12:30:45+02:00",
            None,
            None,
        ),
    ]


def test_a_z_suffix_is_utc_and_a_missing_date_local_stores_date_utc(sqlite_db):
    m = measurement(date={"utc": "2026-11-02T09:00:00Z"}, coordinates={"latitude": 50.1})
    assert lambda_handler(m, None) == {"accepted": 1, "rejected": []}
    [row] = sqlite_rows(sqlite_db)
    assert row[6:] == ("2026-11-02 09:00:00.000000", "2026-11-02T09:00:00Z", 50.1, None)


@pytest.mark.parametrize(
    "shape",
    ["one object", "a list", "measurements", "results"],
)
def test_every_event_shape_is_read(sqlite_db, shape):
    items = [MEASUREMENT, measurement(parameter="o3", value=-2.0), measurement(parameter="co")]
    event = {
        "one object": MEASUREMENT,
        "a list": items,
        "measurements": {"measurements": items},
        "results": {"meta": {"name": "openaq-api", "found": 3}, "results": items},
    }[shape]
    answer = lambda_handler(event, None)
    if shape == "one object":
        assert answer == {"accepted": 1, "rejected": []}
        assert [r[3] for r in sqlite_rows(sqlite_db)] == ["pm25"]
    else:
        assert answer == {"accepted": 2, "rejected": [{"index": 1, "reason": "negative value"}]}
        assert [r[3] for r in sqlite_rows(sqlite_db)] == ["pm25", "co"]


def with_date(**date):
    m = measurement()
    m["date"] = date
    return m


def with_utc(value):
    m = measurement()
    m["date"]["utc"] = value
    return m


REJECTIONS = [
    ("a string", "not an object"),
    ([MEASUREMENT], "not an object"),
    (measurement(location=None), "missing field location"),
    (measurement(city=None), "missing field city"),
    (measurement(country=None), "missing field country"),
    (measurement(parameter=None), "missing field parameter"),
    (measurement(value=None), "missing field value"),
    ({**MEASUREMENT, "value": None}, "missing field value"),
    (measurement(unit=None), "missing field unit"),
    (measurement(date=None), "missing field date.utc"),
    (with_date(local="2026-11-02T10:00:00+01:00"), "missing field date.utc"),
    (measurement(date="2026-11-02T09:00:00+00:00"), "missing field date.utc"),
    (measurement(location=4879), "location is not a string"),
    (measurement(country=["BE"]), "country is not a string"),
    (measurement(city="  "), "empty field city"),
    (measurement(parameter="pm1"), "unknown parameter pm1"),
    (measurement(parameter="PM25"), "unknown parameter PM25"),
    (measurement(parameter="x" * 100), "unknown parameter " + "x" * 40),
    (measurement(value="12.4"), "value is not a number"),
    (measurement(value=True), "value is not a number"),
    (measurement(value={"v": 1}), "value is not a number"),
    (measurement(value=float("nan")), "value is not a number"),
    (measurement(value=float("inf")), "value is not a number"),
    (measurement(value=10**400), "value is not a number"),
    (measurement(value=-0.1), "negative value"),
    (measurement(value=-3), "negative value"),
    (with_utc("not a date"), "bad date.utc"),
    (with_utc("2026-13-02T09:00:00+00:00"), "bad date.utc"),
    (with_utc("2026-11-02T09:00:00"), "bad date.utc"),  # no offset: which instant?
    (with_utc("2026-11-02"), "bad date.utc"),
    (with_utc(1793610000), "bad date.utc"),
    (with_utc(""), "bad date.utc"),
    (with_date(utc="2026-11-02T09:00:00+00:00", local=36000), "date.local is not a string"),
    (measurement(coordinates=[50.8, 4.3]), "bad coordinates"),
    (measurement(coordinates={"latitude": "50.8", "longitude": 4.3}), "bad coordinates"),
    (measurement(location="L" * 256), "location too long"),
    (measurement(country="BEL"), "country too long"),
    (measurement(unit="micrograms per cubic metre"), "unit too long"),
    (with_date(utc="2026-11-02T09:00:00+00:00", local="x" * 33), "date.local too long"),
    (measurement(notes="n" * (1024 * 1024)), "measurement too large"),
]


@pytest.mark.parametrize(("item", "reason"), REJECTIONS, ids=[r for _, r in REJECTIONS])
def test_each_invalid_measurement_is_rejected_with_its_reason_and_not_stored(
    sqlite_db, caplog, item, reason
):
    caplog.set_level(logging.WARNING, logger="consumers.openaq_ingest")
    answer = lambda_handler([MEASUREMENT, item, measurement(parameter="so2")], None)
    assert answer == {"accepted": 2, "rejected": [{"index": 1, "reason": reason}]}
    assert [r[3] for r in sqlite_rows(sqlite_db)] == ["pm25", "so2"]
    assert [r.getMessage() for r in caplog.records] == [f"rejected measurement 1: {reason}"]


def test_the_first_failing_rule_gives_the_reason(sqlite_db):
    both = measurement(value=-1.0, parameter="pm1", city=None)
    assert lambda_handler(both, None)["rejected"] == [{"index": 0, "reason": "missing field city"}]
    assert lambda_handler(measurement(value=-1.0, parameter="pm1"), None)["rejected"] == [
        {"index": 0, "reason": "unknown parameter pm1"}
    ]


def test_valid_edge_cases_are_accepted(sqlite_db):
    edges = [
        measurement(value=0),  # zero is a measurement
        measurement(value=0.0, parameter="o3"),
        with_utc("2026-11-02T09:00:00.5-05:00"),
        measurement(coordinates={"latitude": None, "longitude": None}),
        measurement(extra={"sourceName": "EEA Belgium"}, locationId=None),
        measurement(location="L" * 255, country="BE", unit="ppm"),
    ]
    assert lambda_handler(edges, None) == {"accepted": len(edges), "rejected": []}
    assert len(sqlite_rows(sqlite_db)) == len(edges)


def test_the_response_contract_holds_for_a_mixed_batch(sqlite_db):
    rng = random.Random(3)
    bad = [reason_item for reason_item, _ in REJECTIONS[:30]]
    items, expected = [], []
    for index in range(200):
        if rng.random() < 0.3:
            item = rng.choice(bad)
            expected.append(index)
        else:
            item = measurement(value=round(rng.uniform(0, 90), 1))
        items.append(item)
    answer = lambda_handler({"measurements": items}, None)
    assert set(answer) == {"accepted", "rejected"}
    assert [r["index"] for r in answer["rejected"]] == expected  # ascending, one per item
    assert all(
        set(r) == {"index", "reason"} and isinstance(r["reason"], str) for r in answer["rejected"]
    )
    assert answer["accepted"] == 200 - len(expected) == len(sqlite_rows(sqlite_db))


def test_an_event_with_nothing_valid_does_not_touch_the_database(clean_env):
    clean_env.setenv("DB_URL", f"mysql+pymysql://u:pw@127.0.0.1:{free_port()}/openaq")
    assert lambda_handler([], None) == {"accepted": 0, "rejected": []}
    assert lambda_handler({"measurements": [measurement(value=-1)]}, None) == {
        "accepted": 0,
        "rejected": [{"index": 0, "reason": "negative value"}],
    }
    with pytest.raises(DatabaseUnavailable):
        lambda_handler(MEASUREMENT, None)


def test_one_invocation_is_one_transaction(sqlite_db):
    with sqlite3.connect(sqlite_db) as connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON measurements WHEN NEW.city = 'Mons' "
            "BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END"
        )
    batch = [MEASUREMENT, measurement(parameter="no2"), measurement(city="Mons")]
    with pytest.raises(Exception, match="refused by trigger"):
        lambda_handler(batch, None)
    assert sqlite_rows(sqlite_db) == []  # all or nothing: a retry stores no duplicates
    assert lambda_handler(batch[:2], None)["accepted"] == 2
    assert len(sqlite_rows(sqlite_db)) == 2


def test_the_engine_is_created_once_per_url_and_reused(sqlite_db):
    handler_module._engines.clear()
    for _ in range(3):
        lambda_handler(MEASUREMENT, None)
    assert len(handler_module._engines) == 1
    url = database_url({"DB_URL": f"sqlite:///{sqlite_db}"})
    assert engine_for(url) is next(iter(handler_module._engines.values()))
    assert len(sqlite_rows(sqlite_db)) == 3


def test_a_missing_table_is_an_error_not_a_rejection(tmp_path, clean_env):
    clean_env.setenv("DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(Exception, match="no such table: measurements"):
        lambda_handler(MEASUREMENT, None)


@pytest.fixture
def runtime(env):
    runtime = LambdaRuntime(now=lambda: env.clock.now, region=env.region)
    yield runtime
    runtime.close()


def deploy(runtime, **variables) -> str:
    runtime.create_function(
        FunctionConfig(
            name="openaq-ingest",
            handler="consumers.openaq_ingest.lambda_handler",
            timeout=30,
            env=variables,
        )
    )
    return "openaq-ingest"


def test_deployed_in_the_lambda_runtime_it_answers_the_contract_and_logs_rejections(
    runtime, sqlite_db
):
    function = deploy(runtime, DB_URL=f"sqlite:///{sqlite_db}")
    result = runtime.invoke(function, [MEASUREMENT, measurement(value=-1.5)])
    assert result.function_error is None, result.payload
    assert result.payload == {"accepted": 1, "rejected": [{"index": 1, "reason": "negative value"}]}
    assert "rejected measurement 1: negative value" in result.logs
    assert "Molenbeek" not in result.logs  # a rejection is logged without the measurement
    assert len(sqlite_rows(sqlite_db)) == 1


def test_deployed_a_down_database_fails_the_invocation_without_the_password(runtime):
    password = "Deployed-s3cret-pw"
    port = free_port()
    function = deploy(
        runtime,
        DB_USERNAME="openaq",
        DB_PASSWORD=password,
        DB_HOSTNAME="127.0.0.1",
        DB_PORT=str(port),
    )
    result = runtime.invoke(function, MEASUREMENT)
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "DatabaseUnavailable"
    assert result.payload["errorMessage"].startswith(
        f"cannot connect to mysql+pymysql://openaq:***@127.0.0.1:{port}/openaq: "
    )
    assert password not in json.dumps(result.payload)
    assert password not in result.logs


# -- settings -------------------------------------------------------------------------------
def test_without_a_stream_or_a_database_the_invocation_says_what_to_set(clean_env):
    with pytest.raises(DatabaseNotConfigured) as raised:
        lambda_handler(MEASUREMENT, None)
    assert str(raised.value) == (
        "no database: set DB_URL, or DB_USERNAME, DB_PASSWORD and DB_HOSTNAME "
        "(DB_USERNAME, DB_HOSTNAME not set); or STREAM_NAME for streaming mode"
    )


def test_database_settings_make_a_pymysql_url():
    assert database_url(
        {"DB_USERNAME": "admin", "DB_PASSWORD": "p@ss:w/rd", "DB_HOSTNAME": "db.example"}
    ).render_as_string(hide_password=False) == (
        "mysql+pymysql://admin:p%40ss%3Aw%2Frd@db.example:3306/openaq"
    )
    url = database_url(
        {"DB_USERNAME": "root", "DB_HOSTNAME": "h", "DB_PORT": "3307", "DB_NAME": "aq"}
    )
    assert url.render_as_string(hide_password=False) == "mysql+pymysql://root@h:3307/aq"
    assert database_url({"DB_URL": "mysql://u:p@h/aq"}).drivername == "mysql+pymysql"
    assert database_url({"DB_URL": "mariadb://u:p@h/aq"}).drivername == "mariadb+pymysql"
    # DB_URL wins over the separate settings
    assert database_url({"DB_URL": "sqlite://", "DB_USERNAME": "u"}).drivername == "sqlite"


def test_bad_database_settings_are_named_without_their_secret():
    with pytest.raises(DatabaseNotConfigured, match="DB_PORT must be a port number, got 'x'"):
        database_url({"DB_USERNAME": "u", "DB_HOSTNAME": "h", "DB_PORT": "x"})
    with pytest.raises(DatabaseNotConfigured) as raised:
        database_url({"DB_URL": "not a url with hunter2-secret"})
    assert "DB_URL is not an SQLAlchemy URL" in str(raised.value)
    assert "hunter2" not in str(raised.value)
    with pytest.raises(DatabaseNotConfigured) as raised:
        engine_for(database_url({"DB_URL": "postgresql+nosuchdriver://u:hunter2pw@h/aq"}))
    assert "postgresql+nosuchdriver://u:***@h/aq" in str(raised.value)
    assert "hunter2pw" not in str(raised.value)


# -- batch mode: MariaDB --------------------------------------------------------------------
def test_measurements_go_into_mariadb_with_milliseconds_and_utf8(mariadb, clean_env):
    clean_env.setenv("DB_USERNAME", "root")
    clean_env.setenv("DB_HOSTNAME", "127.0.0.1")
    clean_env.setenv("DB_NAME", mariadb)
    liege = measurement(
        location="Liège - Avroy",
        city="Liège",
        date={"utc": "2026-11-02T09:00:00.987654+00:00", "local": "2026-11-02T10:00:00+01:00"},
        coordinates=None,
    )
    answer = lambda_handler({"results": [MEASUREMENT, liege, measurement(value="n/a")]}, None)
    assert answer == {"accepted": 2, "rejected": [{"index": 2, "reason": "value is not a number"}]}
    assert mariadb_rows(mariadb) == [
        (
            "Brussels - Molenbeek",
            "Brussels",
            "BE",
            "pm25",
            12.4,
            "µg/m³",
            datetime(2026, 11, 2, 9, 0, 0),
            "2026-11-02T10:00:00+01:00",
            50.8486,
            4.3317,
        ),
        (
            "Liège - Avroy",
            "Liège",
            "BE",
            "pm25",
            12.4,
            "µg/m³",
            datetime(2026, 11, 2, 9, 0, 0, 987000),
            "2026-11-02T10:00:00+01:00",
            None,
            None,
        ),
    ]


def test_a_db_url_reaches_mariadb_in_one_transaction(mariadb, clean_env):
    clean_env.setenv("DB_URL", f"mysql+pymysql://root@127.0.0.1:3306/{mariadb}")
    rng = random.Random(5)
    batch = [measurement(value=round(rng.uniform(0, 80), 1)) for _ in range(1200)]
    assert lambda_handler(batch, None) == {"accepted": 1200, "rejected": []}
    assert [r[4] for r in mariadb_rows(mariadb)] == [m["value"] for m in batch]


def test_a_user_with_a_password_inserts_and_a_wrong_password_is_never_shown(
    mariadb, mariadb_user, clean_env
):
    user, password = mariadb_user
    clean_env.setenv("DB_USERNAME", user)
    clean_env.setenv("DB_PASSWORD", password)
    clean_env.setenv("DB_HOSTNAME", "127.0.0.1")
    clean_env.setenv("DB_NAME", mariadb)
    assert lambda_handler(MEASUREMENT, None)["accepted"] == 1
    assert len(mariadb_rows(mariadb)) == 1

    wrong = password[::-1]
    clean_env.setenv("DB_PASSWORD", wrong)
    with pytest.raises(DatabaseUnavailable) as raised:
        lambda_handler(MEASUREMENT, None)
    message = str(raised.value)
    assert message.startswith(f"cannot connect to mysql+pymysql://{user}:***@127.0.0.1:3306/")
    assert "Access denied" in message
    assert secret_free(raised.value, wrong)
    assert secret_free(raised.value, password)


def test_a_down_database_fails_the_invocation_with_the_url_redacted(clean_env):
    port = free_port()
    password = "s3cret-Hunter2-pw"
    clean_env.setenv("DB_URL", f"mysql+pymysql://openaq:{password}@127.0.0.1:{port}/openaq")
    with pytest.raises(DatabaseUnavailable) as raised:
        lambda_handler(MEASUREMENT, None)
    message = str(raised.value)
    assert message.startswith(f"cannot connect to mysql+pymysql://openaq:***@127.0.0.1:{port}/")
    assert "Connection refused" in message
    assert secret_free(raised.value, password)
    assert isinstance(raised.value, ConnectionError)


# -- streaming mode: Kinesis ----------------------------------------------------------------
def test_measurements_go_onto_the_stream_as_received_keyed_by_location(stream):
    liege = measurement(location="Liège - Avroy", city="Liège", extra={"é": [1, 2.50]})
    answer = lambda_handler(
        [MEASUREMENT, measurement(parameter="pm1"), liege, {"measurements": 1}], None
    )
    assert answer == {
        "accepted": 2,
        "rejected": [
            {"index": 1, "reason": "unknown parameter pm1"},
            {"index": 3, "reason": "missing field location"},
        ],
    }
    records = stream_records(stream)
    assert [r["PartitionKey"] for r in records] == ["Brussels - Molenbeek", "Liège - Avroy"]
    assert (
        records[0]["Data"]
        == (
            '{"locationId":4879,"location":"Brussels - Molenbeek","city":"Brussels","country":"BE",'
            '"parameter":"pm25","value":12.4,"unit":"µg/m³","date":{"utc":"2026-11-02T09:00:00+00:00",'
            '"local":"2026-11-02T10:00:00+01:00"},"coordinates":{"latitude":50.8486,"longitude":4.3317}}'
        ).encode()
    )
    assert json.loads(records[1]["Data"]) == liege  # extra fields kept
    assert "Liège".encode() in records[1]["Data"]


def test_more_than_500_measurements_take_several_requests(stream):
    calls = []
    client = handler_module._kinesis()
    client.meta.events.register(
        "before-parameter-build.kinesis.PutRecords",
        lambda params, **_: calls.append(len(params["Records"])),
    )
    batch = [measurement(value=float(i)) for i in range(900)]
    assert lambda_handler(batch, None) == {"accepted": 900, "rejected": []}
    assert calls == [PUT_RECORDS_MAX_RECORDS, 400]
    assert [json.loads(r["Data"])["value"] for r in stream_records(stream)] == list(range(900))


def test_requests_are_also_split_at_5_mib():
    entries = [{"Data": b"x" * (1024 * 1024 - 100), "PartitionKey": "k"} for _ in range(12)]
    sizes = [len(r) for r in handler_module._requests(entries)]
    assert sizes == [5, 5, 2]
    for request in handler_module._requests(entries):
        assert sum(len(e["Data"]) + len(e["PartitionKey"]) for e in request) <= (
            PUT_RECORDS_MAX_BYTES
        )


def test_records_a_shard_refuses_are_put_again_after_a_backoff(env):
    """One shard takes 1,000 records a second: 1,500 at once get 500 refused, which go in once
    the backoff has carried the (simulated) clock into the next second."""
    kinesis = env.client("kinesis")
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    answers = []
    kinesis.meta.events.register(
        "after-call.kinesis.PutRecords",
        lambda parsed, **_: answers.append(parsed.get("FailedRecordCount", 0)),
    )
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        env.advance(seconds)

    start = env.clock.now
    batch = [measurement(value=float(i)) for i in range(1500)]
    assert put_measurements(kinesis, STREAM, batch, sleep=sleep, rng=random.Random(1)) == 1500
    # requests of 500: the third is refused whole, then retried until the next second
    assert answers[:3] == [0, 0, 500]
    assert answers[-1] == 0 and len(answers) <= 2 + PUT_ATTEMPTS
    assert len(sleeps) == len(answers) - 3
    assert int(env.clock.now) > int(start)
    values = sorted(json.loads(r["Data"])["value"] for r in stream_records(kinesis))
    assert values == list(range(1500))  # every record once


def test_records_still_refused_after_the_attempts_fail_the_invocation(stream, env, monkeypatch):
    env.kinesis.throttle(STREAM, until=env.clock.now + 3600)
    monkeypatch.setattr(handler_module, "RETRY_BASE_DELAY_S", 0.001)
    calls = []
    handler_module._kinesis().meta.events.register(
        "before-call.kinesis.PutRecords", lambda **_: calls.append(1)
    )
    with pytest.raises(RecordsNotDelivered) as raised:
        lambda_handler([MEASUREMENT, measurement(parameter="no2")], None)
    assert str(raised.value) == (
        f"2 of 2 records were not accepted by stream {STREAM} after {PUT_ATTEMPTS} attempts "
        "(ProvisionedThroughputExceededException)"
    )
    assert len(calls) == PUT_ATTEMPTS
    assert stream_records(stream) == []


def test_a_missing_stream_fails_the_invocation(env, clean_env):
    clean_env.setenv("STREAM_NAME", "no-such-stream")
    with pytest.raises(ClientError) as raised:
        lambda_handler(MEASUREMENT, None)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_streaming_mode_needs_no_database_settings(stream, clean_env):
    clean_env.setenv("DB_URL", f"mysql+pymysql://u:pw@127.0.0.1:{free_port()}/openaq")
    assert lambda_handler(MEASUREMENT, None) == {"accepted": 1, "rejected": []}
    assert len(stream_records(stream)) == 1


@pytest.mark.parametrize("retry", [1, 2, 3, 4, 8])
def test_the_backoff_doubles_with_jitter_up_to_its_cap(retry):
    cap = min(RETRY_MAX_DELAY_S, RETRY_BASE_DELAY_S * 2 ** (retry - 1))
    delays = [backoff_delay(retry, random.Random(seed)) for seed in range(200)]
    assert all(cap / 2 <= d <= cap for d in delays)
    assert len(set(delays)) > 100  # jittered


def test_handler_is_cloud_code():
    """boto3, SQLAlchemy (batch mode only) and the standard library: never sim."""
    imported = top_level_imports(handler_module)
    assert imported <= {
        "json",
        "logging",
        "math",
        "os",
        "random",
        "time",
        "datetime",
        "urllib",
        "boto3",
        "sqlalchemy",
    }
    top_level = top_level_imports(handler_module, at_import=True)
    assert "sqlalchemy" not in top_level  # a streaming deployment needs boto3 alone
