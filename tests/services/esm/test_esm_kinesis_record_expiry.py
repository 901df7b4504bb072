"""With MaximumRetryAttempts -1 (the default) a failing batch is retried until its records leave
the stream's retention (24 h by default); they are then dropped as RecordExpired and the shard
moves on."""

from __future__ import annotations

from esm_lab import T0

DAY = 24 * 3600


def test_failing_batch_is_retried_until_its_records_expire(lab):
    lab.create_stream()
    mapping = lab.mapping("poisoned", "esm_poison:handler")  # MaximumRetryAttempts -1
    assert mapping.config.maximum_retry_attempts == -1
    lab.put(b"a", b"poison", b"b", at=0.5)
    lab.put(b"an hour later", at=3600.5)
    lab.run(DAY + 120)

    failed = [b for b in mapping.batches if b.outcome == "error"]
    assert all(b.size == 3 for b in failed)
    assert failed[-1].time - T0 < DAY + 0.5  # last attempt while the records were retained
    assert len(failed) > DAY / 60  # retried all along (at most 60 s apart)
    [delivered] = [b for b in mapping.batches if b.outcome == "success"]
    # the first retry after expiry drops them; the record behind goes right away
    assert DAY + 0.5 < delivered.time - T0 <= DAY + 0.5 + 60
    assert lab.delivered(mapping) == [b"an hour later"]
    lab.settle()
    hop = lab.hop(mapping)
    assert hop.dropped == {"RecordExpired": 3}
    assert (hop.available, hop.delivered, hop.in_flight) == (4, 1, 0)


def test_records_expiring_in_part_leave_the_rest_of_the_batch_to_retry(lab):
    lab.create_stream()
    mapping = lab.mapping(
        "poisoned", "esm_poison:handler", batch_size=10, maximum_batching_window=300
    )
    lab.put(b"early", at=0.5)
    lab.put(b"poison", at=200.5)  # same batch (window 1..301)
    lab.run(DAY + 150)  # "early" has expired, "poison" not yet
    assert lab.batches()[0] == [b"early", b"poison"]
    assert lab.batches()[-1] == [b"poison"]
    lab.run(DAY + 400)
    lab.settle()
    assert lab.hop(mapping).dropped == {"RecordExpired": 2}


def test_unread_records_expire_while_the_mapping_is_disabled(lab):
    lab.create_stream()
    mapping = lab.mapping()
    mapping.disable()
    lab.put(b"a", b"b", at=0.5)
    lab.run(DAY + 10)
    lab.settle()
    hop = lab.hop(mapping)
    assert hop.dropped == {"RecordExpired": 2}
    assert (hop.available, hop.delivered, hop.in_flight) == (2, 0, 0)
    mapping.enable()
    lab.put(b"c")
    lab.run(DAY + 12)
    assert lab.delivered(mapping) == [b"c"]
