"""The live bridge: a Flink job between two Kinesis streams of streamlab's endpoint, in real time.

One embedded backend served over HTTP for the module; boto3 talks to it as to LocalStack or AWS.
Records carry wall-clock event times; the job is a 2-second tumbling sum per key.
"""

from __future__ import annotations

import json
import random
import shutil
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.fail("PyFlink needs Java 17: see `make check-java`", pytrace=False)

import boto3  # noqa: E402

from sim.backends.embedded import EmbeddedBackend  # noqa: E402
from sim.backends.embedded.server import EndpointServer  # noqa: E402
from sim.daemon import free_port  # noqa: E402
from sim.flink import FlinkJobError  # noqa: E402
from sim.flink.live import LiveFlinkJob  # noqa: E402

WINDOW_MS = 2000
DELAY_MS = 500

SUM_JOB = SimpleNamespace(
    NAME="live-sum",
    SOURCE_SCHEMA={"Key": "STRING", "EventTime": "TIMESTAMP(3)", "Value": "INT"},
    EVENT_TIME_FIELD="EventTime",
    WATERMARK_DELAY=DELAY_MS / 1000,
    SINK_SCHEMA={"Key": "STRING", "WindowEnd": "STRING", "Total": "BIGINT", "Records": "BIGINT"},
    EMIT_TIME_FIELD="WindowEnd",
    build=lambda t_env, source, sink: t_env.execute_sql(
        f"INSERT INTO {sink} SELECT `Key`, DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss.SSS'), "
        "CAST(SUM(`Value`) AS BIGINT), COUNT(*) "
        f"FROM TABLE(TUMBLE(TABLE {source}, DESCRIPTOR(EventTime), INTERVAL '2' SECOND)) "
        "GROUP BY `Key`, window_start, window_end"
    ),
)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[EndpointServer]:
    backend = EmbeddedBackend()
    backend.start()  # resets moto's process-global state
    server = EndpointServer(backend, port=free_port()).start()
    try:
        yield server
    finally:
        server.stop()
        backend.stop()


@pytest.fixture(scope="module")
def kinesis(endpoint: EndpointServer) -> Any:
    return boto3.client(
        "kinesis",
        endpoint_url=endpoint.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _stamp(ms: int) -> str:
    t = datetime.fromtimestamp(ms / 1000, UTC)
    return t.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}"


