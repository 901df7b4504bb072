"""Flink jobs in a simulation: replay a job's input in event time, then emit its rows when
Flink would have.

A Flink job's output depends only on its input stream, and nothing after the job writes back
into that stream (sim/scenario/checks.py refuses a scenario where it could). So a run goes in
*stages*: the clock first runs everything up to the job (producers, their stream, consumers of
that stream) for the whole period; then the job replays what the stream received, once, on
PyFlink (:class:`~sim.flink.runner.FlinkRunner`: one JVM, one job run for the whole period);
then the clock goes back to the start and runs the part after the job, with the job's rows put
on its sink at the simulated times Flink would have emitted them. The outcome equals an
interleaved run's, at the cost of one job run instead of one per window.

**When a row is emitted.** The source declares ``WATERMARK FOR ts AS ts - INTERVAL 'd'
SECOND``; Flink's watermark after a record is the largest event time read so far minus ``d``
(the runner sets ``pipeline.auto-watermark-interval`` to 0, so it moves with every record). A
window ending at ``E`` fires when the watermark reaches ``E - 1 ms`` (its last instant), so its
row is emitted at the arrival of the first record whose event time is at least
``E + d - 1 ms``. A row whose window never fires during the run is *held*: the job still keeps
it in its state, as a job on AWS would, unless the scenario stops the job with ``drain`` (then
every open window fires at the stop, as ``flink stop --drain`` makes it do).

The bounded replay reads records in arrival order, all shards merged: one watermark for the
stream. The Kinesis connector keeps one per shard and takes the smallest, so with several
shards and uneven traffic its windows may fire later than here.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.flink.runner import JobSpec, OutputRow, json_object
from sim.flink.tables import INVALID_EVENT_TIME_MS

# The Kinesis sink puts at most 500 records per PutRecords call, DynamoDB's 25 items per
# BatchWriteItem; entries that fail are put again after a short back-off, as the
# AsyncSinkWriter behind both connectors retries them.
# https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
PUT_RECORDS_MAX = 500
BATCH_WRITE_MAX = 25
SINK_RETRY_DELAY_SECONDS = 1.0
_MS = 1000


@dataclass(frozen=True)
class SourceRecord:
    """One record of the job's input: when it arrived and its data (one JSON document)."""

    arrival: float
    data: bytes

    def line(self) -> str:
        """The record as the JSON format reads it: one line, trailing newline removed."""
        return self.data.decode("utf-8", errors="replace").strip()


def read_stream(store: Any, name: str) -> list[SourceRecord]:
    """Every record retained in stream ``name`` of a streamlab Kinesis store, in arrival order
    (records that arrived at the same instant keep their shard's order, shards in id order)."""
    stream = store.get_stream(name)
    keyed: list[tuple[float, int, int, bytes]] = []
    for shard_no, shard in enumerate(stream.shards):
        index, end = shard.first_index, shard.end_index
        while index < end:
            batch, index = shard.read(index, limit=10_000, max_bytes=1 << 62)
            if not batch:
                break
            keyed.extend((r.arrival, shard_no, len(keyed), r.data) for r in batch)
    keyed.sort()
    return [SourceRecord(arrival, data) for arrival, _, _, data in keyed]


@dataclass
class Watermarks:
    """The watermark's progress over a stream read in arrival order."""

    arrivals: list[float]
    event_ms: list[int | None]
    delay_ms: int
    _highs: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        highest, highs = -math.inf, []
        for ms in self.event_ms:
            if ms is not None and ms > highest:
                highest = ms
            highs.append(highest)
        self._highs = highs

    def fire_time(self, window_end_ms: int) -> float | None:
        """When a window ending at ``window_end_ms`` fires: the arrival of the first record that
        brings the watermark to the window's last instant; None if none does."""
        i = bisect.bisect_left(self._highs, window_end_ms - 1 + self.delay_ms)
        return self.arrivals[i] if i < len(self.arrivals) else None

    def late(self) -> int:
        """Records read behind the watermark (event time below it at their arrival)."""
        count, highest = 0, -math.inf
        for ms in self.event_ms:
            if ms is None:
                continue
            if ms < highest - self.delay_ms:
                count += 1
            highest = max(highest, ms)
        return count


