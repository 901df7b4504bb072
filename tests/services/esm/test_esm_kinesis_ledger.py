"""The ledger hop ``stream → function``: after settle(), available == delivered + dropped +
in flight, whatever state the mapping is in at the end of the run."""

from __future__ import annotations

from esm_lab import T0


def totals(hop):
    return {
        "available": hop.available,
        "delivered": hop.delivered,
        "dropped": dict(hop.dropped),
        "in_flight": hop.in_flight,
    }


def test_everything_delivered(lab):
    lab.create_stream(shards=3)
    mapping = lab.mapping()
    lab.put(*[b"x"] * 30, keys=[f"k{i}" for i in range(30)], at=0.5)
    lab.run(2)
    lab.settle()
    assert totals(lab.hop(mapping)) == {
        "available": 30,
        "delivered": 30,
        "dropped": {},
        "in_flight": 0,
    }


def test_records_gathered_in_an_open_window_are_in_flight(lab):
    lab.create_stream()
    mapping = lab.mapping(maximum_batching_window=300)
    lab.put(b"a", b"b", at=0.5)
    lab.run(10)
    lab.settle()
    assert totals(lab.hop(mapping)) == {
        "available": 2,
        "delivered": 0,
        "dropped": {},
        "in_flight": 2,
    }


def test_a_batch_being_retried_at_the_end_is_in_flight(lab):
    lab.create_stream()
    mapping = lab.mapping("poisoned", "esm_poison:handler", batch_size=2)
    lab.put(b"ok", b"fine", b"poison", b"behind", at=0.5)
    lab.run(30)
    lab.settle()
    hop = lab.hop(mapping)
    assert totals(hop) == {"available": 4, "delivered": 2, "dropped": {}, "in_flight": 2}
    assert hop.retried > 0


def test_records_put_before_a_latest_mapping_are_not_available(lab):
    lab.create_stream()
    lab.put(b"before", at=0.5)
    lab.run(1)
    mapping = lab.mapping(starting_position="LATEST")
    lab.put(b"after", at=1.5)
    lab.run(3)
    lab.settle()
    assert totals(lab.hop(mapping)) == {
        "available": 1,
        "delivered": 1,
        "dropped": {},
        "in_flight": 0,
    }


def test_every_kind_of_end_state_adds_up(lab):
    lab.create_stream(shards=2)
    shards = lab.shard_ids()
    mapping = lab.mapping(
        "poisoned", "esm_poison:handler", maximum_retry_attempts=1, maximum_record_age=60
    )
    lab.put(b"delivered", shard=shards[0], at=0.5)
    lab.put(b"poison", b"with poison", shard=shards[0], at=1.5)  # RetryAttemptsExhausted
    lab.put(b"late", shard=shards[1], at=10.5)
    mapping.disable()
    lab.run(80)  # "late" is now too old
    mapping.enable()
    lab.put(b"unread", shard=shards[1], at=80.2)
    lab.run(80.5)
    lab.settle()
    assert totals(lab.hop(mapping)) == {
        "available": 5,
        "delivered": 1,
        "dropped": {"RetryAttemptsExhausted": 2, "RecordAgeExceeded": 1},
        "in_flight": 1,
    }
    assert lab.clock.now - T0 == 80.5


def test_settle_twice_gives_the_same_hop(lab):
    lab.create_stream()
    mapping = lab.mapping("poisoned", "esm_poison:handler")
    lab.put(b"poison", b"x", at=0.5)
    lab.run(30)
    lab.settle()
    first = totals(lab.hop(mapping))
    lab.settle()
    assert (
        totals(lab.hop(mapping))
        == first
        == {
            "available": 2,
            "delivered": 0,
            "dropped": {},
            "in_flight": 2,
        }
    )


def test_mapping_never_enabled_has_nothing_available(lab):
    lab.create_stream()
    lab.put(b"a", at=0.5)
    mapping = lab.mapping(enabled=False)
    lab.run(5)
    lab.settle()
    assert totals(lab.hop(mapping)) == {
        "available": 0,
        "delivered": 0,
        "dropped": {},
        "in_flight": 0,
    }


def test_shards_closed_before_a_latest_mapping_are_not_in_flight(lab):
    """Records of shards closed before a LATEST mapping started are never read: they are
    neither available nor in flight."""
    lab.create_stream()
    lab.put(b"generation 0", at=0.5)
    lab.reshard("SplitShard", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
    left, right = lab.shard_ids()[1:]
    lab.put(b"generation 1", shard=left, at=1.5)
    lab.reshard("MergeShards", ShardToMerge=left, AdjacentShardToMerge=right)
    lab.run(3)
    mapping = lab.mapping(starting_position="LATEST")
    [merged] = lab.shard_ids()[3:]
    lab.put(b"generation 2", shard=merged, at=3.5)
    lab.run(5)
    lab.settle()
    assert lab.delivered(mapping) == [b"generation 2"]
    assert totals(lab.hop(mapping)) == {
        "available": 1,
        "delivered": 1,
        "dropped": {},
        "in_flight": 0,
    }


def test_two_mappings_sharing_a_hop_add_up(lab):
    """Two mappings from one stream to one function (AWS refuses a duplicate mapping, but a
    scenario could declare one) share the ledger hop; their counts add up."""
    lab.create_stream()
    lab.put(b"a", b"b", at=0.5)
    first = lab.mapping()
    second = lab.mapping()
    lab.put(b"c", at=1.5)
    lab.run(3)
    lab.settle()
    lab.settle()
    assert lab.hop(first) is lab.hop(second)
    assert totals(lab.hop(first)) == {
        "available": 6,
        "delivered": 6,
        "dropped": {},
        "in_flight": 0,
    }
