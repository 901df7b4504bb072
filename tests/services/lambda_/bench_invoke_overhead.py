"""Per-invocation overhead of the Lambda runtime (not a test: run it by hand).

    .venv/bin/python tests/services/lambda_/bench_invoke_overhead.py

Invokes a no-op handler in a loop and prints microseconds per invocation for: a tiny event,
a 100-record Kinesis-shaped event passed as a dict (includes the JSON round trip), the same
event passed as pre-encoded bytes (only the decode), and the JSON round trip alone.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "handlers"))

from sim.services.lambda_ import FunctionConfig, LambdaRuntime  # noqa: E402


def kinesis_event(n: int) -> dict:
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": f"station-{i}",
                    "sequenceNumber": f"4959033827149025660855969253836157109592157598913{i:07d}",
                    "data": "eyJzdGF0aW9uIjogIlVTVzAwMDkzNzIxIiwgInRlbXAiOiAxMi41fQ==",
                    "approximateArrivalTimestamp": 1545084650.987,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000006:4959033827149025660855969253836157109592157598913{i:07d}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
                "awsRegion": "us-east-2",
                "eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
            }
            for i in range(n)
        ]
    }


def per_call(fn, n: int) -> float:
    for _ in range(200):
        fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    runtime = LambdaRuntime()
    runtime.create_function(FunctionConfig(name="noop", handler="lambda_noop:handler"))
    small = {"k": 1}
    batch = kinesis_event(100)
    body = json.dumps(batch).encode()

    def small_invoke():
        runtime.invoke("noop", small, source="bench")
        runtime.invocations.clear()

    def batch_invoke():
        runtime.invoke("noop", batch, source="bench")
        runtime.invocations.clear()

    def bytes_invoke():
        runtime.invoke("noop", body, source="bench")
        runtime.invocations.clear()

    print(f"tiny event:                    {per_call(small_invoke, n):7.1f} us/invoke")
    print(f"100-record event (dict):       {per_call(batch_invoke, n // 10):7.1f} us/invoke")
    print(f"100-record event (bytes body): {per_call(bytes_invoke, n // 10):7.1f} us/invoke")
    print(
        f"JSON round trip alone:         {per_call(lambda: json.loads(json.dumps(batch)), n // 10):7.1f} us"
    )
    runtime.close()


if __name__ == "__main__":
    main()
