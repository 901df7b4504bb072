"""Access-denied messages and each protocol's error answer, parsed back by botocore."""

from __future__ import annotations

import botocore.session
import pytest
from botocore import parsers
from botocore.awsrequest import HeadersDict

from sim.services.iam import (
    AccessDenied,
    RolePolicies,
    access_denied_message,
    access_denied_response,
    assumed_role_arn,
)
from sim.services.iam.errors import decision_message, spell_action

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/WildRydesStreamProcessorRole"
SESSION = assumed_role_arn(ROLE, "WildRydesStreamProcessor")
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/UnicornSensorData"
OTHER = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Other"


def test_assumed_role_arn_drops_the_role_path():
    expected = f"arn:aws:sts::{ACCOUNT}:assumed-role/WildRydesStreamProcessorRole/"
    assert (
        assumed_role_arn(ROLE, "WildRydesStreamProcessor") == expected + "WildRydesStreamProcessor"
    )
    pathed = f"arn:aws:iam::{ACCOUNT}:role/service-role/my-role"
    assert assumed_role_arn(pathed, "fn") == f"arn:aws:sts::{ACCOUNT}:assumed-role/my-role/fn"
    with pytest.raises(ValueError):
        assumed_role_arn(f"arn:aws:iam::{ACCOUNT}:user/bob", "fn")


def test_implicit_deny_message_exactly():
    # The text; same shape as real DynamoDB errors (e.g. github.com/aws-samples/
    # aws-serverless-workshop-innovator-island/issues/97).
    assert access_denied_message(SESSION, "dynamodb:PutItem", OTHER, explicit=False) == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/WildRydesStreamProcessorRole/"
        "WildRydesStreamProcessor is not authorized to perform: dynamodb:PutItem on resource: "
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Other because no identity-based policy "
        "allows the dynamodb:PutItem action"
    )


def test_explicit_deny_message_exactly():
    assert access_denied_message(SESSION, "dynamodb:PutItem", OTHER, explicit=True) == (
        f"User: {SESSION} is not authorized to perform: dynamodb:PutItem on resource: {OTHER} "
        "with an explicit deny in an identity-based policy"
    )
    policy = f"arn:aws:iam::{ACCOUNT}:policy/NoOther"
    assert access_denied_message(
        SESSION, "dynamodb:PutItem", OTHER, explicit=True, policy_arn=policy
    ).endswith(f"with an explicit deny in an identity-based policy: {policy}")


def test_message_from_a_decision_per_service_spelling():
    role = RolePolicies(
        ROLE,
        inline={
            "p": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Deny", "Action": "sqs:*", "Resource": "*"},
                ],
            }
        },
    )
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"
    denied = role.evaluate("sqs:SendMessage", queue)
    assert decision_message(denied, SESSION, service="sqs") == (
        f"User: {SESSION} is not authorized to perform: sqs:sendmessage on resource: {queue} "
        "with an explicit deny in an identity-based policy"
    )
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:t"
    implicit = role.evaluate("sns:Publish", topic)
    assert decision_message(implicit, SESSION, service="sns") == (
        f"User: {SESSION} is not authorized to perform: SNS:Publish on resource: {topic} "
        "because no identity-based policy allows the SNS:Publish action"
    )
    assert spell_action("dynamodb", "dynamodb:PutItem") == "dynamodb:PutItem"


OPERATIONS = {
    "dynamodb": ("PutItem", "AccessDeniedException", 400),
    "kinesis": ("PutRecord", "AccessDeniedException", 400),
    "firehose": ("PutRecord", "AccessDeniedException", 400),
    "logs": ("PutLogEvents", "AccessDeniedException", 400),
    "sqs": ("SendMessage", "AccessDenied", 403),
    "lambda": ("Invoke", "AccessDeniedException", 403),
    "s3": ("GetObject", "AccessDenied", 403),
    "sns": ("Publish", "AuthorizationError", 403),
    "iam": ("GetRole", "AccessDenied", 403),
}


@pytest.mark.parametrize("service", sorted(OPERATIONS))
def test_botocore_parses_the_error_as_aws_reports_it(service):
    operation, code, status = OPERATIONS[service]
    message = access_denied_message(SESSION, f"{service}:{operation}", "arn:x", explicit=False)
    got_status, headers, body = access_denied_response(service, message, request_id="rid-1")
    assert got_status == status
    model = botocore.session.get_session().get_service_model(service)
    parser = parsers.create_parser(model.metadata["protocol"])
    parsed = parser.parse(
        {"status_code": got_status, "headers": HeadersDict(headers), "body": body},
        model.operation_model(operation).output_shape,
    )
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == message


def test_access_denied_exception_carries_code_and_status():
    error = AccessDenied("sns", "nope")
    assert (error.code, error.status) == ("AuthorizationError", 403)
    status, headers, body = error.response("r")
    assert status == 403 and b"<Code>AuthorizationError</Code>" in body
    assert AccessDenied("dynamodb", "m").to_dict() == {
        "__type": "AccessDeniedException",
        "message": "m",
    }
