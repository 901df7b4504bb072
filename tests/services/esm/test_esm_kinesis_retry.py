"""A failed batch is retried whole; its shard does not advance meanwhile, so later records wait
(order is kept per shard), while the other shards go on."""

from __future__ import annotations

from esm_lab import T0

SHARD0, SHARD1 = "shardId-000000000000", "shardId-000000000001"


def test_failed_batch_is_retried_whole_and_later_records_wait(lab):
    lab.create_stream()
    mapping = lab.mapping(
        "flaky", "esm_flaky:handler", env={"FAIL_TIMES": "3"}, maximum_retry_attempts=-1
    )
    lab.put(b"a", b"b", b"c", at=0.5)
    lab.put(b"d", at=1.5)  # after the first failure: not added to the batch being retried
    lab.run(20)

    # attempts at 1, 2 (+1 s), 4 (+2 s), 8 (+4 s): the same three records each time
    assert lab.batches() == [[b"a", b"b", b"c"]] * 4 + [[b"d"]]
    assert [(b.time - T0, b.outcome, b.attempt) for b in mapping.batches] == [
        (1.0, "error", 1),
        (2.0, "error", 2),
        (4.0, "error", 3),
        (8.0, "success", 4),
        (8.0, "success", 1),  # "d" only once the batch before it succeeded
    ]
    assert {b.first_sequence for b in mapping.batches[:4]} == {mapping.batches[0].first_sequence}
    lab.settle()
    hop = lab.hop(mapping)
    assert (hop.delivered, hop.retried, sum(hop.dropped.values())) == (4, 9, 0)


def test_records_of_a_shard_are_delivered_in_order_despite_failures(lab):
    lab.create_stream()
    mapping = lab.mapping("flaky", "esm_flaky:handler", env={"FAIL_TIMES": "5"}, batch_size=7)
    data = [f"{i:03d}".encode() for i in range(100)]
    for second in range(10):
        lab.put(*data[second * 10 : second * 10 + 10], at=second + 0.5)
    lab.run(120)
    assert lab.delivered(mapping) == data


def test_a_failing_shard_does_not_block_the_others(lab):
    lab.create_stream(shards=2)
    mapping = lab.mapping("poisoned", "esm_poison:handler", maximum_retry_attempts=-1)
    lab.put(b"ok-0", b"poison", shard=SHARD0, at=0.5)
    for second in range(1, 30):
        lab.put(f"s1-{second}".encode(), shard=SHARD1, at=second + 0.5)
        if second == 10:
            lab.put(b"stuck behind poison", shard=SHARD0)
    lab.run(31)

    by_shard = {SHARD0: [], SHARD1: []}
    for b in mapping.batches:
        by_shard[b.shard_id].append(b)
    # shard 1: every record delivered within a second of its arrival
    assert [b.outcome for b in by_shard[SHARD1]] == ["success"] * 29
    assert [b.time - T0 for b in by_shard[SHARD1]] == [float(s) for s in range(2, 31)]
    # shard 0: the poisoned batch again and again; the record behind it never sent
    assert {b.outcome for b in by_shard[SHARD0]} == {"error"}
    assert all(b.size == 2 for b in by_shard[SHARD0])
    sent = [r for batch in lab.batches() for r in batch]
    assert b"stuck behind poison" not in sent
    lab.settle()
    hop = lab.hop(mapping)
    assert hop.delivered == 29
    assert hop.in_flight == 3  # the poisoned batch and the record behind it


def test_retries_back_off_from_1_s_doubling_to_60_s(lab):
    lab.create_stream()
    mapping = lab.mapping("poisoned", "esm_poison:handler", maximum_retry_attempts=-1)
    lab.put(b"poison", at=0.5)
    lab.run(400)
    times = [b.time - T0 for b in mapping.batches]
    assert times[:9] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 124.0, 184.0]
    assert all(later - earlier == 60 for earlier, later in zip(times[6:-1], times[7:], strict=True))
