"""Event filtering on an SQS mapping: a message that matches no filter is deleted from the queue
without invoking the function ("If an Amazon SQS message doesn't satisfy your filter criteria,
Lambda automatically removes the message from the queue", invocation-eventfiltering.html) and is
counted as filtered in the ledger; with a batching window the filter applies to each message
before it joins the batch.

The filters are compiled by ``sim.services.esm.filtering`` (the FilterCriteria module), from a
pattern on the message body: a plain-string body matched as a string (``prefix``).
"""

from __future__ import annotations

import esm_sqs_lab
from esm_sqs_lab import T0

from sim.services.esm.filtering import parse_filter_criteria

# the lab's fixtures (see esm_sqs_lab)
embedded_backend = esm_sqs_lab.embedded_backend
sqs_lab = esm_sqs_lab.sqs_lab

CRITERIA = {"Filters": [{"Pattern": '{"body": [{"prefix": "keep"}]}'}]}


class Spy:
    """The real compiled filter, remembering every record it was asked about."""

    def __init__(self, criteria: dict = CRITERIA):
        self.inner = parse_filter_criteria(criteria, source="sqs")
        self.seen: list[dict] = []

    def matches(self, record: dict) -> bool:
        self.seen.append(record)
        return self.inner.matches(record)


def test_unmatched_messages_are_deleted_without_invoking(sqs_lab):
    sqs_lab.create_queue("q")
    record_filter = Spy()
    mapping = sqs_lab.mapping(record_filter=record_filter)
    sqs_lab.send("keep-1", "drop-1", "keep-2", "drop-2", at=0.5)
    sqs_lab.run(60)

    assert sqs_lab.batches() == [["keep-1", "keep-2"]]
    assert sqs_lab.queued("q") == []  # the filtered ones were deleted too
    assert mapping.filtered == 2
    # the filter saw each message as its event record
    assert [r["body"] for r in record_filter.seen] == ["keep-1", "drop-1", "keep-2", "drop-2"]
    assert {r["eventSource"] for r in record_filter.seen} == {"aws:sqs"}
    sqs_lab.settle()
    hop = sqs_lab.hop(mapping)
    assert (hop.available, hop.delivered, hop.filtered, hop.in_flight) == (4, 2, 2, 0)


def test_a_batch_of_only_unmatched_messages_invokes_nothing(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(record_filter=Spy())
    sqs_lab.send("drop-1", "drop-2", at=0.5)
    sqs_lab.run(5)
    assert mapping.batches == [] and sqs_lab.events() == []
    assert sqs_lab.queued("q") == []
    sqs_lab.settle()
    assert sqs_lab.hop(mapping).filtered == 2


def test_with_a_window_only_matching_messages_fill_the_batch(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(record_filter=Spy(), batch_size=3, maximum_batching_window=30)
    sqs_lab.send(*[f"drop-{i}" for i in range(5)], "keep-1", "keep-2", "keep-3", at=0.5)
    sqs_lab.run(5)
    # full with three matching messages at once: the dropped ones did not count
    assert [(b.time - T0, b.size) for b in mapping.batches] == [(1.0, 3)]
    assert sqs_lab.batches() == [["keep-1", "keep-2", "keep-3"]]


def test_describe_shows_the_filter_criteria(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(record_filter=Spy(), filter_criteria=CRITERIA)
    assert mapping.describe()["FilterCriteria"] == CRITERIA
