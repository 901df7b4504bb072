"""Event filtering on an SQS mapping: a message that matches no filter is deleted from the queue
without invoking the function ("If an Amazon SQS message doesn't satisfy your filter criteria,
Lambda automatically removes the message from the queue", invocation-eventfiltering.html) and is
counted as filtered in the ledger; with a batching window the filter applies to each message
before it joins the batch.

The filter here is a stand-in with the interface the mapping needs (``matches(record)``), so
these tests do not depend on the FilterCriteria module; the tests named ``*_stand_in_filter``
should switch to ``sim.services.esm.filtering`` (``parse_filter_criteria``) once it lands.
"""

from __future__ import annotations

import esm_sqs_lab
from esm_sqs_lab import T0

# the lab's fixtures (see esm_sqs_lab)
embedded_backend = esm_sqs_lab.embedded_backend
sqs_lab = esm_sqs_lab.sqs_lab


class BodyStartsWith:
    """Stand-in for a compiled FilterCriteria: keeps records whose body starts with a prefix;
    remembers every record it was asked about."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.seen: list[dict] = []

    def matches(self, record: dict) -> bool:
        self.seen.append(record)
        return record["body"].startswith(self.prefix)


def test_unmatched_messages_are_deleted_without_invoking_stand_in_filter(sqs_lab):
    sqs_lab.create_queue("q")
    record_filter = BodyStartsWith("keep")
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


def test_a_batch_of_only_unmatched_messages_invokes_nothing_stand_in_filter(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(record_filter=BodyStartsWith("keep"))
    sqs_lab.send("drop-1", "drop-2", at=0.5)
    sqs_lab.run(5)
    assert mapping.batches == [] and sqs_lab.events() == []
    assert sqs_lab.queued("q") == []
    sqs_lab.settle()
    assert sqs_lab.hop(mapping).filtered == 2


def test_with_a_window_only_matching_messages_fill_the_batch_stand_in_filter(sqs_lab):
    sqs_lab.create_queue("q")
    mapping = sqs_lab.mapping(
        record_filter=BodyStartsWith("keep"), batch_size=3, maximum_batching_window=30
    )
    sqs_lab.send(*[f"drop-{i}" for i in range(5)], "keep-1", "keep-2", "keep-3", at=0.5)
    sqs_lab.run(5)
    # full with three matching messages at once: the dropped ones did not count
    assert [(b.time - T0, b.size) for b in mapping.batches] == [(1.0, 3)]
    assert sqs_lab.batches() == [["keep-1", "keep-2", "keep-3"]]


def test_describe_shows_the_filter_criteria_stand_in_filter(sqs_lab):
    sqs_lab.create_queue("q")
    criteria = {"Filters": [{"Pattern": '{"body": {"kind": ["keep"]}}'}]}
    mapping = sqs_lab.mapping(record_filter=BodyStartsWith("keep"), filter_criteria=criteria)
    assert mapping.describe()["FilterCriteria"] == criteria
