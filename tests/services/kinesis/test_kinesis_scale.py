"""200,000 records in one shard: puts, positioning and reads stay O(1)/O(log n).

Asserted on operation counts and structure, not on timing: how often the arrival-time key is
consulted (bisect probes), how many times the shard's list is indexed, and that trimming
compacts the list while absolute positions stay valid.
"""

from __future__ import annotations

import math
from operator import attrgetter

import pytest

from sim.services.kinesis import models
from sim.services.kinesis.operations import get_shard_iterator

N = 200_000
BATCH = 500


class Counting:
    """The arrival-time key function, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self._get = attrgetter("arrival")

    def __call__(self, record):
        self.calls += 1
        return self._get(record)


class CountingList(list):
    """A shard's record list that counts indexing and iteration."""

    accesses = 0

    def __getitem__(self, item):
        CountingList.accesses += 1
        return super().__getitem__(item)

    def __iter__(self):
        CountingList.accesses += 1
        return super().__iter__()


@pytest.fixture
def key(monkeypatch):
    counting = Counting()
    monkeypatch.setattr(models, "_arrival", counting)
    monkeypatch.setattr(get_shard_iterator, "_arrival", counting)
    return counting


def log2(n: int) -> int:
    return math.ceil(math.log2(n)) + 1


def test_two_hundred_thousand_records(backend, clock, key):
    backend.invoke("CreateStream", {"StreamName": "big", "ShardCount": 1})
    shard = backend.get_stream("big").shards[0]
    start = clock.now
    first_numbers = []
    for batch in range(N // BATCH):
        clock.advance(1)  # 500 records a second: within the shard's limits
        out = backend.invoke(
            "PutRecords",
            {
                "StreamName": "big",
                "Records": [{"PartitionKey": "k", "Data": b"%d" % i} for i in range(BATCH)],
            },
        )
        assert out["FailedRecordCount"] == 0
        if batch == 0:
            first_numbers = [r["SequenceNumber"] for r in out["Records"]]
    # appending never searched: no arrival-time probe during 200,000 puts
    assert key.calls == 0
    assert shard.end_index == N and len(shard._records) == N

    # AT_SEQUENCE_NUMBER is arithmetic on the sequence number's counter: no search at all
    middle = shard._records[N // 2].sequence_number
    late = shard._records[180_000].sequence_number
    assert shard.index_of_sequence(middle) == N // 2
    assert shard.index_of_sequence(first_numbers[3], after=True) == 4
    assert key.calls == 0

    # AT_TIMESTAMP is one bisect
    at = backend.invoke(
        "GetShardIterator",
        {"StreamName": "big", "ShardId": shard.shard_id, "ShardIteratorType": "AT_TIMESTAMP",
         "Timestamp": start + 250.5},
    )  # fmt: skip
    assert key.calls <= log2(N)
    records = backend.invoke("GetRecords", {"ShardIterator": at["ShardIterator"], "Limit": 5})
    assert [r.arrival for r in records["Records"]] == [start + 251] * 5
    assert shard.index_at_timestamp(start + 250.5) == 250 * BATCH

    # a read from the middle touches the list a constant number of times
    shard._records = CountingList(shard._records)
    CountingList.accesses = 0
    batch, next_index = shard.read(N // 2, 100, 10 << 20)
    assert len(batch) == 100 and next_index == N // 2 + 100
    assert CountingList.accesses <= 3
    shard._records = list(shard._records)

    # retention: expire the first 300 seconds of records with one bisect, then compact
    key.calls = 0
    clock.now = start + 24 * 3600 + 300.5
    assert shard.first_index == 300 * BATCH
    assert key.calls <= log2(N)
    assert len(shard._records) == N - 300 * BATCH  # the trimmed prefix was dropped
    assert shard._offset == 300 * BATCH and shard.end_index == N
    # positions and sequence numbers still line up after compaction
    assert shard.index_of_sequence(late) == 180_000
    assert shard.index_of_sequence(middle) == 300 * BATCH  # trimmed: clamps to the oldest kept
    records, next_index = shard.read(0, 3, 1 << 20)  # a trimmed position reads the oldest kept
    assert next_index == 300 * BATCH + 3
    out = backend.invoke("PutRecord", {"StreamName": "big", "PartitionKey": "k", "Data": b"n"})
    assert shard.index_of_sequence(out["SequenceNumber"]) == N
