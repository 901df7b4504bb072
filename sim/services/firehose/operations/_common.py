"""Helpers shared by the operations."""

from __future__ import annotations

from typing import Any

from sim.services.firehose.models import DeliveryStream
from sim.services.firehose.operations import EpochSeconds

DESTINATION_ID = "destinationId-000000000001"


def describe(stream: DeliveryStream) -> dict[str, Any]:
    """AWS's ``DeliveryStreamDescription``."""
    destination: dict[str, Any] = {"DestinationId": DESTINATION_ID}
    s3 = {k: v for k, v in stream.destination.items() if k in _S3_KEYS}
    if stream.destination_kind == "ExtendedS3":
        destination["ExtendedS3DestinationDescription"] = dict(stream.destination)
    destination["S3DestinationDescription"] = s3
    out: dict[str, Any] = {
        "DeliveryStreamName": stream.name,
        "DeliveryStreamARN": stream.arn,
        "DeliveryStreamStatus": "ACTIVE",
        "DeliveryStreamEncryptionConfiguration": {"Status": "DISABLED"},
        "DeliveryStreamType": stream.type,
        "VersionId": stream.version_id,
        "CreateTimestamp": EpochSeconds(stream.created_at),
        "Destinations": [destination],
        "HasMoreDestinations": False,
    }
    if stream.source_stream_arn:
        out["Source"] = {
            "KinesisStreamSourceDescription": {
                "KinesisStreamARN": stream.source_stream_arn,
                "RoleARN": stream.source_role_arn,
                "DeliveryStartTimestamp": EpochSeconds(stream.created_at),
            }
        }
    return out


_S3_KEYS = (
    "RoleARN",
    "BucketARN",
    "Prefix",
    "ErrorOutputPrefix",
    "BufferingHints",
    "CompressionFormat",
    "EncryptionConfiguration",
    "CloudWatchLoggingOptions",
)