@dataclass
class Replay:
    """What a job did with its input in one simulation."""

    name: str
    read: int = 0  # records the job read
    unread: int = 0  # records that arrived after the job stopped
    late: int = 0  # records behind the watermark when read
    emitted: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    held: int = 0  # rows of windows still open when the run (or the job) ended
    error: str | None = None
    unreadable: int = 0  # records Flink's JSON format makes no row of (not a JSON object)
    without_event_time: int = 0  # rows whose computed event time is invalid (epoch 0)

    def summary(self) -> dict[str, Any]:
        """The report's figures. ``records_unreadable`` and ``records_without_event_time``
        appear only when there are such records (a job with ``json.ignore-parse-errors`` skips
        the first; the second are among the late records once a valid one has been read)."""
        out: dict[str, Any] = {
            "records_read": self.read,
            "records_unread": self.unread,
            "late_records": self.late,
            "rows_emitted": len(self.emitted),
            "rows_held": self.held,
            "error": self.error,
        }
        if self.unreadable:
            out["records_unreadable"] = self.unreadable
        if self.without_event_time:
            out["records_without_event_time"] = self.without_event_time
        return out


def plan_emissions(
    spec: JobSpec,
    records: Sequence[SourceRecord],
    rows: Sequence[OutputRow],
    *,
    stop_at: float | None,
    drain: bool,
    replay: Replay,
) -> None:
    """Fill ``replay`` with each row's emission time (see the module's docstring)."""
    delay_ms = round(float(spec.watermark_delay) * _MS)
    objects = [json_object(r.data) for r in records]  # each line parsed once
    event_ms = [spec.event_time_ms(o) for o in objects]
    marks = Watermarks([r.arrival for r in records], event_ms, delay_ms)
    replay.late = marks.late()
    replay.unreadable = objects.count(None)
    if spec.event_time_from is not None:
        replay.without_event_time = event_ms.count(INVALID_EVENT_TIME_MS)
    for row in rows:
        when = marks.fire_time(round(row.time.timestamp() * _MS))
        if stop_at is not None and (when is None or when > stop_at):
            when = stop_at if drain else None
        if when is None:
            replay.held += 1
        else:
            replay.emitted.append((when, row.data))
    replay.emitted.sort(key=lambda e: e[0])


