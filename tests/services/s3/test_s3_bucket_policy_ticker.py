"""The Ticker lab's bucket policy (scenarios/policies/ticker-bucket-policy.json) enforced on the
embedded backend: authenticated AWS principals of any account may read, nobody outside the
account may write, anonymous callers may do nothing, and the account's own Firehose role still
delivers."""

from __future__ import annotations

import http.client
import json
import random
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from sim.backends.embedded import EmbeddedBackend
from sim.backends.embedded.server import EndpointServer
from sim.clock import Clock
from sim.services.iam.enforcement import Enforcer
from sim.services.s3 import (
    ACCESS_DENIED_MESSAGE,
    ASSUMED_ROLE,
    Caller,
    assume_role_in,
    parse_bucket_policy,
)

ROOT = Path(__file__).resolve().parents[3]
POLICY_FILE = ROOT / "scenarios" / "policies" / "ticker-bucket-policy.json"
REGION = "eu-west-1"
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
BUCKET = "dekylemaposa-deliverystream-s3"
KEY = "2021/11/01/09/DEKYLMAP-deliverystream-1-2021-11-01-09-00-00-a1b2c3d4.json"
STREAM = "DEKYLMAP-deliverystream"
FIREHOSE_ROLE = "DEKYLMAP-firehose-role"
NO_RETRIES = Config(retries={"total_max_attempts": 1})


@pytest.fixture(scope="module")
def started():
    """One backend for the module (each account's IAM loads AWS's managed policies once)."""
    backend = EmbeddedBackend(region=REGION, account_id=ACCOUNT, seed=4)
    backend.start()
    s3 = backend.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_policy(Bucket=BUCKET, Policy=POLICY_FILE.read_text())
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture
def backend(started):
    """The lab's bucket holding one delivered object, with its policy; no denials yet."""
    s3 = started.client("s3")
    for listed in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=listed["Key"])
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b'{"TickerName": "Index_1", "Price": 100.0}\n')
    started.bucket_policies.denials.clear()
    return started


def s3_client(**credentials) -> object:
    return boto3.client("s3", region_name=REGION, config=NO_RETRIES, **credentials)


@pytest.fixture
def anonymous():
    return boto3.client(
        "s3", region_name=REGION, config=NO_RETRIES.merge(Config(signature_version=UNSIGNED))
    )


@pytest.fixture
def other_credentials(backend) -> dict[str, str]:
    """A session of a role in another account (a role moto was never told about)."""
    return assume_role_in(backend.client("sts"), OTHER_ACCOUNT, "Reader", "reader")


@pytest.fixture
def other_account(other_credentials):
    return s3_client(**other_credentials)


def denied(call) -> dict:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return {
        "status": response["ResponseMetadata"]["HTTPStatusCode"],
        "code": response["Error"]["Code"],
        "message": response["Error"]["Message"],
    }


ACCESS_DENIED = {"status": 403, "code": "AccessDenied", "message": ACCESS_DENIED_MESSAGE}


