"""The Wild Rydes fleet producer: the lab's fields and formats, determinism, plausible movement."""

from __future__ import annotations

import json
import math
import random
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from producers.base import Record
from producers.unicorns import (
    LAB_START,
    MAX_SPEED_M_PER_S,
    MIN_SPEED_M_PER_S,
    NAMES,
    POINTS_MAX,
    POINTS_MIN,
    POINTS_START,
    ROAM_RADIUS_M,
    UnicornProducer,
    haversine_m,
    main,
)
from sim.producer_registry import ProducerError, builtin_types, create_producer, producer_class

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2021, 11, 1, 9, 0, tzinfo=UTC)
FIELDS = ["Name", "StatusTime", "Latitude", "Longitude", "Distance", "MagicPoints", "HealthPoints"]
STATUS_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$")


def run(producer: UnicornProducer, seconds: int, start: datetime = T0) -> list[list[Record]]:
    """What the driver does at the default rate: one emit per simulated second."""
    return [producer.emit(start + timedelta(seconds=s)) for s in range(seconds)]


def statuses(ticks: list[list[Record]]) -> list[list[dict]]:
    return [[json.loads(r.data) for r in tick] for tick in ticks]


def test_one_record_per_unicorn_per_second_with_the_labs_fields():
    producer = UnicornProducer(random.Random(1), count=4)
    assert type(producer).default_rate == 1.0
    ticks = run(producer, 5)
    assert [len(t) for t in ticks] == [4] * 5
    for second, tick in enumerate(ticks):
        for record in tick:
            assert record.data.endswith(b"\n") and record.data.count(b"\n") == 1
            status = json.loads(record.data)
            assert list(status) == FIELDS
            assert record.partition_key == status["Name"]
            assert record.explicit_hash_key is None
            assert status["StatusTime"] == (T0 + timedelta(seconds=second)).strftime(
                "%Y-%m-%d %H:%M:%S.000"
            )
            assert STATUS_TIME.match(status["StatusTime"])
            for key in ("Latitude", "Longitude", "Distance"):
                assert type(status[key]) is float
            for key in ("MagicPoints", "HealthPoints"):
                assert type(status[key]) is int
            assert isinstance(status["Name"], str) and 1 <= len(status["Name"]) <= 16


def test_the_first_records_look_like_the_labs():
    first = statuses(run(UnicornProducer(random.Random(7)), 1))[0]
    assert [s["Name"] for s in first] == ["Shadowfax", "Rocinante", "Bucephalus"]
    for status in first:
        assert abs(status["MagicPoints"] - POINTS_START) <= 1
        assert abs(status["HealthPoints"] - POINTS_START) <= 1
        assert haversine_m(*LAB_START, status["Latitude"], status["Longitude"]) < 600


def test_status_time_is_utc_with_truncated_milliseconds():
    producer = UnicornProducer(random.Random(1), count=1)
    plus_two = datetime(2021, 11, 1, 11, 0, 5, 123_987, tzinfo=timezone(timedelta(hours=2)))
    status = json.loads(producer.emit(plus_two)[0].data)
    assert status["StatusTime"] == "2021-11-01 09:00:05.123"
    with pytest.raises(ValueError, match="aware"):
        producer.emit(datetime(2021, 11, 1))


def test_same_seed_same_bytes_and_different_seeds_differ():
    def data(seed):
        return [
            (r.data, r.partition_key)
            for t in run(UnicornProducer(random.Random(seed)), 60)
            for r in t
        ]

    assert data(42) == data(42)
    assert data(42) != data(43)


def test_a_larger_fleet_keeps_the_first_unicorns_paths():
    small = statuses(run(UnicornProducer(random.Random(5), count=2), 30))
    large = statuses(run(UnicornProducer(random.Random(5), count=6), 30))
    assert [t[:2] for t in large] == small


