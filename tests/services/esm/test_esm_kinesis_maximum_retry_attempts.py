"""MaximumRetryAttempts N: N+1 invocations of a failing batch, then it is dropped (reason
RetryAttemptsExhausted) and the shard moves on. -1 retries until the records expire."""

from __future__ import annotations

import pytest
from esm_lab import T0


@pytest.mark.parametrize("retries", [0, 1, 2, 5])
def test_n_retries_mean_n_plus_1_attempts_then_the_batch_is_dropped(lab, retries):
    lab.create_stream()
    mapping = lab.mapping(
        "poisoned", "esm_poison:handler", batch_size=3, maximum_retry_attempts=retries
    )
    lab.put(b"a", b"poison", b"b", b"next", at=0.5)  # "next" waits in the following batch
    lab.run(200)

    first = mapping.batches[0].first_sequence
    failing = [b for b in mapping.batches if b.first_sequence == first]
    assert [(b.outcome, b.attempt) for b in failing] == [
        *[("error", n) for n in range(1, retries + 2)],
        ("dropped", retries + 1),
    ]
    assert failing[-1].reason == "RetryAttemptsExhausted"
    assert failing[-1].size == 3
    assert failing[-1].time == failing[-2].time  # dropped right after the last attempt
    # then the shard moves on
    assert lab.batches()[-1] == [b"next"]
    assert mapping.batches[-1].outcome == "success"
    assert mapping.batches[-1].time == failing[-1].time
    lab.settle()
    hop = lab.hop(mapping)
    assert hop.dropped == {"RetryAttemptsExhausted": 3}
    assert (hop.available, hop.delivered, hop.in_flight) == (4, 1, 0)
    assert hop.retried == 3 * retries  # failed attempts that were retried


def test_attempts_are_counted_per_batch(lab):
    """A later batch gets its own N+1 attempts."""
    lab.create_stream()
    mapping = lab.mapping("poisoned", "esm_poison:handler", maximum_retry_attempts=1)
    lab.put(b"poison", at=0.5)
    lab.run(10)
    lab.put(b"poison", at=10.5)
    lab.run(20)
    assert [(b.time - T0, b.outcome, b.attempt) for b in mapping.batches] == [
        (1.0, "error", 1),
        (2.0, "error", 2),
        (2.0, "dropped", 2),
        (11.0, "error", 1),
        (12.0, "error", 2),
        (12.0, "dropped", 2),
    ]


def test_a_success_resets_the_attempts(lab):
    lab.create_stream()
    mapping = lab.mapping(
        "flaky", "esm_flaky:handler", env={"FAIL_TIMES": "2"}, maximum_retry_attempts=2
    )
    lab.put(b"first", at=0.5)
    lab.run(10)
    lab.put(b"second", at=10.5)
    lab.run(20)
    assert [(b.outcome, b.attempt) for b in mapping.batches] == [
        ("error", 1),
        ("error", 2),
        ("success", 3),  # the last allowed attempt
        ("success", 1),
    ]
    assert lab.delivered(mapping) == [b"first", b"second"]


@pytest.mark.parametrize("retries", [-2, 10_001])
def test_maximum_retry_attempts_outside_range_is_rejected(lab, retries):
    lab.create_stream()
    with pytest.raises(ValueError, match="MaximumRetryAttempts must be -1..10000"):
        lab.mapping(maximum_retry_attempts=retries)


@pytest.mark.parametrize("retries", [-1, 0, 10_000])
def test_maximum_retry_attempts_in_range_is_accepted(lab, retries):
    lab.create_stream()
    assert lab.mapping(maximum_retry_attempts=retries).describe()["MaximumRetryAttempts"] == (
        retries
    )
