"""Helpers for the SNS delivery tests (imported by name: the test tree has no packages)."""

from __future__ import annotations

import os
from typing import Any

HANDLERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handlers")
REGION = "us-east-1"
ACCOUNT = "123456789012"


def make_queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    """(url, ARN) of a new queue."""
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def receive_all(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message in the queue (received with all attributes, then deleted)."""
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        ).get("Messages", [])
        if not batch:
            return messages
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(batch)


def error_of(excinfo: Any) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )
