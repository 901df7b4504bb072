"""The mapping as the API shows and changes it: GetEventSourceMapping's view, enable / disable
(no polling, messages stay), UpdateEventSourceMapping mid-run, DeleteEventSourceMapping
(polling stops, invocations in progress finish)."""

from __future__ import annotations

import esm_sqs_lab
import pytest
from esm_sqs_lab import REGION, T0

from sim.clock import iso
from sim.errors import ResourceInUseException

# the lab's fixtures (see esm_sqs_lab)
embedded_backend = esm_sqs_lab.embedded_backend
sqs_lab = esm_sqs_lab.sqs_lab


def test_describe_shows_an_sqs_mapping_as_get_event_source_mapping_does(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(
        maximum_concurrency=5, function_response_types=["ReportBatchItemFailures"]
    )
    function_arn = sqs_lab.runtime.get_function("consumer").arn
    assert mapping.describe() == {
        "UUID": "uuid-0",
        "BatchSize": 10,
        "MaximumBatchingWindowInSeconds": 0,
        "EventSourceArn": sqs_lab.arn("q"),
        "FunctionArn": function_arn,
        "LastModified": iso(T0),
        "State": "Enabled",
        "StateTransitionReason": "USER_INITIATED",
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "ScalingConfig": {"MaximumConcurrency": 5},
        "EventSourceMappingArn": f"arn:aws:lambda:{REGION}:{esm_sqs_lab.ACCOUNT}:"
        "event-source-mapping:uuid-0",
    }
    plain = sqs_lab.mapping("other", queue="q").describe()
    assert "ScalingConfig" not in plain and "FilterCriteria" not in plain
    assert plain["FunctionResponseTypes"] == []


def test_disable_stops_polling_and_enable_resumes_at_once(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping()
    sqs_lab.send("before", at=0.5)
    sqs_lab.run(2)
    mapping.disable()
    assert mapping.state == "Disabled" and mapping.describe()["State"] == "Disabled"
    polls = mapping.polls
    sqs_lab.send("while disabled", at=3)
    sqs_lab.run(100)
    assert mapping.polls == polls  # no polling at all
    assert sqs_lab.queued("q") == ["while disabled"]  # the message waits in the queue
    mapping.enable()
    sqs_lab.run(101)
    assert [(b.time - T0, b.size) for b in mapping.batches] == [(1.0, 1), (100.0, 1)]
    assert sqs_lab.delivered(mapping) == ["before", "while disabled"]


def test_a_mapping_created_disabled_reads_nothing_until_enabled(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(enabled=False)
    sqs_lab.send("a", at=0.5)
    sqs_lab.run(10)
    assert mapping.polls == 0 and mapping.queue.receive_calls == 0
    mapping.enable()
    sqs_lab.run(11)
    assert sqs_lab.delivered(mapping) == ["a"]


def test_disabling_while_a_window_gathers_lets_the_messages_come_back(sqs_lab):
    sqs_lab.create_queue("q", visibility=30)
    mapping = sqs_lab.mapping(batch_size=50, maximum_batching_window=20)
    sqs_lab.send("a", "b", at=0.5)
    sqs_lab.run(5)  # gathering since 1 (until 21)
    mapping.disable()
    sqs_lab.run(30)
    mapping.enable()
    sqs_lab.run(200)
    # received at 1 (visibility 30 s; the window and the function's timeout, 20 + 3 s, fit in
    # it): visible again after 31, received by the poll at 32, a new window until 52
    [batch] = mapping.batches
    assert (round(batch.time - T0, 3), batch.size, batch.receive_count) == (52.0, 2, 2)
    assert sqs_lab.delivered(mapping) == ["a", "b"]


def test_update_changes_the_mapping_mid_run(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(batch_size=2)
    sqs_lab.send("a", "b", "c", at=0.5)
    sqs_lab.run(2)
    assert [b.size for b in mapping.batches] == [2, 1]
    mapping.update(batch_size=5, maximum_concurrency=10)
    assert mapping.describe()["BatchSize"] == 5
    assert mapping.describe()["ScalingConfig"] == {"MaximumConcurrency": 10}
    assert mapping.describe()["LastModified"] == iso(T0 + 2)
    sqs_lab.send("d", "e", "f", "g", at=2.5)
    sqs_lab.run(3)
    assert [b.size for b in mapping.batches] == [2, 1, 4]
    mapping.update(enabled=False)
    assert mapping.state == "Disabled"
    sqs_lab.send("h", at=3.5)
    sqs_lab.run(10)
    assert len(mapping.batches) == 3
    mapping.update(enabled=True)
    sqs_lab.run(11)
    assert sqs_lab.delivered(mapping) == list("abcdefgh")


def test_an_invalid_update_is_refused_and_changes_nothing(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping()
    with pytest.raises(ValueError) as refused:
        mapping.update(batch_size=100)  # no window
    assert "Maximum batch window in seconds must be greater than 0" in str(refused.value)
    with pytest.raises(TypeError):
        mapping.update(starting_position="LATEST")  # not an SQS parameter
    assert mapping.config.batch_size == 10
    mapping.update(batch_size=100, maximum_batching_window=1)
    assert mapping.describe()["BatchSize"] == 100


def test_delete_stops_polling_and_lets_invocations_in_progress_finish(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(invocation_duration=5.0)
    sqs_lab.send("in progress", at=0.5)
    sqs_lab.run(2)  # invoked at 1, done at 6
    mapping.delete()
    assert mapping.state == "Deleting"
    sqs_lab.send("after delete", at=3)
    sqs_lab.run(60)
    assert sqs_lab.queued("q") == ["after delete"]  # the first was deleted at 6, as it succeeded
    assert len(mapping.batches) == 1
    with pytest.raises(ResourceInUseException):
        mapping.enable()
    with pytest.raises(ResourceInUseException):
        mapping.update(batch_size=1)
    sqs_lab.settle()
    hop = sqs_lab.hop(mapping)
    assert (hop.available, hop.delivered, hop.in_flight) == (2, 1, 1)