class SinkWriter:
    """Puts a job's rows on its sink at their times: a stream (PutRecords, JSON) or a table
    (BatchWriteItem). Failed entries are put again after :data:`SINK_RETRY_DELAY_SECONDS`."""

    def __init__(
        self,
        clock: Any,
        client: Any,
        *,
        stream: str | None = None,
        table: str | None = None,
        partition_key: str | None = None,
        random_key: Callable[[], str],
        on_stored: Callable[[int], None],
    ):
        self.clock = clock
        self.client = client
        self.stream = stream
        self.table = table
        self.partition_key = partition_key
        self.random_key = random_key
        self.on_stored = on_stored

    def schedule(self, emitted: Sequence[tuple[float, dict[str, Any]]]) -> None:
        groups: dict[float, list[dict[str, Any]]] = {}
        for when, row in emitted:
            groups.setdefault(when, []).append(row)
        for when, rows in sorted(groups.items()):
            self.clock.call_at(max(when, self.clock.now), self._put, rows)

    def _put(self, rows: list[dict[str, Any]]) -> None:
        if self.stream is not None:
            self._put_records(rows)
        else:
            self._write_items(rows)

    def _retry(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.clock.call_later(SINK_RETRY_DELAY_SECONDS, self._put, rows)

    def _put_records(self, rows: list[dict[str, Any]]) -> None:
        failed: list[dict[str, Any]] = []
        for i in range(0, len(rows), PUT_RECORDS_MAX):
            chunk = rows[i : i + PUT_RECORDS_MAX]
            entries = [
                {
                    "Data": json.dumps(row, separators=(",", ":")).encode(),
                    "PartitionKey": self._key(row),
                }
                for row in chunk
            ]
            try:
                results = self.client.put_records(StreamName=self.stream, Records=entries)[
                    "Records"
                ]
            except self.client.exceptions.ProvisionedThroughputExceededException:
                failed.extend(chunk)
                continue
            ok = [row for row, r in zip(chunk, results, strict=True) if "ErrorCode" not in r]
            failed.extend(row for row, r in zip(chunk, results, strict=True) if "ErrorCode" in r)
            self.on_stored(len(ok))
        self._retry(failed)

    def _key(self, row: dict[str, Any]) -> str:
        if self.partition_key is None:
            return self.random_key()
        value = row.get(self.partition_key)
        return self.random_key() if value is None or value == "" else str(value)

    def _write_items(self, rows: list[dict[str, Any]]) -> None:
        from boto3.dynamodb.types import TypeSerializer

        serialize = TypeSerializer().serialize
        failed: list[dict[str, Any]] = []
        for i in range(0, len(rows), BATCH_WRITE_MAX):
            chunk = rows[i : i + BATCH_WRITE_MAX]
            requests = [
                {"PutRequest": {"Item": {k: serialize(v) for k, v in _decimals(row).items()}}}
                for row in chunk
            ]
            response = self.client.batch_write_item(RequestItems={self.table: requests})
            unprocessed = response.get("UnprocessedItems", {}).get(self.table, [])
            self.on_stored(len(chunk) - len(unprocessed))
            if unprocessed:
                left = {json.dumps(u["PutRequest"]["Item"], sort_keys=True) for u in unprocessed}
                failed.extend(
                    row
                    for row, request in zip(chunk, requests, strict=True)
                    if json.dumps(request["PutRequest"]["Item"], sort_keys=True) in left
                )
        self._retry(failed)


def _decimals(row: dict[str, Any]) -> dict[str, Any]:
    """A JSON row with its numbers as Decimal, as DynamoDB's serializer takes them (a null
    becomes a NULL attribute, as the DynamoDB sink writes it)."""
    from decimal import Decimal

    text = json.dumps(row)
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def load_job_module(name: str) -> Any:
    """The job module ``name`` loaded afresh from its file, as each run sees the file now (a
    module imported earlier in the process is not reused; its package is imported as usual).
    ``ImportError`` when there is no such module."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class StagedJobs:
    """A scenario's Flink jobs in a simulation on streamlab's own Kinesis store.

    ``stage_of(stream)`` tells which pass of the clock writes a stream; the runner runs pass 0,
    then for each later pass calls :meth:`replay` (the jobs whose rows that pass emits run on
    what their input received), rewinds the clock, and calls :meth:`schedule`.
    """

    def __init__(
        self,
        scenario: Any,
        *,
        clock: Any,
        store: Any,
        client: Callable[[str], Any],
        ledger: Any,
        rng: Any,
        runner: Any = None,
    ):
        from sim.scenario.flink import stages

        self.scenario = scenario
        self.clock = clock
        self.store = store
        self.client = client
        self.ledger = ledger
        self.rng = rng
        self._runner = runner
        self._own_runner = runner is None
        self.stream_stages = stages(scenario)
        self.replays: dict[str, Replay] = {}
        self.writers: dict[str, SinkWriter] = {}
        self._pending: dict[str, int] = {}

    @property
    def passes(self) -> int:
        """How many times the clock runs over the period: 1 without Flink jobs."""
        return 1 + max((self.job_stage(job) for job in self.scenario.flink_jobs), default=0)

    def stage_of(self, stream: str) -> int:
        return self.stream_stages.get(stream, 0)

    def job_stage(self, job: Any) -> int:
        """The pass in which a job's rows are emitted: one after its input's."""
        return self.stage_of(job.source.stream) + 1

    @property
    def runner(self) -> Any:
        if self._runner is None:
            from sim.flink.runner import FlinkRunner

            self._runner = FlinkRunner()
        return self._runner

    def close(self) -> None:
        if self._own_runner and self._runner is not None:
            self._runner.close()
            self._runner = None

    def start(self) -> None:
        """Nothing runs during the first pass: the jobs replay between passes."""

    def finish(self, stream_count: Any) -> None:
        """Nothing to stop: the ledger was written as the jobs replayed."""

    # -- between passes ---------------------------------------------------------------------
    def replay(self, stage: int) -> None:
        """Run every job whose rows pass ``stage`` emits over what its input received."""
        origin = self.scenario.clock.start
        for job in self.scenario.flink_jobs:
            if self.job_stage(job) != stage:
                continue
            replay = self.replays[job.name] = Replay(job.name)
            records = read_stream(self.store, job.source.stream)
            stop_at = None if job.stop is None else origin + job.stop.at
            read = [r for r in records if stop_at is None or r.arrival < stop_at]
            replay.read, replay.unread = len(read), len(records) - len(read)
            hop = self.ledger.hop(f"stream {job.source.stream}", f"flink job {job.name}")
            hop.available += len(records)
            hop.in_flight += replay.unread
            try:
                spec = self._spec(job)
                rows = self.runner.run(spec, [r.line() for r in read])
            except Exception as exc:  # FlinkJobError, or the module failing to import
                from sim.flink.errors import FlinkJobError

                replay.error = (
                    str(exc)
                    if isinstance(exc, FlinkJobError)
                    else (f"Flink job {job.name!r} failed: {type(exc).__name__}: {exc}")
                )
                hop.dropped["FlinkJobFailed"] += replay.read
                continue
            hop.delivered += replay.read
            plan_emissions(
                spec,
                read,
                rows,
                stop_at=stop_at,
                drain=bool(job.stop and job.stop.drain),
                replay=replay,
            )

    def _spec(self, job: Any) -> JobSpec:
        from sim.flink.errors import FlinkJobError

        try:
            module = load_job_module(job.job)
        except ImportError as exc:
            raise FlinkJobError(job.name, f"cannot import {job.job}: {exc}") from None
        return JobSpec.from_module(module, name=job.name, watermark_delay=job.watermark_delay)

    def schedule(self, stage: int) -> None:
        """After the clock went back: put each job's rows on its sink at their times."""
        from sim.ids import uuid4

        for job in self.scenario.flink_jobs:
            replay = self.replays.get(job.name)
            if self.job_stage(job) != stage or replay is None or replay.error:
                continue
            producer = f"flink job {job.name}"
            target = f"{job.sink.kind} {job.sink.name}"
            self.ledger.record_produced(producer, len(replay.emitted))
            self._pending[job.name] = len(replay.emitted)

            def stored(
                n: int, producer: str = producer, target: str = target, name: str = job.name
            ) -> None:
                self.ledger.record_accepted(producer, target, n)
                self._pending[name] -= n

            writer = self.writers[job.name] = SinkWriter(
                self.clock,
                self.client("kinesis" if job.sink.stream is not None else "dynamodb"),
                stream=job.sink.stream,
                table=job.sink.table,
                partition_key=job.sink.partition_key,
                random_key=lambda: uuid4(self.rng),
                on_stored=stored,
            )
            writer.schedule(replay.emitted)

    def settle(self) -> None:
        """Rows not yet written when the run ends (their sink still refusing them)."""
        for name, pending in self._pending.items():
            if pending:
                self.ledger.record_refused(
                    f"flink job {name}", "still being retried at the end of the run", pending
                )
        self._pending = {}

    def errors(self) -> list[str]:
        return [r.error for r in self.replays.values() if r.error]

    def summary(self) -> dict[str, dict[str, Any]]:
        return {name: replay.summary() for name, replay in self.replays.items()}
