"""A mapping changed while the run goes on: disabled and enabled again (it resumes from its
checkpoint), updated (the new parameters apply to the next batch), and deleted (it stops; what
it had not processed is reported dropped)."""

from __future__ import annotations

import pytest
from esm_lab import Lab


def test_disable_then_enable_resumes_from_the_checkpoint(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping("paused", "esm_recorder:handler")
    lab.put("a", at=0.5)
    lab.run(2)
    mapping.update(enabled=False)
    assert mapping.describe()["State"] == "Disabled"
    lab.put("b", "c", at=3)
    lab.run(20)
    assert lab.batches("paused") == [[b"a"]]
    mapping.update(enabled=True)
    lab.run(22)
    assert lab.batches("paused") == [[b"a"], [b"b", b"c"]]


def test_an_updated_batch_size_applies_to_the_next_batch(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping("resized", "esm_recorder:handler", batch_size=2)
    lab.put(*"abcd", at=0.5)
    lab.run(1.5)
    mapping.update(batch_size=3)
    lab.put(*"efg", at=2.5)
    lab.run(5)
    assert [len(b) for b in lab.batches("resized")] == [2, 2, 3]
    assert mapping.describe()["BatchSize"] == 3


def test_updating_the_factor_moves_held_records_to_the_new_lanes(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping("relaned", "esm_recorder:handler", batch_size=1)
    lab.put(*[str(n) for n in range(6)], keys=[f"k{n}" for n in range(6)], at=0.5)
    lab.run(1.0)
    mapping.update(parallelization_factor=3)
    lab.run(10)
    assert sorted(lab.delivered(mapping)) == [str(n).encode() for n in range(6)]
    assert mapping.describe()["ParallelizationFactor"] == 3


def test_deleting_stops_the_mapping_and_reports_what_it_left(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping("deleted", "esm_poison:handler")
    lab.put("a", at=0.5)
    lab.run(2)
    lab.put("poison", "b", at=3)
    lab.run(5)  # the poison batch is being retried
    mapping.delete()
    lab.put("after", at=6)
    lab.run(30)
    assert all(b"after" not in batch for batch in lab.batches("deleted"))
    assert mapping.describe()["State"] == "Deleting"
    lab.settle()
    hop = lab.hop(mapping)
    assert hop.delivered == 1
    assert hop.dropped == {"EventSourceMappingDeleted": 2}
    assert hop.available == 3  # "after" arrived once it was deleted: not this mapping's
    with pytest.raises(ValueError, match="being deleted"):
        mapping.update(batch_size=5)


def test_unknown_and_fixed_parameters_are_refused(lab: Lab):
    lab.create_stream()
    mapping = lab.mapping("strict", "esm_recorder:handler")
    with pytest.raises(ValueError, match="unknown event source mapping parameter"):
        mapping.update(batchsize=5)
    with pytest.raises(ValueError, match="starting_position cannot be updated"):
        mapping.update(starting_position="LATEST")
    with pytest.raises(ValueError, match="BatchSize must be"):
        mapping.update(batch_size=0)
    assert mapping.config.batch_size == 100


def test_updating_the_factor_while_an_invocation_runs_loses_nothing(lab: Lab):
    """The new lanes take over once the running invocation ends: nothing stays in flight and
    every key keeps its order."""
    lab.create_stream()
    mapping = lab.mapping("busy", "esm_recorder:handler", batch_size=2, invocation_duration=1.0)
    keys = [f"k{n % 3}" for n in range(9)]
    lab.put(*[f"{key}:{n}" for n, key in enumerate(keys)], keys=keys, at=0.5)
    lab.run(1.5)  # the first batch is running (from 1.0 to 2.0)
    mapping.update(parallelization_factor=3)
    lab.run(20)
    delivered = [d.decode() for d in lab.delivered(mapping)]
    assert sorted(delivered) == sorted(f"{key}:{n}" for n, key in enumerate(keys))
    for key in set(keys):
        mine = [int(d.split(":")[1]) for d in delivered if d.startswith(f"{key}:")]
        assert mine == sorted(mine)
    lab.settle()
    assert lab.hop(mapping).in_flight == 0
