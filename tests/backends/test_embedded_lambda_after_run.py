"""In-process: after ``Simulation.run()`` on the embedded backend, ``simulation.client("lambda")``
invokes the scenario's functions (the runner attached its runtime to the backend), on the
simulation's time; a backend with no run behind it creates its own runtime for CreateFunction."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest
from backend_support import ACCOUNT, REGION, isolate_aws_environment
from botocore.exceptions import ClientError

from sim import Simulation
from sim.backends.embedded import EmbeddedBackend

PROBE = '''\
"""A handler for the in-process Lambda API test: counts its invocations, stores what it got."""

import os
import time

import boto3

calls = 0


def handler(event, context):
    global calls
    calls += 1
    if event.get("id"):
        boto3.client("dynamodb").put_item(
            TableName=os.environ["TABLE"], Item={"id": {"S": event["id"]}}
        )
    return {"calls": calls, "now": time.time(), "records": len(event.get("Records", []))}
'''

SCENARIO = """\
name: lambda-after-run
seed: 3
clock:
  start: 2021-11-01T09:00:00Z
  duration: 10s
resources:
  streams:
    - name: probe-stream
      shards: 1
  tables:
    - name: ProbeTable
      partition_key: id:S
producers:
  - name: noaa
    type: noaa
    target: {stream: probe-stream}
    rate: 5/s
    count: 10
    params:
      stations: 2
functions:
  - name: Probe
    handler: lambda_after_run_probe:handler
    env:
      TABLE: ProbeTable
    role:
      policies:
        - name: write-probe-table
          document:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: dynamodb:PutItem
                Resource: arn:aws:dynamodb:us-east-1:123456789012:table/ProbeTable
    triggers:
      - kinesis: {stream: probe-stream, starting_position: TRIM_HORIZON, batch_size: 100}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_aws_environment(monkeypatch, tmp_path)
    (tmp_path / "lambda_after_run_probe.py").write_text(PROBE)
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "probe.yaml"
    path.write_text(textwrap.dedent(SCENARIO))
    return path


def test_simulation_client_invokes_the_scenario_function_after_the_run(project: Path) -> None:
    with Simulation.from_file(project) as simulation:
        result = simulation.run()
        assert result.passed, result.report()
        runs = len(simulation.runtime.invocations)
        assert runs >= 1

        lam = simulation.client("lambda")
        answer = lam.invoke(FunctionName="Probe", Payload=json.dumps({"id": "by-api"}))
        assert answer["StatusCode"] == 200
        assert "FunctionError" not in answer
        payload = json.loads(answer["Payload"].read())
        assert payload["calls"] == runs + 1  # the run's warm environment
        # The process keeps the simulation's time after the run: 09:00:10Z, ticking on.
        assert 1635757210 <= payload["now"] < 1635757210 + 60
        stored = simulation.client("dynamodb").get_item(
            TableName="ProbeTable", Key={"id": {"S": "by-api"}}
        )
        assert stored["Item"] == {"id": {"S": "by-api"}}

        record = simulation.runtime.invocations[-1]
        assert record.source == "api:RequestResponse"
        assert record.request_id == answer["ResponseMetadata"]["RequestId"]
        configuration = lam.get_function_configuration(FunctionName="Probe")
        assert configuration["FunctionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Probe"
        assert configuration["Handler"] == "lambda_after_run_probe.handler"
        # the run's trigger, as ListEventSourceMappings shows it
        [mapping] = lam.list_event_source_mappings(FunctionName="Probe")["EventSourceMappings"]
        assert mapping["EventSourceArn"].endswith(":stream/probe-stream")
        assert mapping["UUID"] == simulation.mappings[0].uuid


def test_a_backend_without_a_run_serves_functions_created_through_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_aws_environment(monkeypatch, tmp_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("main.py", "def handler(event, context):\n    return event['x'] * 2\n")
    backend = EmbeddedBackend()
    backend.start()
    try:
        lam: Any = backend.client("lambda")
        lam.create_function(
            FunctionName="doubler", Runtime="python3.11", Handler="main.handler",
            Role=f"arn:aws:iam::{ACCOUNT}:role/r", Code={"ZipFile": buffer.getvalue()},
        )  # fmt: skip
        answer = lam.invoke(FunctionName="doubler", Payload=b'{"x": 21}')
        assert answer["Payload"].read() == b"42"
        runtime = backend.lambda_runtime()
        code_root = Path(runtime.code_root)
        assert code_root.is_dir()

        backend.reset()  # forgets the functions (and the runtime that held them)
        assert runtime.closed and not code_root.exists()
        with pytest.raises(ClientError) as caught:
            lam.invoke(FunctionName="doubler")
        assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    finally:
        backend.stop()
