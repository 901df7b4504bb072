"""A DynamoDB Streams mapping changed while the run goes on: disabled and enabled again (it
resumes from its checkpoint), updated (the new parameters apply to the next batch), and deleted
(it stops; what it had not processed is reported dropped, ``EventSourceMappingDeleted``)."""

from __future__ import annotations

import esm_ddb_lab
import pytest
from esm_ddb_lab import DdbLab

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb


def test_disable_then_enable_resumes_from_the_checkpoint(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("paused")
    ddb.put("a", at=0.1)
    ddb.run(1)
    mapping.update(enabled=False)
    assert mapping.describe()["State"] == "Disabled"
    ddb.put("b", at=2)
    ddb.update("a", at=3, status="changed")
    ddb.run(20)
    assert ddb.batches("paused") == [["a"]]  # nothing while disabled
    mapping.update(enabled=True)
    assert mapping.describe()["State"] == "Enabled"
    ddb.run(20.25)  # the next quarter-second tick
    assert ddb.batches("paused") == [["a"], ["b", "a"]]
    assert ddb.delivered(mapping) == ["INSERT a", "INSERT b", "MODIFY a"]


def test_a_mapping_created_disabled_reads_nothing_until_enabled(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("later", enabled=False)
    ddb.put("a", at=0.1)
    ddb.run(10)
    assert ddb.batches("later") == []
    mapping.enable()
    ddb.run(10.5)
    assert ddb.delivered(mapping) == ["INSERT a"]  # TRIM_HORIZON: from the stream's start


def test_an_updated_batch_size_applies_to_the_next_batch(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("resized", batch_size=2)
    ddb.put(*"abcd", at=0.1)
    ddb.run(0.3)
    mapping.update(batch_size=3)
    ddb.put(*"efg", at=0.6)
    ddb.run(2)
    assert [len(b) for b in ddb.batches("resized")] == [2, 2, 3]
    assert mapping.describe()["BatchSize"] == 3


def test_an_update_that_turns_retries_off_gives_up_the_failing_batch(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("stuck", "esm_ddb_poison:handler")
    ddb.put("poison", at=0.1)
    ddb.put("ok", at=0.2)
    ddb.run(30)
    assert ddb.delivered(mapping) == []  # retried forever by default
    mapping.update(maximum_retry_attempts=0)
    ddb.run(120)
    assert ddb.hop(mapping).dropped == {"RetryAttemptsExhausted": 2}
    assert mapping.describe()["MaximumRetryAttempts"] == 0


def test_updating_the_factor_moves_held_records_to_the_new_lanes(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("relaned", "esm_flaky:handler", env={"FAIL_TIMES": "1"}, batch_size=1)
    ddb.put(*[f"k{n}" for n in range(6)], at=0.1)
    ddb.run(0.5)  # k0's batch failed at 0.25 and waits for its retry; k1-k5 are held
    assert ddb.delivered(mapping) == []
    mapping.update(parallelization_factor=3)
    ddb.run(10)
    assert sorted(ddb.delivered(mapping)) == [f"INSERT k{n}" for n in range(6)]
    assert len({b.lane for b in mapping.batches}) > 1
    assert mapping.describe()["ParallelizationFactor"] == 3
    assert ddb.hop(mapping).delivered == 6


def test_deleting_stops_the_mapping_and_reports_what_it_left(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("deleted", "esm_ddb_poison:handler")
    ddb.put("a", at=0.1)
    ddb.run(1)
    ddb.put("poison", "b", at=2)
    ddb.run(5)  # the batch of poison and b is being retried
    mapping.delete()
    ddb.put("after", at=6)
    ddb.run(30)
    assert all("after" not in batch for batch in ddb.batches("deleted"))
    assert mapping.describe()["State"] == "Deleting"
    ddb.settle()
    hop = ddb.hop(mapping)
    assert hop.delivered == 1
    assert hop.dropped == {"EventSourceMappingDeleted": 2}
    assert hop.available == 3  # "after" was written once it was deleted: not this mapping's
    with pytest.raises(ValueError, match="being deleted"):
        mapping.update(batch_size=5)


def test_the_description_names_the_tables_stream(ddb: DdbLab):
    stream_arn = ddb.table()
    mapping = ddb.mapping(
        "described",
        batch_size=50,
        maximum_batching_window=2,
        parallelization_factor=2,
        bisect_batch_on_function_error=True,
        function_response_types=("ReportBatchItemFailures",),
        tumbling_window=30,
    )
    described = mapping.describe()
    assert described["EventSourceArn"] == stream_arn
    assert described["StartingPosition"] == "TRIM_HORIZON"
    assert (described["BatchSize"], described["MaximumBatchingWindowInSeconds"]) == (50, 2)
    assert described["ParallelizationFactor"] == 2
    assert described["BisectBatchOnFunctionError"] is True
    assert described["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert described["TumblingWindowInSeconds"] == 30
    assert "StartingPositionTimestamp" not in described
    with pytest.raises(ValueError, match="starting_position cannot be updated"):
        mapping.update(starting_position="LATEST")


def test_a_disabled_stream_is_read_to_its_end_and_a_new_stream_is_not_followed(ddb: DdbLab):
    """A mapping reads one stream (its EventSourceArn). Disabling the table's stream closes
    its shard: the mapping reads it to its end. Enabling it again makes a new stream, with a
    new ARN, which this mapping does not read."""
    first_arn = ddb.table()
    mapping = ddb.mapping("follower")
    ddb.put("a", at=0.1)
    ddb.dynamodb.update_table(TableName="tab", StreamSpecification={"StreamEnabled": False})
    ddb.put("unstreamed", at=0.2)  # no stream enabled: no record
    ddb.run(1)
    answer = ddb.dynamodb.update_table(
        TableName="tab",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    second_arn = answer["TableDescription"]["LatestStreamArn"]
    assert second_arn != first_arn
    ddb.put("b", at=2)
    ddb.run(5)
    assert ddb.delivered(mapping) == ["INSERT a"]
    assert mapping.stream_arn == first_arn == mapping.describe()["EventSourceArn"]
    ddb.settle()
    assert ddb.hop(mapping).available == 1
    follower = ddb.mapping("new-follower")  # a mapping created now reads the new stream
    ddb.run(6)
    assert follower.stream_arn == second_arn
    assert ddb.delivered(follower) == ["INSERT b"]
