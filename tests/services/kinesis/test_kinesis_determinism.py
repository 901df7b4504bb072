"""Same inputs and the same clock readings give the same answers, byte for byte."""

from __future__ import annotations

import json
import random

from sim.services.kinesis import KinesisService


def run_script(seed: int) -> list:
    clock = [1_700_000_000.0]

    def now() -> float:
        clock[0] += 0.25
        return clock[0]

    service = KinesisService(now=now, rng=random.Random(seed))
    outputs = []

    def call(operation, body):
        status, headers, payload = service.handle(
            f"Kinesis_20131202.{operation}", "application/x-amz-json-1.1", json.dumps(body).encode()
        )
        outputs.append((status, headers, payload))
        return json.loads(payload) if payload else None

    call("CreateStream", {"StreamName": "d", "ShardCount": 3})
    for i in range(20):
        call("PutRecord", {"StreamName": "d", "PartitionKey": f"k{i}", "Data": "AAEC"})
    iterator = call(
        "GetShardIterator",
        {"StreamName": "d", "ShardId": "shardId-000000000001", "ShardIteratorType": "TRIM_HORIZON"},
    )["ShardIterator"]
    call("GetRecords", {"ShardIterator": iterator})
    call("SplitShard", {"StreamName": "d", "ShardToSplit": "shardId-000000000000",
                        "NewStartingHashKey": "12345678901234567890"})  # fmt: skip
    call("ListShards", {"StreamName": "d", "MaxResults": 2})
    return outputs


def test_identical_runs():
    assert run_script(7) == run_script(7)


def test_only_request_ids_depend_on_the_rng():
    first, second = run_script(1), run_script(2)
    assert [(s, p) for s, _, p in first] == [(s, p) for s, _, p in second]
    assert [h["x-amzn-RequestId"] for _, h, _ in first] != [
        h["x-amzn-RequestId"] for _, h, _ in second
    ]
