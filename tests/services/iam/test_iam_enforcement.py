"""IAM enforced on a run: every call a handler makes is checked against its function's role.

A user's project (handler module + scenario file) runs on the embedded backend; the handler's
DynamoDB and S3 calls are allowed or denied by the policies the scenario gives the role, with
AWS's errors and messages. Calls made by streamlab itself (provisioning, producers,
expectations) are not checked.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from sim import Simulation

HANDLER = """
import base64, json, os
import boto3

def handler(event, context):
    dynamodb = boto3.client("dynamodb")
    for record in event["Records"]:
        data = json.loads(base64.b64decode(record["kinesis"]["data"]))
        dynamodb.put_item(
            TableName=os.environ["TABLE"],
            Item={"id": {"S": record["kinesis"]["sequenceNumber"]}, "date": {"S": data["date"]}},
        )
    if os.environ.get("BUCKET"):
        boto3.client("s3").put_object(Bucket=os.environ["BUCKET"], Key="done.txt", Body=b"done")
    return len(event["Records"])
"""

SCENARIO = """
name: iam-enforced
seed: 11
clock: {start: 2021-11-01T09:00:00Z, duration: 20s}
resources:
  streams: [{name: in, shards: 1}]
  tables: [{name: Items, partition_key: "id:S"}, {name: Other, partition_key: "id:S"}]
  buckets: [{name: iam-bucket}]
producers:
  - name: noaa
    type: noaa
    target: {stream: in}
    rate: 5/s
    count: 10
    params: {stations: 2}
functions:
  - name: Writer
    handler: iam_enforced_handler:handler
    timeout: 60  # wall seconds: a loaded CI machine can take 3 s to build a cold boto3 client
    env: {TABLE: TABLE_NAME, BUCKET: "BUCKET_NAME"}
    role: ROLE
    triggers:
      - kinesis: {stream: in, starting_position: TRIM_HORIZON, batch_size: 10, maximum_retry_attempts: 0}
"""
ITEMS = "arn:aws:dynamodb:us-east-1:123456789012:table/Items"
ALLOW_PUT_ITEMS = [{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": ITEMS}]


def run(
    tmp_path: Path,
    statements: list[dict] | None,
    table: str = "Items",
    bucket: str = "",
    managed: list[str] | None = None,
) -> Simulation:
    """The project in ``tmp_path``: the handler, and the scenario with the role's policies."""
    (tmp_path / "iam_enforced_handler.py").write_text(HANDLER)
    (tmp_path / "scenarios").mkdir(exist_ok=True)
    role: dict = {"name": "WriterRole"}
    if statements:
        document = {"Version": "2012-10-17", "Statement": statements}
        role["policies"] = [{"name": "writer-policy", "document": document}]
    if managed:
        role["managed_policy_arns"] = managed
    text = (
        textwrap.dedent(SCENARIO)
        .replace("ROLE", json.dumps(role))
        .replace("TABLE_NAME", table)
        .replace("BUCKET_NAME", bucket)
    )
    path = tmp_path / "scenarios" / "iam.yaml"
    path.write_text(text)
    return Simulation.from_file(path)


def errors(simulation: Simulation) -> list[str]:
    """The error message of every invocation that did not succeed (a timeout's included)."""
    return [
        (record.payload or {}).get("errorMessage", record.outcome)
        for record in simulation.runtime.invocations
        if record.outcome != "success"
    ]


def one_error(simulation: Simulation, result) -> set[str]:
    """The distinct error messages of a run expected to fail in one way (with its report when
    it did not)."""
    found = set(errors(simulation))
    assert len(found) == 1, result.report()
    return found


def test_a_missing_permission_fails_as_on_aws_and_passes_once_the_policy_is_fixed(tmp_path):
    missing = [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": ITEMS}]
    with run(tmp_path, missing) as simulation:
        result = simulation.run()
        [message] = one_error(simulation, result)
        assert simulation.client("dynamodb").scan(TableName="Items")["Count"] == 0
    assert message == (
        "An error occurred (AccessDeniedException) when calling the PutItem operation: "
        "User: arn:aws:sts::123456789012:assumed-role/WriterRole/Writer is not authorized to "
        "perform: dynamodb:PutItem on resource: "
        "arn:aws:dynamodb:us-east-1:123456789012:table/Items because no identity-based policy "
        "allows the dynamodb:PutItem action"
    )
    assert dict(result.ledger.hops[("stream in", "function Writer")].dropped) == {
        "RetryAttemptsExhausted": 10
    }

    fixed = tmp_path / "fixed"
    fixed.mkdir()
    with run(fixed, ALLOW_PUT_ITEMS) as simulation:
        result = simulation.run()
        assert errors(simulation) == [], result.report()
        assert simulation.client("dynamodb").scan(TableName="Items")["Count"] == 10, result.report()
    assert result.ledger.totals()["delivered"] == 10


def test_the_resource_matters_and_an_explicit_deny_wins(tmp_path):
    with run(tmp_path, ALLOW_PUT_ITEMS, table="Other") as simulation:
        result = simulation.run()
        [message] = one_error(simulation, result)
    assert "on resource: arn:aws:dynamodb:us-east-1:123456789012:table/Other because" in message

    denied = tmp_path / "denied"
    denied.mkdir()
    deny = [*ALLOW_PUT_ITEMS, {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}]
    with run(denied, deny) as simulation:
        result = simulation.run()
        [message] = one_error(simulation, result)
    assert message.endswith(
        "dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/Items "
        "with an explicit deny in an identity-based policy"
    )


def test_s3_denies_with_its_own_error(tmp_path):
    with run(tmp_path, ALLOW_PUT_ITEMS, bucket="iam-bucket") as simulation:
        result = simulation.run()
        [message] = one_error(simulation, result)
        # the items were written (allowed); the object was not (denied before it was sent)
        assert simulation.client("dynamodb").scan(TableName="Items")["Count"] == 10, result.report()
        assert simulation.client("s3").list_objects_v2(Bucket="iam-bucket")["KeyCount"] == 0
    assert message == (
        "An error occurred (AccessDenied) when calling the PutObject operation: User: "
        "arn:aws:sts::123456789012:assumed-role/WriterRole/Writer is not authorized to perform: "
        's3:PutObject on resource: "arn:aws:s3:::iam-bucket/done.txt" because no '
        "identity-based policy allows the s3:PutObject action"
    )


def test_calls_outside_the_functions_are_not_checked(tmp_path):
    # No policy at all: provisioning, the producer and the expectations still work.
    with run(tmp_path, None) as simulation:
        result = simulation.run()
        assert simulation.enforcer is not None
        principals = {d["principal"] for d in simulation.enforcer.denials}
    assert principals == {"arn:aws:sts::123456789012:assumed-role/WriterRole/Writer"}, (
        result.report()
    )
    assert result.ledger.totals()["accepted"] == 10


def test_managed_policies_count(tmp_path):
    managed = ["arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"]
    with run(tmp_path, None, managed=managed) as simulation:
        result = simulation.run()
        assert errors(simulation) == [], result.report()
        assert simulation.client("dynamodb").scan(TableName="Items")["Count"] == 10, result.report()
