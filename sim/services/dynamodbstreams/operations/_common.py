"""Input members several operations share (bounds from botocore's service model)."""

from __future__ import annotations

from sim.services.dynamodbstreams import limits
from sim.services.dynamodbstreams.validation import Field


def stream_arn(required: bool = False) -> Field:
    return Field(
        "String",
        required=required,
        min_len=limits.STREAM_ARN_MIN_LENGTH,
        max_len=limits.STREAM_ARN_MAX_LENGTH,
    )


def shard_id(required: bool = False) -> Field:
    return Field(
        "String",
        required=required,
        min_len=limits.SHARD_ID_MIN_LENGTH,
        max_len=limits.SHARD_ID_MAX_LENGTH,
    )


def limit(maximum: int) -> Field:
    return Field("Integer", ge=1, le=maximum)
