"""Polling: each shard is read every simulated second (Lambda's base rate for standard
iterators) from the mapping's creation, and read again at once while records remain."""

from __future__ import annotations

from esm_lab import T0


def test_polls_every_second_from_creation(lab):
    lab.create_stream()
    lab.run(0.5)
    mapping = lab.mapping()  # polls at 0.5, 1.5, 2.5, ...
    lab.put(b"a", at=0.7)
    lab.put(b"b", at=3.2)
    lab.put(b"c", at=3.4)
    lab.run(10)

    assert [b.time - T0 for b in mapping.batches] == [1.5, 3.5]
    assert lab.batches() == [[b"a"], [b"b", b"c"]]


def test_record_put_at_a_polling_instant_waits_for_the_next_poll_when_read_first(lab):
    lab.create_stream()
    mapping = lab.mapping()  # first poll at 0, then 1, 2, ...
    lab.run(2)  # the poll at 2 has run: a record put now is read at 3
    lab.put(b"x")
    lab.run(5)

    assert [b.time - T0 for b in mapping.batches] == [3.0]


def test_backlog_is_drained_in_consecutive_invocations_at_one_instant(lab):
    lab.create_stream()
    data = [f"r{i:04d}".encode() for i in range(1000)]
    lab.put(*data)  # 1,000 records: one shard's write limit for one second
    lab.run(10)
    mapping = lab.mapping(batch_size=100)
    lab.run(10)  # the first poll, at creation

    assert [b.size for b in mapping.batches] == [100] * 10
    assert {b.time - T0 for b in mapping.batches} == {10.0}
    assert [b.outcome for b in mapping.batches] == ["success"] * 10
    assert [r for batch in lab.batches() for r in batch] == data  # in order, each once
    lab.settle()
    hop = lab.hop(mapping)
    assert (hop.available, hop.delivered, hop.in_flight) == (1000, 1000, 0)


def test_idle_shards_cost_no_invocations(lab):
    lab.create_stream(shards=4)
    mapping = lab.mapping()
    lab.run(600)
    assert mapping.batches == []
    assert lab.runtime.invocations == []


def test_records_arriving_while_draining_are_read_in_the_same_pass(lab):
    """A poll that finds records keeps reading; records put meanwhile at a later second are
    picked up by that second's poll, in order, each once."""
    lab.create_stream()
    mapping = lab.mapping(batch_size=10)
    for second in range(5):
        lab.put(*[f"{second}-{i}".encode() for i in range(25)], at=second + 0.5)
    lab.run(6)

    assert [b.size for b in mapping.batches] == [10, 10, 5] * 5
    assert [b.time - T0 for b in mapping.batches] == [t for s in range(1, 6) for t in [s] * 3]
    assert lab.delivered(mapping) == [f"{s}-{i}".encode() for s in range(5) for i in range(25)]
