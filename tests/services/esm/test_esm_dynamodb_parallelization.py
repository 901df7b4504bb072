"""ParallelizationFactor on a DynamoDB Streams mapping: up to 10 batches of one shard at once, the
records of one item (its primary key: partition key, and sort key if any) always in the same
lane and in order, so a failing item holds up only its own lane
(https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html, "Polling and batching streams":
"When you increase the number of concurrent batches per shard, Lambda still ensures in-order
processing at the item (partition and sort key) level")."""

from __future__ import annotations

import hashlib
import json

import esm_ddb_lab
import pytest
from esm_ddb_lab import DdbLab, change_of

from tests.esm_fidelity import assert_dynamodb_event

# the lab's fixtures (see esm_ddb_lab)
ddb_backend = esm_ddb_lab.ddb_backend
ddb = esm_ddb_lab.ddb


def lane_of(keys: dict, lanes: int) -> int:
    """The lane the mapping gives an item: a hash of its whole primary key (``Keys``)."""
    text = json.dumps(keys, sort_keys=True)
    return int.from_bytes(hashlib.md5(text.encode()).digest()[:8], "big") % lanes


def keys_in_lane(prefix: str, lane: int, lanes: int, count: int) -> list[str]:
    """``count`` item keys ``<prefix><n>`` whose records go to ``lane``."""
    found: list[str] = []
    n = 0
    while len(found) < count:
        key = f"{prefix}{n}"
        if lane_of({"pk": {"S": key}}, lanes) == lane:
            found.append(key)
        n += 1
    return found


def test_a_failing_item_holds_up_only_its_own_lane(ddb: DdbLab):
    ddb.table()
    [poison] = keys_in_lane("poison-", 0, 2, 1)
    blocked = keys_in_lane("blocked-", 0, 2, 2)
    free = keys_in_lane("free-", 1, 2, 3)
    mapping = ddb.mapping(
        "parallel", "esm_ddb_poison:handler", batch_size=10, parallelization_factor=2
    )
    ddb.put(poison, *blocked, at=0.1)
    ddb.put(*free, at=0.15)
    ddb.update(free[0], at=0.3, status="changed")
    ddb.run(20)
    for event in ddb.events("parallel"):
        assert_dynamodb_event(event)
        lanes = {lane_of(r["dynamodb"]["Keys"], 2) for r in event["Records"]}
        assert len(lanes) == 1  # a batch holds one lane's records
    assert ddb.delivered(mapping) == [f"INSERT {k}" for k in free] + [f"MODIFY {free[0]}"]
    ddb.settle()
    assert ddb.hop(mapping).in_flight == 3  # the poison and the items behind it, retried
    assert {b.lane for b in mapping.batches} == {0, 1}


def test_with_one_lane_a_failing_item_holds_up_the_shard(ddb: DdbLab):
    ddb.table()
    [poison] = keys_in_lane("poison-", 0, 2, 1)
    free = keys_in_lane("free-", 1, 2, 3)
    mapping = ddb.mapping("serial", "esm_ddb_poison:handler", batch_size=10)
    ddb.put(poison, at=0.1)
    ddb.put(*free, at=0.15)
    ddb.run(20)
    assert ddb.delivered(mapping) == []


def test_an_items_records_stay_in_order_across_lanes(ddb: DdbLab):
    ddb.table()
    mapping = ddb.mapping("ordered", "esm_recorder:handler", batch_size=3, parallelization_factor=4)
    items = [key for lane in range(4) for key in keys_in_lane(f"item-{lane}-", lane, 4, 3)]
    for step in range(5):  # INSERT, MODIFY x3, REMOVE of every item, interleaved
        for item in items:
            if step == 4:
                ddb.delete(item, at=0.1 + step * 0.02)
            else:
                ddb.put(item, at=0.1 + step * 0.02, step=step)
    ddb.run(10)
    delivered = ddb.delivered(mapping)
    assert sorted(delivered) == sorted(change_of(r) for r in ddb.stored())
    for item in items:
        mine = [change.split()[0] for change in delivered if change.split()[1] == item]
        assert mine == ["INSERT", "MODIFY", "MODIFY", "MODIFY", "REMOVE"]
    steps = {}
    for event in ddb.events("ordered"):
        for record in event["Records"]:
            if record["eventName"] != "REMOVE":
                key = record["dynamodb"]["Keys"]["pk"]["S"]
                step = int(record["dynamodb"]["NewImage"]["step"]["N"])
                assert step > steps.get(key, -1)  # never an older image after a newer one
                steps[key] = step
    assert {b.lane for b in mapping.batches} == {0, 1, 2, 3}


def test_the_lane_key_is_the_whole_primary_key(ddb: DdbLab):
    """Items sharing a partition key but not a sort key are different items: their records
    may go to different lanes (each item's in order)."""
    ddb.table(sort="sk")
    mapping = ddb.mapping(
        "composite", "esm_recorder:handler", batch_size=1, parallelization_factor=4
    )
    sort_keys = [f"s{n}" for n in range(8)]
    for sk in sort_keys:
        ddb.put("same-partition", at=0.1, sk=sk)
    ddb.run(5)
    expected = {lane_of({"pk": {"S": "same-partition"}, "sk": {"S": sk}}, 4) for sk in sort_keys}
    assert len(expected) > 1
    assert {b.lane for b in mapping.batches} == expected
    assert ddb.hop(mapping).delivered == 8


def test_the_factor_is_validated(ddb: DdbLab):
    ddb.table()
    with pytest.raises(ValueError, match="ParallelizationFactor must be 1..10"):
        ddb.mapping(parallelization_factor=11)
