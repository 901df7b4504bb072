"""Function errors on a DynamoDB Streams mapping: Lambda retries the whole batch, and the shard
waits, until it succeeds, MaximumRetryAttempts is used up, or the records pass
MaximumRecordAgeInSeconds; then it gives the batch up and moves on
(https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html)."""

from __future__ import annotations

import esm_ddb_lab
import pytest
from esm_ddb_lab import T0, DdbLab

from sim.services.esm import limits
from tests.esm_fidelity import assert_dynamodb_event

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb


def sequences(event: dict) -> list[str]:
    return [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]


def test_a_failed_batch_is_retried_whole_and_the_shard_waits(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("flaky", "esm_flaky:handler", env={"FAIL_TIMES": "2"}, batch_size=10)
    ddb.put("a", "b", "c", at=0.1)
    ddb.put("d", at=0.6)  # written while a-c are being retried
    ddb.run(10)
    events = ddb.events("flaky")
    for event in events:
        assert_dynamodb_event(event)
    assert [len(e["Records"]) for e in events] == [3, 3, 3, 1]
    assert sequences(events[0]) == sequences(events[1]) == sequences(events[2])
    assert ddb.batches("flaky")[3] == ["d"]  # only after a-c succeeded
    assert [b.outcome for b in mapping.batches] == ["error", "error", "success", "success"]
    assert [b.attempt for b in mapping.batches] == [1, 2, 3, 1]
    # retried after 1 s, then 2 s (streamlab's backoff; AWS does not document it)
    first = T0 + 0.25
    assert [b.time for b in mapping.batches[:3]] == pytest.approx(
        [
            first,
            first + limits.RETRY_DELAY_FIRST_SECONDS,
            first + 3 * limits.RETRY_DELAY_FIRST_SECONDS,
        ]
    )
    hop = ddb.hop(mapping)
    assert (hop.delivered, hop.retried, hop.dropped) == (4, 6, {})


def test_by_default_a_failing_batch_holds_up_the_shard(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("stuck", "esm_ddb_poison:handler")
    assert mapping.config.maximum_retry_attempts == -1
    assert mapping.config.maximum_record_age == -1
    ddb.put("poison", at=0.1)
    ddb.put("behind", at=1)
    ddb.run(600)
    assert all(batch[0] == "poison" for batch in ddb.batches("stuck"))
    assert len(ddb.batches("stuck")) > 10
    assert ddb.delivered(mapping) == []
    ddb.settle()
    hop = ddb.hop(mapping)
    assert hop.in_flight == 2 and hop.dropped == {}


def test_maximum_retry_attempts_gives_the_batch_up_and_moves_on(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(
        "limited", "esm_ddb_poison:handler", batch_size=10, maximum_retry_attempts=2
    )
    ddb.put("a", "poison", at=0.1)
    ddb.put("after", at=1)
    ddb.run(30)
    # the first try and two retries, then the next records
    assert ddb.batches("limited") == [["a", "poison"]] * 3 + [["after"]]
    assert [b.outcome for b in mapping.batches] == [
        "error",
        "error",
        "error",
        "dropped",
        "success",
    ]
    dropped = mapping.batches[3]
    assert (dropped.size, dropped.attempt, dropped.reason) == (2, 3, "RetryAttemptsExhausted")
    hop = ddb.hop(mapping)
    assert hop.dropped == {"RetryAttemptsExhausted": 2}
    assert hop.delivered == 1


def test_zero_retry_attempts_gives_up_after_the_first_failure(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("once", "esm_ddb_poison:handler", maximum_retry_attempts=0)
    ddb.put("poison", at=0.1)
    ddb.run(10)
    assert len(ddb.batches("once")) == 1
    assert ddb.hop(mapping).dropped == {"RetryAttemptsExhausted": 1}


def test_maximum_record_age_gives_up_records_too_old(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("aged", "esm_ddb_poison:handler", maximum_record_age=60)
    ddb.put("poison", at=0.1)
    ddb.put("later", at=90)
    ddb.run(200)
    dropped = [b for b in mapping.batches if b.outcome == "dropped"]
    assert [(b.size, b.reason) for b in dropped] == [(1, "RecordAgeExceeded")]
    assert dropped[0].time - (T0 + 0.1) > 60  # given up only once older than 60 s
    tries = [b for b in mapping.batches if b.outcome == "error"]
    assert all(b.time - (T0 + 0.1) <= 60 for b in tries)  # never invoked once too old
    assert ddb.delivered(mapping) == ["INSERT later"]
    assert ddb.hop(mapping).dropped == {"RecordAgeExceeded": 1}


def test_the_retry_and_age_limits_are_validated(ddb: DdbLab):
    ddb.table()
    with pytest.raises(ValueError, match="MaximumRetryAttempts must be -1..10000"):
        ddb.mapping(maximum_retry_attempts=10_001)
    for bad in (0, 59, 604_801):
        with pytest.raises(ValueError, match="MaximumRecordAgeInSeconds must be -1 or 60..604800"):
            ddb.mapping(maximum_record_age=bad)
