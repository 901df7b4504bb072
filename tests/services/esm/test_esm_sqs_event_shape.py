"""The SQS event as Lambda sends it: every key of AWS's standard and FIFO examples
(with-sqs.html), message attributes in the event's lower-camel shape, Powertools' ``SqsModel``
and SAM's sample (tests/esm_fidelity.py)."""

from __future__ import annotations

import hashlib
import json

import esm_sqs_lab
from esm_sqs_lab import REGION, T0

from tests.esm_fidelity import assert_sqs_event

# the lab's fixtures (see esm_sqs_lab)
embedded_backend = esm_sqs_lab.embedded_backend
sqs_lab = esm_sqs_lab.sqs_lab

RECORD_KEYS = [
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfBody",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
]
ATTRIBUTES = {
    "store": {"DataType": "String", "StringValue": "example_corp"},
    "price": {"DataType": "Number", "StringValue": "210.75"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
}


def test_standard_queue_record_has_every_key_in_aws_order(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping()
    [message_id] = sqs_lab.send("Test message.", at=0.5)
    sqs_lab.run(1)

    [event_bytes] = sqs_lab.captured
    model = assert_sqs_event(event_bytes)  # Powertools SqsModel + SAM's sample keys + md5
    [event] = sqs_lab.events()
    assert event == json.loads(event_bytes)  # the handler got exactly what was sent
    [record] = event["Records"]
    assert list(record) == RECORD_KEYS  # no md5OfMessageAttributes without attributes
    assert record["messageId"] == message_id
    assert record["body"] == "Test message."
    assert record["md5OfBody"] == hashlib.md5(b"Test message.").hexdigest()
    assert record["messageAttributes"] == {}
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == sqs_lab.arn("q") == mapping.queue_arn
    assert record["awsRegion"] == REGION
    assert isinstance(record["receiptHandle"], str) and record["receiptHandle"]
    attributes = record["attributes"]
    assert list(attributes) == [
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    ]
    assert attributes["ApproximateReceiveCount"] == "1"
    assert attributes["SentTimestamp"] == str(int((T0 + 0.5) * 1000))  # sent at 0.5
    assert attributes["ApproximateFirstReceiveTimestamp"] == str(int((T0 + 1) * 1000))  # polled
    assert attributes["SenderId"]
    assert model.Records[0].messageId == message_id
    assert sqs_lab.queued("q") == []  # deleted after the successful invocation


def test_message_attributes_take_the_events_lower_camel_shape(sqs_lab):
    sqs_lab.create_queue("q")
    sqs_lab.mapping()
    url = sqs_lab.url("q")
    sqs_lab.run(0.5)
    sent = sqs_lab.sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes=ATTRIBUTES)
    sqs_lab.run(1)

    assert_sqs_event(sqs_lab.captured[0])
    [record] = sqs_lab.events()[0]["Records"]
    assert list(record) == [
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfMessageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    ]
    assert record["messageAttributes"] == {
        "store": {
            "stringValue": "example_corp",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "price": {
            "stringValue": "210.75",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Number",
        },
        "blob": {
            "binaryValue": "AAE=",  # base64 of b"\x00\x01"
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert record["md5OfBody"] == sent["MD5OfMessageBody"]


def test_fifo_queue_record_carries_sequence_group_and_deduplication(sqs_lab):
    sqs_lab.create_queue("orders.fifo")
    sqs_lab.mapping(queue="orders.fifo")
    url = sqs_lab.url("orders.fifo")
    sqs_lab.run(0.25)
    sent = sqs_lab.sqs.send_message(
        QueueUrl=url, MessageBody="first", MessageGroupId="g1", MessageDeduplicationId="d-1"
    )
    sqs_lab.run(1)

    assert_sqs_event(sqs_lab.captured[0])
    [record] = sqs_lab.events()[0]["Records"]
    assert list(record) == RECORD_KEYS
    attributes = record["attributes"]
    assert list(attributes) == [  # AWS's FIFO example, in its order
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SequenceNumber",
        "MessageGroupId",
        "SenderId",
        "MessageDeduplicationId",
        "ApproximateFirstReceiveTimestamp",
    ]
    assert attributes["MessageGroupId"] == "g1"
    assert attributes["MessageDeduplicationId"] == "d-1"
    assert attributes["SequenceNumber"] == sent["SequenceNumber"]
    assert attributes["SequenceNumber"].isdigit()
    assert record["eventSourceARN"] == sqs_lab.arn("orders.fifo")


def test_a_batch_carries_its_messages_in_queue_order(sqs_lab):
    sqs_lab.create_queue("q")
    sqs_lab.mapping(batch_size=5)
    ids = sqs_lab.send("m0", "m1", "m2", at=0.5)
    sqs_lab.run(1)
    [event] = sqs_lab.events()
    assert [r["messageId"] for r in event["Records"]] == ids
    assert [r["body"] for r in event["Records"]] == ["m0", "m1", "m2"]
    assert len({r["receiptHandle"] for r in event["Records"]}) == 3
