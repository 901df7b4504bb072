"""BisectBatchOnFunctionError on a DynamoDB Streams mapping: a failing batch is split in two and
each half retried on its own, so a poison item's record ends up alone; bisection does not use up
MaximumRetryAttempts (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html)."""

from __future__ import annotations

import esm_ddb_lab
from esm_ddb_lab import DdbLab

from tests.esm_fidelity import assert_dynamodb_event

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb

ITEMS = ["a", "b", "c", "poison", "e", "f", "g", "h"]


def test_bisect_isolates_the_poison_item(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(
        "bisecting",
        "esm_ddb_poison:handler",
        batch_size=8,
        bisect_batch_on_function_error=True,
        maximum_retry_attempts=1,
    )
    ddb.put(*ITEMS, at=0.1)
    ddb.run(30)
    for event in ddb.events("bisecting"):
        assert_dynamodb_event(event)
    # 8 fails -> a-poison (4) fails -> a,b ok; c,poison (2) fails -> c ok; poison fails twice
    # (a first try and its one retry: bisection did not use the retries up) -> e-h ok
    assert ddb.batches("bisecting") == [
        ITEMS,
        ["a", "b", "c", "poison"],
        ["a", "b"],
        ["c", "poison"],
        ["c"],
        ["poison"],
        ["poison"],
        ["e", "f", "g", "h"],
    ]
    assert ddb.delivered(mapping) == [f"INSERT {k}" for k in ITEMS if k != "poison"]
    hop = ddb.hop(mapping)
    assert hop.dropped == {"RetryAttemptsExhausted": 1}
    assert mapping.stats.bisections == 3
    [dropped] = [b for b in mapping.batches if b.outcome == "dropped"]
    assert (dropped.size, dropped.attempt) == (1, 2)
    assert int(dropped.first_sequence) == int(
        ddb.events("bisecting")[0]["Records"][3]["dynamodb"]["SequenceNumber"]
    )


def test_without_bisect_the_whole_batch_is_given_up(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("whole", "esm_ddb_poison:handler", batch_size=8, maximum_retry_attempts=1)
    ddb.put(*ITEMS, at=0.1)
    ddb.run(30)
    assert ddb.batches("whole") == [ITEMS, ITEMS]
    assert ddb.delivered(mapping) == []
    assert ddb.hop(mapping).dropped == {"RetryAttemptsExhausted": 8}
    assert mapping.stats.bisections == 0


def test_bisected_halves_keep_the_write_order(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(
        "ordered",
        "esm_flaky:handler",
        env={"FAIL_TIMES": "1"},
        batch_size=4,
        bisect_batch_on_function_error=True,
    )
    ddb.put("1", "2", "3", "4", "5", at=0.1)
    ddb.run(10)
    # the first try of 1-4 fails: 1-2 then 3-4 succeed, then 5
    assert ddb.batches("ordered") == [["1", "2", "3", "4"], ["1", "2"], ["3", "4"], ["5"]]
    assert ddb.delivered(mapping) == [f"INSERT {k}" for k in "12345"]
    assert ddb.hop(mapping).retried == 4
