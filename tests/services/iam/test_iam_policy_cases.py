"""A table of policy cases with the outcome AWS documents for each.

Every case names the IAM User Guide page (under https://docs.aws.amazon.com/IAM/latest/UserGuide/)
whose rule it follows. Outcomes: A = Allow, E = explicit deny, I = implicit deny.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sim.services.iam import RolePolicies, evaluate, parse_policy, request_context

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/WildRydesStreamProcessorRole"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/UnicornSensorData"
OTHER_TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Other"
BUCKET = "arn:aws:s3:::wildrydes-data"
OBJECT = "arn:aws:s3:::wildrydes-data/2021/11/01/part-0001"
STREAM = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/wildrydes"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"

EVAL = "reference_policies_evaluation-logic.html"
ACTION = "reference_policies_elements_action.html"
NOTACTION = "reference_policies_elements_notaction.html"
RESOURCE = "reference_policies_elements_resource.html"
NOTRESOURCE = "reference_policies_elements_notresource.html"
OPS = "reference_policies_elements_condition_operators.html"
MULTI = "reference_policies_multi-value-conditions.html"
VARS = "reference_policies_variables.html"
KEYS = "reference_policies_condition-keys.html"
# The lab's policy as the workshop builds it (Service DynamoDB, action BatchWriteItem, the table
# UnicornSensorData): aws-samples serverless data-processing workshop, "Create an IAM role for
# your Lambda function"; data-processing.serverlessworkshops.io.
WILDRYDES = "wildrydes workshop: WildRydesDynamoDBWritePolicy"

WILDRYDES_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "dynamodb:BatchWriteItem", "Resource": TABLE}],
}
# The same policy with PutItem added, as a handler writing item by item needs.
WILDRYDES_PUTITEM_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:BatchWriteItem", "dynamodb:PutItem"],
            "Resource": TABLE,
        }
    ],
}


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def doc(*statements, version="2012-10-17"):
    out = {"Statement": list(statements)}
    if version:
        out["Version"] = version
    return out


NOW = datetime(2021, 11, 1, 9, 0, tzinfo=UTC)
BASE = request_context(
    role_arn=ROLE, session_name="WildRydesStreamProcessor", region=REGION, now=NOW
)


# (id, [policies], action, resource, context, expected)
CASES = [
    # ---- default deny, allow, explicit deny -------------------------------------------------
    (f"{EVAL}: no policy → implicit deny", [], "dynamodb:PutItem", TABLE, BASE, "I"),
    (
        f"{EVAL}: matching Allow",
        [doc(allow("dynamodb:PutItem", TABLE))],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{EVAL}: Allow for another action → implicit deny",
        [doc(allow("dynamodb:GetItem", TABLE))],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "I",
    ),
    (
        f"{EVAL}: explicit Deny wins over Allow in one policy",
        [doc(allow("dynamodb:*"), deny("dynamodb:PutItem", TABLE))],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "E",
    ),
    (
        f"{EVAL}: explicit Deny in a managed policy wins over inline Allow",
        ["inline:", doc(allow("*")), "managed:", doc(deny("dynamodb:*"))],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "E",
    ),
    (
        f"{EVAL}: Allow from one of several statements",
        [doc(allow("s3:GetObject", OBJECT), allow("dynamodb:PutItem", TABLE))],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{EVAL}: Deny not applicable (other resource) leaves the Allow",
        [doc(allow("dynamodb:*"), deny("dynamodb:*", OTHER_TABLE))],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    # ---- actions -------------------------------------------------------------------------
    (
        f"{ACTION}: service wildcard dynamodb:*",
        [doc(allow("dynamodb:*", TABLE))],
        "dynamodb:DeleteItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{ACTION}: prefix wildcard kinesis:Get*",
        [doc(allow("kinesis:Get*", STREAM))],
        "kinesis:GetRecords",
        STREAM,
        BASE,
        "A",
    ),
    (
        f"{ACTION}: prefix wildcard does not match other verbs",
        [doc(allow("kinesis:Get*", STREAM))],
        "kinesis:PutRecord",
        STREAM,
        BASE,
        "I",
    ),
    (
        f"{ACTION}: ? matches one character",
        [doc(allow("s3:?etObject", OBJECT))],
        "s3:GetObject",
        OBJECT,
        BASE,
        "A",
    ),
    (
        f"{ACTION}: action names are case-insensitive",
        [doc(allow("DynamoDB:putitem", TABLE))],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{ACTION}: Action * alone matches every service",
        [doc(allow("*"))],
        "sns:Publish",
        TOPIC,
        BASE,
        "A",
    ),
    (
        f"{ACTION}: list of actions is OR",
        [doc(allow(["sqs:SendMessage", "sns:Publish"], "*"))],
        "sns:Publish",
        TOPIC,
        BASE,
        "A",
    ),
    # ---- NotAction -----------------------------------------------------------------------
    (
        f"{NOTACTION}: Allow NotAction covers other actions",
        [doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{NOTACTION}: Allow NotAction does not cover the listed actions (implicit, not explicit)",
        [doc({"Effect": "Allow", "NotAction": "dynamodb:*", "Resource": "*"})],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "I",
    ),
    (
        f"{NOTACTION}: Deny NotAction denies everything else",
        [doc(allow("*"), {"Effect": "Deny", "NotAction": ["s3:*"], "Resource": "*"})],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "E",
    ),
    # ---- resources -----------------------------------------------------------------------
    (
        f"{RESOURCE}: ARN paths are case-sensitive",
        [doc(allow("dynamodb:PutItem", TABLE.replace("UnicornSensorData", "unicornsensordata")))],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "I",
    ),
    (
        f"{RESOURCE}: wildcard in the region and account segments",
        [doc(allow("dynamodb:PutItem", "arn:aws:dynamodb:*:*:table/UnicornSensorData"))],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{RESOURCE}: table ARN does not cover its indexes",
        [doc(allow("dynamodb:Query", TABLE))],
        "dynamodb:Query",
        TABLE + "/index/byName",
        BASE,
        "I",
    ),
    (
        f"{RESOURCE}: table/* covers its indexes",
        [doc(allow("dynamodb:Query", TABLE + "/*"))],
        "dynamodb:Query",
        TABLE + "/index/byName",
        BASE,
        "A",
    ),
    (
        f"{RESOURCE}: bucket/* matches objects, not the bucket",
        [doc(allow("s3:ListBucket", BUCKET + "/*"))],
        "s3:ListBucket",
        BUCKET,
        BASE,
        "I",
    ),
    (
        f"{RESOURCE}: object wildcard crosses '/' in the resource part",
        [doc(allow("s3:GetObject", BUCKET + "/2021/*"))],
        "s3:GetObject",
        OBJECT,
        BASE,
        "A",
    ),
    (
        f"{RESOURCE}: wildcard in a segment does not cross ':'",
        [doc(allow("kinesis:PutRecord", "arn:aws:kinesis:us-east-*:stream/wildrydes"))],
        "kinesis:PutRecord",
        STREAM,
        BASE,
        "I",
    ),
    (
        f"{RESOURCE}: ? and * within segments",
        [doc(allow("kinesis:PutRecord", "arn:aws:kinesis:us-east-?:*:stream/wild*"))],
        "kinesis:PutRecord",
        STREAM,
        BASE,
        "A",
    ),
    # ---- NotResource ---------------------------------------------------------------------
    (
        f"{NOTRESOURCE}: Allow NotResource allows other resources",
        [doc({"Effect": "Allow", "Action": "dynamodb:*", "NotResource": OTHER_TABLE})],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{NOTRESOURCE}: Allow NotResource does not allow the listed one",
        [doc({"Effect": "Allow", "Action": "dynamodb:*", "NotResource": TABLE})],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "I",
    ),
    (
        f"{NOTRESOURCE}: Deny NotResource denies every other resource",
        [
            doc(
                allow("dynamodb:*"),
                {"Effect": "Deny", "Action": "dynamodb:*", "NotResource": TABLE},
            )
        ],
        "dynamodb:PutItem",
        OTHER_TABLE,
        BASE,
        "E",
    ),
    # ---- string conditions ---------------------------------------------------------------
    (
        f"{OPS}: StringEquals on aws:RequestedRegion",
        [
            doc(
                allow(
                    "dynamodb:*",
                    "*",
                    Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
                )
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{OPS}: StringEquals is case-sensitive",
        [
            doc(
                allow(
                    "dynamodb:*",
                    "*",
                    Condition={"StringEquals": {"aws:RequestedRegion": "US-EAST-1"}},
                )
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "I",
    ),
    (
        f"{OPS}: StringEqualsIgnoreCase",
        [
            doc(
                allow(
                    "dynamodb:*",
                    "*",
                    Condition={"StringEqualsIgnoreCase": {"aws:RequestedRegion": "US-EAST-1"}},
                )
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{OPS}: StringLike with wildcard on s3:prefix",
        [
            doc(
                allow(
                    "s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": ["2021/*", ""]}}
                )
            )
        ],
        "s3:ListBucket",
        BUCKET,
        {**BASE, "s3:prefix": "2021/11/"},
        "A",
    ),
    (
        f"{OPS}: StringLike not matching → implicit deny",
        [doc(allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": "2022/*"}}))],
        "s3:ListBucket",
        BUCKET,
        {**BASE, "s3:prefix": "2021/11/"},
        "I",
    ),
    (
        f"{OPS}: key absent from the context → condition false",
        [doc(allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": "*"}}))],
        "s3:ListBucket",
        BUCKET,
        BASE,
        "I",
    ),
    (
        f"{OPS}: negated operator with the key absent → true (Deny applies)",
        [
            doc(
                allow("*"),
                deny(
                    "s3:*",
                    "*",
                    Condition={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
                ),
            )
        ],
        "s3:PutObject",
        OBJECT,
        BASE,
        "E",
    ),
    (
        f"{MULTI}: multiple values for one key are OR",
        [
            doc(
                allow(
                    "dynamodb:*",
                    "*",
                    Condition={"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}},
                )
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{MULTI}: negated operator with multiple values is NOR",
        [
            doc(
                allow("*"),
                deny(
                    "*",
                    "*",
                    Condition={
                        "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}
                    },
                ),
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{MULTI}: multiple keys are AND",
        [
            doc(
                allow(
                    "dynamodb:*",
                    "*",
                    Condition={
                        "StringEquals": {
                            "aws:RequestedRegion": "us-east-1",
                            "aws:PrincipalAccount": "999999999999",
                        }
                    },
                )
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "I",
    ),
    (
        f"{MULTI}: multiple operators are AND",
        [
            doc(
                allow(
                    "dynamodb:*",
                    "*",
                    Condition={
                        "StringEquals": {"aws:RequestedRegion": "us-east-1"},
                        "Bool": {"aws:SecureTransport": "true"},
                    },
                )
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{KEYS}: condition key names are case-insensitive",
        [
            doc(
                allow(
                    "dynamodb:*",
                    "*",
                    Condition={"StringEquals": {"AWS:requestedregion": "us-east-1"}},
                )
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    # ---- IfExists / Null -----------------------------------------------------------------
    (
        f"{OPS}#Conditions_IfExists: IfExists with the key absent → true",
        [
            doc(
                allow(
                    "s3:PutObject",
                    OBJECT,
                    Condition={
                        "StringEqualsIfExists": {"s3:x-amz-server-side-encryption": "AES256"}
                    },
                )
            )
        ],
        "s3:PutObject",
        OBJECT,
        BASE,
        "A",
    ),
    (
        f"{OPS}#Conditions_IfExists: IfExists with the key present and different → false",
        [
            doc(
                allow(
                    "s3:PutObject",
                    OBJECT,
                    Condition={
                        "StringEqualsIfExists": {"s3:x-amz-server-side-encryption": "AES256"}
                    },
                )
            )
        ],
        "s3:PutObject",
        OBJECT,
        {**BASE, "s3:x-amz-server-side-encryption": "aws:kms"},
        "I",
    ),
    (
        f"{OPS}#Conditions_Null: Null true matches an absent key",
        [
            doc(
                allow("*"),
                deny(
                    "s3:PutObject",
                    "*",
                    Condition={"Null": {"s3:x-amz-server-side-encryption": "true"}},
                ),
            )
        ],
        "s3:PutObject",
        OBJECT,
        BASE,
        "E",
    ),
    (
        f"{OPS}#Conditions_Null: Null false requires the key",
        [
            doc(
                allow(
                    "s3:PutObject",
                    "*",
                    Condition={"Null": {"s3:x-amz-server-side-encryption": "false"}},
                )
            )
        ],
        "s3:PutObject",
        OBJECT,
        BASE,
        "I",
    ),
    # ---- numeric / date / bool / ip / arn ------------------------------------------------
    (
        f"{OPS}#Conditions_Numeric: NumericLessThanEquals on s3:max-keys",
        [
            doc(
                allow(
                    "s3:ListBucket",
                    BUCKET,
                    Condition={"NumericLessThanEquals": {"s3:max-keys": "10"}},
                )
            )
        ],
        "s3:ListBucket",
        BUCKET,
        {**BASE, "s3:max-keys": "10"},
        "A",
    ),
    (
        f"{OPS}#Conditions_Numeric: NumericLessThan false at the bound",
        [doc(allow("s3:ListBucket", BUCKET, Condition={"NumericLessThan": {"s3:max-keys": "10"}}))],
        "s3:ListBucket",
        BUCKET,
        {**BASE, "s3:max-keys": "10"},
        "I",
    ),
    (
        f"{OPS}#Conditions_Date: DateLessThan on aws:CurrentTime (ISO 8601)",
        [
            doc(
                allow(
                    "*",
                    "*",
                    Condition={"DateLessThan": {"aws:CurrentTime": "2022-01-01T00:00:00Z"}},
                )
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{OPS}#Conditions_Date: DateGreaterThan on aws:EpochTime (epoch seconds)",
        [doc(allow("*", "*", Condition={"DateGreaterThan": {"aws:EpochTime": "1640995200"}}))],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "I",
    ),
    (
        f"{OPS}#Conditions_Boolean: Bool aws:SecureTransport false denies plain HTTP",
        [doc(allow("*"), deny("*", "*", Condition={"Bool": {"aws:SecureTransport": "false"}}))],
        "s3:GetObject",
        OBJECT,
        {**BASE, "aws:SecureTransport": False},
        "E",
    ),
    (
        f"{OPS}#Conditions_IPAddress: IpAddress CIDR match",
        [doc(allow("*", "*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))],
        "s3:GetObject",
        OBJECT,
        {**BASE, "aws:SourceIp": "203.0.113.7"},
        "A",
    ),
    (
        f"{OPS}#Conditions_IPAddress: NotIpAddress outside the range → Deny",
        [
            doc(
                allow("*"),
                deny("*", "*", Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            )
        ],
        "s3:GetObject",
        OBJECT,
        {**BASE, "aws:SourceIp": "198.51.100.1"},
        "E",
    ),
    (
        f"{OPS}#Conditions_ARN: ArnLike on aws:PrincipalArn",
        [
            doc(
                allow(
                    "*",
                    "*",
                    Condition={
                        "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/WildRydes*"}
                    },
                )
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{OPS}#Conditions_ARN: ArnNotEquals on aws:PrincipalArn",
        [doc(allow("*", "*", Condition={"ArnNotEquals": {"aws:PrincipalArn": ROLE}}))],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "I",
    ),
    # ---- set qualifiers ------------------------------------------------------------------
    (
        f"{MULTI}: ForAllValues all request values in the set",
        [
            doc(
                allow(
                    "dynamodb:GetItem",
                    TABLE,
                    Condition={
                        "ForAllValues:StringEquals": {
                            "dynamodb:Attributes": ["Name", "StatusTime", "Distance"]
                        }
                    },
                )
            )
        ],
        "dynamodb:GetItem",
        TABLE,
        {**BASE, "dynamodb:Attributes": ["Name", "Distance"]},
        "A",
    ),
    (
        f"{MULTI}: ForAllValues one value outside the set",
        [
            doc(
                allow(
                    "dynamodb:GetItem",
                    TABLE,
                    Condition={
                        "ForAllValues:StringEquals": {"dynamodb:Attributes": ["Name", "Distance"]}
                    },
                )
            )
        ],
        "dynamodb:GetItem",
        TABLE,
        {**BASE, "dynamodb:Attributes": ["Name", "HealthPoints"]},
        "I",
    ),
    (
        f"{MULTI}: ForAllValues with the key absent is true (the documented Allow pitfall)",
        [
            doc(
                allow(
                    "dynamodb:GetItem",
                    TABLE,
                    Condition={"ForAllValues:StringEquals": {"dynamodb:Attributes": ["Name"]}},
                )
            )
        ],
        "dynamodb:GetItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{MULTI}: ForAllValues with an empty set is true",
        [
            doc(
                allow(
                    "dynamodb:GetItem",
                    TABLE,
                    Condition={"ForAllValues:StringEquals": {"dynamodb:Attributes": ["Name"]}},
                )
            )
        ],
        "dynamodb:GetItem",
        TABLE,
        {**BASE, "dynamodb:Attributes": []},
        "A",
    ),
    (
        f"{MULTI}: ForAnyValue one value in the set",
        [
            doc(
                allow(
                    "dynamodb:GetItem",
                    TABLE,
                    Condition={
                        "ForAnyValue:StringEquals": {
                            "dynamodb:LeadingKeys": ["Shadowfax", "Rocinante"]
                        }
                    },
                )
            )
        ],
        "dynamodb:GetItem",
        TABLE,
        {**BASE, "dynamodb:LeadingKeys": ["Shadowfax"]},
        "A",
    ),
    (
        f"{MULTI}: ForAnyValue with the key absent is false",
        [
            doc(
                allow(
                    "dynamodb:GetItem",
                    TABLE,
                    Condition={"ForAnyValue:StringEquals": {"dynamodb:LeadingKeys": ["Shadowfax"]}},
                )
            )
        ],
        "dynamodb:GetItem",
        TABLE,
        BASE,
        "I",
    ),
    # ---- policy variables ----------------------------------------------------------------
    (
        f"{VARS}: ${{aws:PrincipalAccount}} in Resource",
        [
            doc(
                allow(
                    "dynamodb:PutItem",
                    "arn:aws:dynamodb:*:${aws:PrincipalAccount}:table/UnicornSensorData",
                )
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{VARS}: variables are literal text in a Version 2008-10-17 policy",
        [
            doc(
                allow(
                    "dynamodb:PutItem",
                    "arn:aws:dynamodb:*:${aws:PrincipalAccount}:table/UnicornSensorData",
                ),
                version="2008-10-17",
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "I",
    ),
    (
        f"{VARS}: a variable with no value and no default matches nothing (aws:username absent for roles)",
        [doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))],
        "s3:GetObject",
        "arn:aws:s3:::home/x/a",
        BASE,
        "I",
    ),
    (
        f"{VARS}: a default value is used when the key is absent",
        [doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username, 'shared'}/*"))],
        "s3:GetObject",
        "arn:aws:s3:::home/shared/a",
        BASE,
        "A",
    ),
    (
        f"{VARS}: variable in a condition value",
        [
            doc(
                allow(
                    "dynamodb:*",
                    "*",
                    Condition={"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}},
                )
            )
        ],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    # ---- the lab's policy ----------------------------------------------------------------
    (
        f"{WILDRYDES}: BatchWriteItem on UnicornSensorData allowed",
        [doc(*WILDRYDES_POLICY["Statement"])],
        "dynamodb:BatchWriteItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{WILDRYDES}: BatchWriteItem on another table denied",
        [doc(*WILDRYDES_POLICY["Statement"])],
        "dynamodb:BatchWriteItem",
        OTHER_TABLE,
        BASE,
        "I",
    ),
    (
        f"{WILDRYDES}: PutItem is not granted by the workshop's policy",
        [doc(*WILDRYDES_POLICY["Statement"])],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "I",
    ),
    (
        f"{WILDRYDES} + PutItem: PutItem on UnicornSensorData allowed",
        [doc(*WILDRYDES_PUTITEM_POLICY["Statement"])],
        "dynamodb:PutItem",
        TABLE,
        BASE,
        "A",
    ),
    (
        f"{WILDRYDES} + PutItem: PutItem on another table denied",
        [doc(*WILDRYDES_PUTITEM_POLICY["Statement"])],
        "dynamodb:PutItem",
        OTHER_TABLE,
        BASE,
        "I",
    ),
]

EXPECTED = {"A": "Allow", "E": "ExplicitDeny", "I": "ImplicitDeny"}


def _policies(spec):
    """A list of documents, or alternating "inline:"/"managed:" markers and documents."""
    if not spec or not isinstance(spec[0], str):
        return [parse_policy(d) for d in spec]
    inline, managed = {}, {}
    target = inline
    for i, item in enumerate(spec):
        if item == "inline:":
            target = inline
        elif item == "managed:":
            target = managed
        else:
            name = f"p{i}" if target is inline else f"arn:aws:iam::{ACCOUNT}:policy/p{i}"
            target[name] = item
    return RolePolicies(ROLE, inline, managed).policies


@pytest.mark.parametrize(
    ("policies", "action", "resource", "context", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_policy_case(policies, action, resource, context, expected):
    decision = evaluate(_policies(policies), action, resource, context)
    assert decision.effect == EXPECTED[expected]


def test_the_table_has_at_least_30_cases():
    assert len(CASES) >= 30
    assert len({case[0] for case in CASES}) == len(CASES)


def test_decision_names_the_deciding_statement_and_policy():
    role = RolePolicies(
        ROLE,
        inline={"WildRydesDynamoDBWritePolicy": WILDRYDES_POLICY},
        managed={
            f"arn:aws:iam::{ACCOUNT}:policy/NoOther": doc(
                {
                    "Sid": "NoOther",
                    "Effect": "Deny",
                    "Action": "dynamodb:*",
                    "Resource": OTHER_TABLE,
                }
            )
        },
    )
    allowed = role.evaluate("dynamodb:BatchWriteItem", TABLE, BASE)
    assert allowed.allowed and allowed.policy.name == "WildRydesDynamoDBWritePolicy"
    assert allowed.statement.index == 0
    denied = role.evaluate("dynamodb:BatchWriteItem", OTHER_TABLE, BASE)
    assert denied.explicit and denied.statement.sid == "NoOther"
    assert denied.policy.arn == f"arn:aws:iam::{ACCOUNT}:policy/NoOther"
    implicit = role.evaluate("dynamodb:PutItem", TABLE, BASE)
    assert implicit.effect == "ImplicitDeny" and implicit.statement is None


def test_request_context_for_a_role_session():
    context = request_context(role_arn=ROLE, session_name="fn", region=REGION, now=NOW)
    assert context["aws:PrincipalAccount"] == ACCOUNT
    assert context["aws:PrincipalArn"] == ROLE
    assert context["aws:CurrentTime"] == "2021-11-01T09:00:00Z"
    assert context["aws:EpochTime"] == str(int(NOW.timestamp()))
    assert "aws:username" not in context