def test_the_policy_file_is_the_labs():
    policy = json.loads(POLICY_FILE.read_text())
    resources = {r for s in policy["Statement"] for r in [s["Resource"]]}
    assert resources == {f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"}
    parse_bucket_policy(policy)  # a valid bucket policy


def test_the_account_itself_reads_and_writes(backend):
    s3 = backend.client("s3")
    assert s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read().startswith(b'{"TickerName"')
    s3.put_object(Bucket=BUCKET, Key="by-the-owner.json", Body=b"{}")
    s3.delete_object(Bucket=BUCKET, Key="by-the-owner.json")
    assert backend.bucket_policies.denials == []


def test_anonymous_callers_may_not_write(backend, anonymous):
    assert denied(lambda: anonymous.put_object(Bucket=BUCKET, Key="x.json", Body=b"{}")) == (
        ACCESS_DENIED
    )
    assert denied(lambda: anonymous.delete_object(Bucket=BUCKET, Key=KEY)) == ACCESS_DENIED
    keys = [o["Key"] for o in backend.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [KEY]
    [put, delete] = backend.bucket_policies.denials
    assert put == {
        "principal": "anonymous",
        "account": "anonymous",
        "operation": "PutObject",
        "action": "s3:PutObject",
        "resource": f"arn:aws:s3:::{BUCKET}/x.json",
        "reason": "explicit deny in the bucket policy",
    }
    assert delete["action"] == "s3:DeleteObject"


def test_anonymous_callers_may_not_read_either(backend, anonymous):
    """The lab: read access for *authenticated* AWS accounts; the policy's Allow excludes
    aws:PrincipalType Anonymous, so nothing allows an anonymous GetObject (implicit deny)."""
    assert denied(lambda: anonymous.get_object(Bucket=BUCKET, Key=KEY)) == ACCESS_DENIED
    assert denied(lambda: anonymous.list_objects_v2(Bucket=BUCKET)) == ACCESS_DENIED
    # S3 answers HEAD errors without a body: botocore sees only the status.
    assert denied(lambda: anonymous.head_object(Bucket=BUCKET, Key=KEY)) == {
        "status": 403,
        "code": "403",
        "message": "Forbidden",
    }
    reasons = {d["reason"] for d in backend.bucket_policies.denials}
    assert reasons == {"no bucket policy statement allows it"}


def test_another_account_reads_and_lists(backend, other_account):
    body = other_account.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
    assert body == b'{"TickerName": "Index_1", "Price": 100.0}\n'
    listed = other_account.list_objects_v2(Bucket=BUCKET, Prefix="2021/11/")
    assert [o["Key"] for o in listed["Contents"]] == [KEY]
    assert other_account.head_object(Bucket=BUCKET, Key=KEY)["ContentLength"] == len(body)
    assert backend.bucket_policies.denials == []


def test_another_account_may_not_write(backend, other_account):
    assert (
        denied(lambda: other_account.put_object(Bucket=BUCKET, Key="x.json", Body=b"{}"))
        == ACCESS_DENIED
    )
    assert denied(lambda: other_account.delete_object(Bucket=BUCKET, Key=KEY)) == ACCESS_DENIED
    # DeleteObjects answers 200 with an AccessDenied error per key, as S3 does.
    answer = other_account.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": KEY}]})
    assert answer["Errors"] == [
        {"Key": KEY, "Code": "AccessDenied", "Message": ACCESS_DENIED_MESSAGE}
    ]
    assert "Deleted" not in answer
    assert backend.client("s3").head_object(Bucket=BUCKET, Key=KEY)["ContentLength"] > 0
    principals = {d["principal"] for d in backend.bucket_policies.denials}
    assert principals == {f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/Reader/reader"}


def test_another_account_copying_in_is_a_write(backend, other_account):
    assert (
        denied(
            lambda: other_account.copy_object(
                Bucket=BUCKET, Key="copy.json", CopySource={"Bucket": BUCKET, "Key": KEY}
            )
        )
        == ACCESS_DENIED
    )
    [denial] = backend.bucket_policies.denials
    assert (denial["operation"], denial["action"]) == ("CopyObject", "s3:PutObject")


def test_another_account_also_needs_its_own_permission(backend):
    """Cross-account access needs both sides: a role of the other account without an
    identity-based policy allowing s3:GetObject is refused, with one it reads."""
    sts = backend.client("sts")
    admin = assume_role_in(sts, OTHER_ACCOUNT, "Admin", "setup")
    iam = boto3.client("iam", region_name=REGION, **admin)  # filed under OTHER_ACCOUNT
    iam.create_role(
        RoleName="Analyst",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    analyst = s3_client(**assume_role_in(sts, OTHER_ACCOUNT, "Analyst", "analyst"))
    assert denied(lambda: analyst.get_object(Bucket=BUCKET, Key=KEY)) == ACCESS_DENIED
    assert backend.bucket_policies.denials[-1]["reason"] == "no identity-based policy allows it"

    iam.put_role_policy(
        RoleName="Analyst",
        PolicyName="ReadTicks",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetObject", "s3:PutObject"],
                        "Resource": f"arn:aws:s3:::{BUCKET}/*",
                    }
                ],
            }
        ),
    )
    assert analyst.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
    # Its own permission to write does not help: the bucket policy denies it explicitly.
    assert denied(lambda: analyst.put_object(Bucket=BUCKET, Key="x", Body=b"")) == ACCESS_DENIED


