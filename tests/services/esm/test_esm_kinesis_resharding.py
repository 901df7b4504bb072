"""Resharding: a parent shard is read to its end before its children start, as Lambda does, and
no record is lost or delivered twice (exactly once while the handler always succeeds)."""

from __future__ import annotations

import base64
from collections import defaultdict

from esm_lab import T0

SHARD0, SHARD1 = "shardId-000000000000", "shardId-000000000001"
HALF = str(2**127)


def lineage(lab, stream: str = "s") -> dict[str, list[str]]:
    """Parents of every listed shard."""
    return {
        shard.shard_id: [p for p in (shard.parent_shard_id, shard.adjacent_parent_shard_id) if p]
        for shard in lab.backend.get_stream(stream).shards
    }


def assert_parents_first(lab, mapping) -> None:
    """Every batch of a parent shard comes before the first batch of any of its children."""
    order = [b.shard_id for b in mapping.batches]
    for child, parents in lineage(lab).items():
        if child in order:
            first_child = order.index(child)
            for parent in parents:
                assert parent not in order[first_child:], (parent, child)


def test_split_parent_is_read_to_its_end_before_the_children(lab):
    lab.create_stream()
    mapping = lab.mapping("flaky", "esm_flaky:handler", env={"FAIL_TIMES": "3"})
    lab.put(*[f"p{i}".encode() for i in range(5)], at=0.5)
    lab.run(1.2)  # the parent's batch has failed once
    lab.reshard("SplitShard", ShardToSplit=SHARD0, NewStartingHashKey=HALF)
    left, right = lab.shard_ids()[1:]
    lab.put(b"left", shard=left, at=1.5)
    lab.put(b"right", shard=right, at=2.5)
    lab.run(20)

    times = {(b.shard_id, b.outcome): b.time - T0 for b in mapping.batches}
    assert times[(SHARD0, "success")] == 8.0  # attempts at 1, 2, 4, 8
    # the children start only then, though their records arrived at 1.5 and 2.5
    assert times[(left, "success")] == times[(right, "success")] == 8.0
    assert_parents_first(lab, mapping)
    assert sorted(lab.delivered(mapping)) == sorted(
        [f"p{i}".encode() for i in range(5)] + [b"left", b"right"]
    )


def test_merged_child_waits_for_both_parents(lab):
    lab.create_stream(shards=2)
    mapping = lab.mapping("poisoned", "esm_poison:handler", maximum_retry_attempts=2)
    lab.put(b"from-0", shard=SHARD0, at=0.5)
    lab.put(b"poison", shard=SHARD1, at=0.6)  # attempts at 1, 2, 4; dropped at 4
    lab.reshard("MergeShards", ShardToMerge=SHARD0, AdjacentShardToMerge=SHARD1)
    [child] = lab.shard_ids()[2:]
    lab.put(b"merged", shard=child, at=1.5)
    lab.run(10)

    [merged] = [b for b in mapping.batches if b.shard_id == child]
    assert merged.time - T0 == 4.0
    assert_parents_first(lab, mapping)
    assert sorted(lab.delivered(mapping)) == [b"from-0", b"merged"]


def test_no_record_lost_or_duplicated_across_generations_of_shards(lab):
    """Records keyed k0..k19 every second while the stream goes 2 → 4 → 3 → 2 → 1 → 2 shards:
    each delivered exactly once, and each key's records in order."""
    lab.create_stream(shards=2)
    mapping = lab.mapping(batch_size=7)
    keys = [f"k{i}" for i in range(20)]
    plan = {5: 4, 10: 3, 15: 2, 20: 1, 25: 2}
    put = []
    for second in range(30):
        if second in plan:
            lab.run(second + 0.25)
            lab.reshard(
                "UpdateShardCount", TargetShardCount=plan[second], ScalingType="UNIFORM_SCALING"
            )
        data = [f"{key}:{second:02d}".encode() for key in keys]
        lab.put(*data, keys=keys, at=second + 0.5)
        put += data
    lab.run(60)

    delivered = lab.delivered(mapping)
    assert sorted(delivered) == sorted(put)  # exactly once
    per_key = defaultdict(list)
    for item in delivered:
        key, second = item.decode().split(":")
        per_key[key].append(second)
    assert all(seconds == sorted(seconds) for seconds in per_key.values())
    assert_parents_first(lab, mapping)
    assert len(lineage(lab)) > 10  # the shards really changed
    lab.settle()
    hop = lab.hop(mapping)
    assert (hop.available, hop.delivered, hop.in_flight) == (600, 600, 0)


