"""One ingest series in a fresh process: PutRecords through boto3 as the stream grows.

    python tests/bench/ingest_worker.py SERIES --boundaries 10000,50000,100000 [--endpoint URL]

SERIES is one of

``floor``
    botocore alone: a ``before-send`` hook answers every PutRecords with a fixed, valid
    500-entry response (nothing stored). The cost of serialising, signing and parsing: no
    emulator can be faster through boto3 on this machine. This process never imports moto.
``streamlab``
    streamlab's embedded backend in this process: ``EmbeddedBackend.client("kinesis")``.
``moto``
    moto 5.2.5's own Kinesis, in this process (``moto.mock_aws``); streamlab is not imported.
``http``
    Any endpoint at ``--endpoint`` (streamlab's EndpointServer, ministack, a trivial server).

Every request carries 500 records of ``--payload`` random bytes with random 16-character
partition keys (a pool of pre-built requests is cycled, so building them is not timed). The
stream has ``--shards`` shards (default 4). The first boundary is a warm-up; then one JSON
line per segment between boundaries: ``{"event": "segment", "start", "end", "seconds", "rps"}``.
A series stops once a segment has taken ``--segment-limit`` seconds (that segment is reported
as far as it got, ``"partial": true``) or once its segments add up to more than ``--budget``
seconds; the last line says where and why.

streamlab meters per-shard writes (1,000 records/s, 1 MiB/s) on its clock: here the clock
advances one simulated second per request, so no record is refused (each request puts about
125 records per shard) and the numbers measure the emulator, as for moto and ministack, which
meter nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from collections.abc import Callable
from typing import Any

BATCH = 500
STREAM = "bench"
REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
START = 1_700_000_000.0


def emit(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


class StepClock:
    """Simulated time that moves one second each time it is read (once per request)."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


class GcTimer:
    """Seconds spent in the cyclic garbage collector of this process (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._began = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._began


def cpu_of(pid: int | None) -> float:
    """User + system CPU seconds of another process (all its threads), 0.0 if unknown."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_pool(count: int, payload: int, seed: int) -> list[list[dict[str, Any]]]:
    rng = random.Random(seed)
    return [
        [
            {"Data": rng.randbytes(payload), "PartitionKey": f"{rng.getrandbits(64):016x}"}
            for _ in range(BATCH)
        ]
        for _ in range(count)
    ]


def client_config() -> Any:
    from botocore.config import Config

    return Config(retries={"mode": "standard", "total_max_attempts": 1}, tcp_keepalive=True)


def create_stream(client: Any, shards: int) -> None:
    client.create_stream(StreamName=STREAM, ShardCount=shards)
    for _ in range(600):
        status = client.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"][
            "StreamStatus"
        ]
        if status == "ACTIVE":
            return
        time.sleep(0.05)
    raise RuntimeError(f"stream {STREAM} not ACTIVE after 30 s")


# -- the series: each returns (client, cleanup) -----------------------------------------------
def setup_floor(shards: int) -> tuple[Any, Callable[[], None]]:
    from io import BytesIO

    import boto3
    from botocore.awsrequest import AWSResponse

    class Raw(BytesIO):
        def stream(self, **_: Any):
            data = self.read()
            if data:
                yield data

    body = json.dumps(
        {
            "FailedRecordCount": 0,
            "Records": [
                {
                    "SequenceNumber": f"4964{index:052d}",
                    "ShardId": f"shardId-{index % shards:012d}",
                }
                for index in range(BATCH)
            ],
        }
    ).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "bench"}

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, headers, Raw(body))

    client = boto3.client("kinesis", region_name=REGION, config=client_config(), **CREDENTIALS)
    client.meta.events.register("before-send.kinesis.PutRecords", answer)
    return client, lambda: None


def setup_streamlab(shards: int) -> tuple[Any, Callable[[], None]]:
    from sim.backends.embedded import EmbeddedBackend

    backend = EmbeddedBackend(region=REGION, now=StepClock())
    backend.start()
    client = backend.client("kinesis")
    create_stream(client, shards)
    return client, backend.stop


