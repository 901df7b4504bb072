"""TumblingWindowInSeconds on a DynamoDB Streams mapping: windows aligned on the epoch by the
records' arrival, each invocation gets the state the previous one returned, a batch never spans
two windows, each window ends with a final invocation (``isFinalInvokeForWindow``), and a shard
that ends closes its window: its child starts anew with empty state
(https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-windows.html)."""

from __future__ import annotations

from datetime import UTC, datetime

import esm_ddb_lab
import pytest
from esm_ddb_lab import T0, DdbLab

from tests.esm_fidelity import assert_dynamodb_window_event

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb

# T0 is 20 s past a minute: 60-second windows end at T0 + 40 and T0 + 100.
FIRST_END = T0 + 40


def stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def summary(event: dict) -> tuple:
    return (
        [f"{r['eventName']} {r['dynamodb']['Keys']['pk']['S']}" for r in event["Records"]],
        event["state"],
        event["isFinalInvokeForWindow"],
        event["window"]["start"],
    )


def test_state_is_carried_and_each_window_ends_with_a_final_invocation(ddb: DdbLab):
    stream_arn = ddb.table()
    mapping = ddb.mapping("windowed", "esm_ddb_window:handler", tumbling_window=60)
    ddb.put("a", at=1)
    ddb.put("a", at=2, n=2)  # MODIFY a
    ddb.put("b")
    ddb.delete("a", at=50)  # the next window
    ddb.run(130)
    events = ddb.events("windowed")
    for event in events:
        assert_dynamodb_window_event(event)
    first, second = stamp(FIRST_END - 60), stamp(FIRST_END)
    assert [summary(e) for e in events] == [
        (["INSERT a"], {}, False, first),
        (["MODIFY a", "INSERT b"], {"INSERT": 1}, False, first),
        ([], {"INSERT": 2, "MODIFY": 1}, True, first),
        (["REMOVE a"], {}, False, second),
        ([], {"REMOVE": 1}, True, second),
    ]
    final = events[2]
    [shard] = ddb.stream().shards
    assert final["window"] == {"start": first, "end": stamp(FIRST_END)}
    assert final["shardId"] == shard.shard_id
    assert final["eventSourceARN"] == stream_arn
    assert final["isWindowTerminatedEarly"] is False
    # the final invocation comes at the first poll at or after the window's end
    finals = [b.time for b in mapping.batches if b.final_for_window]
    assert finals == [pytest.approx(FIRST_END), pytest.approx(FIRST_END + 60)]
    assert ddb.hop(mapping).delivered == 4


def test_a_batch_never_spans_two_windows(ddb: DdbLab):
    ddb.table()
    ddb.put("a", at=39)
    ddb.put("b", at=41)
    ddb.run(45)  # both are in the stream before the mapping reads
    mapping = ddb.mapping("split", "esm_ddb_window:handler", tumbling_window=60, batch_size=10)
    ddb.run(120)
    events = ddb.events("split")
    for event in events:
        assert_dynamodb_window_event(event)
    # the first window is over when the mapping reads it: the batch that empties it is its
    # final invocation; the second ends at T0 + 100 with an empty final invocation
    shapes = [(len(e["Records"]), e["isFinalInvokeForWindow"], e["state"]) for e in events]
    assert shapes == [(1, True, {}), (1, False, {}), (0, True, {"INSERT": 1})]
    assert ddb.hop(mapping).delivered == 2


def test_a_shard_that_ends_closes_its_window_and_the_child_starts_anew(ddb: DdbLab):
    ddb.store.rollover = 30  # the open shard rolls over at T0 + 30
    ddb.table()
    mapping = ddb.mapping("rolled", "esm_ddb_window:handler", tumbling_window=60)
    ddb.put("a", at=5)  # in the parent
    ddb.put("b", at=35)  # in the child, same 60-second window
    ddb.run(60)
    parent, child = ddb.stream().shards[:2]
    assert child.parent_shard_id == parent.shard_id
    events = ddb.events("rolled")
    for event in events:
        assert_dynamodb_window_event(event)
    assert [(e["shardId"], summary(e)[:3]) for e in events] == [
        (parent.shard_id, (["INSERT a"], {}, False)),
        (parent.shard_id, ([], {"INSERT": 1}, True)),  # the parent ended: its window closes
        (child.shard_id, (["INSERT b"], {}, False)),  # empty state: a new window
        (child.shard_id, ([], {"INSERT": 1}, True)),
    ]
    assert events[0]["window"] == events[2]["window"]  # the same bounds, by arrival time
    assert ddb.hop(mapping).delivered == 2
