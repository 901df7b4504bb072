"""A handler that runs past its timeout fails the batch, which is retried like any failure.

Each timed-out invocation costs the function's timeout (1 s) in wall-clock time.
"""

from __future__ import annotations

from esm_lab import T0


def test_timeout_counts_as_a_failure_and_the_batch_is_retried(lab):
    lab.create_stream()
    mapping = lab.mapping("slow", "esm_slow:handler", timeout=1, env={"SLOW_TIMES": "1"})
    lab.put(b"a", b"b", at=0.5)
    lab.run(5)

    assert [(b.time - T0, b.outcome, b.attempt, b.size) for b in mapping.batches] == [
        (1.0, "timeout", 1, 2),
        (2.0, "success", 2, 2),
    ]
    assert lab.batches() == [[b"a", b"b"], [b"a", b"b"]]
    assert [r.outcome for r in lab.runtime.invocations] == ["timeout", "success"]
    lab.settle()
    hop = lab.hop(mapping)
    assert (hop.delivered, hop.retried) == (2, 2)


def test_timeouts_use_up_maximum_retry_attempts(lab):
    lab.create_stream()
    mapping = lab.mapping(
        "slow", "esm_slow:handler", timeout=1, env={"SLOW_TIMES": "1"}, maximum_retry_attempts=0
    )
    lab.put(b"a", at=0.5)
    lab.put(b"b", at=1.5)
    lab.run(5)

    assert [(b.time - T0, b.outcome, b.reason) for b in mapping.batches] == [
        (1.0, "timeout", None),
        (1.0, "dropped", "RetryAttemptsExhausted"),
        (2.0, "success", None),
    ]
    assert lab.delivered(mapping) == [b"b"]
