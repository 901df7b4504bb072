"""Concurrency on the clock: each invocation holds a slot for ``invocation_duration``; Lambda
starts with 5 concurrent batches and adds up to 300 a minute while messages wait
(services-sqs-scaling.html); ScalingConfig.MaximumConcurrency caps it. A throttled invoke is
retried while the batch's visibility timeout lasts, then the batch comes back
(services-sqs-errorhandling.html)."""

from __future__ import annotations

from collections import Counter

import esm_sqs_lab
from esm_sqs_lab import T0

from sim.services.esm.sqs import THROTTLED_REASON

# the lab's fixtures (see esm_sqs_lab)
embedded_backend = esm_sqs_lab.embedded_backend
sqs_lab = esm_sqs_lab.sqs_lab


def most_in_flight(mapping, duration: float) -> int:
    """The most invocations running at one instant (each runs [start, start + duration))."""
    changes = sorted(
        [(b.time, 1) for b in mapping.batches] + [(b.time + duration, -1) for b in mapping.batches]
    )
    running = peak = 0
    for _, change in changes:  # at equal times the ends (-1) come first
        running += change
        peak = max(peak, running)
    return peak


def starts(mapping) -> dict[float, int]:
    return dict(Counter(round(b.time - T0, 3) for b in mapping.batches))


def test_maximum_concurrency_caps_the_batches_in_flight(sqs_lab):
    sqs_lab.create_queue("q")
    capped = sqs_lab.mapping(batch_size=1, maximum_concurrency=2, invocation_duration=1.0)
    sqs_lab.send(*[f"m{i:03d}" for i in range(100)], at=0.5)
    sqs_lab.run(60)
    assert len(capped.batches) == 100
    assert most_in_flight(capped, 1.0) == 2
    assert set(starts(capped).values()) == {2}  # two at a time, one second each
    assert max(b.time for b in capped.batches) - T0 == 50.0  # 100 messages: 50 s
    assert sqs_lab.queued("q") == []


def test_without_maximum_concurrency_the_pollers_scale_up(sqs_lab):
    sqs_lab.create_queue("q")
    free = sqs_lab.mapping(batch_size=1, invocation_duration=1.0)
    sqs_lab.send(*[f"m{i:03d}" for i in range(100)], at=0.5)
    sqs_lab.run(60)
    # 5 at first, then 5 more for each second messages waited: 5, 10, 15, 20, 25, 25 left
    assert starts(free) == {1.0: 5, 2.0: 10, 3.0: 15, 4.0: 20, 5.0: 25, 6.0: 25}
    assert max(b.time for b in free.batches) - T0 == 6.0  # against 50 s capped at 2


def test_the_scale_up_follows_the_backlogs_age(sqs_lab):
    sqs_lab.create_queue("q", visibility=60)
    mapping = sqs_lab.mapping(batch_size=1, invocation_duration=10.0)
    sqs_lab.send(*[f"m{i:03d}" for i in range(120)], at=0.5)
    sqs_lab.run(60)
    # 300 more a minute: 50 more every 10 s of backlog (105 allowed at 21; 60 were left)
    assert starts(mapping) == {1.0: 5, 11.0: 55, 21.0: 60}


def test_a_throttled_batch_is_retried_until_its_visibility_timeout_then_comes_back(sqs_lab):
    sqs_lab.create_queue("q", visibility=10)
    mapping = sqs_lab.mapping()
    sqs_lab.runtime.set_concurrency("consumer", 0)  # every invoke is throttled
    sqs_lab.clock.call_at(T0 + 15, sqs_lab.runtime.set_concurrency, "consumer", None)
    sqs_lab.send("a", at=0.5)
    sqs_lab.run(40)

    timeline = [
        (round(b.time - T0, 3), b.outcome, b.reason, b.receive_count) for b in mapping.batches
    ]
    throttled = ("error", THROTTLED_REASON)
    assert timeline == [
        (1.0, *throttled, 1),  # retried after 1, 2, 4 s ...
        (2.0, *throttled, 1),
        (4.0, *throttled, 1),
        (8.0, *throttled, 1),  # ... the next try (16) would pass the visibility timeout (11)
        (11.001, *throttled, 2),  # back in the queue, received again
        (12.001, *throttled, 2),
        (14.001, *throttled, 2),
        (18.001, "success", None, 2),  # throttling lifted at 15
    ]
    assert all(b.request_id is None for b in mapping.batches[:-1])  # the function never ran
    assert [r.outcome for r in sqs_lab.runtime.invocations] == ["success"]
    assert sqs_lab.queued("q") == []
    sqs_lab.settle()
    hop = sqs_lab.hop(mapping)
    # 6 re-invokes after a throttle, 1 receive after giving up: retries, not failures
    assert (hop.available, hop.delivered, hop.retried, sum(hop.dropped.values())) == (1, 1, 7, 0)
