"""The direct read API the event source mapping uses, and the put listener."""

from __future__ import annotations

import threading

import pytest

from sim.services.kinesis.exceptions import ResourceNotFoundException


def put(backend, stream, keys, data=b"d"):
    return backend.invoke(
        "PutRecords",
        {"StreamName": stream, "Records": [{"PartitionKey": k, "Data": data} for k in keys]},
    )


def test_stream_and_shards(backend, kinesis, stream):
    s = backend.get_stream(stream)
    assert s is backend.get_stream(f"arn:aws:kinesis:us-east-1:123456789012:stream/{stream}")
    assert s.arn.endswith(f":stream/{stream}")
    assert [shard.shard_id for shard in s.shards] == [
        "shardId-000000000000",
        "shardId-000000000001",
    ]
    assert s.open_shards == s.shards
    shard = s.shards[0]
    assert shard.parent_shard_id is None and shard.adjacent_parent_shard_id is None
    assert shard.hash_key_range == (0, 2**127 - 1)
    assert not shard.is_closed and shard.first_index == shard.end_index == 0
    assert backend.stream_names() == [stream]
    with pytest.raises(ResourceNotFoundException):
        backend.get_stream("nope")


def test_read_positions_and_records(backend, clock):
    backend.invoke("CreateStream", {"StreamName": "d", "ShardCount": 1})
    clock.advance(1)
    put(backend, "d", ["a", "b", "c"])
    clock.advance(1)
    put(backend, "d", ["e"])
    shard = backend.get_stream("d").shards[0]
    assert (shard.first_index, shard.end_index) == (0, 4)
    records, next_index = shard.read(0, 2, 10 * 1024 * 1024)
    assert [r.partition_key for r in records] == ["a", "b"] and next_index == 2
    record = records[0]
    assert record.data == b"d" and record.size == 2
    assert record.arrival == pytest.approx(clock.now - 1)
    assert shard.index_of_sequence(record.sequence_number) == 0
    assert shard.index_of_sequence(record.sequence_number, after=True) == 1
    assert shard.index_at_timestamp(clock.now - 0.5) == 3
    assert shard.index_at_timestamp(clock.now + 1) == 4
    assert shard.read(4, 10, 100) == ([], 4)
    records, next_index = shard.read(1, 10, 2)  # byte cap: the first record always comes
    assert len(records) == 1 and next_index == 2
    other = backend.get_stream("d")
    with pytest.raises(ValueError):
        shard.index_of_sequence(str(int(record.sequence_number) ^ (1 << 4)))
    assert other.shards[0] is shard


def test_positions_survive_trimming(backend, clock):
    backend.invoke("CreateStream", {"StreamName": "d", "ShardCount": 1})
    put(backend, "d", ["old"] * 5)
    clock.advance(23 * 3600)
    put(backend, "d", ["new"] * 3)
    shard = backend.get_stream("d").shards[0]
    clock.advance(3600 + 1)
    assert (shard.first_index, shard.end_index) == (5, 8)
    records, next_index = shard.read(2, 100, 1 << 20)  # a trimmed position clamps
    assert [r.partition_key for r in records] == ["new"] * 3 and next_index == 8
    assert shard.index_at_timestamp(0) == 5


def test_put_listener_is_called_outside_the_lock(backend, kinesis, stream):
    calls = []

    def listener(s, shard):
        # another thread can take the lock: the listener does not hold it
        got = []

        def try_lock():
            acquired = backend.lock.acquire(timeout=1)
            got.append(acquired)
            if acquired:
                backend.lock.release()

        thread = threading.Thread(target=try_lock)
        thread.start()
        thread.join()
        calls.append((s.name, shard.shard_id, got[0]))

    backend.add_put_listener(listener)
    kinesis.put_records(
        StreamName=stream,
        Records=[
            {"PartitionKey": "a", "Data": b"", "ExplicitHashKey": "0"},
            {"PartitionKey": "a", "Data": b"", "ExplicitHashKey": "1"},
            {"PartitionKey": "a", "Data": b"", "ExplicitHashKey": str(2**128 - 1)},
        ],
    )
    assert sorted(calls) == [
        (stream, "shardId-000000000000", True),
        (stream, "shardId-000000000001", True),
    ]
    calls.clear()
    backend.throttle(stream, until=backend.now() + 5)
    kinesis.put_records(StreamName=stream, Records=[{"PartitionKey": "a", "Data": b""}])
    assert calls == []  # nothing appended, nobody woken
    backend.remove_put_listener(listener)


def test_a_failing_listener_does_not_fail_the_put(backend, kinesis, stream):
    def broken(s, shard):
        raise RuntimeError("boom")

    backend.add_put_listener(broken)
    assert kinesis.put_record(StreamName=stream, PartitionKey="a", Data=b"x")["SequenceNumber"]
    assert [str(e) for e in backend.listener_errors] == ["boom"]


def test_reset_forgets_streams(service, backend, stream):
    service.reset()
    assert backend.stream_names() == []


def test_invoke_checks_input_like_the_wire(backend):
    from sim.services.kinesis.exceptions import ValidationException

    with pytest.raises(ValidationException) as excinfo:
        backend.invoke("CreateStream", {"StreamName": "x", "ShardCount": 0})
    assert "Member must have value greater than or equal to 1" in excinfo.value.message
