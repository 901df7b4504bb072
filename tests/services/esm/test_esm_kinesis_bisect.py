"""BisectBatchOnFunctionError: a failing batch is split in two and each half retried on its own,
so a poison record ends up alone; bisection does not use up MaximumRetryAttempts."""

from __future__ import annotations

from esm_lab import Lab

RECORDS = ["a", "b", "c", "poison", "e", "f", "g", "h"]


def test_bisect_isolates_the_poison_record(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping(
        "bisecting",
        "esm_poison:handler",
        batch_size=8,
        bisect_batch_on_function_error=True,
        maximum_retry_attempts=1,
    )
    lab.put(*RECORDS, at=0.5)
    lab.run(30)
    assert [len(batch) for batch in lab.batches("bisecting")] == [8, 4, 2, 2, 1, 1, 1, 4]
    assert lab.delivered(mapping) == [b"a", b"b", b"c", b"e", b"f", b"g", b"h"]
    hop = lab.hop(mapping)
    assert hop.dropped == {"RetryAttemptsExhausted": 1}
    assert mapping.stats.bisections == 3
    dropped = [b for b in mapping.batches if b.outcome == "dropped"]
    assert [(b.size, b.attempt) for b in dropped] == [(1, 2)]


def test_without_bisect_the_whole_batch_is_given_up(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping("whole", "esm_poison:handler", batch_size=8, maximum_retry_attempts=1)
    lab.put(*RECORDS, at=0.5)
    lab.run(30)
    assert [len(batch) for batch in lab.batches("whole")] == [8, 8]
    assert lab.delivered(mapping) == []
    assert lab.hop(mapping).dropped == {"RetryAttemptsExhausted": 8}
    assert mapping.stats.bisections == 0


def test_bisected_halves_keep_the_shard_order(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping(
        "ordered",
        "esm_flaky:handler",
        env={"FAIL_TIMES": "1"},
        batch_size=4,
        bisect_batch_on_function_error=True,
    )
    lab.put("1", "2", "3", "4", "5", at=0.5)
    lab.run(10)
    # the first try of 1-4 fails: 1-2 then 3-4 succeed, then 5
    assert [len(batch) for batch in lab.batches("ordered")] == [4, 2, 2, 1]
    assert lab.delivered(mapping) == [b"1", b"2", b"3", b"4", b"5"]
    assert lab.hop(mapping).retried == 4
