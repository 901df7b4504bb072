"""SQS subscribers: the notification envelope as AWS writes it, raw message delivery, per
protocol messages, and a delivery that fails."""

from __future__ import annotations

import base64
import json
from typing import Any

from sns_support import make_queue, receive_all

from sim.clock import Clock, ProcessTime, to_epoch

ATTRIBUTES = {
    "store": {"DataType": "String", "StringValue": "example_corp"},
    "price": {"DataType": "Number", "StringValue": "210.75"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
}


def subscribe_queue(sns: Any, sqs: Any, topic_arn: str, name: str = "q", raw: bool = False):
    url, arn = make_queue(sqs, name)
    attributes = {"RawMessageDelivery": "true"} if raw else {}
    subscription = sns.subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes
    )["SubscriptionArn"]
    return url, subscription


def test_the_envelope(sns: Any, sqs: Any, topic_arn: str) -> None:
    url, subscription = subscribe_queue(sns, sqs, topic_arn)
    clock = Clock(start=to_epoch("2021-11-01T09:00:00Z"))
    with ProcessTime(clock):
        clock.run(until=clock.now + 1.5)
        message_id = sns.publish(
            TopicArn=topic_arn,
            Message='{"order": 1}',
            Subject="New order",
            MessageAttributes=ATTRIBUTES,
        )["MessageId"]
        [received] = receive_all(sqs, url)  # (moto drops messages older than the retention)
    body = received["Body"]
    document = json.loads(body)
    assert list(document) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ]
    assert document["Type"] == "Notification"
    assert document["MessageId"] == message_id
    assert document["TopicArn"] == topic_arn
    assert document["Subject"] == "New order"
    assert document["Message"] == '{"order": 1}'
    assert document["Timestamp"] == "2021-11-01T09:00:01.500Z"
    assert document["SignatureVersion"] == "1"
    assert len(base64.b64decode(document["Signature"])) == 256
    assert document["SigningCertURL"].startswith(
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-"
    )
    assert document["UnsubscribeURL"] == (
        f"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription}"
    )
    assert document["MessageAttributes"] == {
        "store": {"Type": "String", "Value": "example_corp"},
        "price": {"Type": "Number", "Value": "210.75"},
        "blob": {"Type": "Binary", "Value": "AAE="},
    }
    # AWS's layout: "Key" : value, two spaces, one attribute per line
    assert body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')
    assert '\n    "store" : {"Type":"String","Value":"example_corp"},\n' in body
    assert received.get("MessageAttributes") is None


def test_no_subject_no_attributes_no_keys(sns: Any, sqs: Any, topic_arn: str) -> None:
    url, _ = subscribe_queue(sns, sqs, topic_arn)
    sns.publish(TopicArn=topic_arn, Message="plain")
    document = json.loads(receive_all(sqs, url)[0]["Body"])
    assert "Subject" not in document and "MessageAttributes" not in document


def test_raw_message_delivery(sns: Any, sqs: Any, topic_arn: str) -> None:
    url, _ = subscribe_queue(sns, sqs, topic_arn, raw=True)
    sns.publish(TopicArn=topic_arn, Message="just this", Subject="S", MessageAttributes=ATTRIBUTES)
    [received] = receive_all(sqs, url)
    assert received["Body"] == "just this"
    assert received["MessageAttributes"] == {
        "store": {"DataType": "String", "StringValue": "example_corp"},
        "price": {"DataType": "Number", "StringValue": "210.75"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }


def test_the_same_signature_for_the_same_message(backend: Any, sns: Any, sqs: Any) -> None:
    def run() -> str:
        backend.reset(seed=3)
        topic = sns.create_topic(Name="alerts")["TopicArn"]
        url, _ = subscribe_queue(sns, sqs, topic)
        clock = Clock(start=to_epoch("2021-11-01T09:00:00Z"))
        with ProcessTime(clock):
            sns.publish(TopicArn=topic, Message="m")
            return receive_all(sqs, url)[0]["Body"]

    assert run() == run()


def test_message_structure_json_per_protocol(sns: Any, sqs: Any, topic_arn: str) -> None:
    url, _ = subscribe_queue(sns, sqs, topic_arn, raw=True)
    message = json.dumps(
        {"default": "default text", "sqs": json.dumps({"field": "value"}), "email": "mail"}
    )
    sns.publish(TopicArn=topic_arn, Message=message, MessageStructure="json")
    sns.publish(
        TopicArn=topic_arn, Message=json.dumps({"default": "only"}), MessageStructure="json"
    )
    assert [m["Body"] for m in receive_all(sqs, url)] == ['{"field": "value"}', "only"]


def test_a_missing_queue_is_a_failed_delivery(
    backend: Any, sns: Any, sqs: Any, topic_arn: str
) -> None:
    url, subscription = subscribe_queue(sns, sqs, topic_arn)
    sqs.delete_queue(QueueUrl=url)
    assert sns.publish(TopicArn=topic_arn, Message="lost")["MessageId"]
    [stats] = backend.sns().stats()
    assert (stats.subscription_arn, stats.delivered, stats.failed) == (subscription, 0, 1)
    assert "NonExistentQueue" in stats.last_error or "QueueDoesNotExist" in stats.last_error


def test_every_subscription_gets_its_copy(backend: Any, sns: Any, sqs: Any, topic_arn: str) -> None:
    first, _ = subscribe_queue(sns, sqs, topic_arn, "first")
    second, _ = subscribe_queue(sns, sqs, topic_arn, "second", raw=True)
    sns.publish(TopicArn=topic_arn, Message="fan out")
    assert json.loads(receive_all(sqs, first)[0]["Body"])["Message"] == "fan out"
    assert receive_all(sqs, second)[0]["Body"] == "fan out"
    assert [s.delivered for s in backend.sns().stats()] == [1, 1]
