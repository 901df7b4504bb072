"""The Wild Rydes lab end to end: unicorns → Kinesis → Flink 1-minute summary → Kinesis →
Lambda → DynamoDB, and Kinesis → Firehose → S3 → Athena-style SQL.

The summaries are checked against the same windows computed here from the producer alone, and
their emission times against the watermark rule (a window ending at E is emitted when the first
record with an event time of at least E + 5 s - 1 ms arrives; the last at the job's drain).
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.fail("PyFlink needs Java 17: see `make check-java`", pytrace=False)

from producers.unicorns import UnicornProducer  # noqa: E402
from sim import Simulation  # noqa: E402
from sim.athena import S3Objects, query_objects  # noqa: E402
from sim.clock import to_datetime  # noqa: E402
from sim.expect.values import scan_items  # noqa: E402
from sim.ids import derive_rng  # noqa: E402
from tests.wildrydes_windows import expected_summaries  # noqa: E402

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "wildrydes.yaml"
START = datetime(2021, 11, 1, 9, 0, tzinfo=UTC)
FLEET_SECONDS = 600  # the producer stops at 10 minutes
DRAIN_AT = START + timedelta(minutes=10, seconds=30)
WATERMARK_DELAY = timedelta(seconds=5)


@pytest.fixture(scope="module")
def wildrydes():
    with Simulation.from_file(SCENARIO) as simulation:
        result = simulation.run()
        dynamodb = simulation.client("dynamodb")
        items = scan_items(dynamodb, "UnicornSensorData")
        store = simulation.backend.kinesis_store(simulation.scenario.region)
        summary = [
            (record.arrival, json.loads(record.data))
            for shard in store.get_stream("wildrydes-summary").shards
            for record in shard.read(shard.first_index, limit=10_000)[0]
        ]
        s3 = simulation.client("s3")
        objects = [
            (o["Key"], s3.get_object(Bucket="wildrydes-data", Key=o["Key"])["Body"].read())
            for o in s3.list_objects_v2(Bucket="wildrydes-data").get("Contents", [])
        ]
        yield simulation, result, items, summary, objects, s3


def produced(seed: int) -> list[dict]:
    """The fleet's records, from the producer alone (its random generator as the run derives
    it), one call per simulated second as the scenario drives it."""
    producer = UnicornProducer(derive_rng(seed, "producer:fleet"), count=3)
    records = []
    for second in range(FLEET_SECONDS):
        for record in producer.emit(START + timedelta(seconds=second)):
            records.append(json.loads(record.data))
    return records


def _time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)


def test_scenario_passes(wildrydes):
    _, result, *_ = wildrydes
    failed = [(e.name, e.expected, e.actual, e.error) for e in result.expectations if not e.passed]
    assert failed == []
    assert result.passed, result.report()


def test_summaries_equal_an_independent_computation_of_the_same_windows(wildrydes):
    simulation, _, items, *_ = wildrydes
    expected = expected_summaries(produced(simulation.seed))
    assert len(expected) == 30  # 3 unicorns × 10 minutes
    stored = {(i["Name"], i["StatusTime"]): i for i in items}
    assert set(stored) == set(expected)
    for key, want in expected.items():
        got = stored[key]
        assert float(got["Distance"]) == pytest.approx(want["Distance"], rel=1e-9)
        for field in ("MinMagicPoints", "MaxMagicPoints", "MinHealthPoints", "MaxHealthPoints"):
            assert int(got[field]) == want[field], (key, field)


def test_summaries_arrive_when_the_watermark_passes_each_window(wildrydes):
    simulation, _, _, summary, *_ = wildrydes
    records = produced(simulation.seed)
    # One record per unicorn per second, arriving when produced: the watermark reaches a
    # window's end E once a record stamped E + 5 s (less 1 ms) has arrived.
    arrivals = sorted(_time(r["StatusTime"]) for r in records)
    by_window: dict[str, set[float]] = defaultdict(set)
    for arrival, row in summary:
        by_window[row["StatusTime"]].add(arrival)
    assert len(by_window) == 10
    for window, times in by_window.items():
        end = _time(window)
        due = next(
            (a for a in arrivals if a >= end + WATERMARK_DELAY - timedelta(0, 0, 0, 1)), None
        )
        # the last minute never sees such a record: the job's drain at 10:30 fires it
        want = DRAIN_AT if due is None else due.replace(microsecond=0)
        assert {to_datetime(t).replace(microsecond=0) for t in times} == {want}, window
    assert _time(max(by_window)) == START + timedelta(minutes=10)


def test_firehose_objects_follow_the_60_second_buffer_and_hold_every_record(wildrydes):
    simulation, _, _, _, objects, s3 = wildrydes
    records = produced(simulation.seed)
    keys = [key for key, _ in objects]
    assert len(keys) == 10
    assert all(k.startswith("2021/11/01/09/wildrydes-1-2021-11-01-09-") for k in keys)
    # An object is named after the first record of its buffer; the buffer is written 60 s
    # later, and the next one opens with the next record (one arrives every second).
    opened = sorted(datetime.strptime(k.split("-1-")[1][:19], "%Y-%m-%d-%H-%M-%S") for k in keys)
    gaps = [(b - a).total_seconds() for a, b in zip(opened, opened[1:], strict=False)]
    assert len(gaps) == 9 and all(60 <= gap <= 61 for gap in gaps), gaps
    body = b"".join(data for _, data in sorted(objects))
    lines = body.decode().splitlines()
    assert [json.loads(line) for line in lines] == records  # in order, none lost or added


def test_athena_sums_over_s3_equal_the_flink_summaries(wildrydes):
    simulation, _, items, _, _, s3 = wildrydes
    rows = query_objects(
        S3Objects(s3),
        simulation.scenario.athena.definitions(SCENARIO.parent),
        "SELECT name, date_trunc('minute', statustime) + INTERVAL '1' MINUTE AS window_end, "
        "SUM(distance) AS distance, COUNT(*) AS n FROM wildrydes GROUP BY 1, 2 ORDER BY 1, 2",
    ).rows
    stored = {(i["Name"], i["StatusTime"]): float(i["Distance"]) for i in items}
    assert len(rows) == 30
    for row in rows:
        key = (row["name"], str(row["window_end"]))
        assert row["n"] == 60
        # the table declares Distance a FLOAT (single precision), as the lab's DDL does
        assert row["distance"] == pytest.approx(stored[key], rel=1e-5)


def test_every_record_accounted_for_through_each_hop(wildrydes):
    _, result, *_ = wildrydes
    hops = {(h.source, h.consumer): h for h in result.ledger.hops.values()}
    flink = hops[("stream wildrydes", "flink job wildrydes-summary")]
    assert (flink.available, flink.delivered, flink.in_flight) == (1800, 1800, 0)
    firehose = hops[("stream wildrydes", "delivery stream wildrydes")]
    assert (firehose.available, firehose.delivered) == (1800, 1800)
    function = hops[("stream wildrydes-summary", "function WildRydesStreamProcessor")]
    assert (function.available, function.delivered) == (30, 30)
    assert result.ledger.produced["flink job wildrydes-summary"] == 30
    assert result.ledger.totals()["lost"] == 0
    assert result.flink["wildrydes-summary"] == {
        "records_read": 1800,
        "records_unread": 0,
        "late_records": 0,
        "rows_emitted": 30,
        "rows_held": 0,
        "error": None,
    }
    assert "wildrydes-summary: 1800 records read" in result.report()


def test_the_function_runs_under_the_labs_role_and_policy_file(wildrydes):
    simulation, *_ = wildrydes
    iam = simulation.client("iam")
    policy = iam.get_role_policy(
        RoleName="WildRydesStreamProcessor", PolicyName="WildRydesDynamoDBWritePolicy"
    )["PolicyDocument"]
    assert policy["Statement"][0]["Action"] == "dynamodb:BatchWriteItem"
    attached = iam.list_attached_role_policies(RoleName="WildRydesStreamProcessor")
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == [
        "AWSLambdaKinesisExecutionRole"
    ]