def test_distance_is_the_haversine_of_consecutive_positions_at_the_labs_speeds():
    producer = UnicornProducer(random.Random(3), count=5)
    previous = producer.origins()
    for tick in statuses(run(producer, 600)):
        for s in tick:
            here = (s["Latitude"], s["Longitude"])
            assert s["Distance"] == pytest.approx(
                haversine_m(*previous[s["Name"]], *here), abs=1e-6
            )
            # one second at the original producer's 29-31 m/s
            assert MIN_SPEED_M_PER_S - 1e-6 <= s["Distance"] <= MAX_SPEED_M_PER_S + 1e-6
            previous[s["Name"]] = here


def test_sum_of_distance_is_the_path_length_per_minute():
    producer = UnicornProducer(random.Random(9), count=2)
    ticks = statuses(run(producer, 120))
    for name in producer.names:
        minute = [s["Distance"] for t in ticks[:60] for s in t if s["Name"] == name]
        assert 60 * MIN_SPEED_M_PER_S <= sum(minute) <= 60 * MAX_SPEED_M_PER_S


def test_paths_wander_and_stay_around_the_start_point():
    start = {"lat": 47.6062, "lon": -122.3321}
    producer = UnicornProducer(random.Random(11), count=8, start=start)
    farthest = {name: 0.0 for name in producer.names}
    headings = {name: set() for name in producer.names}
    previous = producer.origins()
    for tick in statuses(run(producer, 3 * 3600)):
        for s in tick:
            here = (s["Latitude"], s["Longitude"])
            away = haversine_m(start["lat"], start["lon"], *here)
            farthest[s["Name"]] = max(farthest[s["Name"]], away)
            (lat0, lon0) = previous[s["Name"]]
            headings[s["Name"]].add(
                (int(math.copysign(1, here[0] - lat0)), int(math.copysign(1, here[1] - lon0)))
            )
            previous[s["Name"]] = here
    for name in producer.names:
        # out to the roaming radius and back, never off into the distance
        assert ROAM_RADIUS_M * 0.8 < farthest[name] < ROAM_RADIUS_M + 1_500
        assert len(headings[name]) == 4  # it heads every way, not in a straight line


def test_points_drift_by_at_most_one_within_the_bounds():
    producer = UnicornProducer(random.Random(2), count=3)
    last = {name: (POINTS_START, POINTS_START) for name in producer.names}
    changed = False
    for tick in statuses(run(producer, 4 * 3600)):
        for s in tick:
            magic, health = last[s["Name"]]
            assert abs(s["MagicPoints"] - magic) <= 1 and abs(s["HealthPoints"] - health) <= 1
            assert POINTS_MIN <= s["MagicPoints"] <= POINTS_MAX
            assert POINTS_MIN <= s["HealthPoints"] <= POINTS_MAX
            changed |= (s["MagicPoints"], s["HealthPoints"]) != (magic, health)
            last[s["Name"]] = (s["MagicPoints"], s["HealthPoints"])
    assert changed


def test_time_elapsed_between_calls_sets_the_distance():
    producer = UnicornProducer(random.Random(4), count=1)
    producer.emit(T0)
    status = json.loads(producer.emit(T0 + timedelta(seconds=2))[0].data)
    assert 2 * MIN_SPEED_M_PER_S <= status["Distance"] <= 2 * MAX_SPEED_M_PER_S


