"""Sending asynchronous invocation records to destinations, and events to dead-letter queues.

How each destination gets the record (invocation-async-retain-records, aws-semantics.md §3):

* SQS queue: the record is the message body (``SendMessage``);
* SNS topic: the record is the ``Message`` (``Publish``);
* Lambda function: the record is the event of an asynchronous invocation;
* EventBridge bus: the record is ``detail``, ``source`` is ``lambda``, ``detail-type`` is
  ``Lambda Function Invocation Result - Success`` or ``… - Failure``, ``resources`` holds the
  function's and the destination's ARNs.

A dead-letter queue (SQS or SNS) gets the original event unchanged, with the attributes
``RequestID``, ``ErrorCode`` and ``ErrorMessage``.

Lambda sends these with the function's execution role (the role needs ``sqs:SendMessage``,
``sns:Publish``, ``lambda:InvokeFunction`` or ``events:PutEvents``): the clients come from
``client_for(function_config, service)``, which gives the role's session where IAM is enforced,
so a missing permission fails the delivery as on AWS (``DestinationDeliveryFailures``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from sim.services.lambda_.config import FunctionConfig

EVENTBRIDGE_SOURCE = "lambda"
EVENTBRIDGE_DETAIL_TYPES = {
    "success": "Lambda Function Invocation Result - Success",
    "failure": "Lambda Function Invocation Result - Failure",
}
# Destination services Lambda accepts for asynchronous invocation records (S3 is on-failure
# only and not simulated). FIFO queues and topics are refused.
DESTINATION_SERVICES = ("sqs", "sns", "lambda", "events")
DEAD_LETTER_SERVICES = ("sqs", "sns")


class DestinationError(RuntimeError):
    """A destination refused a record (PutEvents reported a failed entry, …)."""


def arn_service(arn: str) -> str:
    """``arn:aws:SERVICE:…`` → ``SERVICE`` (empty when ``arn`` is not an ARN)."""
    parts = arn.split(":", 5)
    return parts[2] if len(parts) == 6 and parts[0] == "arn" else ""


def _arn_parts(arn: str) -> tuple[str, str, str, str]:
    """(service, region, account, resource) of an ARN."""
    _, _, service, region, account, resource = arn.split(":", 5)
    return service, region, account, resource


def _dumps(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8")
    return json.dumps(value, default=lambda o: float(o) if isinstance(o, Decimal) else str(o))


class Destinations:
    """``deliver(kind, target_arn, body, function_config, attributes=None)`` for
    :class:`~sim.services.lambda_.asynchronous.AsyncInvoker`: ``kind`` is ``success``,
    ``failure`` (``body`` is the invocation record) or ``dead-letter`` (``body`` is the event;
    ``attributes`` the DLQ message attributes)."""

    def __init__(self, client_for: Callable[[FunctionConfig, str, str], Any]):
        self._client_for = client_for

    def __call__(
        self,
        kind: str,
        target: str,
        body: Any,
        config: FunctionConfig,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        service, region, account, resource = _arn_parts(target)
        client = self._client_for(config, service, region)
        if service == "sqs":
            url = client.get_queue_url(QueueName=resource, QueueOwnerAWSAccountId=account)
            kwargs: dict[str, Any] = {"QueueUrl": url["QueueUrl"], "MessageBody": _dumps(body)}
            if attributes:
                kwargs["MessageAttributes"] = dict(attributes)
            client.send_message(**kwargs)
        elif service == "sns":
            kwargs = {"TopicArn": target, "Message": _dumps(body)}
            if attributes:
                kwargs["MessageAttributes"] = dict(attributes)
            client.publish(**kwargs)
        elif service == "lambda":
            client.invoke(FunctionName=target, InvocationType="Event", Payload=_dumps(body))
        elif service == "events":
            response = client.put_events(
                Entries=[
                    {
                        "Source": EVENTBRIDGE_SOURCE,
                        "DetailType": EVENTBRIDGE_DETAIL_TYPES[kind],
                        "Detail": _dumps(body),
                        "Resources": [config.arn, target],
                        "EventBusName": target,
                    }
                ]
            )
            if response.get("FailedEntryCount"):
                entry = response["Entries"][0]
                raise DestinationError(
                    f"{entry.get('ErrorCode')}: {entry.get('ErrorMessage')} ({target})"
                )
        else:
            raise DestinationError(f"not a destination Lambda supports: {target}")
