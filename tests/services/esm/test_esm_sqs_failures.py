"""Success deletes the batch; a failed or timed-out batch is left in the queue, comes back when
its visibility timeout ends (ApproximateReceiveCount 2), and after the redrive policy's
maxReceiveCount SQS moves it to the dead-letter queue; messages past the queue's retention period
are dropped (services-sqs-errorhandling.html, with-sqs.html)."""

from __future__ import annotations

import esm_sqs_lab
import pytest
from esm_sqs_lab import T0

from sim.services.esm import limits
from sim.services.lambda_.exceptions import InjectedTimeout

# the lab's fixtures (see esm_sqs_lab)
embedded_backend = esm_sqs_lab.embedded_backend
sqs_lab = esm_sqs_lab.sqs_lab


def outcomes(mapping):
    return [(round(b.time - T0, 3), b.outcome, b.size, b.receive_count) for b in mapping.batches]


def test_a_successful_batch_is_deleted(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping()
    sqs_lab.send("a", "b", "c", at=0.5)
    sqs_lab.run(60)
    assert outcomes(mapping) == [(1.0, "success", 3, 1)]
    assert sqs_lab.queued("q") == []
    assert mapping.queue.delete_calls == 1  # one DeleteMessageBatch
    sqs_lab.settle()
    hop = sqs_lab.hop(mapping)
    assert (hop.available, hop.delivered, hop.retried, hop.in_flight) == (3, 3, 0, 0)


def test_a_failed_batch_comes_back_after_the_visibility_timeout(sqs_lab):
    sqs_lab.create_queue("q", visibility=30)
    mapping = sqs_lab.mapping("healing", "esm_sqs_poison:handler", env={"HEAL_AT": "2"})
    sqs_lab.send("a", "poison", at=0.5)
    sqs_lab.run(30.5)
    assert outcomes(mapping) == [(1.0, "error", 2, 1)]
    assert sorted(sqs_lab.queued("q")) == ["a", "poison"]  # not deleted: in flight
    sqs_lab.run(60)

    # received at 1 with a 30 s visibility timeout: visible again just after 31 (moto counts a
    # message visible once the clock is strictly past its deadline; 1 ms later here)
    assert outcomes(mapping) == [(1.0, "error", 2, 1), (31.001, "success", 2, 2)]
    first, second = sqs_lab.events()
    assert [r["messageId"] for r in first["Records"]] == [r["messageId"] for r in second["Records"]]
    for record in second["Records"]:
        assert record["attributes"]["ApproximateReceiveCount"] == "2"
        # the first receive's time is kept
        assert record["attributes"]["ApproximateFirstReceiveTimestamp"] == str(int((T0 + 1) * 1000))
    assert sqs_lab.queued("q") == []
    sqs_lab.settle()
    hop = sqs_lab.hop(mapping)
    assert (hop.available, hop.delivered, hop.retried) == (2, 2, 2)


def test_a_timed_out_batch_comes_back_like_a_failed_one(sqs_lab):
    sqs_lab.create_queue("q", visibility=20)
    mapping = sqs_lab.mapping()
    calls = []

    def first_times_out(info):
        calls.append(info)
        return InjectedTimeout() if len(calls) == 1 else None

    sqs_lab.runtime.add_fault("consumer", first_times_out)
    sqs_lab.send("a", at=0.5)
    sqs_lab.run(30)
    assert outcomes(mapping) == [(1.0, "timeout", 1, 1), (21.001, "success", 1, 2)]
    assert sqs_lab.queued("q") == []


def test_after_max_receive_count_sqs_moves_the_messages_to_the_dead_letter_queue(sqs_lab):
    sqs_lab.create_queue("q", visibility=10, dead_letter_queue="q-dlq", max_receive_count=3)
    mapping = sqs_lab.mapping("poisoned", "esm_sqs_poison:handler")
    sqs_lab.send("a", "poison", at=0.5)
    sqs_lab.run(31)
    assert [(t, o, n) for t, o, _, n in outcomes(mapping)] == [
        (1.0, "error", 1),
        (11.001, "error", 2),
        (21.002, "error", 3),
    ]
    assert sqs_lab.queued("q-dlq") == []
    sqs_lab.run(32)  # the receive after the third failure finds them due: SQS moves them
    assert sorted(sqs_lab.queued("q-dlq")) == ["a", "poison"]
    sqs_lab.send("fine", at=40)
    sqs_lab.run(45)
    assert sqs_lab.delivered(mapping) == ["fine"]
    assert sqs_lab.queued("q") == []

    sqs_lab.settle()
    hop = sqs_lab.hop(mapping)
    assert hop.to_destination == {"queue q-dlq": 2}
    assert (hop.available, hop.delivered, hop.retried, hop.in_flight) == (3, 1, 4, 0)
    assert hop.available == hop.settled


def test_messages_past_the_retention_period_are_dropped_with_the_reason(sqs_lab):
    sqs_lab.create_queue("q", visibility=40, MessageRetentionPeriod="60")
    mapping = sqs_lab.mapping("poisoned", "esm_sqs_poison:handler")
    sqs_lab.send("poison", at=0.5)  # fails at 1 and at 41; expired at 60.5
    idle = sqs_lab.mapping("idle", queue="q", enabled=False)  # never reads
    sqs_lab.run(100)
    assert [b.outcome for b in mapping.batches] == ["error", "error"]

    sqs_lab.settle()
    reason = limits.SQS_RETENTION_EXPIRED_REASON
    hop = sqs_lab.hop(mapping)
    assert hop.dropped == {reason: 1}
    assert (hop.available, hop.in_flight, hop.retried) == (1, 0, 1)
    never_read = sqs_lab.hop(idle)  # the disabled mapping answers for it too: dropped unread
    assert never_read.dropped == {reason: 1}
    assert (never_read.available, never_read.in_flight) == (1, 0)


def test_a_queue_whose_visibility_timeout_is_below_the_function_timeout_is_refused(sqs_lab):
    sqs_lab.create_queue("q", visibility=30)
    with pytest.raises(ValueError) as refused:
        sqs_lab.mapping("slow", "esm_recorder:handler", timeout=60)
    assert str(refused.value) == (
        "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"
    )


@pytest.mark.parametrize("visibility", [0, 1])
def test_a_short_visibility_timeout_retries_without_looping_in_one_instant(sqs_lab, visibility):
    sqs_lab.create_queue("q", visibility=1)
    mapping = sqs_lab.mapping("healing", "esm_sqs_poison:handler", timeout=1, env={"HEAL_AT": "3"})
    # changed after the mapping was created (CreateEventSourceMapping checks it only then)
    sqs_lab.sqs.set_queue_attributes(
        QueueUrl=sqs_lab.url("q"), Attributes={"VisibilityTimeout": str(visibility)}
    )
    sqs_lab.send("poison", at=0.5)
    sqs_lab.run(10)
    assert [b.outcome for b in mapping.batches] == ["error", "error", "success"]
    assert [b.receive_count for b in mapping.batches] == [1, 2, 3]
    times = [b.time - T0 for b in mapping.batches]
    assert times == sorted(times) and times[0] == 1.0 and times[-1] <= 3.1
