"""FunctionResponseTypes ReportBatchItemFailures: the checkpoint is the lowest sequence number
the function names, every record from there is retried; malformed responses fail the whole
batch and empty ones are complete success, as AWS documents
(services-kinesis-batchfailurereporting.html)."""

from __future__ import annotations

import pytest
from esm_lab import Lab

REPORT = ("ReportBatchItemFailures",)


def test_the_checkpoint_moves_to_the_lowest_failed_record(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping(
        "partial",
        "esm_partial:handler",
        batch_size=5,
        function_response_types=REPORT,
        maximum_retry_attempts=2,
    )
    lab.put("a", "fail1", "b", "fail2", "c", at=0.5)
    lab.run(30)
    batches = lab.batches("partial")
    assert batches[0] == [b"a", b"fail1", b"b", b"fail2", b"c"]
    # from fail1 on, b and c included, although they had succeeded
    assert batches[1:] == [[b"fail1", b"b", b"fail2", b"c"]] * 2
    hop = lab.hop(mapping)
    assert hop.delivered == 1
    assert hop.dropped == {"RetryAttemptsExhausted": 4}
    assert [b.partial for b in mapping.batches if b.outcome == "success"] == [True, True, True]


def test_without_the_response_type_a_partial_response_is_success(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping("ignored", "esm_partial:handler", batch_size=5)
    lab.put("a", "fail1", "b", at=0.5)
    lab.run(10)
    assert len(lab.batches("ignored")) == 1
    assert lab.hop(mapping).delivered == 3


@pytest.mark.parametrize("mode", ["empty-id", "null-id", "wrong-key", "unknown-id"])
def test_a_malformed_response_fails_the_whole_batch(lab: Lab, mode: str):
    lab.create_stream()
    mapping = lab.mapping(
        "malformed",
        "esm_partial:handler",
        env={"MODE": mode},
        batch_size=5,
        function_response_types=REPORT,
        maximum_retry_attempts=1,
    )
    lab.put("a", "fail1", at=0.5)
    lab.run(10)
    assert lab.batches("malformed") == [[b"a", b"fail1"]] * 2
    assert [b.outcome for b in mapping.batches] == ["error", "error", "dropped"]
    assert lab.hop(mapping).dropped == {"RetryAttemptsExhausted": 2}


@pytest.mark.parametrize("mode", ["none", "empty-list", "null-list"])
def test_an_empty_response_is_complete_success(lab: Lab, mode: str):
    lab.create_stream()
    mapping = lab.mapping(
        "empty",
        "esm_partial:handler",
        env={"MODE": mode},
        batch_size=5,
        function_response_types=REPORT,
    )
    lab.put("a", "fail1", at=0.5)
    lab.run(10)
    assert len(lab.batches("empty")) == 1
    assert lab.hop(mapping).delivered == 2


def test_a_partial_failure_that_later_succeeds_delivers_everything_once(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping(
        "recovering",
        "esm_partial:handler",
        batch_size=3,
        function_response_types=REPORT,
    )
    lab.put("a", "b", "fail", at=0.5)
    lab.run(3)
    # the handler keeps failing "fail": the records before it are delivered once, not retried
    batches = lab.batches("recovering")
    assert batches[0] == [b"a", b"b", b"fail"]
    assert all(batch == [b"fail"] for batch in batches[1:])
    assert lab.hop(mapping).delivered == 2


def test_with_bisect_a_partial_response_retries_the_rest_without_halving_it(lab: Lab):
    """ "the batch is bisected at the returned sequence number and Lambda retries only the
    remaining records" (services-kinesis-batchfailurereporting.html): no further halving."""
    lab.create_stream()
    mapping = lab.mapping(
        "cut",
        "esm_partial:handler",
        batch_size=5,
        function_response_types=REPORT,
        bisect_batch_on_function_error=True,
        maximum_retry_attempts=1,
    )
    lab.put("a", "fail1", "b", "c", "d", at=0.5)
    lab.run(30)
    assert lab.batches("cut") == [
        [b"a", b"fail1", b"b", b"c", b"d"],
        [b"fail1", b"b", b"c", b"d"],
    ]
    assert mapping.stats.bisections == 0
    assert lab.hop(mapping).dropped == {"RetryAttemptsExhausted": 4}
