"""DescribeStream paging and DescribeStreamSummary."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_describe_stream_pages_shards(kinesis):
    kinesis.create_stream(StreamName="p", ShardCount=5)
    first = kinesis.describe_stream(StreamName="p", Limit=2)["StreamDescription"]
    assert [s["ShardId"] for s in first["Shards"]] == [
        "shardId-000000000000",
        "shardId-000000000001",
    ]
    assert first["HasMoreShards"] is True
    rest = kinesis.describe_stream(StreamName="p", ExclusiveStartShardId="shardId-000000000001")[
        "StreamDescription"
    ]
    assert [s["ShardId"][-1] for s in rest["Shards"]] == ["2", "3", "4"]
    assert rest["HasMoreShards"] is False
    assert rest["EnhancedMonitoring"] == [{"ShardLevelMetrics": []}]
    assert rest["StreamStatus"] == "ACTIVE"
    assert "EndingSequenceNumber" not in rest["Shards"][0]["SequenceNumberRange"]


def test_describe_stream_validation(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.describe_stream(StreamName="x", Limit=0)
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value '0' at 'limit' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1"
        ),
    )


def test_describe_missing_stream(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.describe_stream(StreamName="nope")
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        "Stream nope under account 123456789012 not found.",
    )