def _windows(sent: list[dict], closed_by: int | None = None) -> dict[tuple[str, str], dict]:
    """The job computed in plain Python: 2-second tumbling windows per Key; only those the
    watermark ``closed_by`` (epoch ms) has passed, if given."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for r in sent:
        end = r["ms"] // WINDOW_MS * WINDOW_MS + WINDOW_MS
        groups[(r["Key"], end)].append(r["Value"])
    return {
        (key, _stamp(end)): {
            "Key": key,
            "WindowEnd": _stamp(end),
            "Total": sum(values),
            "Records": len(values),
        }
        for (key, end), values in groups.items()
        if closed_by is None or end - 1 <= closed_by
    }


def _read_stream(kinesis: Any, stream: str) -> list[dict]:
    """Every record in the stream, read with GetRecords from TRIM_HORIZON."""
    out = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = kinesis.get_records(ShardIterator=iterator)
            out.extend(response["Records"])
            if not response["Records"]:
                break
            iterator = response.get("NextShardIterator")
    return out


def _summaries(records: list[dict]) -> dict[tuple[str, str], dict]:
    rows = [json.loads(r["Data"]) for r in records]
    got = {(r["Key"], r["WindowEnd"]): r for r in rows}
    assert len(got) == len(rows), "a window was put twice"
    return got


def test_flink_live_bridge_names_a_missing_stream(kinesis):
    job = LiveFlinkJob(SUM_JOB, kinesis, "no-such-stream", "nor-this-one")
    with pytest.raises(FlinkJobError) as info:
        job.start()
    assert info.value.job == "live-sum"
    assert "'no-such-stream'" in info.value.message
    assert "ResourceNotFoundException" in info.value.message


def test_flink_live_bad_sql_fails_at_start(kinesis):
    kinesis.create_stream(StreamName="bad-in", ShardCount=1)
    kinesis.create_stream(StreamName="bad-out", ShardCount=1)
    job = SimpleNamespace(**{k: v for k, v in vars(SUM_JOB).items() if k != "build"})
    job.NAME = "live-bad-sql"
    job.build = lambda t_env, source, sink: t_env.execute_sql(
        f"INSERT INTO {sink} SELECT `Key`, NoSuchColumn, 1, 1 FROM {source}"
    )
    with pytest.raises(FlinkJobError) as info:
        LiveFlinkJob(job, kinesis, "bad-in", "bad-out").start()
    err = info.value
    assert err.job == "live-bad-sql"
    assert err.message.startswith("SQL validation failed. From line 1")
    assert "Column 'NoSuchColumn' not found" in err.message
    assert "\n" not in str(err) and "at org.apache" not in str(err)


def test_flink_live_windows_reach_the_sink_stream(kinesis):
    """Two jobs read one stream (split from 1 to 2 shards halfway) while records are put; the
    windows the watermark closed reach the sink streams while the source runs, the last ones
    on drain; both equal the same windows computed in Python."""
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    kinesis.create_stream(StreamName="sums-by-key", ShardCount=2)
    kinesis.create_stream(StreamName="sums-random", ShardCount=2)
    by_key = LiveFlinkJob(SUM_JOB, kinesis, "clicks", "sums-by-key", partition_key="Key")
    by_random = LiveFlinkJob(SUM_JOB, kinesis, "clicks", "sums-random", seed=7)
    with by_key, by_random:
        rng = random.Random(1)
        sent: list[dict] = []
        started = time.monotonic()
        while time.monotonic() - started < 5.0:
            now = datetime.now(UTC)
            record = {"Key": rng.choice("abc"), "EventTime": _stamp(_ms(now)), "Value": rng.randint(1, 100)}  # fmt: skip
            kinesis.put_record(
                StreamName="clicks",
                PartitionKey=record["Key"],
                Data=(json.dumps(record) + "\n").encode(),
            )
            sent.append({**record, "ms": _ms(now)})
            if len(sent) == 25:  # halfway: the readers must follow the split into the children
                kinesis.update_shard_count(
                    StreamName="clicks", TargetShardCount=2, ScalingType="UNIFORM_SCALING"
                )
            time.sleep(0.1)

        # While the source runs: exactly the windows the watermark has passed.
        watermark = max(r["ms"] for r in sent) - DELAY_MS
        closed = _windows(sent, closed_by=watermark)
        assert 6 <= len(closed) < len(_windows(sent))  # >= 2 closed windows of 3 keys, 1 open
        by_key.wait_rows(len(closed), timeout=20)
        live = _summaries(_read_stream(kinesis, "sums-by-key"))
        assert live == closed
        latencies = [
            (
                row.time
                - datetime.strptime(row.data["WindowEnd"], "%Y-%m-%d %H:%M:%S.%f").replace(
                    tzinfo=UTC
                )
            ).total_seconds()  # fmt: skip
            for row in by_key.rows
        ]
        assert all(0 < s < 10 for s in latencies), latencies

        by_key.stop(drain=True)
        by_random.stop(drain=True)

    expected = _windows(sent)
    for job, stream in ((by_key, "sums-by-key"), (by_random, "sums-random")):
        records = _read_stream(kinesis, stream)
        assert _summaries(records) == expected, stream
        assert job.records_read == len(sent)
        assert job.rows_written == len(expected)
        assert sorted(r.sequence_number for r in job.rows) == sorted(
            r["SequenceNumber"] for r in records
        )
    by_key_records = _read_stream(kinesis, "sums-by-key")
    assert all(r["PartitionKey"] == json.loads(r["Data"])["Key"] for r in by_key_records)
    seeded = random.Random(7)
    uuids = [str(uuid.UUID(int=seeded.getrandbits(128), version=4)) for _ in expected]
    assert [r.partition_key for r in by_random.rows] == uuids
    assert by_key.error is None and by_random.error is None


def test_flink_live_udf_error_surfaces_while_running(kinesis):
    from pyflink.table import DataTypes
    from pyflink.table.udf import udf

    @udf(result_type=DataTypes.INT())
    def checked(value):
        if value == 13:
            raise ValueError(f"unlucky value {value}")
        return value

    def build(t_env, source, sink):
        t_env.create_temporary_function("checked", checked)
        return t_env.execute_sql(
            f"INSERT INTO {sink} SELECT `Key`, CAST(EventTime AS STRING), "
            f"CAST(checked(`Value`) AS BIGINT), 1 FROM {source}"
        )

    job = SimpleNamespace(**{k: v for k, v in vars(SUM_JOB).items() if k != "build"})
    job.NAME, job.build = "live-exploding-udf", build
    kinesis.create_stream(StreamName="udf-in", ShardCount=1)
    kinesis.create_stream(StreamName="udf-out", ShardCount=1)
    live = LiveFlinkJob(job, kinesis, "udf-in", "udf-out").start()
    for value in (1, 2, 13):
        now = datetime.now(UTC) + timedelta(milliseconds=value)
        data = {"Key": "a", "EventTime": _stamp(_ms(now)), "Value": value}
        kinesis.put_record(StreamName="udf-in", PartitionKey="a", Data=json.dumps(data).encode())
    deadline = time.monotonic() + 40
    while live.error is None:
        assert time.monotonic() < deadline, "the UDF's failure was not reported"
        time.sleep(0.1)
    err = live.error
    assert err.job == "live-exploding-udf"
    assert err.message == "ValueError: unlucky value 13"
    assert "\n" not in str(err) and "at org.apache" not in str(err)
    with pytest.raises(FlinkJobError) as info:
        live.check()
    assert info.value is err
    with pytest.raises(FlinkJobError) as info:
        live.stop()
    assert info.value is err
