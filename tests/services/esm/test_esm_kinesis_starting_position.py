"""StartingPosition: TRIM_HORIZON (oldest retained record), LATEST (only records put after the
mapping starts), AT_TIMESTAMP (records arriving at or after StartingPositionTimestamp)."""

from __future__ import annotations

import pytest
from esm_lab import T0


def put_one_per_second(lab, count: int, **kw) -> list[bytes]:
    data = [f"r{i}".encode() for i in range(count)]
    for i, item in enumerate(data):
        lab.put(item, at=i + 0.5, **kw)
    return data


def test_trim_horizon_reads_every_retained_record(lab):
    lab.create_stream()
    data = put_one_per_second(lab, 5)
    mapping = lab.mapping(starting_position="TRIM_HORIZON")
    lab.put(b"after", at=10)
    lab.run(12)
    assert lab.delivered(mapping) == data + [b"after"]
    lab.settle()
    assert lab.hop(mapping).available == 6


def test_trim_horizon_skips_records_already_past_retention(lab):
    lab.create_stream()
    lab.put(b"old", at=0)
    lab.put(b"kept", at=3600)
    lab.run(24 * 3600 + 10)  # "old" has left the stream
    mapping = lab.mapping(starting_position="TRIM_HORIZON")
    lab.run(24 * 3600 + 20)
    assert lab.delivered(mapping) == [b"kept"]
    lab.settle()
    assert lab.hop(mapping).available == 1  # what the stream held when the mapping started


def test_latest_skips_records_put_before_the_mapping(lab):
    lab.create_stream(shards=2)
    lab.put(b"before-0", shard="shardId-000000000000", at=0.5)
    lab.put(b"before-1", shard="shardId-000000000001", at=0.6)
    lab.run(5)
    mapping = lab.mapping(starting_position="LATEST")
    lab.put(b"after-0", shard="shardId-000000000000")  # same instant, after creation
    lab.put(b"after-1", shard="shardId-000000000001", at=6.5)
    lab.run(10)
    assert sorted(lab.delivered(mapping)) == [b"after-0", b"after-1"]
    lab.settle()
    assert lab.hop(mapping).available == 2


def test_at_timestamp_starts_at_the_first_record_arriving_at_or_after_it(lab):
    lab.create_stream()
    data = put_one_per_second(lab, 5)  # arrivals 0.5, 1.5, ... 4.5
    lab.run(10)
    mapping = lab.mapping(starting_position="AT_TIMESTAMP", starting_position_timestamp=T0 + 2.5)
    lab.run(12)
    assert lab.delivered(mapping) == data[2:]
    lab.settle()
    assert lab.hop(mapping).available == 3


def test_at_timestamp_before_the_oldest_record_reads_from_the_trim_horizon(lab):
    lab.create_stream()
    data = put_one_per_second(lab, 3)
    mapping = lab.mapping(starting_position="AT_TIMESTAMP", starting_position_timestamp=T0 - 1e6)
    lab.run(5)
    assert lab.delivered(mapping) == data


def test_at_timestamp_applies_to_shards_created_before_it(lab):
    """A split before the timestamp: the parent holds nothing after it and the children are
    read from the timestamp, not from their first record."""
    lab.create_stream()
    lab.put(b"parent", at=0.5)
    lab.reshard("SplitShard", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
    left, right = lab.shard_ids()[1:]
    lab.put(b"left-early", shard=left, at=1.5)
    lab.put(b"right-early", shard=right, at=2.5)
    lab.put(b"left-late", shard=left, at=5.5)
    lab.put(b"right-late", shard=right, at=6.5)
    lab.run(10)
    mapping = lab.mapping(starting_position="AT_TIMESTAMP", starting_position_timestamp=T0 + 5)
    lab.put(b"left-new", shard=left, at=11.5)
    lab.run(15)
    assert sorted(lab.delivered(mapping)) == [b"left-late", b"left-new", b"right-late"]
    lab.settle()
    assert lab.hop(mapping).available == 3


def test_at_timestamp_in_the_future_skips_records_arriving_before_it(lab):
    """AWS refuses a StartingPositionTimestamp in the future; streamlab (whose scenarios may
    name a time after the clock's start) honours it instead."""
    lab.create_stream()
    mapping = lab.mapping(starting_position="AT_TIMESTAMP", starting_position_timestamp=T0 + 30)
    data = put_one_per_second(lab, 40)
    lab.run(45)
    assert lab.delivered(mapping) == data[30:]
    lab.settle()
    assert lab.hop(mapping).available == 10


def test_starting_position_timestamp_goes_with_at_timestamp_only(lab):
    lab.create_stream()
    with pytest.raises(ValueError, match="StartingPositionTimestamp goes with"):
        lab.mapping(starting_position="AT_TIMESTAMP")
    with pytest.raises(ValueError, match="StartingPositionTimestamp goes with"):
        lab.mapping(starting_position="TRIM_HORIZON", starting_position_timestamp=T0)


def test_unknown_starting_position_is_rejected(lab):
    lab.create_stream()
    with pytest.raises(ValueError, match="StartingPosition must be one of"):
        lab.mapping(starting_position="EARLIEST")