def test_mapping_started_after_a_split_reads_the_parent_first(lab):
    lab.create_stream()
    lab.put(b"parent-1", b"parent-2", at=0.5)
    lab.reshard("SplitShard", ShardToSplit=SHARD0, NewStartingHashKey=HALF)
    left, right = lab.shard_ids()[1:]
    lab.put(b"left", shard=left, at=1.5)
    lab.put(b"right", shard=right, at=1.6)
    lab.run(5)
    mapping = lab.mapping(batch_size=1)
    lab.run(6)
    assert lab.delivered(mapping)[:2] == [b"parent-1", b"parent-2"]
    assert sorted(lab.delivered(mapping)[2:]) == [b"left", b"right"]
    assert_parents_first(lab, mapping)


def test_latest_mapping_follows_a_split_into_the_children(lab):
    lab.create_stream()
    lab.put(b"before", at=0.5)
    lab.run(2)
    mapping = lab.mapping(starting_position="LATEST")
    lab.put(b"parent", at=2.5)
    lab.reshard("SplitShard", ShardToSplit=SHARD0, NewStartingHashKey=HALF)
    left, right = lab.shard_ids()[1:]
    lab.put(b"left", shard=left, at=3.5)
    lab.put(b"right", shard=right, at=3.6)
    lab.run(6)
    assert lab.delivered(mapping)[0] == b"parent"
    assert sorted(lab.delivered(mapping)[1:]) == [b"left", b"right"]
    lab.settle()
    assert lab.hop(mapping).available == 3


def test_children_of_a_stuck_parent_are_in_flight_not_lost(lab):
    lab.create_stream()
    mapping = lab.mapping("poisoned", "esm_poison:handler")  # retries until expiry
    lab.put(b"poison", at=0.5)
    lab.reshard("SplitShard", ShardToSplit=SHARD0, NewStartingHashKey=HALF)
    left, right = lab.shard_ids()[1:]
    lab.put(b"left", shard=left, at=1.5)
    lab.put(b"right", shard=right, at=2.5)
    lab.run(100)
    assert {b.shard_id for b in mapping.batches} == {SHARD0}
    lab.settle()
    hop = lab.hop(mapping)
    assert (hop.available, hop.delivered, hop.in_flight) == (3, 0, 3)


def test_children_records_expiring_while_the_parent_is_stuck_are_reported(lab):
    lab.create_stream()
    mapping = lab.mapping("poisoned", "esm_poison:handler")
    lab.put(b"poison", at=0.5)
    lab.reshard("SplitShard", ShardToSplit=SHARD0, NewStartingHashKey=HALF)
    left, _ = lab.shard_ids()[1:]
    lab.put(b"left-early", shard=left, at=0.6)
    lab.put(b"left-late", shard=left, at=7200)
    lab.run(24 * 3600 + 3600)  # poison and left-early expired; left-late not
    lab.settle()
    hop = lab.hop(mapping)
    assert hop.dropped == {"RecordExpired": 2}
    assert lab.delivered(mapping) == [b"left-late"]
    assert (hop.available, hop.delivered, hop.in_flight) == (3, 1, 0)


def test_event_ids_name_the_shard_each_record_was_read_from(lab):
    lab.create_stream()
    mapping = lab.mapping()
    lab.put(b"p", at=0.5)
    lab.reshard("SplitShard", ShardToSplit=SHARD0, NewStartingHashKey=HALF)
    left, right = lab.shard_ids()[1:]
    lab.put(b"l", shard=left, at=1.5)
    lab.run(3)
    ids = {
        base64.b64decode(r["kinesis"]["data"]): r["eventID"].split(":")[0]
        for event in lab.events()
        for r in event["Records"]
    }
    assert ids == {b"p": SHARD0, b"l": left}
    assert len(mapping.batches) == 2
