"""FIFO queues: order is kept per message group; a failing group waits (its later messages are
not received while a message of the group is in flight) while the other groups go on; with
ReportBatchItemFailures a handler that follows AWS's advice keeps its group in order
(services-sqs-scaling.html, services-sqs-errorhandling.html)."""

from __future__ import annotations

import esm_sqs_lab
import pytest
from esm_sqs_lab import T0

# the lab's fixtures (see esm_sqs_lab)
embedded_backend = esm_sqs_lab.embedded_backend
sqs_lab = esm_sqs_lab.sqs_lab


def test_a_failing_group_waits_while_the_other_groups_go_on(sqs_lab):
    sqs_lab.create_queue("q.fifo", visibility=10, dead_letter_queue="dlq.fifo", max_receive_count=2)
    mapping = sqs_lab.mapping("poisoned", "esm_sqs_poison:handler", queue="q.fifo", batch_size=1)
    sqs_lab.run(0.5)
    sqs_lab.send("a1", "poison", "a3", queue="q.fifo", group="A")
    sqs_lab.send("b1", "b2", "b3", queue="q.fifo", group="B")
    sqs_lab.run(30)

    def body(batch):
        return sqs_lab.events()[mapping.batches.index(batch)]["Records"][0]["body"]

    assert [(round(b.time - T0, 3), body(b), b.outcome) for b in mapping.batches] == [
        (1.0, "a1", "success"),
        (1.0, "poison", "error"),
        (1.0, "b1", "success"),  # group B is not held up by group A
        (1.0, "b2", "success"),
        (1.0, "b3", "success"),
        (11.001, "poison", "error"),  # received again when its visibility timeout ends
        (21.002, "a3", "success"),  # only once the poison left for the dead-letter queue
    ]
    assert sqs_lab.delivered(mapping) == ["a1", "b1", "b2", "b3", "a3"]
    assert sqs_lab.queued("dlq.fifo") == ["poison"]
    sqs_lab.settle()
    assert sqs_lab.hop(mapping).to_destination == {"queue dlq.fifo": 1}


def test_a_partial_batch_response_that_stops_at_the_first_failure_keeps_the_group_order(sqs_lab):
    sqs_lab.create_queue("q.fifo", visibility=30)
    mapping = sqs_lab.mapping(
        "ordered",
        "esm_sqs_fifo:handler",
        queue="q.fifo",
        env={"HEAL_AT": "2"},
        function_response_types=["ReportBatchItemFailures"],
    )
    sqs_lab.run(0.5)
    for body, group in [
        ("a1", "A"),
        ("b1", "B"),
        ("poison", "A"),
        ("b2", "B"),
        ("a3", "A"),
        ("b3", "B"),
    ]:
        sqs_lab.send(body, queue="q.fifo", group=group)
    sqs_lab.run(40)

    assert sqs_lab.batches() == [
        ["a1", "b1", "poison", "b2", "a3", "b3"],
        ["poison", "a3"],  # the failed message and the rest of its group, in order
    ]
    first, second = mapping.batches
    assert (first.outcome, len(first.failed_ids)) == ("partial", 2)
    assert (round(second.time - T0, 3), second.outcome, second.receive_count) == (
        31.001,
        "success",
        2,
    )
    assert sqs_lab.delivered(mapping) == ["a1", "b1", "b2", "b3", "poison", "a3"]


def test_fifo_messages_of_one_group_come_in_order_across_batches(sqs_lab):
    sqs_lab.create_queue("q.fifo")
    mapping = sqs_lab.mapping(queue="q.fifo", batch_size=3)
    sqs_lab.run(0.5)
    bodies = [f"m{i}" for i in range(8)]
    sqs_lab.send(*bodies, queue="q.fifo", group="only")
    sqs_lab.run(3)
    assert sqs_lab.batches() == [["m0", "m1", "m2"], ["m3", "m4", "m5"], ["m6", "m7"]]
    assert sqs_lab.delivered(mapping) == bodies


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"maximum_batching_window": 1}, "Batching window is not supported for FIFO queues"),
        ({"batch_size": 11}, "Maximum batch size must be between 1 and 10 inclusive"),
    ],
)
def test_fifo_queues_refuse_a_window_and_batches_above_ten(sqs_lab, config, message):
    sqs_lab.create_queue("q.fifo")
    with pytest.raises(ValueError) as refused:
        sqs_lab.mapping(queue="q.fifo", **config)
    assert str(refused.value) == message
