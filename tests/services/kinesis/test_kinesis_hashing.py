"""Routing: MD5 of the partition key, ExplicitHashKey, contiguous even ranges."""

from __future__ import annotations

import hashlib

import pytest
from botocore.exceptions import ClientError

from sim.services.kinesis.hashing import even_ranges, partition_key_hash


def test_create_stream_splits_the_hash_space_evenly_like_aws(kinesis):
    kinesis.create_stream(StreamName="three", ShardCount=3)
    shards = kinesis.describe_stream(StreamName="three")["StreamDescription"]["Shards"]
    # the values AWS returns for a 3-shard stream (kinesalite test/mergeShards.js)
    assert [s["HashKeyRange"] for s in shards] == [
        {"StartingHashKey": "0", "EndingHashKey": "113427455640312821154458202477256070484"},
        {
            "StartingHashKey": "113427455640312821154458202477256070485",
            "EndingHashKey": "226854911280625642308916404954512140969",
        },
        {
            "StartingHashKey": "226854911280625642308916404954512140970",
            "EndingHashKey": "340282366920938463463374607431768211455",
        },
    ]


def test_even_ranges_cover_everything_without_gaps():
    for count in (1, 2, 3, 7, 64):
        ranges = even_ranges(count)
        assert ranges[0][0] == 0 and ranges[-1][1] == 2**128 - 1
        assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_partition_key_routes_by_md5_as_128_bit_integer(kinesis):
    kinesis.create_stream(StreamName="four", ShardCount=4)
    shards = kinesis.describe_stream(StreamName="four")["StreamDescription"]["Shards"]
    for key in ["a", "b", "sensor-17", "ключ", "🙂"]:
        expected = int.from_bytes(hashlib.md5(key.encode("utf-8")).digest(), "big")
        assert partition_key_hash(key) == expected
        owner = next(
            s["ShardId"]
            for s in shards
            if int(s["HashKeyRange"]["StartingHashKey"])
            <= expected
            <= int(s["HashKeyRange"]["EndingHashKey"])
        )
        assert kinesis.put_record(StreamName="four", PartitionKey=key, Data=b"")["ShardId"] == owner


@pytest.mark.parametrize(
    ("hash_key", "shard"),
    [
        ("0", "shardId-000000000000"),
        ("113427455640312821154458202477256070484", "shardId-000000000000"),
        ("113427455640312821154458202477256070485", "shardId-000000000001"),
        ("226854911280625642308916404954512140970", "shardId-000000000002"),
        (str(2**128 - 1), "shardId-000000000002"),
    ],
)
def test_explicit_hash_key_overrides_the_partition_key(kinesis, hash_key, shard):
    kinesis.create_stream(StreamName="three", ShardCount=3)
    put = kinesis.put_record(
        StreamName="three", PartitionKey="a", Data=b"", ExplicitHashKey=hash_key
    )
    assert put["ShardId"] == shard


def test_explicit_hash_key_out_of_range(kinesis, stream, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(
            StreamName=stream, PartitionKey="a", Data=b"", ExplicitHashKey=str(2**128)
        )
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
        f"Specified value was {2**128}",
    )


def test_explicit_hash_key_pattern(kinesis, stream, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(StreamName=stream, PartitionKey="a", Data=b"", ExplicitHashKey="01")
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value '01' at 'explicitHashKey' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})"
        ),
    )
