"""Bucket policies evaluated for one caller: principals, conditions on the caller's keys,
explicit deny, and documents S3 would not accept."""

from __future__ import annotations

import pytest

from sim.services.s3 import (
    ANONYMOUS_CALLER,
    ASSUMED_ROLE,
    USER,
    Caller,
    MalformedPolicy,
    parse_bucket_policy,
)

ACCOUNT = "123456789012"
OTHER = "210987654321"
OBJECT = "arn:aws:s3:::b/k"
ROLE = f"arn:aws:iam::{OTHER}:role/Reader"
SESSION = f"arn:aws:sts::{OTHER}:assumed-role/Reader/s1"

READER = Caller(
    type=ASSUMED_ROLE, account=OTHER, arn=ROLE, session_arn=SESSION, role_arn=ROLE, userid="x:s1"
)
OTHER_SESSION = Caller(
    type=ASSUMED_ROLE,
    account=OTHER,
    arn=ROLE,
    session_arn=f"arn:aws:sts::{OTHER}:assumed-role/Reader/s2",
    role_arn=ROLE,
)
USER_OF_OTHER = Caller(
    type=USER,
    account=OTHER,
    arn=f"arn:aws:iam::{OTHER}:user/ana",
    session_arn=f"arn:aws:iam::{OTHER}:user/ana",
    username="ana",
)
OWN = Caller(
    type=ASSUMED_ROLE,
    account=ACCOUNT,
    arn=f"arn:aws:iam::{ACCOUNT}:role/firehose",
    session_arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/firehose/firehose",
    role_arn=f"arn:aws:iam::{ACCOUNT}:role/firehose",
)


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(principal, action="s3:GetObject", **extra) -> dict:
    return {
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Resource": OBJECT,
        **extra,
    }


def effect(document: dict, caller: Caller, action: str = "s3:GetObject") -> str:
    return parse_bucket_policy(document).evaluate(caller, action, OBJECT, caller.context()).effect


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}])
def test_the_wildcard_covers_everyone_anonymous_included(principal):
    document = policy(allow(principal))
    for caller in (ANONYMOUS_CALLER, READER, USER_OF_OTHER, OWN):
        assert effect(document, caller) == "Allow"


def test_authenticated_only_needs_a_condition_on_the_principal_type():
    document = policy(
        allow({"AWS": "*"}, Condition={"StringNotEquals": {"aws:PrincipalType": "Anonymous"}})
    )
    assert effect(document, ANONYMOUS_CALLER) == "ImplicitDeny"
    assert effect(document, READER) == effect(document, USER_OF_OTHER) == "Allow"


@pytest.mark.parametrize("principal", [OTHER, f"arn:aws:iam::{OTHER}:root"])
def test_an_account_principal_covers_its_principals_only(principal):
    document = policy(allow({"AWS": principal}))
    assert effect(document, READER) == effect(document, USER_OF_OTHER) == "Allow"
    assert effect(document, OWN) == "ImplicitDeny"
    assert effect(document, ANONYMOUS_CALLER) == "ImplicitDeny"


def test_a_role_covers_its_sessions_and_a_session_only_itself():
    by_role = policy(allow({"AWS": ROLE}))
    assert effect(by_role, READER) == effect(by_role, OTHER_SESSION) == "Allow"
    assert effect(by_role, USER_OF_OTHER) == "ImplicitDeny"
    by_session = policy(allow({"AWS": [SESSION]}))
    assert effect(by_session, READER) == "Allow"
    assert effect(by_session, OTHER_SESSION) == "ImplicitDeny"


def test_a_user_principal():
    document = policy(allow({"AWS": f"arn:aws:iam::{OTHER}:user/ana"}))
    assert effect(document, USER_OF_OTHER) == "Allow"
    assert effect(document, READER) == "ImplicitDeny"


def test_service_principals_never_match_a_caller():
    document = policy(allow({"Service": "firehose.amazonaws.com"}))
    assert effect(document, OWN) == "ImplicitDeny"


def test_not_principal_applies_to_everyone_else():
    document = policy(
        allow("*"),
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": [ROLE, f"arn:aws:iam::{OTHER}:root"]},
            "Action": "s3:*",
            "Resource": OBJECT,
        },
    )
    assert effect(document, READER) == "Allow"
    assert effect(document, USER_OF_OTHER) == "Allow"  # the account root covers its users
    assert effect(document, OWN) == "ExplicitDeny"
    assert effect(document, ANONYMOUS_CALLER) == "ExplicitDeny"


def test_deny_on_the_principal_account_leaves_the_own_account_alone():
    document = policy(
        allow({"AWS": "*"}, action="s3:*"),
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": OBJECT,
            "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}},
        },
    )
    assert effect(document, OWN, "s3:PutObject") == "Allow"
    assert effect(document, READER, "s3:PutObject") == "ExplicitDeny"
    # anonymous requests carry aws:PrincipalAccount "anonymous", which is not the account
    assert effect(document, ANONYMOUS_CALLER, "s3:PutObject") == "ExplicitDeny"
    assert effect(document, READER, "s3:GetObject") == "Allow"


def test_anonymous_requests_have_no_principal_arn():
    document = policy(allow("*", Condition={"Null": {"aws:PrincipalArn": "false"}}))
    assert effect(document, ANONYMOUS_CALLER) == "ImplicitDeny"
    assert effect(document, READER) == "Allow"
    assert ANONYMOUS_CALLER.context() == {
        "aws:PrincipalType": "Anonymous",
        "aws:PrincipalAccount": "anonymous",
        "aws:userid": "anonymous",
    }


def test_conditions_on_the_principal_arn_see_the_role_not_the_session():
    document = policy(allow("*", Condition={"ArnLike": {"aws:PrincipalArn": ROLE}}))
    assert effect(document, READER) == effect(document, OTHER_SESSION) == "Allow"


@pytest.mark.parametrize(
    ("statement", "message", "where"),
    [
        (
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECT},
            "Missing required field Principal",
            "Statement[0]",
        ),
        (
            allow({"AWS": "arn:aws:iam::*:role/x"}),
            "Invalid principal in policy",
            "Statement[0].Principal.AWS",
        ),
        (allow({"Robot": "x"}), "Invalid principal in policy", "Statement[0].Principal.Robot"),
        (allow("everyone"), "Invalid principal in policy", "Statement[0].Principal"),
        (
            {**allow("*"), "NotPrincipal": {"AWS": OTHER}},
            "Syntax errors in policy.",
            "Statement[0]",
        ),
        ({**allow("*"), "Action": "GetObject"}, None, "Statement[0].Action"),
    ],
)
def test_documents_s3_would_refuse(statement, message, where):
    with pytest.raises(MalformedPolicy) as raised:
        parse_bucket_policy(policy(statement))
    assert raised.value.code == "MalformedPolicy"
    assert raised.value.location == where
    if message is not None:
        assert raised.value.message == message


def test_not_json():
    with pytest.raises(MalformedPolicy) as raised:
        parse_bucket_policy("{not json")
    assert raised.value.message == "Policies must be valid JSON"
