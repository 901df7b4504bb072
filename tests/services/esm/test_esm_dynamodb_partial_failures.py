"""ReportBatchItemFailures on a DynamoDB Streams mapping: the function names failed records by
``dynamodb.SequenceNumber`` (``{"batchItemFailures": [{"itemIdentifier": "<SequenceNumber>"}]}``);
Lambda checkpoints at the lowest one listed and retries every record from there
(https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html)."""

from __future__ import annotations

import esm_ddb_lab
from esm_ddb_lab import DdbLab

from tests.esm_fidelity import assert_dynamodb_event

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb

REPORT = ("ReportBatchItemFailures",)


def test_the_checkpoint_is_the_lowest_failed_sequence_number(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping(
        "partial",
        "esm_ddb_partial:handler",
        env={"MODE": "reversed"},  # the highest failed record listed first
        batch_size=5,
        function_response_types=REPORT,
        maximum_retry_attempts=2,
    )
    ddb.put("a", "fail1", "b", "fail2", "c", at=0.1)
    ddb.run(30)
    for event in ddb.events("partial"):
        assert_dynamodb_event(event)
    batches = ddb.batches("partial")
    assert batches[0] == ["a", "fail1", "b", "fail2", "c"]
    # from fail1 on, b and c included although they had succeeded
    assert batches[1:] == [["fail1", "b", "fail2", "c"]] * 2
    first = ddb.events("partial")[0]["Records"]
    retried = ddb.events("partial")[1]["Records"]
    assert [r["dynamodb"]["SequenceNumber"] for r in retried] == [
        r["dynamodb"]["SequenceNumber"] for r in first[1:]
    ]
    hop = ddb.hop(mapping)
    assert hop.delivered == 1  # "a", before the checkpoint
    assert hop.dropped == {"RetryAttemptsExhausted": 4}
    assert [b.partial for b in mapping.batches if b.outcome == "success"] == [True] * 3


def test_powertools_batch_processor_names_the_failed_record_by_sequence_number(ddb: DdbLab):
    """A handler written with Powertools' BatchProcessor (EventType.DynamoDBStreams), as AWS
    advises: the record it reports is the one retried from, and once the retries are used up
    the records from the checkpoint on are given up, the shard moves on."""
    ddb.table()
    mapping = ddb.mapping(
        "powertools",
        "esm_ddb_powertools:handler",
        batch_size=10,
        function_response_types=REPORT,
        maximum_retry_attempts=1,
    )
    ddb.put("a", "b", at=0.1, status="ok")
    ddb.put("x", at=0.15, status="bad")
    ddb.put("c", at=0.2, status="ok")
    ddb.put("d", at=5, status="ok")
    ddb.run(10)
    for event in ddb.events("powertools"):
        assert_dynamodb_event(event)
    assert ddb.batches("powertools") == [["a", "b", "x", "c"], ["x", "c"], ["d"]]
    x_sequence = ddb.events("powertools")[0]["Records"][2]["dynamodb"]["SequenceNumber"]
    responses = [i.payload for i in ddb.runtime.invocations]
    assert responses[:2] == [{"batchItemFailures": [{"itemIdentifier": x_sequence}]}] * 2
    assert [(b.outcome, b.partial) for b in mapping.batches] == [
        ("success", True),
        ("success", True),
        ("dropped", False),
        ("success", False),
    ]
    hop = ddb.hop(mapping)
    assert hop.delivered == 3  # a, b, then d
    assert hop.dropped == {"RetryAttemptsExhausted": 2}  # x and c, from the checkpoint on


def test_without_the_response_type_a_partial_response_is_success(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("ignored", "esm_ddb_partial:handler", batch_size=5)
    ddb.put("a", "fail1", "b", at=0.1)
    ddb.run(5)
    assert len(ddb.batches("ignored")) == 1
    assert ddb.hop(mapping).delivered == 3


def test_naming_records_by_event_id_fails_the_whole_batch(ddb: DdbLab):
    """The itemIdentifier of a DynamoDB record is its sequence number: an eventID names no
    record of the batch, so the batch counts as failed, whole."""
    ddb.table()
    mapping = ddb.mapping(
        "by-event-id",
        "esm_ddb_partial:handler",
        env={"MODE": "event-id"},
        batch_size=5,
        function_response_types=REPORT,
        maximum_retry_attempts=1,
    )
    ddb.put("a", "fail1", at=0.1)
    ddb.run(10)
    assert ddb.batches("by-event-id") == [["a", "fail1"]] * 2
    assert [b.outcome for b in mapping.batches] == ["error", "error", "dropped"]
    assert mapping.batches[0].reason.startswith("itemIdentifier ")
    assert ddb.hop(mapping).dropped == {"RetryAttemptsExhausted": 2}
