"""``python -m producers.noaa`` against a moto server, as putDataInStream.py ran against AWS."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from producers.noaa import NoaaProducer, main
from sim.daemon import free_port

REGION = "us-east-1"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def credentials(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


def make_stream(endpoint: str, name: str):
    client = boto3.client("kinesis", endpoint_url=endpoint, region_name=REGION)
    client.create_stream(StreamName=name, ShardCount=1)
    client.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1})
    return client


def read_all(client, name: str) -> list[dict]:
    shard = client.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    iterator = client.get_shard_iterator(
        StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = []
    while True:
        response = client.get_records(ShardIterator=iterator, Limit=10_000)
        records.extend(response["Records"])
        if not response["Records"]:
            return records
        iterator = response["NextShardIterator"]


def test_puts_every_record_in_order(endpoint, capsys):
    client = make_stream(endpoint, "input-stream")
    argv = ["--stream", "input-stream", "--endpoint-url", endpoint, "--seed", "42", "--rate", "0"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    expected = NoaaProducer(random.Random(42)).records()
    assert f"[1/{len(expected)}] 2021-10-01 PRCP GHCND:US1MDAA0002 -> shardId-" in out
    assert f"done: {len(expected)} records put on input-stream" in out
    got = read_all(client, "input-stream")
    assert [(r["Data"], r["PartitionKey"]) for r in got] == [
        (r.data, r.partition_key) for r in expected
    ]


def test_rate_paces_with_the_wall_clock(endpoint, capsys):
    client = make_stream(endpoint, "paced")
    argv = ["--stream", "paced", "--endpoint-url", endpoint, "--stations", "1"]
    argv += ["--end-date", "2021-10-02", "--rate", "40", "--quiet"]
    started = time.monotonic()
    assert main(argv) == 0
    elapsed = time.monotonic() - started
    assert elapsed >= 7 / 40  # 8 records: the last one 7 ticks after the first
    assert len(read_all(client, "paced")) == 8
    out = capsys.readouterr().out
    assert "[1/8]" not in out and "done: 8 records" in out


def test_replays_a_file(endpoint, tmp_path, capsys):
    client = make_stream(endpoint, "replay")
    results = [
        {
            "date": "2021-10-01T00:00:00",
            "datatype": dt,
            "station": "GHCND:USW00093721",
            "attributes": ",,W,2400",
            "value": v,
        }
        for dt, v in (("PRCP", 3.3), ("TAVG", 60), ("TMAX", 70))
    ]
    path = tmp_path / "cdo.json"
    path.write_text(json.dumps({"metadata": {}, "results": results}))
    argv = ["--stream", "replay", "--endpoint-url", endpoint, "--from-file", str(path)]
    assert main([*argv, "--rate", "0"]) == 0
    got = [json.loads(r["Data"]) for r in read_all(client, "replay")]
    assert got == [results[0], results[2]]


def test_missing_stream_is_a_clear_error(endpoint, capsys):
    argv = ["--stream", "no-such-stream", "--endpoint-url", endpoint, "--rate", "0"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "stream 'no-such-stream' does not exist" in err
    assert "ResourceNotFoundException" in err


def test_unreachable_endpoint_is_a_clear_error(capsys):
    dead = f"http://127.0.0.1:{free_port()}"
    assert main(["--stream", "input-stream", "--endpoint-url", dead, "--rate", "0"]) == 1
    assert f"cannot reach the Kinesis endpoint {dead}" in capsys.readouterr().err


def test_bad_parameters_exit_2(tmp_path, capsys):
    assert main(["--stream", "s", "--stations", "99"]) == 2
    assert "stations must be between 1 and 12" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('{"results": [{"date": "2021-10-01T00:00:00"}]}')
    assert main(["--stream", "s", "--from-file", str(bad)]) == 2
    assert f"{bad}: results[0]: missing field 'datatype'" in capsys.readouterr().err
    assert main(["--stream", "s", "--rate", "-1"]) == 2


def test_runs_as_a_module(endpoint):
    client = make_stream(endpoint, "module-run")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-m", "producers.noaa", "--stream", "module-run"]
        + ["--endpoint-url", endpoint, "--region", REGION, "--stations", "2"]
        + ["--start-date", "2021-10-31", "--rate", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert "done: 8 records put on module-run" in completed.stdout
    assert len(read_all(client, "module-run")) == 8
