"""Timing script for the Kinesis hot path (not a test; run it by hand).

    .venv/bin/python tests/services/kinesis/bench_hot_path.py

Measures PutRecords of 500 x ~200-byte records: (1) ``KinesisService.handle`` alone (JSON
decode + checks + store + encode) and (2) the whole boto3 round trip in-process through a
``before-send`` hook, as records per second. Also GetRecords of 10,000 records.
"""

from __future__ import annotations

import base64
import json
import random
import statistics
import time

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from sim.services.kinesis import KinesisService

RECORDS = 500
PAYLOAD = 200


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_):
        yield self.body


def main() -> None:
    clock = [1_700_000_000.0]
    service = KinesisService(now=lambda: clock[0], rng=random.Random(1))
    service.backend.invoke("CreateStream", {"StreamName": "bench", "ShardCount": 64})
    rng = random.Random(7)
    entries = [
        {
            "Data": base64.b64encode(rng.randbytes(PAYLOAD)).decode(),
            "PartitionKey": f"key-{rng.getrandbits(64):x}",
        }
        for _ in range(RECORDS)
    ]
    body = json.dumps({"StreamName": "bench", "Records": entries}).encode()
    target = "Kinesis_20131202.PutRecords"
    content_type = "application/x-amz-json-1.1"

    samples = []
    for _ in range(400):
        clock[0] += 1.0  # a new throughput window per request
        start = time.perf_counter()
        status, _, _ = service.handle(target, content_type, body)
        samples.append(time.perf_counter() - start)
        assert status == 200
    median = statistics.median(samples) * 1000
    print(
        f"handle(PutRecords x{RECORDS}): median {median:.2f} ms, "
        f"p90 {statistics.quantiles(samples, n=10)[-1] * 1000:.2f} ms, "
        f"{RECORDS / statistics.median(samples):,.0f} records/s"
    )

    client = boto3.client(
        "kinesis",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )

    def before_send(request, **_):
        status, headers, payload = service.handle(
            request.headers["X-Amz-Target"].decode()
            if isinstance(request.headers["X-Amz-Target"], bytes)
            else request.headers["X-Amz-Target"],
            request.headers["Content-Type"].decode()
            if isinstance(request.headers["Content-Type"], bytes)
            else request.headers["Content-Type"],
            request.body,
        )
        return AWSResponse(request.url, status, headers, _Raw(payload))

    client.meta.events.register_first("before-send.kinesis", before_send)
    records = [
        {"Data": base64.b64decode(e["Data"]), "PartitionKey": e["PartitionKey"]} for e in entries
    ]
    rounds = []
    for _ in range(100):
        clock[0] += 1.0
        start = time.perf_counter()
        response = client.put_records(StreamName="bench", Records=records)
        rounds.append(time.perf_counter() - start)
        assert response["FailedRecordCount"] == 0
    med = statistics.median(rounds)
    print(
        f"boto3 put_records x{RECORDS} round trip: median {med * 1000:.2f} ms, "
        f"{RECORDS / med:,.0f} records/s"
    )

    shard = service.backend.get_stream("bench").shards[0]
    iterator = client.get_shard_iterator(
        StreamName="bench", ShardId=shard.shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    start = time.perf_counter()
    got = client.get_records(ShardIterator=iterator, Limit=10_000)
    elapsed = time.perf_counter() - start
    print(f"boto3 get_records: {len(got['Records'])} records in {elapsed * 1000:.1f} ms")
    total = sum(s.end_index for s in service.backend.get_stream("bench").shards)
    print(f"stream holds {total:,} records")


if __name__ == "__main__":
    main()
