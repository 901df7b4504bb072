"""ParallelizationFactor: up to 10 batches of one shard at once, order kept per partition key.
A failing batch holds up only its own keys; and with invocations that take time, more lanes
finish sooner."""

from __future__ import annotations

import hashlib

import pytest
from esm_lab import Lab


def _lane(key: str, lanes: int) -> int:
    return int.from_bytes(hashlib.md5(key.encode()).digest()[:8], "big") % lanes


def _keys_in_distinct_lanes(lanes: int) -> list[str]:
    found: dict[int, str] = {}
    n = 0
    while len(found) < lanes:
        found.setdefault(_lane(f"key-{n}", lanes), f"key-{n}")
        n += 1
    return [found[lane] for lane in range(lanes)]


def test_a_poison_record_holds_up_only_its_own_partition_keys(lab: Lab):
    lab.create_stream()
    blocked, free = _keys_in_distinct_lanes(2)
    mapping = lab.mapping("parallel", "esm_poison:handler", batch_size=10, parallelization_factor=2)
    lab.put("poison", "b1", "b2", keys=[blocked, blocked, blocked], at=0.5)
    lab.put("f1", "f2", "f3", keys=[free, free, free], at=0.6)
    lab.run(20)
    delivered = lab.delivered(mapping)
    assert delivered == [b"f1", b"f2", b"f3"]  # while the other lane retries
    for batch in lab.batches("parallel"):  # a batch holds one lane's records
        assert len({b[:1] for b in batch} - {b"p"}) <= 1
    lab.settle()
    assert lab.hop(mapping).in_flight == 3  # the blocked lane's records, still retried


def test_with_one_lane_the_poison_record_holds_up_the_shard(lab: Lab):
    lab.create_stream()
    blocked, free = _keys_in_distinct_lanes(2)
    mapping = lab.mapping("serial", "esm_poison:handler", batch_size=10)
    lab.put("poison", keys=[blocked], at=0.5)
    lab.put("f1", keys=[free], at=0.6)
    lab.run(20)
    assert lab.delivered(mapping) == []


def test_order_is_kept_per_partition_key(lab: Lab):
    lab.create_stream()
    names = _keys_in_distinct_lanes(4) + ["k0", "k1", "k2"]
    keys = [names[n % 7] for n in range(200)]
    data = [f"{key}:{n}" for n, key in enumerate(keys)]
    mapping = lab.mapping("ordered", "esm_recorder:handler", batch_size=5, parallelization_factor=4)
    lab.put(*data, keys=keys, at=0.5)
    lab.run(30)
    delivered = [d.decode() for d in lab.delivered(mapping)]
    assert sorted(delivered) == sorted(data)
    for key in set(keys):
        mine = [int(d.split(":")[1]) for d in delivered if d.startswith(f"{key}:")]
        assert mine == sorted(mine)
    lanes_used = {b.lane for b in mapping.batches}
    assert lanes_used == {0, 1, 2, 3}


@pytest.mark.parametrize(("factor", "seconds"), [(1, 8.0), (4, 2.0)])
def test_invocations_that_take_time_finish_sooner_with_more_lanes(
    lab: Lab, factor: int, seconds: float
):
    lab.create_stream()
    keys = _keys_in_distinct_lanes(4) * 2
    mapping = lab.mapping(
        "timed",
        "esm_recorder:handler",
        batch_size=1,
        parallelization_factor=factor,
        invocation_duration=1.0,
    )
    lab.put(*[str(n) for n in range(8)], keys=keys, at=0.5)
    lab.run(30)
    starts = [b.time for b in mapping.batches]
    assert len(starts) == 8
    # the last result is applied one invocation after the last start
    assert max(starts) + 1.0 - min(starts) == pytest.approx(seconds)
    assert lab.hop(mapping).delivered == 8


def test_the_factor_is_validated(lab: Lab):
    lab.create_stream()
    with pytest.raises(ValueError, match="ParallelizationFactor must be 1..10"):
        lab.mapping("bad", "esm_recorder:handler", parallelization_factor=11)
