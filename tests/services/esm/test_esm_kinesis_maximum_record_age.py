"""MaximumRecordAgeInSeconds: records older than this are dropped (RecordAgeExceeded)
instead of being sent or retried; -1 (default) or 60..604,800."""

from __future__ import annotations

import pytest
from esm_lab import T0


def test_failing_records_are_dropped_once_too_old(lab):
    lab.create_stream()
    mapping = lab.mapping(
        "poisoned", "esm_poison:handler", maximum_record_age=60, maximum_retry_attempts=-1
    )
    lab.put(b"poison", at=0.5)
    lab.put(b"fresh", at=30.5)
    lab.run(100)

    assert [(b.time - T0, b.outcome, b.reason) for b in mapping.batches] == [
        *[(t, "error", None) for t in (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)],
        (64.0, "dropped", "RecordAgeExceeded"),  # 63.5 s old: not sent again
        (64.0, "success", None),  # "fresh" is 33.5 s old
    ]
    assert lab.delivered(mapping) == [b"fresh"]
    lab.settle()
    hop = lab.hop(mapping)
    assert hop.dropped == {"RecordAgeExceeded": 1}
    assert hop.delivered == 1


def test_records_already_too_old_when_read_are_dropped_without_invoking(lab):
    lab.create_stream()
    lab.put(b"old-1", b"old-2", at=0.5)
    lab.put(b"young", at=90)
    lab.run(100)
    mapping = lab.mapping(maximum_record_age=60)
    lab.run(101)
    assert lab.batches() == [[b"young"]]
    dropped = [b for b in mapping.batches if b.outcome == "dropped"]
    assert [(b.size, b.reason) for b in dropped] == [(2, "RecordAgeExceeded")]
    lab.settle()
    assert lab.hop(mapping).dropped == {"RecordAgeExceeded": 2}


def test_age_limit_stops_retries_before_maximum_retry_attempts(lab):
    lab.create_stream()
    mapping = lab.mapping(
        "poisoned", "esm_poison:handler", maximum_record_age=60, maximum_retry_attempts=100
    )
    lab.put(b"poison", at=0.5)
    lab.run(200)
    assert [b.outcome for b in mapping.batches][-1] == "dropped"
    assert mapping.batches[-1].reason == "RecordAgeExceeded"
    assert len(mapping.batches) == 7


@pytest.mark.parametrize("age", [0, 1, 59, 604_801, -2])
def test_maximum_record_age_outside_range_is_rejected(lab, age):
    lab.create_stream()
    with pytest.raises(ValueError, match="MaximumRecordAgeInSeconds must be -1 or 60..604800"):
        lab.mapping(maximum_record_age=age)


@pytest.mark.parametrize("age", [-1, 60, 604_800])
def test_maximum_record_age_in_range_is_accepted(lab, age):
    lab.create_stream()
    assert lab.mapping(maximum_record_age=age).describe()["MaximumRecordAgeInSeconds"] == age