def test_count_and_names():
    assert UnicornProducer(random.Random(0), count=1).names == ["Shadowfax"]
    fleet = UnicornProducer(random.Random(0), count=len(NAMES) + 20).names
    assert fleet[: len(NAMES)] == list(NAMES)
    assert fleet[len(NAMES)] == f"Unicorn-{len(NAMES) + 1:04d}"
    assert len(set(fleet)) == len(fleet) == len(NAMES) + 20
    assert all(len(n) <= 16 for n in fleet)
    given = UnicornProducer(random.Random(0), names=["Ace", "Blaze"], count=2)
    assert given.names == ["Ace", "Blaze"]
    assert [r.partition_key for r in given.emit(T0)] == ["Ace", "Blaze"]


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"count": 0}, ValueError, "count must be 1 to"),
        ({"count": True}, TypeError, "count must be an integer"),
        ({"count": "3"}, TypeError, "count must be an integer"),
        ({"names": ["A", "A"]}, ValueError, "given twice"),
        ({"names": ["A", ""]}, TypeError, "non-empty string"),
        ({"names": "Shadowfax"}, TypeError, "non-empty list"),
        ({"names": ["A" * 17]}, ValueError, "VARCHAR\\(16\\)"),
        ({"names": ["A", "B"], "count": 3}, ValueError, "differs"),
        ({"start": {"lat": 95, "lon": 0}}, ValueError, "start.lat"),
        ({"start": {"lat": 0, "lon": 200}}, ValueError, "start.lon"),
        ({"start": {"lat": 0}}, ValueError, "start must be"),
        ({"start": {"lat": "x", "lon": 0}}, TypeError, "start.lat must be a number"),
        ({"speed": 3}, TypeError, "takes no parameter"),
    ],
)
def test_bad_parameters(params, error, message):
    with pytest.raises(error, match=message):
        UnicornProducer(random.Random(0), **params)


def test_registered_as_unicorns():
    assert producer_class("unicorns") is UnicornProducer
    assert "unicorns" in builtin_types()
    producer = create_producer(
        "unicorns", random.Random(0), {"count": 2, "start": {"lat": 51.5, "lon": -0.12}}
    )
    assert producer.names == ["Shadowfax", "Rocinante"] and producer.start == (51.5, -0.12)
    with pytest.raises(ProducerError, match="producer type 'unicorns': .*count"):
        create_producer("unicorns", random.Random(0), {"count": -1})


# --- stand-alone ---------------------------------------------------------------------------------


def test_cli_prints_json_lines(capsys):
    assert main(["--count", "3", "--seconds", "5", "--start-time", "2021-11-01T09:00:00Z"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 15
    expected = UnicornProducer(random.Random(42), count=3)
    assert lines == [r.data.decode().rstrip("\n") for t in run(expected, 5) for r in t]
    assert json.loads(lines[-1])["StatusTime"] == "2021-11-01 09:00:04.000"


def test_cli_as_a_module():
    completed = subprocess.run(
        [sys.executable, "-m", "producers.unicorns", "--count", "3", "--seconds", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    lines = [json.loads(line) for line in completed.stdout.splitlines()]
    assert len(lines) == 15 and {s["Name"] for s in lines} == {
        "Shadowfax",
        "Rocinante",
        "Bucephalus",
    }


def test_cli_rejects_bad_arguments(capsys):
    assert main(["--count", "0", "--seconds", "1"]) == 2
    assert "count must be 1 to" in capsys.readouterr().err
    assert main(["--count", "2"]) == 2
    assert "--seconds" in capsys.readouterr().err


def test_cli_puts_on_a_stream_keyed_by_name(monkeypatch):
    import boto3
    from moto.server import ThreadedMotoServer

    from sim.daemon import free_port

    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1")
        client.create_stream(StreamName="wildrydes", ShardCount=1)
        client.get_waiter("stream_exists").wait(StreamName="wildrydes", WaiterConfig={"Delay": 0.1})
        argv = [
            "--count",
            "2",
            "--seconds",
            "3",
            "--stream",
            "wildrydes",
            "--endpoint-url",
            endpoint,
        ]
        assert main([*argv, "--start-time", "2021-11-01T09:00:00"]) == 0
        shard = client.list_shards(StreamName="wildrydes")["Shards"][0]["ShardId"]
        iterator = client.get_shard_iterator(
            StreamName="wildrydes", ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = client.get_records(ShardIterator=iterator)["Records"]
    finally:
        server.stop()
    expected = [r for t in run(UnicornProducer(random.Random(42), count=2), 3) for r in t]
    assert [(r["Data"], r["PartitionKey"]) for r in records] == [
        (e.data, e.partition_key) for e in expected
    ]
