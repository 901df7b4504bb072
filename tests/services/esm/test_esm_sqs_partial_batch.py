"""ReportBatchItemFailures: only the reported messages come back; the success and failure
conditions of services-sqs-errorhandling.html ("Success and failure conditions"); without the
setting the response is ignored."""

from __future__ import annotations

import esm_sqs_lab
import pytest
from esm_sqs_lab import T0

from sim.services.esm.sqs import INVALID_RESPONSE_REASON

# the lab's fixtures (see esm_sqs_lab)
embedded_backend = esm_sqs_lab.embedded_backend
sqs_lab = esm_sqs_lab.sqs_lab

REPORT = ["ReportBatchItemFailures"]


def test_only_the_reported_messages_come_back(sqs_lab):
    sqs_lab.create_queue("q", visibility=30, dead_letter_queue="dlq", max_receive_count=2)
    mapping = sqs_lab.mapping("partial", "esm_sqs_partial:handler", function_response_types=REPORT)
    ids = sqs_lab.send("ok1", "fail1", "ok2", "fail2", at=0.5)
    sqs_lab.run(2)
    [first] = mapping.batches
    assert (first.outcome, first.size, first.failed_ids) == ("partial", 4, (ids[1], ids[3]))
    assert sorted(sqs_lab.queued("q")) == ["fail1", "fail2"]  # the others were deleted

    sqs_lab.run(70)
    assert [(round(b.time - T0, 3), b.size, b.receive_count) for b in mapping.batches] == [
        (1.0, 4, 1),
        (31.001, 2, 2),  # the reported two only
    ]
    assert sorted(sqs_lab.queued("dlq")) == ["fail1", "fail2"]  # maxReceiveCount 2
    assert sqs_lab.delivered(mapping) == ["ok1", "ok2"]
    sqs_lab.settle()
    hop = sqs_lab.hop(mapping)
    assert (hop.available, hop.delivered, hop.retried) == (4, 2, 2)
    assert hop.to_destination == {"queue dlq": 2}


@pytest.mark.parametrize("mode", ["none", "empty-object", "empty-list", "null-list"])
def test_responses_lambda_treats_as_complete_success(sqs_lab, mode):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(
        "partial", "esm_sqs_partial:handler", env={"MODE": mode}, function_response_types=REPORT
    )
    sqs_lab.send("ok", "fail-but-not-reported", at=0.5)
    sqs_lab.run(60)
    assert [(b.outcome, b.failed_ids) for b in mapping.batches] == [("success", ())]
    assert sqs_lab.queued("q") == []


@pytest.mark.parametrize("mode", ["empty-id", "null-id", "wrong-key", "unknown-id", "not-json"])
def test_malformed_responses_fail_the_whole_batch(sqs_lab, mode):
    sqs_lab.create_queue("q", visibility=30)
    mapping = sqs_lab.mapping(
        "partial", "esm_sqs_partial:handler", env={"MODE": mode}, function_response_types=REPORT
    )
    ids = sqs_lab.send("ok", "fail", at=0.5)
    sqs_lab.run(2)
    [batch] = mapping.batches
    assert batch.outcome == "error"
    assert batch.reason.startswith(INVALID_RESPONSE_REASON)
    assert batch.request_id is not None  # the function ran (and succeeded)
    assert batch.failed_ids == tuple(ids)
    assert sorted(sqs_lab.queued("q")) == ["fail", "ok"]  # both come back
    sqs_lab.run(32)
    assert [b.size for b in mapping.batches] == [2, 2]
    assert mapping.batches[1].receive_count == 2


def test_without_report_batch_item_failures_the_response_is_ignored(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping("partial", "esm_sqs_partial:handler")  # no FunctionResponseTypes
    sqs_lab.send("ok", "fail", at=0.5)
    sqs_lab.run(60)
    assert [(b.outcome, b.failed_ids) for b in mapping.batches] == [("success", ())]
    assert sqs_lab.queued("q") == []


def test_a_function_error_fails_the_whole_batch_even_with_report_batch_item_failures(sqs_lab):
    sqs_lab.create_queue("q", visibility=10)
    mapping = sqs_lab.mapping("poisoned", "esm_sqs_poison:handler", function_response_types=REPORT)
    sqs_lab.send("ok", "poison", at=0.5)
    sqs_lab.run(12)
    assert [(b.outcome, b.size) for b in mapping.batches] == [("error", 2), ("error", 2)]
