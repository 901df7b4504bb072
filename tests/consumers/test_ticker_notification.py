"""The Ticker lab's notification function, run as deployed in streamlab's Lambda runtime: it gets
Lambda's asynchronous invocation record of a failed streaming invocation and publishes one SNS
message, read back here from an SQS queue subscribed to the topic (moto)."""

from __future__ import annotations

import json

import pytest

import consumers.ticker_notification as handler_module
from consumers.ticker_notification import SUBJECT_MAX_CHARS, clean_subject
from sim.pytest_plugin import Cloud
from sim.services.lambda_ import FunctionConfig, LambdaRuntime
from tests.cloud_code import top_level_imports

REGION = "eu-west-1"
ACCOUNT = "123456789012"
TOPIC = "DEKYLMAP-streaming-sns-topic"
STREAMING = "DEKYLMAP-streaming-lambda"
NOTIFICATION = "DEKYLMAP-notification-lambda"
STREAMING_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{STREAMING}"


@pytest.fixture
def cloud(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with Cloud(region=REGION) as instance:
        instance.backend.attach_clock(instance.clock)
        yield instance


@pytest.fixture
def inbox(cloud):
    """The lab's topic with an SQS queue subscribed to it; returns a reader of the queue."""
    sns, sqs = cloud.client("sns"), cloud.client("sqs")
    topic_arn = sns.create_topic(Name=TOPIC)["TopicArn"]
    queue_url = sqs.create_queue(QueueName="DEKYLMAP-alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

    def read() -> list[dict]:
        cloud.advance(1)  # in case delivery runs on the clock
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        return [json.loads(m["Body"]) for m in messages]

    read.topic_arn = topic_arn  # type: ignore[attr-defined]
    return read


@pytest.fixture
def runtime(cloud, inbox):
    runtime = LambdaRuntime(now=lambda: cloud.clock.now, region=REGION, account_id=ACCOUNT)
    runtime.create_function(
        FunctionConfig(
            name=NOTIFICATION,
            handler="consumers.ticker_notification.lambda_handler",
            timeout=10,
            env={"TOPIC_ARN": inbox.topic_arn, "FULL_NAME": "Kyle Maposa"},
        )
    )
    runtime.create_function(
        FunctionConfig(
            name=STREAMING,
            handler="consumers.ticker_streaming.lambda_handler",
            timeout=60,
            env={"TABLE_NAME": "DEKYLMAP-streaming-dynamodb", "DELIVERY_STREAM": "nope"},
        )
    )
    yield runtime
    runtime.close()


def failure_record(
    payload: dict | None,
    *,
    condition: str = "RetriesExhausted",
    attempts: int = 3,
    request_id: str = "e4b46cbf-b738-4f59-8880-a18cdf61200e",
) -> dict:
    """An on-failure destination's invocation record, in the shape the Lambda Developer Guide
    documents ("Capturing records of Lambda asynchronous invocations")."""
    record = {
        "version": "1.0",
        "timestamp": "2021-11-01T00:03:00.568Z",
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{STREAMING_ARN}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": {
            "version": "0",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "time": "2021-11-01T00:00:00Z",
            "detail": {},
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
    }
    if payload is not None:
        record["responsePayload"] = payload
    return record


def test_a_failure_record_becomes_one_alert_naming_what_failed(runtime, inbox):
    record = failure_record(
        {
            "errorMessage": "Firehose DEKYLMAP-deliverystream under account 123456789012 "
            "not found.",
            "errorType": "ResourceNotFoundException",
            "requestId": "e4b46cbf-b738-4f59-8880-a18cdf61200e",
            "stackTrace": [
                '  File "/var/task/ticker_streaming.py", line 180, in lambda_handler\n',
                '  File "/var/task/ticker_streaming.py", line 128, in put_records\n',
            ],
        }
    )
    result = runtime.invoke(NOTIFICATION, record, source="lambda:destination")
    assert result.function_error is None, result.payload
    [message] = inbox()
    assert message["Type"] == "Notification"
    assert message["TopicArn"] == inbox.topic_arn
    assert message["Subject"] == "DEKYLMAP streaming pipeline failure"
    assert message["MessageId"] == result.payload["MessageId"]
    body = message["Message"]
    assert body.startswith("The streaming pipeline of Kyle Maposa has failed.\n")
    for line in (
        "Owner:      Kyle Maposa",
        f"Function:   {STREAMING_ARN}:$LATEST",
        "Condition:  RetriesExhausted (every attempt failed and Lambda gave up retrying)",
        "Attempts:   3",
        "Error type: ResourceNotFoundException",
        "Error:      Firehose DEKYLMAP-deliverystream under account 123456789012 not found.",
        "Request id: e4b46cbf-b738-4f59-8880-a18cdf61200e",
        "Recorded:   2021-11-01T00:03:00.568Z",
        'File "/var/task/ticker_streaming.py", line 128, in put_records',
        'Original event: {"detail": {}, "detail-type": "Scheduled Event"',
    ):
        assert line in body, line


def test_the_record_of_a_real_failed_invocation(runtime, inbox):
    """The streaming function fails for real (its table is missing); its error response,
    wrapped the way Lambda wraps it for a destination, reaches the inbox."""
    failed = runtime.invoke(STREAMING, {"source": "aws.events"})
    assert failed.function_error == "Unhandled"
    record = failure_record(failed.payload, request_id=failed.request_id)
    runtime.invoke(NOTIFICATION, record)
    [message] = inbox()
    body = message["Message"]
    assert f"Error type: {failed.payload['errorType']}" in body
    assert "Error type: ResourceNotFoundException" in body
    assert f"Request id: {failed.request_id}" in body
    assert "Stack trace (first lines):" in body


def test_an_expired_event_without_a_response(runtime, inbox):
    record = failure_record(None, condition="EventAgeExceeded", attempts=0)
    runtime.invoke(NOTIFICATION, record)
    [message] = inbox()
    assert message["Subject"] == "DEKYLMAP streaming pipeline failure"
    body = message["Message"]
    assert (
        "Condition:  EventAgeExceeded (the event grew older than the maximum event age before "
        "it could run)"
    ) in body
    assert "Attempts:   0" in body
    assert "Error:      (no response: the function did not run)" in body


def test_a_direct_invocation_says_it_is_a_test(runtime, inbox):
    result = runtime.invoke(NOTIFICATION, {"key1": "value1", "key2": "value2"})
    assert result.payload["kind"] == "direct"
    [message] = inbox()
    assert message["Subject"] == "DEKYLMAP streaming pipeline notification test"
    body = message["Message"]
    assert "was invoked directly" in body and "Nothing has failed." in body
    assert "Kyle Maposa" in body
    assert 'Event received: {"key1": "value1", "key2": "value2"}' in body


def test_a_success_record_says_the_destination_is_misconfigured(runtime, inbox):
    record = failure_record({"statusCode": 200}, condition="Success", attempts=1)
    record["responseContext"].pop("functionError")
    runtime.invoke(NOTIFICATION, record)
    [message] = inbox()
    assert message["Subject"] == "DEKYLMAP streaming pipeline: a success record"
    assert "on-failure destination" in message["Message"]


def test_an_unusual_function_name_still_gives_a_valid_subject(runtime, inbox):
    record = failure_record({"errorMessage": "x", "errorType": "E"})
    record["requestContext"]["functionArn"] = (
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:" + "Ünïcode\nname" * 20
    )
    runtime.invoke(NOTIFICATION, record)
    [message] = inbox()
    subject = message["Subject"]
    assert len(subject) <= SUBJECT_MAX_CHARS
    assert subject.isascii() and "\n" not in subject


def test_clean_subject():
    assert clean_subject("a\nb\tc  d") == "a b c d"
    assert clean_subject("é" * 200) == "?" * SUBJECT_MAX_CHARS


def test_the_topic_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("TOPIC_ARN", raising=False)
    with pytest.raises(RuntimeError, match="TOPIC_ARN environment variable is not set"):
        handler_module.lambda_handler(failure_record({"errorMessage": "x"}), None)


def test_a_missing_topic_fails_the_notification_itself(runtime, cloud):
    runtime.update_function(
        NOTIFICATION,
        env={
            "TOPIC_ARN": f"arn:aws:sns:{REGION}:{ACCOUNT}:no-such-topic",
            "FULL_NAME": "Kyle Maposa",
        },
    )
    result = runtime.invoke(NOTIFICATION, failure_record({"errorMessage": "x"}))
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "NotFoundException"


def test_handler_is_cloud_code():
    imported = top_level_imports(handler_module)
    assert imported <= {"json", "logging", "os", "boto3"}
