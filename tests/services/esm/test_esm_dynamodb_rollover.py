"""Shard rollover under a DynamoDB Streams mapping: the stream's open shard closes and a child
(``ParentShardId`` the closed one) opens (streamlab: every 4 hours of simulated time, or what
the store's ``rollover`` says). The mapping reads the parent to its end, then the child: nothing
lost, nothing repeated, order kept ("Because shards have a lineage (parent and children), an
application must always process a parent shard before it processes a child shard",
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html)."""

from __future__ import annotations

import esm_ddb_lab
from esm_ddb_lab import T0, DdbLab, change_of

from sim.services.dynamodbstreams import limits as stream_limits
from tests.esm_fidelity import assert_dynamodb_event

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb

HOUR = 3600.0


def shard_of(ddb: DdbLab, sequence: str) -> str:
    """The listed shard holding the record with this sequence number."""
    for shard in ddb.stream().shards:
        try:
            shard.index_of_sequence(sequence)
        except ValueError:
            continue
        return shard.shard_id
    raise AssertionError(f"no shard holds {sequence}")


def test_the_mapping_reads_the_parent_to_its_end_then_the_child(ddb: DdbLab):
    ddb.store.rollover = 60  # the open shard rolls over at T0 + 60, + 120, + 180
    ddb.table()
    mapping = ddb.mapping(batch_size=5)
    step = 0
    while step * 7 < 200:
        ddb.put(f"k{step % 9}", at=step * 7 + 0.1, step=step)
        step += 1
    ddb.run(210)
    shards = ddb.stream().shards
    assert len(shards) == 4
    assert [s.parent_shard_id for s in shards] == [None] + [s.shard_id for s in shards[:-1]]
    written = [change_of(r) for r in ddb.stored()]
    assert len(written) == step
    assert ddb.delivered(mapping) == written  # in order, each once, across four shards
    order = [s.shard_id for s in shards]
    read = [b.shard_id for b in mapping.batches]
    assert read == sorted(read, key=order.index)  # every batch of a parent before its child
    for event, batch in zip(ddb.events(), mapping.batches, strict=True):
        assert_dynamodb_event(event)
        held = {shard_of(ddb, r["dynamodb"]["SequenceNumber"]) for r in event["Records"]}
        assert held == {batch.shard_id}  # a batch is one shard's
    ddb.settle()
    hop = ddb.hop(mapping)
    assert (hop.available, hop.delivered, hop.in_flight) == (step, step, 0)


def test_the_child_waits_while_the_parents_last_batch_is_retried(ddb: DdbLab):
    ddb.store.rollover = 60
    ddb.table()
    mapping = ddb.mapping("flaky", "esm_flaky:handler", env={"FAIL_TIMES": "4"})
    ddb.put("parent-last", at=59.9)
    ddb.put("child-first", at=60.1)
    ddb.run(100)
    parent, child = ddb.stream().shards[:2]
    # four tries fail (retried after 1, 2, 4 and 8 s); the fifth, at 75, succeeds
    assert ddb.batches("flaky") == [["parent-last"]] * 5 + [["child-first"]]
    tries = [b.time - T0 for b in mapping.batches]
    assert tries[:5] == [60.0, 61.0, 63.0, 67.0, 75.0]
    assert tries[5] == 75.0  # the child, written at 60.1, only once the parent is done
    assert [b.shard_id for b in mapping.batches] == [parent.shard_id] * 5 + [child.shard_id]
    assert ddb.hop(mapping).delivered == 2


def test_a_latest_mapping_follows_the_open_shard_into_its_child(ddb: DdbLab):
    ddb.store.rollover = 60
    ddb.table()
    ddb.put("old", at=10)
    mapping = ddb.mapping(starting_position="LATEST")
    ddb.put("new-parent", at=30)
    ddb.put("new-child", at=90)
    ddb.run(100)
    assert ddb.delivered(mapping) == ["INSERT new-parent", "INSERT new-child"]
    ddb.settle()
    assert ddb.hop(mapping).available == 2


def test_the_default_four_hour_rollover(ddb: DdbLab):
    assert stream_limits.SHARD_ROLLOVER_SECONDS == 4 * HOUR
    ddb.table()
    mapping = ddb.mapping()
    ddb.put("before", at=4 * HOUR - 1)
    ddb.put("after", at=4 * HOUR + 1)
    ddb.run(4 * HOUR + 2)
    parent, child = ddb.stream().shards
    assert child.parent_shard_id == parent.shard_id
    assert ddb.delivered(mapping) == ["INSERT before", "INSERT after"]
    assert [b.shard_id for b in mapping.batches] == [parent.shard_id, child.shard_id]
