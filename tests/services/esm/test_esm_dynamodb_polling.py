"""Polling: Lambda polls each shard of a DynamoDB stream four times a second ("at a base rate of
4 times per second", https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html), from the
mapping's creation, and keeps reading while records remain. A write at t is invoked at the next
quarter-second tick, not at the next second as a Kinesis mapping would."""

from __future__ import annotations

import esm_ddb_lab
from esm_ddb_lab import T0, DdbLab

from sim.services.esm import limits
from sim.services.esm.dynamodb import DynamoDBEventSourceMapping
from tests.esm_fidelity import assert_dynamodb_event

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb


def times(mapping: DynamoDBEventSourceMapping) -> list[float]:
    return [round(b.time - T0, 6) for b in mapping.batches]


def test_the_poll_interval_is_a_quarter_second():
    assert limits.DYNAMODB_POLL_INTERVAL_SECONDS == 0.25
    assert DynamoDBEventSourceMapping.poll_interval == 0.25


def test_a_write_is_invoked_at_the_next_quarter_second_tick(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping()  # created at 0: polls at 0.25, 0.5, 0.75, 1, ...
    ddb.put("a", at=0.3)
    ddb.put("b", at=0.6)
    ddb.put("c", at=1.1)
    ddb.put("d", at=1.2)  # with c: both before the tick at 1.25
    ddb.run(3)
    assert times(mapping) == [0.5, 0.75, 1.25]
    assert ddb.batches() == [["a"], ["b"], ["c", "d"]]
    for event in ddb.events():
        assert_dynamodb_event(event)


def test_ticks_count_from_the_mappings_creation(ddb: DdbLab):
    ddb.table()
    ddb.run(0.1)
    mapping = ddb.mapping()  # polls at 0.1, 0.35, 0.6, ...
    ddb.put("a", at=0.3)
    ddb.put("b", at=0.4)
    ddb.run(2)
    assert times(mapping) == [0.35, 0.6]


def test_a_write_at_a_polling_instant_waits_for_the_next_tick_when_the_poll_ran_first(
    ddb: DdbLab,
):
    ddb.table()
    mapping = ddb.mapping()
    ddb.run(0.5)  # the poll at 0.5 has run
    ddb.put("a")
    ddb.run(2)
    assert times(mapping) == [0.75]


def test_a_backlog_is_drained_in_consecutive_invocations_at_one_instant(ddb: DdbLab):
    ddb.table()
    keys = [f"k{i:03d}" for i in range(250)]
    ddb.put(*keys, at=0.1)
    ddb.run(5)
    mapping = ddb.mapping(batch_size=100)  # its first poll, at creation, reads them all
    ddb.run(6)
    assert [b.size for b in mapping.batches] == [100, 100, 50]
    assert set(times(mapping)) == {5.0}
    assert [key for batch in ddb.batches() for key in batch] == keys
    ddb.settle()
    hop = ddb.hop(mapping)
    assert (hop.available, hop.delivered, hop.in_flight) == (250, 250, 0)


def test_an_idle_stream_costs_no_invocations(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping()
    ddb.run(600)
    assert mapping.batches == []
    assert ddb.runtime.invocations == []
