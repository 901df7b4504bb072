"""Who sent a request, as the embedded backend tells: anonymous, the account's own credentials,
another account's role session or IAM user (keys moto issued to that account)."""

from __future__ import annotations

import boto3
import pytest
from botocore.auth import S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sim.backends.embedded import EmbeddedBackend
from sim.backends.embedded.intercept import Request
from sim.services.s3 import ANONYMOUS_CALLER, ASSUMED_ROLE, USER, assume_role_in, identify

REGION = "eu-west-1"
ACCOUNT = "123456789012"
OTHER = "210987654321"
URL = "https://bkt.s3.eu-west-1.amazonaws.com/k"


@pytest.fixture(scope="module")
def backend():
    backend = EmbeddedBackend(region=REGION, account_id=ACCOUNT)
    backend.start()
    yield backend
    backend.stop()


def signed(credentials: dict[str, str], *, presigned: bool = False) -> Request:
    creds = Credentials(
        credentials["aws_access_key_id"],
        credentials["aws_secret_access_key"],
        credentials.get("aws_session_token"),
    )
    aws_request = AWSRequest(method="GET", url=URL, headers={})
    if presigned:
        S3SigV4QueryAuth(creds, "s3", REGION, expires=60).add_auth(aws_request)
    else:
        SigV4Auth(creds, "s3", REGION).add_auth(aws_request)
    return Request("GET", aws_request.url, aws_request.headers, b"")


def test_no_credentials_is_anonymous():
    caller = identify(Request("GET", URL, {}, b""), home_account=ACCOUNT)
    assert caller == ANONYMOUS_CALLER and caller.anonymous


def test_keys_moto_never_issued_are_the_account_s_own(backend):
    caller = identify(
        signed({"aws_access_key_id": "test", "aws_secret_access_key": "test"}),
        home_account=ACCOUNT,
    )
    assert (caller.type, caller.account, caller.arn) == (
        "Account",
        ACCOUNT,
        f"arn:aws:iam::{ACCOUNT}:root",
    )
    assert caller.context()["s3:authType"] == "REST-HEADER"
    assert caller.context()["s3:signatureversion"] == "AWS4-HMAC-SHA256"


def test_a_session_of_another_account_s_role(backend):
    credentials = assume_role_in(backend.client("sts"), OTHER, "Reader", "alice")
    for request, auth_type in ((signed(credentials), "REST-HEADER"),
                               (signed(credentials, presigned=True), "REST-QUERY-STRING")):  # fmt: skip
        caller = identify(request, home_account=ACCOUNT)
        assert caller.type == ASSUMED_ROLE
        assert caller.account == OTHER
        assert caller.arn == caller.role_arn == f"arn:aws:iam::{OTHER}:role/Reader"
        assert caller.session_arn == f"arn:aws:sts::{OTHER}:assumed-role/Reader/alice"
        assert caller.userid.endswith(":alice")
        context = caller.context()
        assert context["aws:PrincipalAccount"] == OTHER
        assert context["aws:PrincipalType"] == "AssumedRole"
        assert context["aws:PrincipalArn"] == f"arn:aws:iam::{OTHER}:role/Reader"
        assert context["s3:authType"] == auth_type
        assert "aws:username" not in context


def test_a_session_of_a_role_in_the_own_account(backend):
    credentials = assume_role_in(backend.client("sts"), ACCOUNT, "Local", "bob")
    caller = identify(signed(credentials), home_account=ACCOUNT)
    assert (caller.type, caller.account) == (ASSUMED_ROLE, ACCOUNT)


def test_an_iam_user_of_another_account(backend):
    admin = assume_role_in(backend.client("sts"), OTHER, "Admin", "setup")
    iam = boto3.client("iam", region_name=REGION, **admin)  # filed under the other account
    iam.create_user(UserName="ana")
    key = iam.create_access_key(UserName="ana")["AccessKey"]
    caller = identify(
        signed(
            {
                "aws_access_key_id": key["AccessKeyId"],
                "aws_secret_access_key": key["SecretAccessKey"],
            }
        ),
        home_account=ACCOUNT,
    )
    assert (caller.type, caller.account, caller.username) == (USER, OTHER, "ana")
    assert caller.arn == caller.session_arn == f"arn:aws:iam::{OTHER}:user/ana"
    assert caller.context()["aws:username"] == "ana"


def test_signature_version_2_headers_name_their_key(backend):
    request = Request("GET", URL, {"Authorization": "AWS test:c2lnbmF0dXJl"}, b"")
    caller = identify(request, home_account=ACCOUNT)
    assert (caller.account, caller.signature_version) == (ACCOUNT, "AWS")
