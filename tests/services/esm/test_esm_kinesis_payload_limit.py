"""The 6 MB synchronous payload limit cuts a batch: an event never exceeds 6,291,456 bytes, and
a batch holds as many records as fit."""

from __future__ import annotations

import json

from esm_lab import T0

from sim.services.esm import limits

LIMIT = 6_291_456  # Lambda's synchronous request limit, as its RequestTooLargeException says


def event_bytes(event: dict) -> int:
    return len(json.dumps(event).encode())


def test_limit_constant_is_lambdas_sync_request_limit():
    assert limits.INVOKE_PAYLOAD_MAX_BYTES == LIMIT


def test_large_records_are_cut_at_the_payload_limit(lab):
    lab.create_stream()
    data = [bytes([65 + i]) * 1_000_000 for i in range(10)]  # base64: 1,333,336 bytes each
    for i, item in enumerate(data):  # one per second: the shard's 1 MB/s write limit
        lab.put(item, at=i)
    mapping = lab.mapping(batch_size=100)
    lab.run(10)

    assert [b.size for b in mapping.batches] == [4, 4, 2]  # 5 would be ~6.7 MB
    events = lab.events()
    assert all(event_bytes(event) <= LIMIT for event in events)
    assert lab.delivered(mapping) == data


def test_many_small_records_fill_the_event_to_the_limit_exactly(lab):
    """With BatchSize 10,000 and 300-byte records the payload limit, not the count, ends each
    batch: each event is as large as it can be without passing 6,291,456 bytes."""
    lab.create_stream()
    data = [(b"%05d" % i) * 60 for i in range(10_000)]
    for second in range(10):
        lab.put(*data[second * 1000 : (second + 1) * 1000], keys=None, at=second)
    mapping = lab.mapping(batch_size=10_000)
    lab.run(10)

    sizes = [b.size for b in mapping.batches]
    assert sum(sizes) == 10_000 and len(sizes) == 2
    first, second = lab.events()
    assert event_bytes(first) <= LIMIT
    # one more record would not have fitted
    grown = dict(first, Records=first["Records"] + second["Records"][:1])
    assert event_bytes(grown) > LIMIT
    assert all(b.outcome == "success" for b in mapping.batches)
    assert lab.delivered(mapping) == data


def test_a_record_too_large_for_any_event_is_not_sent_and_waits_for_its_age_limit(lab):
    """A large record (MaxRecordSizeInKiB raised) whose event would pass 6 MB fails before
    invocation: the function is not called, MaximumRetryAttempts does not count it, and it is
    dropped once it passes MaximumRecordAgeInSeconds. (AWS documents no such case; see
    limits.PAYLOAD_TOO_LARGE_REASON.)"""
    lab.create_stream()
    arn = lab.backend.get_stream("s").arn
    lab.backend.invoke("UpdateMaxRecordSize", {"StreamARN": arn, "MaxRecordSizeInKiB": 10240})
    mapping = lab.mapping(maximum_record_age=60, maximum_retry_attempts=0)
    lab.put(b"small before", at=0.2)
    lab.put(b"L" * 4_800_000, at=1.5)  # its base64 alone: 6,400,000 bytes
    lab.put(b"small after", at=30)
    lab.run(100)

    assert lab.batches() == [[b"small before"], [b"small after"]]
    outcomes = [(b.time - T0, b.outcome, b.reason, b.request_id is None) for b in mapping.batches]
    assert outcomes[0] == (1.0, "success", None, False)
    # failures before invocation at 2, 3, 5, 9, 17, 33 s (the retry backoff) ...
    assert outcomes[1:-2] == [
        (t, "error", "RequestTooLargeException", True) for t in (2.0, 3.0, 5.0, 9.0, 17.0, 33.0)
    ]
    # ... until the record is older than 60 s; then the shard moves on
    assert outcomes[-2] == (65.0, "dropped", "RecordAgeExceeded", True)
    assert outcomes[-1] == (65.0, "success", None, False)
    lab.settle()
    hop = lab.hop(mapping)
    assert hop.dropped == {"RecordAgeExceeded": 1}
    assert hop.delivered == 2
