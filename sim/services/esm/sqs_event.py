"""The SQS event Lambda sends to a function, and the partial batch response it reads back.

Event records follow AWS's examples for standard and FIFO queues
(https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html) and Powertools' ``SqsRecordModel``:
``messageId``, ``receiptHandle``, ``body``, ``attributes`` (the message's system attributes as
strings: ``ApproximateReceiveCount``, ``SentTimestamp``, ``SenderId``,
``ApproximateFirstReceiveTimestamp``, plus ``SequenceNumber``, ``MessageGroupId`` and
``MessageDeduplicationId`` for FIFO queues and ``AWSTraceHeader`` when the sender set one),
``messageAttributes`` in the event's lower-camel shape (``stringValue`` or ``binaryValue`` in
base64, ``stringListValues``, ``binaryListValues``, ``dataType``), ``md5OfMessageAttributes``
when the message has attributes, ``md5OfBody``, ``eventSource`` ``aws:sqs``, ``eventSourceARN``
and ``awsRegion``.

The event is sent as JSON text exactly as the Lambda runtime encodes it
(:data:`sim.services.lambda_.wire.encode_event`), so its size is measured on the bytes sent.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Collection
from typing import Any

from sim.services.lambda_.wire import encode_event

# The order AWS's examples give: the standard queue's four attributes, the FIFO queue's three
# between them, AWSTraceHeader (X-Ray) after the receive count.
_ATTRIBUTE_ORDER = (
    "ApproximateReceiveCount",
    "AWSTraceHeader",
    "SentTimestamp",
    "SequenceNumber",
    "MessageGroupId",
    "SenderId",
    "MessageDeduplicationId",
    "ApproximateFirstReceiveTimestamp",
)

# '{"Records": [' + records joined by ', ' + ']}': the event's bytes around its records.
ENVELOPE = ('{"Records": [', "]}")
ENVELOPE_BYTES = len("".join(ENVELOPE))
SEPARATOR_BYTES = len(", ")


def event_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """The event record for one message as boto3's ``ReceiveMessage`` returned it."""
    received = message.get("Attributes", {})
    attributes = {name: received[name] for name in _ATTRIBUTE_ORDER if name in received}
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": {
            name: _message_attribute(value)
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record["md5OfBody"] = message["MD5OfBody"]
    record["eventSource"] = "aws:sqs"
    record["eventSourceARN"] = queue_arn
    record["awsRegion"] = region
    return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """A message attribute as the event carries it (boto3 gives binary values as bytes)."""
    shaped: dict[str, Any] = {}
    if "StringValue" in value:
        shaped["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        shaped["binaryValue"] = _b64(value["BinaryValue"])
    shaped["stringListValues"] = list(value.get("StringListValues", []))
    shaped["binaryListValues"] = [_b64(item) for item in value.get("BinaryListValues", [])]
    shaped["dataType"] = value["DataType"]
    return shaped


def _b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.b64encode(raw).decode("ascii")


def record_text(record: dict[str, Any]) -> str:
    """The record's JSON text in the event (the runtime's event encoding)."""
    return encode_event(record)


def event_body(texts: list[str]) -> bytes:
    """The event's JSON text for records already encoded."""
    return ", ".join(texts).join(ENVELOPE).encode("ascii")


def event_size(texts: list[str]) -> int:
    """Bytes of the event carrying ``texts`` (0 records: the envelope alone)."""
    if not texts:
        return ENVELOPE_BYTES
    return ENVELOPE_BYTES + sum(map(len, texts)) + SEPARATOR_BYTES * (len(texts) - 1)


class InvalidBatchResponse(ValueError):
    """A partial batch response Lambda treats as a complete failure of the batch."""


def reported_failures(payload: Any, message_ids: Collection[str]) -> frozenset[str]:
    """The message ids a function's response reports as failed (``ReportBatchItemFailures``).

    services-sqs-errorhandling.html, "Success and failure conditions": a complete success for an
    empty or null ``batchItemFailures`` list, an empty or null response; a complete failure
    (:class:`InvalidBatchResponse`) for an invalid JSON response, an empty-string or null
    ``itemIdentifier``, an ``itemIdentifier`` under a bad key name, or one naming a message that
    is not in the batch. A response that is JSON but not an object (a bare string, number or
    list) carries no failures: a complete success, as streamlab's stream mappings read it
    (:mod:`sim.services.esm.responses`; assumption, not AWS-documented).
    """
    if isinstance(payload, bytes | bytearray):
        if not payload.strip():
            return frozenset()
        try:
            payload = json.loads(payload)
        except ValueError as e:
            raise InvalidBatchResponse("the function's response is not valid JSON") from e
    if payload is None:
        return frozenset()
    if not isinstance(payload, dict):
        return frozenset()
    failures = payload.get("batchItemFailures")
    if failures is None:
        return frozenset()
    if not isinstance(failures, list):
        raise InvalidBatchResponse("batchItemFailures is not a list")
    reported: set[str] = set()
    for item in failures:
        if not isinstance(item, dict) or "itemIdentifier" not in item:
            raise InvalidBatchResponse("a batch item failure without itemIdentifier")
        identifier = item["itemIdentifier"]
        if identifier is None:
            raise InvalidBatchResponse("a null itemIdentifier")
        if not isinstance(identifier, str):
            raise InvalidBatchResponse("an itemIdentifier that is not a string")
        if identifier == "":
            raise InvalidBatchResponse("an empty itemIdentifier")
        if identifier not in message_ids:
            raise InvalidBatchResponse(f"itemIdentifier {identifier!r} is not in the batch")
        reported.add(identifier)
    return frozenset(reported)
