"""MalformedPolicyDocument: IAM's message and where in the document it failed."""

from __future__ import annotations

import json

import pytest

from sim.services.iam import MalformedPolicyDocument, parse_policy

OK = {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"}


def doc(*statements, **top):
    return {"Version": "2012-10-17", "Statement": list(statements), **top}


@pytest.mark.parametrize(
    ("document", "message", "location"),
    [
        ("{not json", "Syntax errors in policy.", ""),
        (["a list"], "Syntax errors in policy.", ""),
        (doc(OK, Extra=1), "Syntax errors in policy.", "Extra"),
        ({"Version": "2012-10-17"}, "Syntax errors in policy.", "Statement"),
        ({"Version": "2012-10-17", "Statement": []}, "Syntax errors in policy.", "Statement"),
        (
            {"Version": "2013-01-01", "Statement": [OK]},
            "The policy failed legacy parsing",
            "Version",
        ),
        (
            doc(OK, {"Action": "s3:GetObject", "Resource": "*"}),
            "Missing required field Effect",
            "Statement[1]",
        ),
        (doc({**OK, "Effect": "allow"}), "Syntax errors in policy.", "Statement[0].Effect"),
        (
            doc(OK, {"Effect": "Allow", "Resource": "*"}),
            "Policy statement must contain actions.",
            "Statement[1]",
        ),
        (
            doc({"Effect": "Allow", "Action": "s3:GetObject"}),
            "Policy statement must contain resources.",
            "Statement[0]",
        ),
        (
            doc({**OK, "NotAction": "s3:*"}),
            "Syntax errors in policy.",
            "Statement[0]",
        ),
        (
            doc({**OK, "Action": "PutItem"}),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
            "Statement[0].Action",
        ),
        (doc({**OK, "Action": []}), "Syntax errors in policy.", "Statement[0].Action"),
        (doc({**OK, "Resource": 5}), "Syntax errors in policy.", "Statement[0].Resource"),
        (
            doc({**OK, "Resource": "table/UnicornSensorData"}),
            'Resource table/UnicornSensorData must be in ARN format or "*".',
            "Statement[0].Resource",
        ),
        (
            doc({**OK, "Principal": {"AWS": "*"}}),
            "Policy document should not specify a principal.",
            "Statement[0].Principal",
        ),
        (doc({**OK, "Actions": "s3:*"}), "Syntax errors in policy.", "Statement[0].Actions"),
        (
            doc({**OK, "Sid": "has space"}),
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
            "regular expression [0-9A-Za-z]*",
            "Statement[0].Sid",
        ),
        (
            doc({**OK, "Sid": "A"}, {**OK, "Sid": "A"}),
            "Statement IDs (SID) in a single policy must be unique.",
            "Statement",
        ),
        (
            doc({**OK, "Condition": {"StringEqual": {"aws:SourceIp": "x"}}}),
            "Invalid Condition type : StringEqual",
            "Statement[0].Condition.StringEqual",
        ),
        (
            doc({**OK, "Condition": {"NullIfExists": {"aws:SourceIp": "true"}}}),
            "Invalid Condition type : NullIfExists",
            "Statement[0].Condition.NullIfExists",
        ),
        (
            doc({**OK, "Condition": {"ForSomeValues:StringEquals": {"aws:SourceIp": "x"}}}),
            "Invalid Condition type : ForSomeValues:StringEquals",
            "Statement[0].Condition.ForSomeValues:StringEquals",
        ),
        (
            doc({**OK, "Condition": {"StringEquals": {"SourceIp": "x"}}}),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
            "Statement[0].Condition.StringEquals.SourceIp",
        ),
        (
            doc({**OK, "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}),
            "Syntax errors in policy.",
            "Statement[0].Condition.Bool.aws:SecureTransport",
        ),
        (
            {"Version": "2012-10-17", "Statement": {**OK, "Effect": "Permit"}},
            "Syntax errors in policy.",
            "Statement.Effect",
        ),
    ],
)
def test_malformed(document, message, location):
    with pytest.raises(MalformedPolicyDocument) as raised:
        parse_policy(document)
    error = raised.value
    assert error.message == message
    assert error.location == location
    assert error.code == "MalformedPolicyDocument" and error.status == 400
    if location:
        assert f"at {location}" in str(error)


def test_accepted_forms():
    single = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": OK}))
    assert len(single.statements) == 1
    assert single.statements[0].actions == ("dynamodb:PutItem",)
    assert single.statements[0].resources == ("*",)
    listed = parse_policy(
        doc(
            {
                "Sid": "Write1",
                "Effect": "Deny",
                "NotAction": ["s3:*", "dynamodb:Get*"],
                "NotResource": ["arn:aws:s3:::b/*"],
                "Condition": {
                    "ForAnyValue:StringLikeIfExists": {"dynamodb:Attributes": ["a*", "b"]},
                    "NumericLessThan": {"s3:max-keys": 10},
                    "Bool": {"aws:SecureTransport": False},
                },
            }
        ),
        name="inline",
    )
    statement = listed.statements[0]
    assert statement.not_actions == ("s3:*", "dynamodb:Get*")
    assert statement.not_resources == ("arn:aws:s3:::b/*",)
    first, numeric, boolean = statement.conditions
    assert (first.qualifier, first.operator, first.if_exists) == ("ForAnyValue", "StringLike", True)
    assert numeric.values == ("10",) and boolean.values == ("false",)
    assert listed.name == "inline"
    # No Version: AWS treats the policy as 2008-10-17 (no policy variables).
    legacy = parse_policy({"Statement": [OK]})
    assert legacy.version == "2008-10-17" and not legacy.variables_enabled
