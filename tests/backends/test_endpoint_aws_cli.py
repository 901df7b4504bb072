"""The aws CLI and awslocal (real subprocesses) against the HTTP endpoint."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
from backend_support import REGION

from sim.backends.embedded.server import EndpointServer

BIN = Path(sys.executable).parent
AWS, AWSLOCAL = str(BIN / "aws"), str(BIN / "awslocal")


def aws(endpoint: EndpointServer, env: dict[str, str], *args: str, program: str = AWS) -> Any:
    command = [program, *args]
    if program == AWS:
        command[1:1] = ["--endpoint-url", endpoint.url, "--output", "json"]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, cwd=env["HOME"]
    )
    assert done.returncode == 0, f"{command}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    return json.loads(done.stdout) if done.stdout.strip().startswith("{") else done.stdout


def test_kinesis_with_the_aws_cli(endpoint: EndpointServer, cli_env: dict[str, str]) -> None:
    boto3.client(
        "kinesis", endpoint_url=endpoint.url, region_name=REGION,
        aws_access_key_id="test", aws_secret_access_key="test",
    ).create_stream(StreamName="cli-stream", ShardCount=1)  # fmt: skip
    assert "cli-stream" in aws(endpoint, cli_env, "kinesis", "list-streams")["StreamNames"]

    put = aws(
        endpoint, cli_env, "kinesis", "put-record", "--stream-name", "cli-stream",
        "--partition-key", "pk", "--data", "hello from the cli",
    )  # fmt: skip
    assert len(put["SequenceNumber"]) == 56
    iterator = aws(
        endpoint, cli_env, "kinesis", "get-shard-iterator", "--stream-name", "cli-stream",
        "--shard-id", put["ShardId"], "--shard-iterator-type", "TRIM_HORIZON",
    )["ShardIterator"]  # fmt: skip
    records = aws(endpoint, cli_env, "kinesis", "get-records", "--shard-iterator", iterator)
    [record] = records["Records"]
    assert base64.b64decode(record["Data"]) == b"hello from the cli"
    assert record["SequenceNumber"] == put["SequenceNumber"]


def test_dynamodb_with_the_aws_cli(endpoint: EndpointServer, cli_env: dict[str, str]) -> None:
    created = aws(
        endpoint, cli_env, "dynamodb", "create-table", "--table-name", "CliTable",
        "--attribute-definitions", "AttributeName=id,AttributeType=S",
        "--key-schema", "AttributeName=id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST",
    )  # fmt: skip
    assert created["TableDescription"]["TableName"] == "CliTable"
    aws(
        endpoint, cli_env, "dynamodb", "put-item", "--table-name", "CliTable",
        "--item", json.dumps({"id": {"S": "one"}, "n": {"N": "7"}}),
    )  # fmt: skip
    scanned = aws(endpoint, cli_env, "dynamodb", "scan", "--table-name", "CliTable")
    assert scanned["Items"] == [{"id": {"S": "one"}, "n": {"N": "7"}}]


def test_s3_with_the_aws_cli(
    endpoint: EndpointServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    local = tmp_path / "report.csv"
    local.write_text("date,value\n2021-10-01,74\n")
    aws(endpoint, cli_env, "s3", "mb", "s3://cli-bucket")
    aws(endpoint, cli_env, "s3", "cp", str(local), "s3://cli-bucket/reports/report.csv")
    listing = aws(endpoint, cli_env, "s3", "ls", "--recursive", "s3://cli-bucket/")
    assert "reports/report.csv" in listing
    s3 = boto3.client(
        "s3", endpoint_url=endpoint.url, region_name=REGION,
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    body = s3.get_object(Bucket="cli-bucket", Key="reports/report.csv")["Body"].read()
    assert body == local.read_bytes()


def test_awslocal_reads_aws_endpoint_url(endpoint: EndpointServer, cli_env: dict[str, str]) -> None:
    boto3.client(
        "kinesis", endpoint_url=endpoint.url, region_name=REGION,
        aws_access_key_id="test", aws_secret_access_key="test",
    ).create_stream(StreamName="awslocal-stream", ShardCount=1)  # fmt: skip
    env = {**cli_env, "AWS_ENDPOINT_URL": endpoint.url}
    # awslocal prints a deprecation banner on stderr; only stdout matters.
    listed = aws(endpoint, env, "kinesis", "list-streams", program=AWSLOCAL)
    assert "awslocal-stream" in listed["StreamNames"]