def test_the_firehose_role_still_delivers(backend):
    """The account's own Firehose role writes its objects with the policy in place: the Deny
    names only principals of other accounts (and moto's own approximation of bucket policies,
    which ignores conditions, no longer refuses it)."""
    iam = backend.client("iam")
    iam.create_role(
        RoleName=FIREHOSE_ROLE,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "firehose.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    iam.put_role_policy(
        RoleName=FIREHOSE_ROLE,
        PolicyName="deliver",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
                        "Resource": f"arn:aws:s3:::{BUCKET}/*",
                    }
                ],
            }
        ),
    )
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{FIREHOSE_ROLE}"
    clock = Clock(1_635_757_200.0)  # 2021-11-01T09:00:00Z
    enforcer = Enforcer(iam, account=ACCOUNT, rng=random.Random(1), now=lambda: clock.now)
    enforcer.activate()
    backend.act_as_roles(enforcer.issue)
    backend.attach_clock(clock)
    try:
        backend.client("firehose").create_delivery_stream(
            DeliveryStreamName=STREAM,
            ExtendedS3DestinationConfiguration={
                "RoleARN": role_arn,
                "BucketARN": f"arn:aws:s3:::{BUCKET}",
                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
            },
        )
        backend.client("firehose").put_record_batch(
            DeliveryStreamName=STREAM,
            Records=[{"Data": b'{"TickerName": "Index_2", "Price": 90.0}\n'}],
        )
        clock.run(until=clock.now + 61)
    finally:
        backend.attach_clock(None)
        backend.act_as_roles(None)
        enforcer.deactivate()
    keys = [o["Key"] for o in backend.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]]
    delivered = [k for k in keys if k != KEY]
    assert len(delivered) == 1 and delivered[0].startswith(f"2021/11/01/09/{STREAM}-1-"), keys
    assert enforcer.denials == [] and backend.bucket_policies.denials == []
    # The policy itself: no statement denies the role's session (same account).
    firehose = Caller(
        type=ASSUMED_ROLE,
        account=ACCOUNT,
        arn=role_arn,
        session_arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/{FIREHOSE_ROLE}/firehose",
        role_arn=role_arn,
    )
    decision = parse_bucket_policy(POLICY_FILE.read_text()).evaluate(
        firehose,
        "s3:PutObject",
        f"arn:aws:s3:::{delivered[0]}",
        {**firehose.context(), "aws:PrincipalAccount": ACCOUNT},
    )
    assert not decision.explicit


def test_anonymous_and_other_accounts_over_http(backend, other_credentials):
    """The same answers from the endpoint: unsigned path-style requests, presigned URLs."""
    server = EndpointServer(backend, port=0).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", f"/{BUCKET}/{KEY}")
        response = connection.getresponse()
        body = response.read().decode()
        assert response.status == 403
        assert "<Code>AccessDenied</Code><Message>Access Denied</Message>" in body
        connection.request("PUT", f"/{BUCKET}/anonymous.json", body=b"{}")
        response = connection.getresponse()
        response.read()
        assert response.status == 403

        http_client = boto3.client(
            "s3",
            region_name=REGION,
            endpoint_url=server.url,
            config=NO_RETRIES.merge(Config(s3={"addressing_style": "path"})),
            **other_credentials,
        )
        assert http_client.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
        for method, params, status in (
            ("get_object", {"Bucket": BUCKET, "Key": KEY}, 200),
            ("put_object", {"Bucket": BUCKET, "Key": "presigned.json"}, 403),
        ):
            url = urlsplit(http_client.generate_presigned_url(method, Params=params))
            connection.request(
                "GET" if method == "get_object" else "PUT",
                f"{url.path}?{url.query}",
                body=None if method == "get_object" else b"{}",
            )
            response = connection.getresponse()
            response.read()
            assert response.status == status, method
    finally:
        server.stop()
