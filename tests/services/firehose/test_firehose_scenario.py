"""A Kinesis-sourced delivery stream from a scenario file, end to end on the embedded backend,
and `aws firehose put-record` against the HTTP endpoint."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sim import Simulation
from sim.backends.embedded import EmbeddedBackend
from sim.backends.embedded.server import EndpointServer
from sim.scenario import load_scenario
from sim.scenario.errors import ScenarioError

SCENARIO = """
    name: wildrydes-firehose
    seed: 7
    clock: {start: 2022-01-01T00:00:00Z, duration: 150s}
    resources:
      streams: [{name: wildrydes, shards: 2}]
      buckets: [{name: wildrydes-data}]
      delivery_streams:
        - name: wildrydes
          source: {stream: wildrydes}
          bucket: wildrydes-data
          buffering: {size_mb: 1, interval: 60}
    producers:
      - name: counter
        type: tests.producers_for_tests:CountingProducer
        target: {stream: wildrydes}
        rate: 1/s
        count: 130
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "scenarios" / "x.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(body))
    return path


def test_records_put_to_the_stream_end_up_in_s3(tmp_path: Path) -> None:
    with Simulation.from_file(write(tmp_path, SCENARIO)) as simulation:
        result = simulation.run()
        s3 = simulation.client("s3")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="wildrydes-data")["Contents"]]
        bodies = [s3.get_object(Bucket="wildrydes-data", Key=k)["Body"].read() for k in keys]
    # 130 records over 130 s, 60 s buffers: objects at ~60 s and ~120 s; the records after
    # that are still buffered when the run ends at 150 s (nothing is flushed early).
    assert len(keys) == 2
    assert all(k.startswith("2022/01/01/00/wildrydes-1-2022-01-01-00-0") for k in keys)
    text = b"".join(bodies).decode()
    assert text.startswith('{"n": 1,') and "}{" in text  # concatenated, no delimiter
    delivered = text.count('{"n"')
    [hop] = [h for (s, c), h in result.ledger.hops.items() if c == "delivery stream wildrydes"]
    assert hop.source == "stream wildrydes"
    assert hop.delivered == delivered and hop.in_flight == 130 - delivered > 0
    assert result.ledger.totals()["lost"] == 0 and result.passed


def test_scenario_checks_name_the_bucket_and_stream(tmp_path: Path) -> None:
    body = SCENARIO.replace("bucket: wildrydes-data", "bucket: wildrydes-dta").replace(
        "source: {stream: wildrydes}", "source: {stream: wildryde}"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, body))
    text = str(caught.value)
    assert "did you mean 'wildrydes-data'?" in text and "did you mean 'wildrydes'?" in text


def test_scenario_rejects_a_prefix_firehose_would_refuse(tmp_path: Path) -> None:
    body = SCENARIO.replace(
        "bucket: wildrydes-data\n",
        "bucket: wildrydes-data\n          prefix: 'a/!{timestamp:yyyy}/'\n",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, body))
    assert "ErrorOutputPrefix cannot be null" in str(caught.value)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_aws_cli_firehose_put_record_over_http(tmp_path: Path) -> None:
    backend = EmbeddedBackend()
    backend.start()
    server = EndpointServer(backend, port=_free_port()).start()
    try:
        backend.client("s3").create_bucket(Bucket="cli-bucket")
        env = {
            "HOME": str(tmp_path),
            "PATH": "/usr/bin:/bin",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(tmp_path / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
            "AWS_PAGER": "",
        }

        def aws(*args: str) -> dict:
            command = [str(Path(sys.executable).parent / "aws"), "--endpoint-url", server.url]
            command += ["--output", "json", *args]
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout) if done.stdout.strip() else {}

        destination = json.dumps(
            {
                "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                "BucketARN": "arn:aws:s3:::cli-bucket",
                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1},
            }
        )
        aws("firehose", "create-delivery-stream", "--delivery-stream-name", "cli",
            "--extended-s3-destination-configuration", destination)  # fmt: skip
        put = aws("firehose", "put-record", "--delivery-stream-name", "cli",
                  "--record", '{"Data": "hello from the cli\\n"}')  # fmt: skip
        assert put["RecordId"] and put["Encrypted"] is False
        # no run attached: the wall clock drives the buffer (interval 1 s)
        deadline = time.monotonic() + 10
        s3 = backend.client("s3")
        while time.monotonic() < deadline:
            listing = s3.list_objects_v2(Bucket="cli-bucket")
            if listing["KeyCount"]:
                break
            time.sleep(0.1)
        [obj] = listing["Contents"]
        body = s3.get_object(Bucket="cli-bucket", Key=obj["Key"])["Body"].read()
        assert body == b"hello from the cli\n"
        assert "cli" in aws("firehose", "list-delivery-streams")["DeliveryStreamNames"]
    finally:
        server.stop()
        backend.stop()
