"""``sim run --backend localstack``: with the LocalStack ``make localstack`` started (found by its
state file, left running with the run's state) or, with none, one started for the run and
stopped after it. A user's handler and its Kinesis trigger run against LocalStack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3

HANDLER = """\
import base64, os
import boto3

def handler(event, context):
    table = boto3.client("dynamodb")
    for record in event["Records"]:
        table.put_item(
            TableName=os.environ["TABLE"],
            Item={"seq": {"S": record["kinesis"]["sequenceNumber"]},
                  "size": {"N": str(len(base64.b64decode(record["kinesis"]["data"])))}},
        )
"""

SCENARIO = """\
name: localstack-cli
seed: 5
clock: {start: 2021-11-01T09:00:00Z, duration: 12s}
resources:
  streams: [{name: cli-stream, shards: 1}]
  tables: [{name: cli-table, partition_key: "seq:S"}]
producers:
  - name: noaa
    type: noaa
    target: {stream: cli-stream}
    rate: 10/s
    count: 20
    params: {stations: 2}
functions:
  - name: writer
    handler: ls_cli_handler:handler
    env: {TABLE: cli-table}
    triggers:
      - kinesis: {stream: cli-stream, starting_position: TRIM_HORIZON, batch_size: 5}
expect:
  - name: one item per record
    count: {table: cli-table}
    equals: 20
  - name: every record delivered
    ledger: delivered
    equals: 20
"""


def project(tmp_path: Path) -> Path:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "ls_cli_handler.py").write_text(HANDLER)
    path = tmp_path / "scenarios" / "cli.yaml"
    path.write_text(SCENARIO)
    return path


def run_sim(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return sim_command(tmp_path, "run", *args, "--no-progress")


def sim_command(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    env.update(
        HOME=str(tmp_path), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull
    )
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def localstack_processes() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"localstack.runtime.main" in command:
                found.add(int(entry.name))
    return found


def test_without_a_background_localstack_the_run_starts_one_and_stops_it(tmp_path: Path):
    path = project(tmp_path)
    before = localstack_processes()
    done = run_sim(tmp_path, str(path), "--backend", "localstack", "--speed", "4")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "backend localstack" in done.stdout
    assert "✔  one item per record" in done.stdout
    assert localstack_processes() == before  # the one it started is gone


def test_the_background_localstack_is_used_and_keeps_the_state(localstack, tmp_path: Path):
    path = project(tmp_path)
    state = tmp_path / ".streamlab" / "localstack.json"
    state.parent.mkdir()
    state.write_text(json.dumps({"pid": localstack.pid, "url": localstack.url}))
    done = run_sim(tmp_path, str(path), "--backend", "localstack", "--speed", "4")
    assert done.returncode == 0, done.stdout + done.stderr
    assert localstack.running()
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=localstack.url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    items = dynamodb.scan(TableName="cli-table")["Items"]
    assert len(items) == 20
    assert all(int(item["size"]["N"]) > 0 for item in items)

    # A second run finds the first one's resources and says how to remove them.
    again = run_sim(tmp_path, str(path), "--backend", "localstack", "--speed", "4")
    assert again.returncode == 2
    assert "already holds this scenario's DynamoDB table cli-table, Kinesis stream cli-stream" in (
        again.stderr
    )
    assert f"`sim teardown {path} --backend localstack --yes` deletes them" in again.stderr

    # sim teardown lists them, deletes them with --yes, and finds nothing left.
    listed = sim_command(tmp_path, "teardown", str(path), "--backend", "localstack")
    assert listed.returncode == 2
    assert "  delete DynamoDB table cli-table" in listed.stderr
    assert "  delete IAM role writer-role" in listed.stderr
    done = sim_command(tmp_path, "teardown", str(path), "--backend", "localstack", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "deleted Kinesis stream cli-stream" in done.stdout
    assert done.stdout.rstrip().endswith("nothing left")
    assert "cli-table" not in dynamodb.list_tables()["TableNames"]
    assert "cli-stream" not in localstack.client("kinesis").list_streams()["StreamNames"]
    after = sim_command(tmp_path, "teardown", str(path), "--backend", "localstack")
    assert after.returncode == 0 and "nothing to tear down" in after.stdout
