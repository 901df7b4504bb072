"""Where a stream mapping sends the record of a batch it gives up on (``DestinationConfig.
OnFailure``): an SQS queue, an SNS topic or an S3 bucket.

The record (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html,
aws-semantics §2)::

    {"requestContext": {"requestId", "functionArn", "condition", "approximateInvokeCount"},
     "responseContext": {"statusCode", "executedVersion", "functionError"},
     "version": "1.0", "timestamp": "…Z",
     "KinesisBatchInfo" | "DDBStreamBatchInfo": {"shardId", "startSequenceNumber",
        "endSequenceNumber", "approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord",
        "batchSize", "streamArn"}}

* SQS: the record is the message body; SNS: the ``Message`` (the records themselves are left
  out: the consumer re-reads them from the stream).
* S3: the record plus ``payload``, the invocation's event as a JSON string, in an object named
  ``aws/lambda/<mapping UUID>/<shard id>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<UUID>``.
* A record for SNS larger than 256 KB is sent without the payload (API_OnFailure.html); the SNS
  record never carries one here, so it always fits.

Lambda sends with the function's execution role: ``client_for(service)`` gives a client acting
as that role where IAM is enforced, so a missing ``sqs:SendMessage`` (``sns:Publish``,
``s3:PutObject``) fails the delivery as on AWS.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sim.ids import uuid4
from sim.services.esm import limits


class OnFailureDestination:
    """One mapping's on-failure destination, given by ARN."""

    def __init__(
        self,
        arn: str,
        client_for: Callable[[str], Any],
        *,
        mapping_uuid: str,
        rng: random.Random,
    ) -> None:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] not in limits.ON_FAILURE_SERVICES:
            raise ValueError(
                f"DestinationConfig.OnFailure.Destination: expected the ARN of an SQS queue, "
                f"an SNS topic or an S3 bucket, got {arn!r}"
            )
        self.arn = arn
        self.service = parts[2]
        self.name = parts[5]
        self._client_for = client_for
        self._client: Any = None
        self._uuid = mapping_uuid
        self._rng = rng
        self._queue_url: str | None = None
        self.sent = 0  # records sent (one per batch given up on)

    @property
    def label(self) -> str:
        """How the ledger names it: ``queue NAME``, ``topic NAME`` or ``bucket NAME``."""
        noun = {"sqs": "queue", "sns": "topic", "s3": "bucket"}[self.service]
        return f"{noun} {self.name}"

    def send(self, record: dict[str, Any], payload: str, shard_id: str, now: float) -> None:
        """Send ``record``; ``payload`` is the invocation event (JSON), kept only for S3.
        Raises the client's error when the destination refuses it."""
        if self._client is None:
            self._client = self._client_for(self.service)
        client = self._client
        if self.service == "sqs":
            if self._queue_url is None:
                # Lambda sends to the ARN: no GetQueueUrl (the role need not allow it)
                _, _, _, region, account, name = self.arn.split(":", 5)
                self._queue_url = f"https://sqs.{region}.amazonaws.com/{account}/{name}"
            client.send_message(QueueUrl=self._queue_url, MessageBody=json.dumps(record))
        elif self.service == "sns":
            client.publish(TopicArn=self.arn, Message=json.dumps(record))
        else:
            body = dict(record, payload=payload)
            client.put_object(
                Bucket=self.name,
                Key=s3_key(self._uuid, shard_id, now, uuid4(self._rng)),
                Body=json.dumps(body).encode(),
                ContentType="application/json",
            )
        self.sent += 1


def s3_key(mapping_uuid: str, shard_id: str, now: float, unique: str) -> str:
    """``aws/lambda/<mapping UUID>/<shard id>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<UUID>``."""
    moment = datetime.fromtimestamp(now, UTC)
    return (
        f"aws/lambda/{mapping_uuid}/{shard_id}/{moment:%Y/%m/%d}/"
        f"{moment:%Y-%m-%dT%H.%M.%S}-{unique}"
    )


def failure_record(
    *,
    request_id: str,
    function_arn: str,
    condition: str,
    invoke_count: int,
    function_error: str | None,
    status_code: int,
    timestamp: str,
    batch_info_key: str,
    batch_info: dict[str, Any],
) -> dict[str, Any]:
    """The on-failure record, keys in AWS's order."""
    response: dict[str, Any] = {"statusCode": status_code, "executedVersion": "$LATEST"}
    if function_error is not None:
        response["functionError"] = function_error
    return {
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": timestamp,
        batch_info_key: batch_info,
    }
