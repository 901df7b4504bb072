"""disable() stops invocations; enable() resumes from each shard's checkpoint (no record lost,
none delivered twice)."""

from __future__ import annotations

from esm_lab import T0


def test_disable_stops_invocations_and_enable_resumes_from_the_checkpoint(lab):
    lab.create_stream(shards=2)
    mapping = lab.mapping(batch_size=10)
    data = []
    for second in range(20):
        items = [f"{second}.{i}".encode() for i in range(4)]
        lab.put(*items, keys=[f"k{i}" for i in range(4)], at=second + 0.5)
        data += items
        if second == 5:
            mapping.disable()
            assert mapping.state == "Disabled"
            seen = len(mapping.batches)
        if second == 14:
            assert len(mapping.batches) == seen  # nothing while disabled
            mapping.enable()
            assert mapping.state == "Enabled"
    lab.run(30)

    delivered = lab.delivered(mapping)
    assert sorted(delivered) == sorted(data)  # each record once
    resumed = [b for b in mapping.batches[seen:]]
    assert resumed[0].time - T0 == 14.5  # at once on enable, with the backlog
    assert all(b.time - T0 >= 14.5 for b in resumed)


def test_mapping_created_disabled_starts_when_enabled(lab):
    lab.create_stream()
    lab.put(b"early", at=0.5)
    mapping = lab.mapping(enabled=False)
    assert mapping.state == "Disabled"
    assert mapping.describe()["State"] == "Disabled"
    lab.put(b"later", at=5.5)
    lab.run(10)
    assert mapping.batches == []
    mapping.enable()
    lab.run(11)
    assert lab.delivered(mapping) == [b"early", b"later"]  # TRIM_HORIZON


def test_disabled_mapping_with_latest_starts_reading_when_enabled(lab):
    lab.create_stream()
    mapping = lab.mapping(enabled=False, starting_position="LATEST")
    lab.put(b"before enable", at=0.5)
    lab.run(2)
    mapping.enable()
    lab.put(b"after enable", at=2.5)
    lab.run(4)
    assert lab.delivered(mapping) == [b"after enable"]


def test_disable_while_a_batch_is_retried_keeps_the_batch(lab):
    lab.create_stream()
    mapping = lab.mapping("flaky", "esm_flaky:handler", env={"FAIL_TIMES": "1"})
    lab.put(b"a", b"b", at=0.5)
    lab.run(1.5)  # failed once at 1; retry due at 2
    mapping.disable()
    lab.put(b"c", at=3)
    lab.run(100)
    assert len(mapping.batches) == 1
    mapping.enable()
    lab.run(101)
    assert [(b.time - T0, b.outcome, b.size) for b in mapping.batches] == [
        (1.0, "error", 2),
        (100.0, "success", 2),  # the same batch, "c" not added
        (100.0, "success", 1),
    ]
    assert lab.delivered(mapping) == [b"a", b"b", b"c"]


def test_enable_and_disable_are_idempotent(lab):
    lab.create_stream()
    mapping = lab.mapping()
    mapping.enable()
    mapping.enable()
    lab.put(b"a", at=0.5)
    lab.run(1)
    mapping.disable()
    mapping.disable()
    lab.put(b"b", at=1.5)
    lab.run(3)
    mapping.enable()
    lab.run(4)
    assert lab.batches() == [[b"a"], [b"b"]]
