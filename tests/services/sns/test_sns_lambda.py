"""Lambda subscribers: invoked asynchronously with AWS's SNS event (aws-semantics.md §7), in the
backend's real Lambda runtime, by a handler that returns the event it got."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from sns_support import ACCOUNT, HANDLERS, REGION

from sim.services.lambda_ import FunctionConfig

FUNCTION = "subscriber"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}"


@pytest.fixture
def runtime(backend: Any) -> Any:
    runtime = backend.lambda_runtime()
    runtime.create_function(
        FunctionConfig(name=FUNCTION, handler="sns_echo:handler", code_dir=HANDLERS)
    )
    return runtime


def invocations(runtime: Any) -> list[Any]:
    assert runtime.wait_async(timeout=60)
    return [record for record in runtime.invocations if record.function_name == FUNCTION]


def test_the_lambda_event(backend: Any, sns: Any, topic_arn: str, runtime: Any) -> None:
    subscription = sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=FUNCTION_ARN)[
        "SubscriptionArn"
    ]
    message_id = sns.publish(
        TopicArn=topic_arn,
        Message="Hello from SNS!",
        Subject="TestInvoke",
        MessageAttributes={
            "Test": {"DataType": "String", "StringValue": "TestString"},
            "TestBinary": {"DataType": "Binary", "BinaryValue": b"TestBinary"},
        },
    )["MessageId"]
    [record] = invocations(runtime)
    assert record.source == "sns:alerts"
    assert record.outcome == "success"
    event = record.payload
    sns_part = event["Records"][0]["Sns"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", sns_part["Timestamp"])
    assert len(base64.b64decode(sns_part["Signature"])) == 256
    assert re.fullmatch(
        rf"https://sns\.{REGION}\.amazonaws\.com/SimpleNotificationService-[0-9a-f]{{32}}\.pem",
        sns_part["SigningCertUrl"],
    )
    assert event == {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription,
                "EventSource": "aws:sns",
                "Sns": {
                    "SignatureVersion": "1",
                    "Timestamp": sns_part["Timestamp"],
                    "Signature": sns_part["Signature"],
                    "SigningCertUrl": sns_part["SigningCertUrl"],
                    "MessageId": message_id,
                    "Message": "Hello from SNS!",
                    "MessageAttributes": {
                        "Test": {"Type": "String", "Value": "TestString"},
                        "TestBinary": {"Type": "Binary", "Value": "VGVzdEJpbmFyeQ=="},
                    },
                    "Type": "Notification",
                    "UnsubscribeUrl": (
                        f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe"
                        f"&SubscriptionArn={subscription}"
                    ),
                    "TopicArn": topic_arn,
                    "Subject": "TestInvoke",
                },
            }
        ]
    }
    [stats] = backend.sns().stats()
    assert (stats.delivered, stats.failed) == (1, 0)


def test_no_subject_is_null_and_no_attributes_are_empty(
    sns: Any, topic_arn: str, runtime: Any
) -> None:
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=FUNCTION_ARN)
    sns.publish(TopicArn=topic_arn, Message="plain")
    [record] = invocations(runtime)
    sns_part = record.payload["Records"][0]["Sns"]
    assert sns_part["Subject"] is None
    assert sns_part["MessageAttributes"] == {}


def test_message_structure_json_picks_the_lambda_text(
    sns: Any, topic_arn: str, runtime: Any
) -> None:
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=FUNCTION_ARN)
    sns.publish(
        TopicArn=topic_arn,
        Message='{"default": "everyone", "lambda": "functions"}',
        MessageStructure="json",
    )
    [record] = invocations(runtime)
    assert record.payload["Records"][0]["Sns"]["Message"] == "functions"


def test_a_missing_function_is_a_failed_delivery(backend: Any, sns: Any, topic_arn: str) -> None:
    missing = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:nobody"
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=missing)
    sns.publish(TopicArn=topic_arn, Message="m")
    [stats] = backend.sns().stats()
    assert (stats.delivered, stats.failed) == (0, 1)
    assert "ResourceNotFoundException" in stats.last_error
