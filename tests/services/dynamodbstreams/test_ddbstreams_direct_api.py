"""The store's direct API, as an event source mapping polls it (the Kinesis mapping's calls:
``store.get_stream(name).shards`` and, per shard, ``shard_id``, parent ids, ``first_index``,
``end_index``, ``is_closed``, ``read``, ``index_at_timestamp``)."""

from __future__ import annotations

import pytest
from ddbstreams_lab import T0

from sim.services.dynamodbstreams import Shard, Stream, StreamRecord


def test_a_poller_reads_the_shards_as_the_kinesis_mapping_does(lab) -> None:
    lab.table()
    store = lab.backend.dynamodb_streams_store()
    stream = store.get_stream("tab")
    assert isinstance(stream, Stream) and stream.table_name == "tab"
    [shard] = stream.shards
    assert isinstance(shard, Shard)
    assert shard.parent_shard_id is None and shard.adjacent_parent_shard_id is None
    position = shard.end_index  # a LATEST start
    assert position == shard.first_index == 0
    for i in range(4):
        lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": f"k{i}"}, "pad": {"S": "x" * 10}})
        lab.advance(2)
    records, position = shard.read(position, 3, 10**6)
    assert [r.record["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["k0", "k1", "k2"]
    assert position == 3
    assert all(isinstance(r, StreamRecord) for r in records)
    assert [r.arrival for r in records] == pytest.approx([T0, T0 + 2, T0 + 4])
    assert all(r.size == r.record["dynamodb"]["SizeBytes"] for r in records)
    # max_bytes cuts the batch (the first record always comes)
    one, after_one = shard.read(0, 10, records[0].size)
    assert len(one) == 1 and after_one == 1
    assert shard.read(0, 10, 1)[0] == [records[0]]
    assert shard.index_at_timestamp(T0 + 3) == 2
    assert shard.index_at_timestamp(T0 + 100) == shard.end_index == 4
    assert shard.index_of_sequence(records[1].sequence_number) == 1
    assert shard.index_of_sequence(records[1].sequence_number, after=True) == 2
    with pytest.raises(ValueError):
        shard.index_of_sequence("9" * 21)


def test_a_mapping_follows_a_rolled_over_shard_to_its_child(lab) -> None:
    lab.table()
    store = lab.backend.dynamodb_streams_store()
    stream = store.get_stream("tab")
    [parent] = stream.shards
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "before"}})
    lab.advance(4 * 3600 + 5)
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "after"}})
    assert parent.is_closed
    records, position = parent.read(0, 100, 10**6)
    assert position == parent.end_index == 1
    children = [s for s in stream.shards if s.parent_shard_id == parent.shard_id]
    [child] = children
    assert not child.is_closed
    assert [r.record["dynamodb"]["Keys"]["pk"]["S"] for r in child.read(0, 100, 10**6)[0]] == [
        "after"
    ]


def test_the_store_is_per_region_and_reset_with_the_backend(lab) -> None:
    lab.table()
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "a"}})
    assert lab.backend.dynamodb_streams_regions() == ["us-east-1"]
    lab.backend.reset()
    assert lab.backend.dynamodb_streams_store().streams() == []
    lab.table()
    lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": "b"}})
    assert [e["dynamodb"]["Keys"]["pk"]["S"] for e in lab.events()] == ["b"]


def test_identifiers_repeat_for_the_same_seed(lab) -> None:
    def run() -> list[tuple[str, str, str]]:
        lab.backend.reset(seed=7)
        lab.table()
        for key in ("a", "b"):
            lab.dynamodb.put_item(TableName="tab", Item={"pk": {"S": key}})
        shard = lab.store().get_stream("tab").shards[0]
        return [
            (r.record["eventID"], r.sequence_number, shard.shard_id.rsplit("-", 1)[1])
            for r in lab.records()
        ]

    first = run()
    assert first == run()
    assert len({event_id for event_id, _, _ in first}) == 2
