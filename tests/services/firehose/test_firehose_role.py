"""Firehose writes to S3 as its delivery stream's role, checked like a function's calls: a role
without s3:PutObject on the bucket delivers nothing (each write denied as S3 denies it, and
retried), and the same run with the permission delivers every record."""

from __future__ import annotations

import json
import textwrap

from sim import Simulation

SCENARIO = """
name: firehose-role
seed: 5
clock: {start: 2021-11-01T09:00:00Z, duration: 3m}
resources:
  streams: [{name: rides}]
  buckets: [{name: rides-data}]
  delivery_streams:
    - name: rides
      source: {stream: rides}
      bucket: rides-data
      buffering: {interval: 60, size_mb: 1}
      ROLE
producers:
  - {name: fleet, type: unicorns, target: {stream: rides}, stop: 2m, params: {count: 2}}
"""

ALLOW_READ_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::rides-data/*"}
    ],
}
ALLOW_WRITE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::rides-data/*"}
    ],
}


def run(tmp_path, role: str):
    path = tmp_path / "firehose-role.yaml"
    path.write_text(textwrap.dedent(SCENARIO).replace("ROLE", role))
    with Simulation.from_file(path) as simulation:
        result = simulation.run()
        keys = [
            o["Key"]
            for o in simulation.client("s3")
            .list_objects_v2(Bucket="rides-data")
            .get("Contents", [])
        ]
        return result, keys


def role(document: dict) -> str:
    return (
        "role: {name: rides-delivery, policies: [{name: p, document: "
        + json.dumps(document)
        + "}]}"
    )


def test_a_role_without_put_object_delivers_nothing_and_says_why(tmp_path):
    result, keys = run(tmp_path, role(ALLOW_READ_ONLY))
    assert keys == []
    stats = result.delivery_streams["rides"]
    assert stats["objects"] == 0 and stats["delivered"] == 0
    assert stats["failed_attempts"] >= 2
    error = stats["last_error"]
    assert "AccessDenied" in error
    assert (
        "User: arn:aws:sts::123456789012:assumed-role/rides-delivery/firehose is not "
        'authorized to perform: s3:PutObject on resource: "arn:aws:s3:::rides-data/2021/11/01/09/'
        in error
    )
    # nothing is lost: the records wait in Firehose, retried until 24 h
    hop = result.ledger.hops[("stream rides", "delivery stream rides")]
    assert hop.delivered == 0 and hop.in_flight == hop.available == 240
    assert result.ledger.totals()["lost"] == 0
    assert "failed S3 writes" in result.report()


def test_the_same_run_delivers_once_the_role_may_put_objects(tmp_path):
    result, keys = run(tmp_path, role(ALLOW_WRITE))
    assert len(keys) == 2
    assert result.delivery_streams["rides"]["failed_attempts"] == 0
    assert result.ledger.hops[("stream rides", "delivery stream rides")].delivered == 240


def test_the_default_role_is_the_consoles_and_delivers(tmp_path):
    result, keys = run(tmp_path, "")
    assert len(keys) == 2
    with Simulation.from_file(_write(tmp_path)) as simulation:
        simulation.run()
        iam = simulation.client("iam")
        trust = iam.get_role(RoleName="firehose-rides")["Role"]["AssumeRolePolicyDocument"]
        policy = iam.get_role_policy(RoleName="firehose-rides", PolicyName="firehose-delivery")
    assert trust["Statement"][0]["Principal"] == {"Service": "firehose.amazonaws.com"}
    actions = [a for s in policy["PolicyDocument"]["Statement"] for a in s["Action"]]
    assert "s3:PutObject" in actions and "kinesis:GetRecords" in actions


def _write(tmp_path):
    path = tmp_path / "default.yaml"
    path.write_text(textwrap.dedent(SCENARIO).replace("ROLE", ""))
    return path
