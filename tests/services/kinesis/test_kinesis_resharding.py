"""SplitShard, MergeShards, UpdateShardCount; reading a closed shard to its end."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
TOP = 2**128 - 1


def shards(kinesis, stream):
    return {s["ShardId"]: s for s in kinesis.list_shards(StreamName=stream)["Shards"]}


def is_open(shard):
    return "EndingSequenceNumber" not in shard["SequenceNumberRange"]


def read_all(kinesis, stream, shard_id):
    iterator = kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    out = kinesis.get_records(ShardIterator=iterator)
    return out


def test_split(kinesis, clock):
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.put_record(StreamName="s", PartitionKey="k", Data=b"before")
    clock.advance(1)
    middle = 2**127
    kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=str(middle))  # fmt: skip
    listed = shards(kinesis, "s")
    parent = listed["shardId-000000000000"]
    assert not is_open(parent)
    left, right = listed["shardId-000000000001"], listed["shardId-000000000002"]
    assert left["ParentShardId"] == right["ParentShardId"] == "shardId-000000000000"
    assert "AdjacentParentShardId" not in left
    assert left["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(middle - 1)}
    assert right["HashKeyRange"] == {"StartingHashKey": str(middle), "EndingHashKey": str(TOP)}
    low = kinesis.put_record(StreamName="s", PartitionKey="k", Data=b"", ExplicitHashKey="5")
    high = kinesis.put_record(StreamName="s", PartitionKey="k", Data=b"", ExplicitHashKey=str(TOP))
    assert (low["ShardId"], high["ShardId"]) == ("shardId-000000000001", "shardId-000000000002")


def test_closed_shard_read_to_its_end_gives_child_shards(kinesis, clock):
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.put_record(StreamName="s", PartitionKey="k", Data=b"1")
    kinesis.put_record(StreamName="s", PartitionKey="k", Data=b"2")
    iterator = kinesis.get_shard_iterator(
        StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    first = kinesis.get_records(ShardIterator=iterator, Limit=1)
    kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=str(2**127))  # fmt: skip
    assert [r["Data"] for r in first["Records"]] == [b"1"]
    last = kinesis.get_records(ShardIterator=first["NextShardIterator"])
    assert [r["Data"] for r in last["Records"]] == [b"2"]
    assert "NextShardIterator" not in last
    assert last["MillisBehindLatest"] == 0
    assert last["ChildShards"] == [
        {
            "ShardId": "shardId-000000000001",
            "ParentShards": ["shardId-000000000000"],
            "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": str(2**127 - 1)},
        },
        {
            "ShardId": "shardId-000000000002",
            "ParentShards": ["shardId-000000000000"],
            "HashKeyRange": {"StartingHashKey": str(2**127), "EndingHashKey": str(TOP)},
        },
    ]
    # LATEST on a closed shard: at its end at once
    latest = kinesis.get_shard_iterator(
        StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="LATEST"
    )["ShardIterator"]
    at_end = kinesis.get_records(ShardIterator=latest)
    assert at_end["Records"] == [] and "NextShardIterator" not in at_end
    assert len(at_end["ChildShards"]) == 2


def test_closed_shards_stay_readable_until_retention_trims_them(kinesis, clock):
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.put_record(StreamName="s", PartitionKey="k", Data=b"kept")
    kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=str(2**127))  # fmt: skip
    clock.advance(23 * 3600)
    assert [r["Data"] for r in read_all(kinesis, "s", "shardId-000000000000")["Records"]] == [
        b"kept"
    ]
    clock.advance(3600)
    assert "shardId-000000000000" not in shards(kinesis, "s")
    assert len(shards(kinesis, "s")) == 2


def test_merge(kinesis):
    kinesis.create_stream(StreamName="m", ShardCount=3)
    kinesis.merge_shards(StreamName="m", ShardToMerge="shardId-000000000000",
                         AdjacentShardToMerge="shardId-000000000001")  # fmt: skip
    listed = shards(kinesis, "m")
    child = listed["shardId-000000000003"]
    assert child["ParentShardId"] == "shardId-000000000000"
    assert child["AdjacentParentShardId"] == "shardId-000000000001"
    assert child["HashKeyRange"] == {
        "StartingHashKey": "0",
        "EndingHashKey": "226854911280625642308916404954512140969",
    }
    assert not is_open(listed["shardId-000000000000"]) and not is_open(
        listed["shardId-000000000001"]
    )
    out = read_all(kinesis, "m", "shardId-000000000001")
    assert out["ChildShards"] == [
        {
            "ShardId": "shardId-000000000003",
            "ParentShards": ["shardId-000000000000", "shardId-000000000001"],
            "HashKeyRange": child["HashKeyRange"],
        }
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("shardId-000000000000", "shardId-000000000002"),
        ("shardId-000000000001", "shardId-000000000000"),
    ],
)
def test_merge_needs_an_adjacent_pair_in_order(kinesis, helpers, first, second):
    kinesis.create_stream(StreamName="m", ShardCount=3)
    with pytest.raises(ClientError) as excinfo:
        kinesis.merge_shards(StreamName="m", ShardToMerge=first, AdjacentShardToMerge=second)
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        f"Shards {first} and {second} in stream m under account {ACCOUNT} are not an adjacent "
        "pair of shards eligible for merging",
    )


def test_split_errors(kinesis, helpers):
    kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000",
                            NewStartingHashKey="1")  # fmt: skip
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream s "
        f"under account {ACCOUNT} is not both greater than one plus the shard's "
        f"StartingHashKey 0 and less than the shard's EndingHashKey {TOP}.",
    )
    with pytest.raises(ClientError) as excinfo:
        kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000007",
                            NewStartingHashKey="100")  # fmt: skip
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Could not find shard shardId-000000000007 in stream s under account {ACCOUNT}.",
    )
    kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey="100")  # fmt: skip
    with pytest.raises(ClientError) as excinfo:
        kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000",
                            NewStartingHashKey="50")  # fmt: skip
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        f"Shard shardId-000000000000 in stream s under account {ACCOUNT} has already been "
        "merged or split, and thus is not eligible for merging or splitting.",
    )


def test_split_on_demand_stream(kinesis, helpers):
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    with pytest.raises(ClientError) as excinfo:
        kinesis.split_shard(StreamName="od", ShardToSplit="shardId-000000000000",
                            NewStartingHashKey="100")  # fmt: skip
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        f"Request is invalid. Stream od under account {ACCOUNT} is in On-Demand mode.",
    )


@pytest.mark.parametrize(("start", "target"), [(1, 2), (2, 4), (4, 2), (3, 5), (5, 3), (4, 7)])
def test_update_shard_count_uniform_scaling(kinesis, start, target):
    kinesis.create_stream(StreamName="u", ShardCount=start)
    out = kinesis.update_shard_count(StreamName="u", TargetShardCount=target,
                                     ScalingType="UNIFORM_SCALING")  # fmt: skip
    assert (out["CurrentShardCount"], out["TargetShardCount"]) == (start, target)
    listed = shards(kinesis, "u")
    opened = sorted(
        (s for s in listed.values() if is_open(s)),
        key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]),
    )
    width = 2**128 // target
    assert [int(s["HashKeyRange"]["StartingHashKey"]) for s in opened] == [
        i * width for i in range(target)
    ]
    assert int(opened[-1]["HashKeyRange"]["EndingHashKey"]) == TOP
    # lineage: every shard's parents exist and were closed
    for shard in listed.values():
        for parent in (shard.get("ParentShardId"), shard.get("AdjacentParentShardId")):
            if parent:
                assert not is_open(listed[parent])


def test_update_shard_count_bounds(kinesis, helpers):
    kinesis.create_stream(StreamName="u", ShardCount=2)
    with pytest.raises(ClientError) as excinfo:
        kinesis.update_shard_count(StreamName="u", TargetShardCount=6,
                                   ScalingType="UNIFORM_SCALING")  # fmt: skip
    assert helpers.error_of(excinfo) == (
        "LimitExceededException",
        "UpdateShardCount cannot scale up over double your current open shard count. "
        "Current open shard count: 2, Target shard count: 6",
    )
    kinesis.update_shard_count(StreamName="u", TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    with pytest.raises(ClientError) as excinfo:
        kinesis.update_shard_count(StreamName="u", TargetShardCount=1,
                                   ScalingType="UNIFORM_SCALING")  # fmt: skip
    assert helpers.error_of(excinfo) == (
        "LimitExceededException",
        "UpdateShardCount cannot scale down below half your current open shard count. "
        "Current open shard count: 4, Target shard count: 1",
    )
    with pytest.raises(ClientError) as excinfo:
        kinesis.update_shard_count(StreamName="u", TargetShardCount=3, ScalingType="X")
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value 'X' at 'scalingType' failed to satisfy constraint: "
            "Member must satisfy enum value set: [UNIFORM_SCALING]"
        ),
    )


def test_records_written_before_and_after_resharding_are_all_readable(kinesis, clock):
    kinesis.create_stream(StreamName="r", ShardCount=2)
    keys = [f"key-{i}" for i in range(40)]
    for key in keys:
        kinesis.put_record(StreamName="r", PartitionKey=key, Data=b"before")
    clock.advance(1)
    kinesis.update_shard_count(StreamName="r", TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    for key in keys:
        kinesis.put_record(StreamName="r", PartitionKey=key, Data=b"after")
    seen = []
    for shard_id in shards(kinesis, "r"):
        seen += [r["Data"] for r in read_all(kinesis, "r", shard_id)["Records"]]
    assert sorted(seen) == sorted([b"before"] * 40 + [b"after"] * 40)
