"""MaximumBatchingWindowInSeconds: records are gathered until the batch is full (BatchSize or
the 6 MB payload limit) or the window, opened when the first record is read, ends."""

from __future__ import annotations

import pytest
from esm_lab import T0


def test_records_are_gathered_until_the_window_ends(lab):
    lab.create_stream()
    mapping = lab.mapping(batch_size=100, maximum_batching_window=5)
    for second in range(12):  # 10 records every second, at .5
        lab.put(*[f"{second}.{i}".encode() for i in range(10)], at=second + 0.5)
    lab.run(13)

    # read first at 1 (window 1..6), then at 7 (window 7..12)
    assert [(b.time - T0, b.size) for b in mapping.batches] == [(6.0, 60), (12.0, 60)]
    assert lab.delivered(mapping) == [f"{s}.{i}".encode() for s in range(12) for i in range(10)]


def test_a_full_batch_does_not_wait_for_the_window(lab):
    lab.create_stream()
    mapping = lab.mapping(batch_size=100, maximum_batching_window=300)
    lab.put(*[b"x"] * 250, at=0.5)
    lab.run(400)

    assert [(b.time - T0, b.size) for b in mapping.batches] == [
        (1.0, 100),
        (1.0, 100),
        (301.0, 50),  # the rest waits for its window, opened at 1
    ]


def test_a_batch_filling_up_during_the_window_is_sent_when_full(lab):
    lab.create_stream()
    mapping = lab.mapping(batch_size=30, maximum_batching_window=60)
    for second in range(5):
        lab.put(*[b"y"] * 10, at=second + 0.5)
    lab.run(100)

    # 10 read at 1, 20 at 2, full (30) at 3; the next 20 wait for their window (4..64)
    assert [(b.time - T0, b.size) for b in mapping.batches] == [(3.0, 30), (64.0, 20)]


def test_a_batch_full_by_payload_does_not_wait_for_the_window(lab):
    lab.create_stream()
    mapping = lab.mapping(batch_size=100, maximum_batching_window=300)
    for second in range(6):  # 1 MB records, one per second (the shard's write limit)
        lab.put(bytes([65 + second]) * 1_000_000, at=second + 0.5)
    lab.run(400)

    # at 5 the fifth record would take the event past 6 MB: the 4 gathered go at once
    assert [(b.time - T0, b.size) for b in mapping.batches] == [(5.0, 4), (305.0, 2)]


def test_no_window_invokes_as_soon_as_records_are_read(lab):
    lab.create_stream()
    mapping = lab.mapping(batch_size=100)  # MaximumBatchingWindowInSeconds 0 (default)
    lab.put(b"a", at=0.5)
    lab.put(b"b", at=1.5)
    lab.run(3)
    assert [(b.time - T0, b.size) for b in mapping.batches] == [(1.0, 1), (2.0, 1)]


@pytest.mark.parametrize("window", [-1, 301])
def test_window_outside_0_to_300_is_rejected(lab, window):
    lab.create_stream()
    with pytest.raises(ValueError, match="MaximumBatchingWindowInSeconds must be 0..300"):
        lab.mapping(maximum_batching_window=window)


def test_window_of_300_is_allowed(lab):
    lab.create_stream()
    assert (
        lab.mapping(maximum_batching_window=300).describe()["MaximumBatchingWindowInSeconds"] == 300
    )
