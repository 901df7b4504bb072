"""Kinesis trigger throughput: records from a stream into a no-op handler, on the simulated clock.

N records (~200 B, random partition keys) are put on a stream of 4 shards of streamlab's
embedded backend (simulated time bound to the process, as ``Simulation.run`` does). Then, for
each BatchSize, a real :class:`KinesisEventSourceMapping` (TRIM_HORIZON) is created and the clock
is run until every record has been delivered; records/s is N over the wall time of that run.

Each is measured on CPU time of this process (all its threads: the handler runs on the
execution environment's thread, in turn with the clock's) and on wall-clock time; on a shared
machine only the second is slowed by other work, so the target is judged on the first.

Three ways through the same records, side by side:

* plain Python: read the shards in batches and build the Kinesis events with a comprehension of
  the same shape as the mapping's (the issue's reference, ~600k records/s on its machine);
* the mapping with an ``invoke`` that returns success at once (no Lambda runtime): polling,
  batching, checkpoints, batch outcomes, the ledger;
* the mapping invoking ``noop_handler.handler`` through :class:`LambdaRuntime`, as a scenario
  does (JSON round trip of the event, the handler on its execution environment's thread,
  the invocation log): the target is >= 100k records/s.
"""

from __future__ import annotations

import base64
import os
import random
import statistics
import time
from typing import Any

import pytest
from benchlib import ASSERT, BENCH_DIR, QUICK, banner, fmt, save, table

pytestmark = pytest.mark.bench

RECORDS = int(os.environ.get("BENCH_TRIGGER_RECORDS", "50000" if QUICK else "200000"))
SHARDS = 4
BATCH_SIZES = (100, 1000)
REPEATS = 3
PAYLOAD = 200
TARGET = 100_000
ISSUE_REFERENCE = 600_000
START = 1_635_724_800.0  # 2021-11-01T00:00:00Z
STREAM = "bench-trigger"
REGION = "us-east-1"
ACCOUNT = "123456789012"


class _Success:
    outcome = "success"
    request_id = None


SUCCESS = _Success()