def setup_moto(shards: int) -> tuple[Any, Callable[[], None]]:
    import boto3
    from moto import mock_aws

    mock = mock_aws()
    mock.start()
    client = boto3.client("kinesis", region_name=REGION, config=client_config(), **CREDENTIALS)
    create_stream(client, shards)
    return client, mock.stop


def setup_http(shards: int, endpoint: str) -> tuple[Any, Callable[[], None]]:
    import boto3

    client = boto3.client(
        "kinesis",
        region_name=REGION,
        endpoint_url=endpoint,
        config=client_config(),
        **CREDENTIALS,
    )
    create_stream(client, shards)
    return client, client.close


# -- the loop ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("series", choices=("floor", "streamlab", "moto", "http"))
    parser.add_argument("--boundaries", required=True, help="record counts, comma-separated")
    parser.add_argument("--endpoint")
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--payload", type=int, default=200)
    parser.add_argument("--pool", type=int, default=64, help="distinct requests, cycled")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--segment-limit", type=float, default=20.0)
    parser.add_argument("--budget", type=float, default=100.0)
    parser.add_argument("--server-pid", type=int, help="also report this process's CPU time")
    args = parser.parse_args(argv)
    boundaries = [int(b) for b in args.boundaries.split(",")]
    if any(b % BATCH for b in boundaries) or boundaries != sorted(boundaries):
        parser.error(f"boundaries must be increasing multiples of {BATCH}")

    pool = make_pool(args.pool, args.payload, args.seed)
    started = time.perf_counter()
    if args.series == "floor":
        client, cleanup = setup_floor(args.shards)
    elif args.series == "streamlab":
        client, cleanup = setup_streamlab(args.shards)
    elif args.series == "moto":
        client, cleanup = setup_moto(args.shards)
    else:
        if not args.endpoint:
            parser.error("http needs --endpoint")
        client, cleanup = setup_http(args.shards, args.endpoint)
    emit(event="setup", seconds=time.perf_counter() - started)

    put_records = client.put_records
    perf_counter = time.perf_counter
    process_time = time.process_time
    gc_timer = GcTimer()
    stored = 0
    request = 0
    spent = 0.0
    stopped: str | None = None
    try:
        for number, end in enumerate(boundaries):
            start = stored
            gc_began, cpu_began, server_began = (
                gc_timer.total,
                process_time(),
                cpu_of(args.server_pid),
            )
            began = perf_counter()
            limit = began + args.segment_limit
            while stored < end:
                if request % 4 == 0 and number and perf_counter() > limit:
                    stopped = f"stopped {args.segment_limit:.0f} s into the segment"
                    break
                records = pool[request % len(pool)]
                request += 1
                response = put_records(StreamName=STREAM, Records=records)
                if response["FailedRecordCount"]:
                    failed = next(r for r in response["Records"] if "ErrorCode" in r)
                    raise RuntimeError(f"{response['FailedRecordCount']} records refused: {failed}")
                stored += BATCH
            seconds = perf_counter() - began
            cpu = process_time() - cpu_began
            server_cpu = cpu_of(args.server_pid) - server_began
            emit(
                event="warmup" if number == 0 else "segment",
                start=start,
                end=stored,
                seconds=seconds,
                rps=(stored - start) / seconds,
                partial=stored < end,
                cpu=cpu,
                server_cpu=server_cpu if args.server_pid else None,
                gc=gc_timer.total - gc_began,
            )
            if number == 0:
                continue
            spent += seconds
            if not stopped and spent > args.budget and end != boundaries[-1]:
                stopped = f"series budget of {args.budget:.0f} s used"
            if stopped:
                break
    except Exception as error:  # reported, not hidden: the parent shows it
        emit(event="error", records=stored, error=f"{type(error).__name__}: {error}")
        raise
    finally:
        cleanup()
    emit(event="end", records=stored, stopped=stopped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
