"""BatchSize (default 100, up to 10,000) and MaximumBatchingWindowInSeconds (0..300) for a DynamoDB
Streams mapping: without a window Lambda invokes as soon as records are there; with one it keeps
gathering until the batch is full or the window ends
(https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html, "Polling and batching streams")."""

from __future__ import annotations

import esm_ddb_lab
import pytest
from esm_ddb_lab import T0, DdbLab

from sim.services.esm import limits
from tests.esm_fidelity import assert_dynamodb_event

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb


def timeline(mapping) -> list[tuple[float, int]]:
    return [(round(b.time - T0, 6), b.size) for b in mapping.batches]


def test_batch_size_caps_each_invocation(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(batch_size=10)
    keys = [f"k{i:02d}" for i in range(25)]
    ddb.put(*keys, at=0.1)
    ddb.run(2)
    assert timeline(mapping) == [(0.25, 10), (0.25, 10), (0.25, 5)]
    assert [k for batch in ddb.batches() for k in batch] == keys
    for event in ddb.events():
        assert_dynamodb_event(event)


def test_the_default_batch_size_is_100(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping()
    ddb.put(*[f"k{i:03d}" for i in range(150)], at=0.1)
    ddb.run(1)
    assert mapping.config.batch_size == 100
    assert [b.size for b in mapping.batches] == [100, 50]
    assert mapping.describe()["BatchSize"] == 100


def test_the_batch_size_is_validated(ddb: DdbLab):
    ddb.table()
    for bad in (0, 10_001):
        with pytest.raises(ValueError, match="BatchSize must be 1..10000"):
            ddb.mapping(batch_size=bad)
    ddb.mapping(batch_size=10_000)  # the current API limit for DynamoDB Streams too


def test_without_a_window_each_tick_invokes_with_what_is_there(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(batch_size=50)
    for i in range(8):
        ddb.put(f"k{i}", at=0.1 + i * 0.25)  # one write per quarter second
    ddb.run(5)
    assert [size for _, size in timeline(mapping)] == [1] * 8


def test_the_batching_window_gathers_until_it_ends(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(batch_size=50, maximum_batching_window=2)
    for i in range(12):
        ddb.put(f"k{i:02d}", at=0.1 + i * 0.25)  # 0.1 .. 2.85
    ddb.run(10)
    # a window opens at the first poll that finds a record (0.25) and ends 2 s later; the
    # next opens at the first poll after that which finds one (2.5, for k09 written at 2.35)
    assert timeline(mapping) == [(2.25, 9), (4.5, 3)]
    assert [k for batch in ddb.batches() for k in batch] == [f"k{i:02d}" for i in range(12)]


def test_a_full_batch_does_not_wait_for_the_window(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(batch_size=5, maximum_batching_window=60)
    ddb.put(*[f"k{i}" for i in range(7)], at=0.1)
    ddb.run(100)
    assert timeline(mapping) == [(0.25, 5), (60.25, 2)]


def test_the_window_is_validated(ddb: DdbLab):
    ddb.table()
    with pytest.raises(ValueError, match="MaximumBatchingWindowInSeconds must be 0..300"):
        ddb.mapping(maximum_batching_window=301)


def test_a_batch_stops_at_the_six_megabyte_payload_limit(ddb: DdbLab):
    """Items of ~390 KB (DynamoDB's item limit is 400 KB): 15 fit in one 6 MB event, the rest
    go in the next batch, none lost (with-ddb.html: a batch also ends at the 6 MB payload)."""
    ddb.table(view="NEW_IMAGE")
    mapping = ddb.mapping(batch_size=100)
    blob = "x" * (390 * 1024)
    for i in range(20):
        ddb.put(f"big-{i:02d}", at=0.1, blob=blob)
    ddb.run(1)
    assert [b.size for b in mapping.batches] == [15, 5]
    for event in ddb.captured:
        assert len(event) <= limits.INVOKE_PAYLOAD_MAX_BYTES
    assert len(ddb.captured[0]) + len(ddb.captured[1]) > limits.INVOKE_PAYLOAD_MAX_BYTES
    assert [k for batch in ddb.batches() for k in batch] == [f"big-{i:02d}" for i in range(20)]
