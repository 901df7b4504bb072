"""The ledger hop ``queue NAME -> function NAME``: every message the mapping answered for ends
delivered, filtered, moved to the dead-letter queue, dropped with a reason, or in flight; the
mapping also runs through a plain boto3 client (any backend), and an idle day costs no
ReceiveMessage call on the embedded backend."""

from __future__ import annotations

import esm_sqs_lab
from esm_sqs_lab import T0

from sim.services.esm.sqs_queue import SqsQueue, open_queue

# the lab's fixtures (see esm_sqs_lab)
embedded_backend = esm_sqs_lab.embedded_backend
sqs_lab = esm_sqs_lab.sqs_lab


class SkipsPrefix:
    """Stand-in FilterCriteria: drops bodies starting with ``skip``."""

    def matches(self, record: dict) -> bool:
        return not record["body"].startswith("skip")


def test_every_message_is_accounted_for(sqs_lab):
    sqs_lab.create_queue("q", visibility=10, dead_letter_queue="dlq", max_receive_count=2)
    mapping = sqs_lab.mapping(
        "partial",
        "esm_sqs_partial:handler",
        function_response_types=["ReportBatchItemFailures"],
        record_filter=SkipsPrefix(),
        batch_size=4,
    )
    sqs_lab.send("ok-1", "fail-1", "skip-1", "ok-2", at=0.5)
    sqs_lab.send("ok-3", "skip-2", "fail-2", at=5.5)
    sqs_lab.run(40)  # the failed ones: received at 1 / 6, again at 11 / 16, to the DLQ at 21 / 26
    sqs_lab.send("late-1", "late-2", at=40.5)
    mapping.disable()  # the late ones stay in the queue: in flight at the end
    sqs_lab.run(50)

    sqs_lab.settle()
    hop = sqs_lab.hop(mapping)
    assert hop.available == 9
    assert (hop.delivered, hop.filtered, hop.in_flight) == (3, 2, 2)
    assert hop.to_destination == {"queue dlq": 2}
    assert hop.retried == 2
    assert sum(hop.dropped.values()) == 0
    assert hop.available == hop.settled
    sqs_lab.settle()  # settling again changes nothing
    assert (hop.available, hop.in_flight) == (9, 2)
    assert sqs_lab.ledger.gaps() == []


def test_messages_already_waiting_when_the_mapping_starts_are_its_own(sqs_lab):
    sqs_lab.create_queue("q")
    sqs_lab.send("old-1", "old-2", at=0.0)
    sqs_lab.run(100)
    mapping = sqs_lab.mapping()
    sqs_lab.run(102)
    sqs_lab.settle()
    hop = sqs_lab.hop(mapping)
    assert (hop.available, hop.delivered) == (2, 2)


def test_through_a_plain_boto3_client_the_mapping_works_the_same(sqs_lab):
    sqs_lab.create_queue("q", visibility=10, dead_letter_queue="dlq", max_receive_count=2)
    access = open_queue(sqs_lab.sqs, "q")  # the API only: no look into moto
    assert type(access) is SqsQueue and not access.can_locate
    mapping = sqs_lab.mapping("poisoned", "esm_sqs_poison:handler", access=access)
    sqs_lab.send("good", at=0.5)
    sqs_lab.send("poison", at=1.5)
    sqs_lab.run(30)

    assert [(round(b.time - T0, 3), b.outcome) for b in mapping.batches] == [
        (1.0, "success"),
        (2.0, "error"),
        (12.001, "error"),
    ]
    assert sqs_lab.queued("dlq") == ["poison"]  # moved by the receive at 22.002
    # every poll is a ReceiveMessage through the API (0 .. 30, plus the wake-ups)
    assert access.receive_calls >= 31
    sqs_lab.settle()
    hop = sqs_lab.hop(mapping)
    # the move is inferred: a receive came after the message's last visibility timeout ended
    assert hop.to_destination == {"queue dlq": 1}
    assert (hop.available, hop.delivered, hop.in_flight) == (2, 1, 0)


def test_an_idle_day_makes_no_receive_calls_on_the_embedded_backend(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping()
    sqs_lab.run(43_200)
    sqs_lab.send("noon", at=43_200.5)
    sqs_lab.run(86_400)
    # a check every simulated second (0 .. 86,400), and one more after the invocation
    assert mapping.polls == 86_402
    assert mapping.queue.receive_calls == 1  # only when a message was there
    assert [(b.time - T0, b.size) for b in mapping.batches] == [(43_201.0, 1)]
