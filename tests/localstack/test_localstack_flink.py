"""A Flink job live between two of LocalStack's Kinesis streams (the run follows the wall clock):
the same windows as an independent computation, read by a function from the sink stream."""

from __future__ import annotations

import io
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from sim import Simulation
from sim.backends.endpoint import EndpointBackend
from sim.backends.endpoint_teardown import teardown_endpoint
from sim.scenario import load_scenario

if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.fail("PyFlink needs Java 17: see `make check-java`", pytrace=False)

JOB = """
NAME = "ls-counts"
SOURCE_SCHEMA = {"k": "STRING", "ts": "TIMESTAMP(3)", "v": "INT"}
EVENT_TIME_FIELD = "ts"
WATERMARK_DELAY = 1.0
SINK_SCHEMA = {"k": "STRING", "window_end": "STRING", "n": "BIGINT"}
EMIT_TIME_FIELD = "window_end"


def build(t_env, source_table, sink_table):
    return t_env.execute_sql(
        f"INSERT INTO {sink_table} SELECT k, DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss.SSS'), "
        f"COUNT(*) FROM TABLE(TUMBLE(TABLE {source_table}, DESCRIPTOR(ts), INTERVAL '10' SECOND)) "
        "GROUP BY k, window_start, window_end"
    )
"""

PRODUCER = """
import json

from producers.base import Producer, Record


class Ticks(Producer):
    name = "ticks"
    default_rate = 1.0

    def emit(self, now):
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}"
        return [Record(json.dumps({"k": "a", "ts": stamp, "v": 1}).encode(), "a")]
"""

HANDLER = """
import base64
import os


def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        for r in event["Records"]:
            out.write(base64.b64decode(r["kinesis"]["data"]).decode() + "\\n")
"""

SCENARIO = """
name: ls-flink
seed: 2
clock: {start: 2022-01-01T00:00:00Z, duration: 40s}
resources:
  streams: [{name: ls-raw, shards: 1}, {name: ls-counts, shards: 1}]
producers:
  - {name: ticks, type: "ls_flink_producer:Ticks", target: {stream: ls-raw}, stop: 30s}
flink_jobs:
  - name: ls-counts
    job: ls_flink_job
    source: {stream: ls-raw}
    sink: {stream: ls-counts}
    stop: {at: 35s, drain: true}
functions:
  - name: ls-reader
    handler: ls_flink_handler:handler
    env: {OUT: OUTFILE}
    triggers:
      - kinesis: {stream: ls-counts, starting_position: TRIM_HORIZON, batch_size: 10}
"""


def test_a_flink_job_runs_live_between_localstacks_streams(localstack, tmp_path: Path, monkeypatch):
    (tmp_path / "ls_flink_job.py").write_text(JOB)
    (tmp_path / "ls_flink_producer.py").write_text(PRODUCER)
    (tmp_path / "ls_flink_handler.py").write_text(HANDLER)
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "ls-flink.yaml"
    path.write_text(textwrap.dedent(SCENARIO).replace("OUTFILE", str(tmp_path / "out.txt")))
    monkeypatch.syspath_prepend(str(tmp_path))
    scenario = load_scenario(path)
    backend = EndpointBackend(
        localstack.url, region=scenario.region, account_id=scenario.account_id
    )
    stored: list[dict] = []
    try:
        with Simulation(scenario, path=path, backend=backend, speed=2.0) as simulation:
            result = simulation.run()
        stored = _read_stream(backend.client("kinesis"), "ls-raw")
    finally:
        out = io.StringIO()
        teardown_endpoint(backend, scenario, yes=True, out=out, err=out)
    assert result.passed, result.report()
    # 30 ticks (0..29 s); a put the SDK retried after LocalStack had stored it is a second copy
    # in the stream (Kinesis is at-least-once), so the windows are computed from what is stored
    assert sorted({tick["ts"][-12:-4] for tick in stored}) == [
        f"00:00:{second:02d}" for second in range(30)
    ]
    expected: dict[str, int] = {}
    for tick in stored:
        end = f"00:00:{(int(tick['ts'][-6:-4]) // 10 + 1) * 10:02d}.000"
        expected[end] = expected.get(end, 0) + 1
    # two windows closed by the watermark, the third drained
    rows = sorted(
        (json.loads(line)["window_end"][-12:], json.loads(line)["n"])
        for line in (tmp_path / "out.txt").read_text().splitlines()
    )
    assert rows == sorted(expected.items())
    assert result.flink["ls-counts"]["records_read"] == len(stored)
    assert result.ledger.totals()["lost"] == 0


def _read_stream(kinesis, stream: str) -> list[dict]:
    records: list[dict] = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            response = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            records += [json.loads(r["Data"]) for r in response["Records"]]
            if not response["Records"] and response.get("MillisBehindLatest", 0) == 0:
                break
            iterator = response.get("NextShardIterator")
    return records
