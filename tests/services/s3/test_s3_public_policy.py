"""Block Public Access: which bucket policies S3 calls public, the scenario refusing a public
policy on a bucket that keeps the block on, and `block_public_access: false` turning it off."""

from __future__ import annotations

import json

import pytest

from sim import Simulation
from sim.scenario import ScenarioError, parse_scenario
from sim.services.s3.public import is_public, public_statements

READ = {"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize(
    ("statement", "public"),
    [
        ({"Effect": "Allow", "Principal": "*", **READ}, True),
        ({"Effect": "Allow", "Principal": {"AWS": "*"}, **READ}, True),
        ({"Effect": "Allow", "Principal": {"AWS": ["111122223333", "*"]}, **READ}, True),
        ({"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, **READ}, True),
        # a condition on another key does not fix the caller: any authenticated user is public
        (
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                **READ,
                "Condition": {"StringNotEquals": {"aws:PrincipalType": "Anonymous"}},
            },
            True,
        ),
        ({"Effect": "Deny", "Principal": "*", **READ}, False),
        ({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, **READ}, False),
        ({"Effect": "Allow", "Principal": {"Service": "firehose.amazonaws.com"}, **READ}, False),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                **READ,
                "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}},
            },
            False,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                **READ,
                "Condition": {"StringLike": {"aws:SourceAccount": "1111*"}},
            },
            True,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                **READ,
                "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:1:t"}},
            },
            False,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                **READ,
                "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
            },
            False,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                **READ,
                "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
            },
            True,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                **READ,
                "Condition": {"StringEquals": {"aws:userid": "AROAEXAMPLEID:*"}},
            },
            True,
        ),
    ],
)
def test_what_s3_calls_public(statement, public):
    assert is_public(policy(statement)) is public


def test_the_statements_that_make_it_public_are_named():
    document = policy(
        {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, **READ},
        {"Effect": "Allow", "Principal": "*", **READ},
    )
    assert public_statements(document) == [1]


SCENARIO = """
name: public-bucket
region: eu-west-1
clock: {start: 2022-01-01T00:00:00Z, duration: 1m}
resources:
  buckets:
    - name: open-bucket
      policy: POLICY
"""
PUBLIC_READ = policy(
    {
        "Sid": "AnyoneMayRead",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::open-bucket/*",
    }
)


def test_a_public_policy_with_block_public_access_on_is_refused_when_loaded():
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(SCENARIO.replace("POLICY", json.dumps(PUBLIC_READ)), "x.yaml")
    error = caught.value
    assert (error.line, error.key) == (8, "resources.buckets[0].policy")
    assert "S3 refuses a public policy with AccessDenied" in error.expected
    assert error.found.startswith("a public policy: Statement[0] (AnyoneMayRead) allows")
    assert error.hint is not None and "block_public_access: false" in error.hint


def test_block_public_access_false_turns_the_four_settings_off_before_the_policy(tmp_path):
    text = SCENARIO.replace("POLICY", json.dumps(PUBLIC_READ)).replace(
        "      policy:", "      block_public_access: false\n      policy:"
    )
    path = tmp_path / "public.yaml"
    path.write_text(text)
    with Simulation.from_file(path) as simulation:
        simulation.run()
        s3 = simulation.client("s3")
        block = s3.get_public_access_block(Bucket="open-bucket")
        assert block["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": False,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False,
        }
        assert json.loads(s3.get_bucket_policy(Bucket="open-bucket")["Policy"]) == PUBLIC_READ
