"""BatchSize: default 100, at most 10,000 for Kinesis (a validation error beyond)."""

from __future__ import annotations

import pytest

from sim.services.esm import KinesisMappingConfig


def test_default_batch_size_is_100(lab):
    assert KinesisMappingConfig().batch_size == 100
    lab.create_stream()
    lab.put(*[b"x"] * 250)
    mapping = lab.mapping()  # BatchSize not given
    lab.run(1)
    assert [b.size for b in mapping.batches] == [100, 100, 50]


def test_batch_size_caps_each_invocation(lab):
    lab.create_stream()
    lab.put(*[str(i).encode() for i in range(7)])
    mapping = lab.mapping(batch_size=3)
    lab.run(1)
    assert [b.size for b in mapping.batches] == [3, 3, 1]
    assert lab.batches() == [[b"0", b"1", b"2"], [b"3", b"4", b"5"], [b"6"]]


def test_batch_size_10000_is_allowed_and_used(lab):
    lab.create_stream()
    for second in range(11):  # 1,000 records per second: one shard's write limit
        lab.put(*[f"{second}.{i}".encode() for i in range(1000)], at=second)
    lab.put(*[b"last"] * 500, at=11)
    mapping = lab.mapping(batch_size=10_000)
    lab.run(12)
    assert [b.size for b in mapping.batches] == [10_000, 1500]


def test_batch_size_1_is_allowed(lab):
    lab.create_stream()
    lab.put(b"a", b"b")
    mapping = lab.mapping(batch_size=1)
    lab.run(1)
    assert [b.size for b in mapping.batches] == [1, 1]


@pytest.mark.parametrize("size", [0, -1, 10_001, 100_000])
def test_batch_size_outside_1_to_10000_is_rejected(lab, size):
    lab.create_stream()
    with pytest.raises(ValueError, match="BatchSize must be 1..10000"):
        lab.mapping(batch_size=size)
    assert lab.mappings == []
