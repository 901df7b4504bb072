"""``make up; make scenario``, then ``awslocal lambda invoke``: after a run inside the background
endpoint (``sim up --detach``), the scenario's functions stay invocable through Lambda's API, on
the endpoint's time, until the next run or a reset replaces them.

One endpoint (a free port, a temporary working directory) is shared by the tests of this module,
which run in order; the fixture stops it.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import signal
import subprocess
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_support import BIN, NOAA, aws, free_port, producer_only, sim, sim_env, write

from sim.daemon import process_alive

AWSLOCAL = str(BIN / "awslocal")


@dataclass
class Endpoint:
    directory: Path
    url: str
    env: dict[str, str]

    def awslocal(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [AWSLOCAL, *args],
            cwd=self.directory,
            env={**self.env, "AWS_ENDPOINT_URL": self.url},
            capture_output=True,
            text=True,
            timeout=60,
        )

    def aws(self, *args: str) -> Any:
        return aws(*args, url=self.url, cwd=self.directory, env=self.env)

    def post(self, path: str) -> Any:
        request = urllib.request.Request(self.url + path, data=b"{}", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    directory = tmp_path_factory.mktemp("lambda-endpoint-cwd")
    port = free_port()
    env = sim_env(directory, STREAMLAB_PORT=str(port))
    up = sim("up", "--detach", cwd=directory, env=env, timeout=90)
    assert up.returncode == 0, up.stdout + up.stderr
    pid = None
    with contextlib.suppress(OSError, ValueError):
        pid = json.loads((directory / ".streamlab" / "endpoint.json").read_text())["pid"]
    try:
        yield Endpoint(directory, f"http://127.0.0.1:{port}", env)
    finally:
        if pid is not None and process_alive(pid):
            sim("down", cwd=directory, env=env)
            if process_alive(pid):  # sim down failed: do not leave our endpoint behind
                os.kill(pid, signal.SIGKILL)


def kinesis_event(*records: dict[str, Any] | str) -> dict[str, Any]:
    """A Kinesis event as the mapping builds it, by hand (a str is put as raw, invalid data)."""
    entries = []
    for number, record in enumerate(records, 1):
        data = (
            record
            if isinstance(record, str)
            else base64.b64encode(json.dumps(record).encode()).decode()
        )
        entries.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": "2021-10-31",
                    "sequenceNumber": str(number),
                    "data": data,
                    "approximateArrivalTimestamp": 1635757380.0,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{number}",
                "eventName": "aws:kinesis:record",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/input-stream",
            }
        )
    return {"Records": entries}


@pytest.mark.slow
def test_after_make_scenario_awslocal_invokes_the_consumer(endpoint: Endpoint) -> None:
    done = sim("run", str(NOAA), "--no-progress", cwd=endpoint.directory, env=endpoint.env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "running inside the streamlab endpoint" in done.stderr
    assert "noaa-weather  PASSED" in done.stdout

    event = endpoint.directory / "event.json"
    measurement = {
        "date": "2021-10-31T00:00:00",
        "datatype": "TMAX",
        "station": "GHCND:HANDMADE0001",
        "attributes": ",,W,2400",
        "value": 61,
    }
    event.write_text(json.dumps(kinesis_event(measurement, "not base64!")))
    out = endpoint.directory / "out.json"
    invoked = endpoint.awslocal(
        "lambda", "invoke", "--function-name", "KinesisLambdaConsumer",
        "--payload", f"file://{event}", "--log-type", "Tail", str(out),
    )  # fmt: skip
    assert invoked.returncode == 0, invoked.stdout + invoked.stderr
    answer = json.loads(invoked.stdout)
    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer
    assert json.loads(out.read_text()) == {
        "records": 2,
        "skipped": 1,
        "precipitation_items": 0,
        "temperature_items": 1,
        "batchItemFailures": [],
    }
    # The handler ran on the endpoint's time: the run's end (2021-11-01T09:03Z), ticking on.
    log = base64.b64decode(answer["LogResult"]).decode()
    [warning] = [line for line in log.splitlines() if line.startswith("[WARNING]")]
    assert warning.split("\t")[1].startswith("2021-11-01T09:0"), warning
    assert "skipping record 2" in warning
    assert "Init Duration" not in log  # warm: the run's execution environment

    scanned = endpoint.aws(
        "dynamodb", "scan", "--table-name", "Temperature",
        "--filter-expression", "station = :s",
        "--expression-attribute-values", '{":s": {"S": "GHCND:HANDMADE0001"}}',
    )  # fmt: skip
    assert scanned["Items"] == [
        {
            "date": {"S": "2021-10-31"},
            "station": {"S": "GHCND:HANDMADE0001"},
            "TMAX": {"N": "61"},
            "TMAX_attributes": {"S": ",,W,2400"},
        }
    ]
    assert (
        endpoint.aws("dynamodb", "scan", "--table-name", "Temperature", "--select", "COUNT")[
            "Count"
        ]
        == 156
    )

    listed = endpoint.aws("lambda", "list-functions")["Functions"]
    assert [f["FunctionName"] for f in listed] == ["KinesisLambdaConsumer"]
    assert listed[0]["Environment"]["Variables"]["TEMPERATURE_TABLE"] == "Temperature"
    [mapping] = endpoint.aws("lambda", "list-event-source-mappings")["EventSourceMappings"]
    assert mapping["EventSourceArn"].endswith(":stream/input-stream")
    assert mapping["FunctionArn"].endswith(":function:KinesisLambdaConsumer")
    assert mapping["BatchSize"] == 100


def test_the_next_run_replaces_the_functions(endpoint: Endpoint) -> None:
    scenario = write(endpoint.directory / "producer-only.yaml", producer_only())
    done = sim("run", str(scenario), "--no-progress", cwd=endpoint.directory, env=endpoint.env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert endpoint.aws("lambda", "list-functions")["Functions"] == []
    gone = endpoint.awslocal(
        "lambda", "invoke", "--function-name", "KinesisLambdaConsumer",
        str(endpoint.directory / "gone.json"),
    )  # fmt: skip
    assert gone.returncode in (254, 255)
    assert (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:KinesisLambdaConsumer"
        in gone.stderr
    )
    assert endpoint.aws("lambda", "list-event-source-mappings")["EventSourceMappings"] == []


def test_functions_created_between_runs_are_forgotten_by_a_reset(endpoint: Endpoint) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "app.py", "import time\n\ndef handler(event, context):\n    return time.time()\n"
        )
    package = endpoint.directory / "app.zip"
    package.write_bytes(buffer.getvalue())
    endpoint.aws(
        "lambda", "create-function", "--function-name", "between-runs", "--runtime",
        "python3.11", "--role", "arn:aws:iam::123456789012:role/r", "--handler", "app.handler",
        "--zip-file", f"fileb://{package}",
    )  # fmt: skip
    out = endpoint.directory / "now.json"
    invoked = endpoint.awslocal("lambda", "invoke", "--function-name", "between-runs", str(out))
    assert invoked.returncode == 0, invoked.stderr
    now = json.loads(out.read_text())
    # The producer-only run ended at 2021-11-01T09:00:10Z; the endpoint's time ticks on.
    assert 1635757210 <= now < 1635757210 + 600

    assert endpoint.post("/_streamlab/reset") == {"reset": True}
    assert endpoint.aws("lambda", "list-functions")["Functions"] == []