def preload(store: Any, clock: Any, count: int) -> None:
    rng = random.Random(11)
    pool = [
        [
            {"Data": rng.randbytes(PAYLOAD), "PartitionKey": f"{rng.getrandbits(64):016x}"}
            for _ in range(500)
        ]
        for _ in range(16)
    ]
    store.invoke("CreateStream", {"StreamName": STREAM, "ShardCount": SHARDS})
    for number in range(count // 500):
        result = store.invoke("PutRecords", {"StreamName": STREAM, "Records": pool[number % 16]})
        assert result["FailedRecordCount"] == 0
        clock.run(until=clock.now + 1)  # a new throughput window for each request


def build_events(stream: Any, batch_size: int, role_arn: str) -> int:
    """The reference: read every shard in batches and build the events in plain Python."""
    stream_arn = stream.arn
    b64 = base64.b64encode
    delivered = 0
    for shard in stream.shards:
        shard_id = shard.shard_id
        position = shard.first_index
        while True:
            records, position = shard.read(position, batch_size)
            if not records:
                break
            event = {
                "Records": [
                    {
                        "kinesis": {
                            "kinesisSchemaVersion": "1.0",
                            "partitionKey": r.partition_key,
                            "sequenceNumber": r.sequence_number,
                            "data": b64(r.data).decode("ascii"),
                            "approximateArrivalTimestamp": round(r.arrival, 3),
                        },
                        "eventSource": "aws:kinesis",
                        "eventVersion": "1.0",
                        "eventID": f"{shard_id}:{r.sequence_number}",
                        "eventName": "aws:kinesis:record",
                        "invokeIdentityArn": role_arn,
                        "awsRegion": REGION,
                        "eventSourceARN": stream_arn,
                    }
                    for r in records
                ]
            }
            delivered += len(event["Records"])
    return delivered


def run_mapping(store: Any, clock: Any, batch_size: int, invoke: Any, name: str) -> dict[str, Any]:
    from sim.ledger import Ledger
    from sim.services.esm.kinesis import KinesisEventSourceMapping, KinesisMappingConfig

    ledger = Ledger()
    cpu_began = time.process_time()
    began = time.perf_counter()
    mapping = KinesisEventSourceMapping(
        uuid=f"bench-{name}-{batch_size}",
        clock=clock,
        store=store,
        stream_name=STREAM,
        function_name="noop",
        function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:noop",
        invoke=invoke,
        ledger=ledger,
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/bench",
        region=REGION,
        config=KinesisMappingConfig(batch_size=batch_size, starting_position="TRIM_HORIZON"),
    )
    clock.run(until=clock.now + 2)  # everything is delivered at once; then one empty poll
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    mapping.disable()
    delivered = sum(hop.delivered for hop in ledger.hops.values())
    return {
        "seconds": seconds,
        "delivered": delivered,
        "batches": len(mapping.batches),
        "cpu": cpu,
        "rps": delivered / seconds,
        "rps_cpu": delivered / cpu,
    }


def test_kinesis_trigger_throughput() -> None:
    from sim.backends.embedded import EmbeddedBackend
    from sim.clock import Clock, ProcessTime
    from sim.services.lambda_ import LambdaRuntime
    from sim.services.lambda_.config import FunctionConfig

    banner(
        f"Kinesis trigger: {RECORDS:,} records (~{PAYLOAD} B) on {SHARDS} shards -> no-op "
        "handler, through the event source mapping on the simulated clock"
    )
    clock = Clock(START)
    backend = EmbeddedBackend(region=REGION, account_id=ACCOUNT)
    results: dict[str, Any] = {"records": RECORDS, "shards": SHARDS, "runs": []}
    failures: list[str] = []
    with ProcessTime(clock):
        backend.start()
        runtime = LambdaRuntime(now=time.time, region=REGION, account_id=ACCOUNT)
        try:
            store = backend.kinesis_store()
            began = time.perf_counter()
            preload(store, clock, RECORDS)
            print(f"  pre-loaded {RECORDS:,} records in {time.perf_counter() - began:.1f} s")
            function = runtime.create_function(
                FunctionConfig(
                    name="noop",
                    handler="noop_handler.handler",
                    code_dir=str(BENCH_DIR),
                    timeout=60,
                )
            )
            source = f"kinesis:{STREAM}"

            def invoke_runtime(event: dict[str, Any]) -> Any:
                return runtime.invoke(function.name, event, source=source)

            def invoke_nothing(event: dict[str, Any]) -> Any:
                return SUCCESS

            stream = store.get_stream(STREAM)
            rows = []
            for batch_size in BATCH_SIZES:
                references, bares, fulls = [], [], []
                for _ in range(REPEATS):
                    cpu_began = time.process_time()
                    began = time.perf_counter()
                    built = build_events(stream, batch_size, f"arn:aws:iam::{ACCOUNT}:role/bench")
                    references.append(
                        {
                            "rps": built / (time.perf_counter() - began),
                            "rps_cpu": built / (time.process_time() - cpu_began),
                        }
                    )
                    assert built == RECORDS
                    bares.append(run_mapping(store, clock, batch_size, invoke_nothing, "bare"))
                    fulls.append(run_mapping(store, clock, batch_size, invoke_runtime, "runtime"))
                for run in bares + fulls:
                    if run["delivered"] != RECORDS:
                        failures.append(
                            f"BatchSize {batch_size}: delivered {run['delivered']:,} of {RECORDS:,}"
                        )

                def median(runs: list[dict[str, Any]], key: str) -> float:
                    return statistics.median(run[key] for run in runs)

                reference = median(references, "rps_cpu")
                bare = median(bares, "rps_cpu")
                full = median(fulls, "rps_cpu")
                results["runs"].append(
                    {
                        "batch_size": batch_size,
                        "reference": references,
                        "mapping_only": bares,
                        "mapping_and_runtime": fulls,
                        "median_rps_cpu": full,
                        "median_rps_wall": median(fulls, "rps"),
                        "ratio_to_reference": full / reference,
                    }
                )
                rows.append(
                    [
                        batch_size,
                        f"{fmt(reference)} [{fmt(median(references, 'rps'))}]",
                        f"{fmt(bare)} [{fmt(median(bares, 'rps'))}]",
                        f"{fmt(full)} [{fmt(median(fulls, 'rps'))}]",
                        fulls[0]["batches"],
                        f"{full / reference:.0%}",
                        f"{full / TARGET:.0%}",
                    ]
                )
                if full < TARGET:
                    failures.append(
                        f"BatchSize {batch_size}: {full:,.0f} records/s (CPU time) < {TARGET:,}"
                    )
        finally:
            runtime.close()
            backend.stop()

    print()
    print(
        table(
            [
                "BatchSize",
                "plain-Python events/s",
                "mapping only",
                "mapping + runtime",
                "invocations",
                "vs plain Python",
                "vs target 100k",
            ],
            rows,
        )
    )
    print(
        f"\n  records/s on CPU time [wall clock], median of {REPEATS} runs each; plain Python = "
        "reading the shards and building events of the same shape as dicts "
        f"(issue: ~{ISSUE_REFERENCE:,}/s); the target is judged on CPU time"
    )
    path = save("trigger", results)
    print(f"  results: {path}")
    if ASSERT and failures:
        pytest.fail("; ".join(failures), pytrace=False)
