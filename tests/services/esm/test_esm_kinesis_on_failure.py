"""DestinationConfig.OnFailure: a batch given up (retries used up, or records too old) sends
AWS's failure record (KinesisBatchInfo) to an SQS queue, an SNS topic or an S3 bucket, and the
ledger counts its records as sent there (kinesis-on-failure-destination.html)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from esm_lab import ACCOUNT, REGION, T0, Lab

from sim.backends.embedded import EmbeddedBackend
from sim.clock import Clock, iso
from sim.services.kinesis import KinesisService
from tests.esm_fidelity import assert_sns_notification, assert_stream_failure_record


@pytest.fixture
def embedded(clock: Clock) -> Iterator[EmbeddedBackend]:
    backend = EmbeddedBackend(region=REGION, account_id=ACCOUNT, now=lambda: clock.now)
    backend.start()
    yield backend
    backend.stop()


@pytest.fixture
def kinesis(embedded: EmbeddedBackend) -> KinesisService:
    return embedded.kinesis(REGION)


def _queue(embedded: EmbeddedBackend, name: str) -> tuple[str, str]:
    sqs = embedded.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _messages(embedded: EmbeddedBackend, url: str) -> list[str]:
    sqs = embedded.client("sqs")
    out: list[str] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return out
        out += [m["Body"] for m in got]
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_retries_exhausted_send_the_failure_record_to_sqs(lab: Lab, embedded: EmbeddedBackend):
    url, arn = _queue(embedded, "esm-failures")
    lab.create_stream()
    mapping = lab.mapping(
        "poisoned",
        "esm_poison:handler",
        batch_size=10,
        maximum_retry_attempts=2,
        on_failure=arn,
        destination_client=embedded.client,
    )
    entries = lab.put("ok", "poison", at=0.5)
    lab.run(30)
    [body] = _messages(embedded, url)
    record = json.loads(body)
    assert_stream_failure_record(record, "kinesis", destination="sqs")
    stream_arn = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s"
    assert record["requestContext"] == {
        "requestId": mapping.batches[-2].request_id,
        "functionArn": mapping.function_arn,
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 3,
    }
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["version"] == "1.0"
    assert record["timestamp"] == iso(mapping.batches[-1].time)
    assert record["KinesisBatchInfo"] == {
        "shardId": "shardId-000000000000",
        "startSequenceNumber": entries[0]["SequenceNumber"],
        "endSequenceNumber": entries[1]["SequenceNumber"],
        "approximateArrivalOfFirstRecord": iso(T0 + 0.5),
        "approximateArrivalOfLastRecord": iso(T0 + 0.5),
        "batchSize": 2,
        "streamArn": stream_arn,
    }
    assert list(record) == [
        "requestContext",
        "responseContext",
        "version",
        "timestamp",
        "KinesisBatchInfo",
    ]
    hop = lab.hop(mapping)
    assert hop.to_destination == {"queue esm-failures": 2}
    assert hop.dropped == {}
    assert mapping.stats.to_destination == 2
    assert mapping.batches[-1].destination == "queue esm-failures"


def test_records_too_old_go_to_the_destination_with_record_age_exceeded(
    lab: Lab, embedded: EmbeddedBackend
):
    url, arn = _queue(embedded, "esm-aged")
    lab.create_stream()
    mapping = lab.mapping(
        "aged",
        "esm_poison:handler",
        maximum_record_age=60,
        on_failure=arn,
        destination_client=embedded.client,
    )
    lab.put("poison", at=0.5)
    lab.run(120)
    [body] = _messages(embedded, url)
    record = json.loads(body)
    assert_stream_failure_record(record, "kinesis", destination="sqs")
    assert record["requestContext"]["condition"] == "RecordAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] >= 1
    assert record["KinesisBatchInfo"]["batchSize"] == 1
    assert lab.hop(mapping).to_destination == {"queue esm-aged": 1}


def test_an_sns_destination_publishes_the_record(lab: Lab, embedded: EmbeddedBackend):
    url, queue_arn = _queue(embedded, "esm-sns-subscriber")
    sns = embedded.client("sns")
    topic = sns.create_topic(Name="esm-failures")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    lab.create_stream()
    mapping = lab.mapping(
        "to-sns",
        "esm_poison:handler",
        maximum_retry_attempts=0,
        on_failure=topic,
        destination_client=embedded.client,
    )
    lab.put("poison", at=0.5)
    lab.run(10)
    [body] = _messages(embedded, url)
    [message] = assert_sns_notification(body)
    notification = json.loads(body)
    assert notification["Type"] == "Notification" and notification["TopicArn"] == topic
    record = json.loads(message)
    assert_stream_failure_record(record, "kinesis", destination="sns")
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert "payload" not in record  # SNS and SQS records leave the records out
    assert lab.hop(mapping).to_destination == {"topic esm-failures": 1}


def test_an_s3_destination_writes_the_record_with_the_payload(lab: Lab, embedded: EmbeddedBackend):
    s3 = embedded.client("s3")
    s3.create_bucket(Bucket="esm-failures")
    lab.create_stream()
    mapping = lab.mapping(
        "to-s3",
        "esm_poison:handler",
        maximum_retry_attempts=0,
        on_failure="arn:aws:s3:::esm-failures",
        destination_client=embedded.client,
    )
    lab.put("poison", at=0.5)
    lab.run(10)
    [obj] = s3.list_objects_v2(Bucket="esm-failures")["Contents"]
    prefix = f"aws/lambda/{mapping.uuid}/shardId-000000000000/2023/11/14/2023-11-14T22.13.21-"  # the first poll after the put
    assert obj["Key"].startswith(prefix) and len(obj["Key"]) == len(prefix) + 36
    record = json.loads(s3.get_object(Bucket="esm-failures", Key=obj["Key"])["Body"].read())
    assert_stream_failure_record(record, "kinesis", destination="s3")
    payload = json.loads(record["payload"])
    assert payload == lab.events("to-s3")[0]
    assert record["KinesisBatchInfo"]["batchSize"] == 1
    assert lab.hop(mapping).to_destination == {"bucket esm-failures": 1}


def test_a_destination_that_refuses_drops_the_records_with_the_reason(
    lab: Lab, embedded: EmbeddedBackend
):
    lab.create_stream()
    missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue"
    mapping = lab.mapping(
        "refused",
        "esm_poison:handler",
        maximum_retry_attempts=0,
        on_failure=missing,
        destination_client=embedded.client,
    )
    lab.put("poison", at=0.5)
    lab.run(10)
    assert lab.hop(mapping).dropped == {"RetryAttemptsExhausted": 1}
    assert "queue no-such-queue" in mapping.destination_errors[0]


def test_a_destination_must_be_a_queue_topic_or_bucket(lab: Lab, embedded: EmbeddedBackend):
    lab.create_stream()
    with pytest.raises(ValueError, match="an SQS queue, an SNS topic or an S3 bucket"):
        lab.mapping(
            "bad",
            "esm_poison:handler",
            on_failure="arn:aws:lambda:us-east-1:123456789012:function:f",
            destination_client=embedded.client,
        )
