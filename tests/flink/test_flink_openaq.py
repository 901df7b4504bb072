"""The OpenAQ 3-hour aggregate (flink_jobs/openaq_aggregate.py) on the bounded replay, against the
same windows computed in plain Python; the job contract's nested JSON and computed event time
(sim/flink/tables.py) in Flink, in the staged replay's watermark planning, and in the bindings.

Two Flink jobs for the module, on one runner: the aggregate over 3 h 20 min of generated
measurements with invalid ones among them, and the event-time rule over tricky strings.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.fail("PyFlink needs Java 17: see `make check-java`", pytrace=False)

from flink_jobs import openaq_aggregate  # noqa: E402
from sim.flink import FlinkJobError, FlinkRunner, JobSpec  # noqa: E402
from sim.flink.staging import Replay, SourceRecord, plan_emissions  # noqa: E402
from sim.flink.tables import (  # noqa: E402
    INVALID_EVENT_TIME_MS,
    TableBindingError,
    field_type,
    iso8601_ms,
    source_ddl,
)

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SLIDE = 300  # seconds
SIZE = 3 * 3600
DELAY = openaq_aggregate.WATERMARK_DELAY

# -- measurements, generated deterministically ----------------------------------------------------
LOCATIONS = {
    "Brussels": ["Brussels - Molenbeek", "Brussels - Ixelles", "Brussels - Uccle"],
    "Antwerpen": ["Antwerpen - Linkeroever", "Antwerpen - Borgerhout"],
    "Gent": ["Gent - Baudelopark", "Gent - Lange Violettestraat"],
    "Liège": ["Liège - Jemeppe", "Liège - Herstal"],
    "Charleroi": ["Charleroi - Marcinelle"],
}
PARAMETERS = ("pm25", "pm10", "no2", "o3", "so2", "co")


def measurements(
    start: datetime = START, *, hours: float = 3, count: int = 18_000, seed: int = 7
) -> list[tuple[float, dict]]:
    """``(arrival, measurement)`` in arrival order: ``count`` measurements over ``hours``, one
    series per location and parameter at a steady pace, each arriving 0-20 s after its
    ``date.utc`` (within the job's 60 s watermark delay), in OpenAQ's v2 shape."""
    rng = random.Random(seed)
    series = [(c, loc, p) for c, locs in LOCATIONS.items() for loc in locs for p in PARAMETERS]
    per_series = count // len(series)
    step = hours * 3600 / per_series
    out = []
    for number, (city, location, parameter) in enumerate(series):
        phase = rng.uniform(0, step)
        for k in range(per_series):
            t = start + timedelta(seconds=int(phase + k * step))
            local = t.astimezone(UTC) + timedelta(hours=1)
            out.append(
                (
                    t.timestamp() + rng.uniform(0, 20),
                    {
                        "locationId": 4000 + number,
                        "location": location,
                        "city": city,
                        "country": "BE",
                        "parameter": parameter,
                        "value": round(rng.uniform(0, 80), 1),
                        "unit": "µg/m³",
                        "date": {
                            "utc": t.isoformat(),
                            "local": local.replace(tzinfo=None).isoformat() + "+01:00",
                        },
                        "coordinates": {"latitude": 50.85, "longitude": 4.35},
                    },
                )
            )
    out.sort(key=lambda pair: pair[0])
    return out


def with_invalid(stream: list[tuple[float, dict]]) -> list[tuple[float, str]]:
    """The stream as the Kinesis records' data (JSON text), with invalid measurements and
    records spread among them, and a few valid oddities."""
    lines = [(arrival, json.dumps(m, ensure_ascii=False)) for arrival, m in stream]
    first = stream[0][1]

    def variant(index: int, **changes: object) -> tuple[float, str]:
        arrival, m = stream[index]
        m = json.loads(json.dumps(m))
        for key, value in changes.items():
            if value is ...:
                m.pop(key, None)
            elif key == "utc":
                m["date"]["utc"] = value
            else:
                m[key] = value
        return arrival, json.dumps(m, ensure_ascii=False)

    def infinite(pair: tuple[float, dict]) -> tuple[float, str]:
        arrival, m = pair
        return arrival, json.dumps({**m, "value": 0.5}).replace('"value": 0.5', '"value": 1e400')

    # before any valid record: an unparsable date (event time 1970: only the WHERE keeps it out)
    bad_first = json.loads(json.dumps(first))
    bad_first["date"]["utc"] = "2 November 2026, 09:00"
    extra = [(stream[0][0] - 1, json.dumps(bad_first))]
    n = len(stream)
    extra += [
        variant(n // 10, value=-3.5),  # negative
        variant(n // 9, value="n/a"),  # not a number
        variant(n // 8, value=...),  # missing value
        variant(n // 7, city=...),  # missing city
        variant(n // 6, parameter="pm1"),  # unknown parameter
        variant(n // 5, date=...),  # no date at all
        variant(n // 4, utc="2026-11-02 10:00"),  # not ISO 8601 with an offset
        variant(n // 3, utc="2026-02-30T10:00:00+00:00"),  # a day February lacks
        variant(n // 11, value={"pm": 3}),  # an object: NULL, and date.utc still read
        infinite(stream[n // 12]),  # 1e400: an infinite DOUBLE
        (stream[n // 2][0], "not json at all"),
        (stream[n // 2][0], "[1, 2, 3]"),
        (stream[n // 2][0], '{"city": "Gent", "parameter": "no2", "value": NaN}'),
    ]
    # valid oddities: an offset other than +00:00 (the same instant), a number in a string
    # (Flink's JSON format reads "12.5" into a DOUBLE), and a "Z"
    arrival, m = stream[2 * n // 3]
    t = datetime.fromisoformat(m["date"]["utc"])
    shifted = json.loads(json.dumps(m))
    shifted["date"]["utc"] = t.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    lines[2 * n // 3] = (arrival, json.dumps(shifted))
    arrival, m = stream[3 * n // 4]
    instant = datetime.fromisoformat(m["date"]["utc"])
    india = timezone(timedelta(hours=5, minutes=30))
    lines[3 * n // 4] = (
        arrival,
        json.dumps({**m, "date": {"utc": instant.astimezone(india).isoformat()}}),
    )
    arrival, m = stream[4 * n // 5]
    lines[4 * n // 5] = (arrival, json.dumps({**m, "value": str(m["value"])}))
    merged = lines + extra
    merged.sort(key=lambda pair: pair[0])  # stable: an invalid record after its original
    return merged


# -- the same aggregate in plain Python -----------------------------------------------------------
def parse_record(line: str) -> dict | None:
    """The JSON object of a record (Python's json, NaN refused as Jackson does), or None."""

    def refuse(constant: str) -> None:
        raise ValueError(constant)

    try:
        record = json.loads(line, parse_constant=refuse)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def event_time(record: dict) -> datetime | None:
    """``date.utc`` as an aware datetime, or None when it is missing or not ISO 8601."""
    utc = (record.get("date") or {}).get("utc") if isinstance(record.get("date"), dict) else None
    if not isinstance(utc, str) or "T" not in utc:
        return None
    try:
        t = datetime.fromisoformat(utc.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def value_of(record: dict) -> float | None:
    """The value as Flink's JSON format reads it into a DOUBLE: a number, or a string holding
    one; None otherwise."""
    value = record.get("value")
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def valid_measurement(line: str) -> tuple[str, str, datetime, float] | None:
    """``(city, parameter, date.utc, value)`` of a measurement the job counts (see its
    docstring), else None."""
    record = parse_record(line)
    if record is None:
        return None
    t, value = event_time(record), value_of(record)
    city, parameter = record.get("city"), record.get("parameter")
    if t is None or value is None or not math.isfinite(value) or value < 0:
        return None
    if city is None or parameter not in PARAMETERS:
        return None
    return city, parameter, t, value


def expected_windows(lines: list[str]) -> dict[tuple[str, str, str], dict]:
    """``{(city, parameter, window_end): row}``: every 5-minute step's 3 hours, per city and
    parameter, over the valid measurements."""
    groups: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    for line in lines:
        valid = valid_measurement(line)
        if valid is None:
            continue
        city, parameter, t, value = valid
        second = t.timestamp()
        first_end = (math.floor(second) // SLIDE + 1) * SLIDE  # the window [end - 3 h, end)
        for k in range(SIZE // SLIDE):
            groups[(city, parameter, first_end + k * SLIDE)].append(value)
    return {
        (city, parameter, iso(end)): {
            "city": city,
            "parameter": parameter,
            "window_start": iso(end - SIZE),
            "window_end": iso(end),
            "avg_value": math.fsum(values) / len(values),
            "min_value": min(values),
            "max_value": max(values),
            "measurements": len(values),
        }
        for (city, parameter, end), values in groups.items()
    }


# -- one run for the module -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def runner():
    with FlinkRunner() as r:
        yield r


@pytest.fixture(scope="module")
def aggregate(runner):
    """The job over 3 h 20 min of measurements (3,600 valid ones) with invalid ones among them."""
    stream = with_invalid(measurements(hours=3 + 1 / 3, count=3_600))
    lines = [line for _, line in stream]
    rows = runner.run(openaq_aggregate, lines)
    return SimpleNamespace(stream=stream, lines=lines, rows=rows)


def test_the_rows_are_the_hop_windows_computed_in_python(aggregate):
    expected = expected_windows(aggregate.lines)
    got = {
        (r.data["city"], r.data["parameter"], r.data["window_end"]): r.data for r in aggregate.rows
    }
    assert len(got) == len(aggregate.rows), "one row per city, parameter and window"
    assert set(got) == set(expected)
    # 3 h 20 min of data: 40 windows end within it and 35 more after it, per series
    assert len(expected) == 5 * 6 * (40 + 35)
    for key, want in expected.items():
        have = got[key]
        assert have["avg_value"] == pytest.approx(want["avg_value"], rel=1e-12), key
        for field in ("window_start", "min_value", "max_value", "measurements"):
            assert have[field] == want[field], (key, field)
    # each row is emitted at its window's end, given as ISO 8601 UTC with a Z
    for r in aggregate.rows:
        assert r.time == datetime.fromisoformat(r.data["window_end"].replace("Z", "+00:00"))
        assert r.data["window_end"].endswith("Z") and len(r.data["window_end"]) == 20
    assert [r.time for r in aggregate.rows] == sorted(r.time for r in aggregate.rows)


def test_the_first_windows_are_partial(aggregate):
    """The windows ending in the first 3 hours hold less than 3 hours of data: the first ends at
    the first 5-minute boundary after the first measurement, starting 2 h 55 min before it."""
    first = min(event_time(m) for _, m in measurements(hours=3 + 1 / 3, count=3_600))
    assert first < START + timedelta(minutes=5)
    brussels = sorted(
        (
            r.data
            for r in aggregate.rows
            if r.data["city"] == "Brussels" and r.data["parameter"] == "pm25"
        ),
        key=lambda d: d["window_end"],
    )
    assert brussels[0]["window_end"] == "2026-11-02T09:05:00Z"
    assert brussels[0]["window_start"] == "2026-11-02T06:05:00Z"  # 2 h 55 min of no data
    counts = [d["measurements"] for d in brussels]
    # three locations, one pm25 measurement each every 200 s: the count grows for 3 hours ...
    assert counts[0] <= 6 and counts[:36] == sorted(counts[:36])
    assert counts[35:40] == [3 * 54] * 5  # 09:00-12:00 (the first full window) … 09:20-12:20
    # ... and shrinks in the last 35 windows, which only the end of the data closes
    assert counts[-35:] == sorted(counts[-35:], reverse=True) and counts[-1] <= 6
    assert brussels[-1]["window_end"] == "2026-11-02T15:15:00Z"


def test_invalid_measurements_are_dropped_not_fatal(aggregate):
    got = {(r.data["city"], r.data["parameter"]) for r in aggregate.rows}
    assert ("Brussels", "pm1") not in got and all(c is not None for c, _ in got)
    assert not any(r.data["window_end"].startswith("1970") for r in aggregate.rows)
    assert all(r.data["min_value"] >= 0 for r in aggregate.rows)
    # every valid record counted once per window: the totals add up
    valid = sum(1 for line in aggregate.lines if valid_measurement(line) is not None)
    assert valid == 3_600  # the invalid ones are extra records; the three oddities count
    assert sum(r.data["measurements"] for r in aggregate.rows) == valid * 36


def test_the_staged_replay_plans_emissions_from_the_nested_event_time(aggregate):
    spec = JobSpec.from_module(openaq_aggregate)
    records = [SourceRecord(arrival, line.encode()) for arrival, line in aggregate.stream]
    replay = Replay(spec.name)
    plan_emissions(spec, records, aggregate.rows, stop_at=None, drain=False, replay=replay)

    # independently: a window ending at E fires with the first record whose date.utc is at
    # least E + 60 s - 1 ms (records with no valid date.utc never move the watermark)
    times = []
    for arrival, line in aggregate.stream:
        rec = parse_record(line)
        t = event_time(rec) if rec is not None else None
        times.append((arrival, t.timestamp() if t is not None else None))
    expected = []
    held = 0
    for r in aggregate.rows:
        due = r.time.timestamp() + DELAY - 0.001
        fire = next((a for a, t in times if t is not None and t >= due), None)
        if fire is None:
            held += 1
        else:
            expected.append((fire, r.data))
    assert replay.emitted == sorted(expected, key=lambda e: e[0])
    assert replay.held == held > 0  # the windows that end less than 60 s before the data does
    assert len(replay.emitted) > 0.5 * len(aggregate.rows)
    # three records are not JSON objects; four have no valid date.utc (event time 1970), of
    # which the three read after a valid one are behind the watermark (no valid one is)
    assert replay.unreadable == 3
    assert replay.without_event_time == 4
    assert replay.late == 3
    summary = replay.summary()
    assert summary["records_unreadable"] == 3 and summary["records_without_event_time"] == 4


def test_the_lambda_stores_the_jobs_rows_as_items(aggregate, cloud, monkeypatch):
    """The job's rows, as the Kinesis records of its output stream, through
    consumers/kinesis_to_dynamodb.py into DynamoDB (real moto)."""
    import base64

    from consumers.kinesis_to_dynamodb import lambda_handler

    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", cloud.region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("database", "openaq")
    dynamodb = cloud.client("dynamodb")
    dynamodb.create_table(
        TableName="openaq",
        KeySchema=[
            {"AttributeName": "city_parameter", "KeyType": "HASH"},
            {"AttributeName": "window_end", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "city_parameter", "AttributeType": "S"},
            {"AttributeName": "window_end", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    records = [
        {
            "eventID": f"shardId-000000000000:{i}",
            "kinesis": {"data": base64.b64encode(json.dumps(r.data).encode()).decode()},
        }
        for i, r in enumerate(aggregate.rows)
    ]
    for start in range(0, len(records), 100):  # the mapping's default batch size
        lambda_handler({"Records": records[start : start + 100]}, None)
    items = [
        i for p in dynamodb.get_paginator("scan").paginate(TableName="openaq") for i in p["Items"]
    ]
    assert len(items) == len(aggregate.rows)
    by_key = {(i["city_parameter"]["S"], i["window_end"]["S"]): i for i in items}
    for r in aggregate.rows[::97]:
        item = by_key[f"{r.data['city']}#{r.data['parameter']}", r.data["window_end"]]
        assert float(item["avg_value"]["N"]) == r.data["avg_value"]
        assert int(item["measurements"]["N"]) == r.data["measurements"]


# -- the computed event time: Flink and Python agree ----------------------------------------------
STAMPS = [
    "2026-11-02T09:00:00+00:00",
    "2026-11-02T09:00:00Z",
    "2026-11-02T10:00:00+01:00",
    "2026-11-02T04:30:00-04:30",
    "2026-11-02T14:30:00.5+05:30",
    "2026-11-02T09:00:00.123456789Z",
    "2026-11-02T09:00:00.1239+00:00",
    "2028-02-29T23:59:59.999-23:59",
    "1999-12-31T23:00:00-01:00",
    # not of the form: the invalid event time
    "2026-02-29T09:00:00Z",
    "2026-04-31T09:00:00Z",
    "2026-11-02T24:00:00Z",
    "2026-11-02T09:60:00Z",
    "2026-11-02T09:00:60Z",
    "2026-11-02T09:00:00+24:00",
    "2026-11-02T09:00:00+0100",
    "2026-11-02T09:00:00z",
    "2026-11-02 09:00:00+00:00",
    "2026-11-02T09:00+00:00",
    "2026-11-02T09:00:00",
    "2026-11-02T09:00:00.+00:00",
    "0000-01-01T00:00:00Z",
    " 2026-11-02T09:00:00Z",
    "",
]

TIME_JOB = SimpleNamespace(
    NAME="event-times",
    SOURCE_SCHEMA={"id": "INT", "at": {"when": {"utc": "STRING"}}},
    EVENT_TIME_FIELD="ts",
    EVENT_TIME_FROM="at.when.utc",
    WATERMARK_DELAY=0,
    SOURCE_OPTIONS={"json.ignore-parse-errors": "true"},
    SINK_SCHEMA={"id": "INT", "ts": "STRING"},
    EMIT_TIME_FIELD="ts",
    build=lambda t_env, source, sink: t_env.execute_sql(
        f"INSERT INTO {sink} SELECT id, DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss.SSS') FROM {source}"
    ),
)


def test_flink_and_the_staged_replay_compute_the_same_event_times(runner):
    records = [{"id": i, "at": {"when": {"utc": s}}} for i, s in enumerate(STAMPS)]
    records += [
        {"id": 100, "at": {"when": {}}},  # missing
        {"id": 101, "at": {"when": {"utc": 20261102}}},  # a number: Flink reads it as text
        {"id": 102, "at": "2026-11-02T09:00:00Z"},  # not an object
    ]
    rows = runner.run(TIME_JOB, records)
    flink = {
        r.data["id"]: round(r.time.timestamp() * 1000) for r in rows
    }  # the sink's ts, parsed as UTC
    spec = JobSpec.from_module(TIME_JOB)
    python = {rec["id"]: spec.event_time_ms(json.dumps(rec)) for rec in records}
    assert flink == python
    valid = {i for i, ms in python.items() if ms != INVALID_EVENT_TIME_MS}
    assert valid == set(range(9))
    assert python[0] == python[1] == python[2] == python[3] == round(START.timestamp() * 1000)
    assert python[4] == round(START.timestamp() * 1000) + 500
    assert python[5] == python[6] == round(START.timestamp() * 1000) + 123
    assert python[8] == round(datetime(2000, 1, 1, tzinfo=UTC).timestamp() * 1000)


# -- the contract: what a job may declare, and the error for what it may not ----------------------
def test_nested_schemas_become_row_types_in_every_binding():
    from sim.flink import connector

    ddl = source_ddl(
        "src",
        openaq_aggregate.SOURCE_SCHEMA,
        "ts",
        60,
        {"connector": "x"},
        event_time_from="date.utc",
    )
    assert "`date` ROW<`utc` STRING, `local` STRING>" in ddl
    assert "`coordinates` ROW<`latitude` DOUBLE, `longitude` DOUBLE>" in ddl
    assert "`ts` AS CAST(COALESCE(CASE WHEN REGEXP(`date`.`utc`" in ddl
    assert "WATERMARK FOR `ts` AS `ts` - INTERVAL '60' SECOND" in ddl
    source, _sink = connector.table_ddl(
        openaq_aggregate,
        "measurements",
        "aggregates",
        connector.source_options(connector.stream_arn("openaq")),
        connector.sink_options(connector.stream_arn("openaq-aggregates")),
    )
    assert "`ts` AS CAST(COALESCE(" in source
    assert "'json.ignore-parse-errors' = 'true'" in source  # the job's SOURCE_OPTIONS
    assert "'connector' = 'kinesis'" in source
    assert field_type({"d": "ROW<`utc` STRING, `local` STRING>"}, "d.utc") == "STRING"
    assert field_type({"d": "ROW(a ROW<b VARCHAR(20)>)"}, "d.a.b") == "VARCHAR(20)"
    assert iso8601_ms(None) == iso8601_ms("yesterday") == INVALID_EVENT_TIME_MS


def job(**changes: object) -> SimpleNamespace:
    base = {
        k: getattr(openaq_aggregate, k)
        for k in dir(openaq_aggregate)
        if k.isupper() or k == "build"
    }
    base.update(changes)
    return SimpleNamespace(**base)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"EVENT_TIME_FROM": "date.when"}, "'date.when': date has no field 'when' (it has utc, local)"),
        ({"EVENT_TIME_FROM": "moment"}, "'moment': SOURCE_SCHEMA has no field 'moment'"),
        ({"EVENT_TIME_FROM": "city.utc"}, "city is STRING, not a nested object"),
        ({"EVENT_TIME_FROM": "coordinates.latitude"}, "is DOUBLE: the runner computes event time from an ISO 8601 string"),
        ({"EVENT_TIME_FROM": "date..utc"}, "not a field path"),
        ({"EVENT_TIME_FIELD": "city"}, "'city' is computed from 'date.utc', so it must not also be a column"),
        ({"EVENT_TIME_FROM": None}, "EVENT_TIME_FIELD 'ts' is not a source column"),
        ({"EVENT_TIME_FROM": None, "EVENT_TIME_FIELD": "city"}, "'city' is STRING: a watermark needs TIMESTAMP(3)"),
        ({"SOURCE_SCHEMA": {**openaq_aggregate.SOURCE_SCHEMA, "date": {}}}, "date: a nested object needs at least one field"),
        ({"SOURCE_SCHEMA": {**openaq_aggregate.SOURCE_SCHEMA, "value": 3}}, "value: expected a Flink SQL type string"),
    ],
)  # fmt: skip
def test_a_declaration_the_runner_cannot_bind_is_a_clear_error(changes, message):
    with pytest.raises(FlinkJobError) as raised:
        JobSpec.from_module(job(**changes))
    assert raised.value.job == "openaq-aggregate"
    assert message in raised.value.message
    with pytest.raises(TableBindingError, match="."):
        source_ddl(
            "t",
            changes.get("SOURCE_SCHEMA", openaq_aggregate.SOURCE_SCHEMA),
            changes.get("EVENT_TIME_FIELD", "ts"),
            60,
            {},
            event_time_from=changes.get("EVENT_TIME_FROM", "date.utc"),
        )


def test_the_live_bridge_refuses_it_before_touching_kinesis():
    from sim.flink.live import LiveFlinkJob

    spec = JobSpec.from_module(openaq_aggregate)
    spec.event_time_from = "date.nowhere"
    live = LiveFlinkJob(spec, kinesis=None, source_stream="a", sink_stream="b")
    with pytest.raises(FlinkJobError, match="date has no field 'nowhere'"):
        live.start()


# -- the JVM's options and class archive (sim/flink/jvm.py) ----------------------------------------
def test_the_jvm_options_and_their_overrides(tmp_path, monkeypatch):
    from sim.flink import jvm

    monkeypatch.delenv(jvm.OPTIONS_ENV, raising=False)
    monkeypatch.setenv(jvm.ARCHIVE_ENV, "off")
    assert jvm.options() == ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
    monkeypatch.setenv(jvm.OPTIONS_ENV, "-Xmx1g  -XX:+UseParallelGC")
    assert jvm.options() == ["-Xmx1g", "-XX:+UseParallelGC"]
    monkeypatch.setenv(jvm.OPTIONS_ENV, "")
    assert jvm.options() == []
    archive = tmp_path / "flink.jsa"
    monkeypatch.setenv(jvm.ARCHIVE_ENV, str(archive))
    assert jvm.options() == []  # no such file: no archive
    archive.write_bytes(b"not really an archive")
    assert jvm.options() == [f"-XX:SharedArchiveFile={archive}", "-Xlog:cds*=off"]
    monkeypatch.delenv(jvm.ARCHIVE_ENV)
    key = jvm.archive_key()
    assert key is not None and len(key) == 16
    assert jvm.archive_path(tmp_path) == tmp_path / f"flink-{key}.jsa"


def test_the_gateway_starts_with_them_and_user_jvm_args_win(tmp_path):
    """In a fresh process (this one's JVM may be running already): the JVM's own arguments.
    A file that is no class archive does not stop it, and nothing is printed."""
    bogus = tmp_path / "bogus.jsa"
    bogus.write_bytes(b"\0" * 4096)
    script = (
        "import json; from sim.flink import jvm; g = jvm.gateway(); "
        "args = g.jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(); "
        "print(json.dumps(list(args)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            # not PyFlink's variables: a Python UDF run in this process sets some
            **{k: v for k, v in os.environ.items() if "PYFLINK" not in k},
            "JVM_ARGS": "-XX:TieredStopAtLevel=4",
            "STREAMLAB_FLINK_CDS": str(bogus),
        },
        cwd=str(Path(__file__).resolve().parents[2]),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    args = json.loads(lines[-1])
    assert "-XX:+UseSerialGC" in args
    c1, user = args.index("-XX:TieredStopAtLevel=1"), args.index("-XX:TieredStopAtLevel=4")
    assert c1 < user  # the user's JVM_ARGS come after, and the JVM takes the last
    assert f"-XX:SharedArchiveFile={bogus}" in args
    others = [line for line in done.stdout.splitlines() if not line.startswith("[")]
    assert not [line for line in others if "cds" in line or "archive" in line.lower()], others
