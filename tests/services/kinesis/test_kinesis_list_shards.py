"""ListShards: paging with NextToken and MaxResults, ExclusiveStartShardId, ShardFilter."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError


def ids(response):
    return [s["ShardId"][-2:] for s in response["Shards"]]


def test_pages_with_next_token(kinesis):
    kinesis.create_stream(StreamName="p", ShardCount=5)
    first = kinesis.list_shards(StreamName="p", MaxResults=2)
    assert ids(first) == ["00", "01"]
    second = kinesis.list_shards(NextToken=first["NextToken"], MaxResults=2)
    assert ids(second) == ["02", "03"]
    third = kinesis.list_shards(NextToken=second["NextToken"], MaxResults=2)
    assert ids(third) == ["04"] and "NextToken" not in third
    assert ids(
        kinesis.list_shards(StreamName="p", ExclusiveStartShardId="shardId-000000000002")
    ) == [
        "03",
        "04",
    ]


def test_next_token_expires_after_300_seconds(kinesis, clock, helpers):
    kinesis.create_stream(StreamName="p", ShardCount=3)
    token = kinesis.list_shards(StreamName="p", MaxResults=1)["NextToken"]
    clock.advance(301)
    with pytest.raises(ClientError) as excinfo:
        kinesis.list_shards(NextToken=token)
    assert helpers.error_of(excinfo)[0] == "ExpiredNextTokenException"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Either NextToken or StreamName should be provided."),
        (
            {"StreamName": "p", "NextToken": "x"},
            "NextToken and StreamName cannot be provided together.",
        ),
    ],
)
def test_argument_errors(kinesis, helpers, params, message):
    kinesis.create_stream(StreamName="p", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        kinesis.list_shards(**params)
    assert helpers.error_of(excinfo) == ("InvalidArgumentException", message)


def test_missing_stream(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.list_shards(StreamName="nope")
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        "Stream nope under account 123456789012 not found.",
    )


def test_shard_filters(kinesis, clock):
    kinesis.create_stream(StreamName="f", ShardCount=2)
    created = clock.now
    clock.advance(100)
    kinesis.split_shard(StreamName="f", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=str(2**126))  # fmt: skip
    split_at = clock.now
    clock.advance(100)

    def filtered(**shard_filter):
        return ids(kinesis.list_shards(StreamName="f", ShardFilter=shard_filter))

    assert filtered(Type="AT_LATEST") == ["01", "02", "03"]
    assert filtered(Type="AT_TRIM_HORIZON") == ["00", "01"]
    assert filtered(Type="FROM_TRIM_HORIZON") == ["00", "01", "02", "03"]
    assert filtered(Type="AFTER_SHARD_ID", ShardId="shardId-000000000001") == ["02", "03"]
    before = dt.datetime.fromtimestamp(created + 50, dt.UTC)
    after = dt.datetime.fromtimestamp(split_at + 50, dt.UTC)
    assert filtered(Type="AT_TIMESTAMP", Timestamp=before) == ["00", "01"]
    assert filtered(Type="AT_TIMESTAMP", Timestamp=after) == ["01", "02", "03"]
    assert filtered(Type="FROM_TIMESTAMP", Timestamp=before) == ["00", "01", "02", "03"]
    assert filtered(Type="FROM_TIMESTAMP", Timestamp=after) == ["01", "02", "03"]
    # 25 hours on, the trim horizon is after the split
    clock.advance(25 * 3600)
    assert filtered(Type="AT_TRIM_HORIZON") == ["01", "02", "03"]


def test_filter_validation(kinesis, helpers):
    kinesis.create_stream(StreamName="f", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        kinesis.list_shards(StreamName="f", ShardFilter={"Type": "SIDEWAYS"})
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value 'SIDEWAYS' at 'shardFilter.type' failed to satisfy constraint: Member must "
            "satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, "
            "AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]"
        ),
    )
