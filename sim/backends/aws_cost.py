"""The plan's cost estimate: what a scenario would cost on AWS per hour and for its duration.

Volumes come from the scenario itself: each producer is built with the run's seed and asked for
its records tick by tick, as the run would (:func:`estimate_volumes`), which gives the number of
records and their sizes (data plus partition key, as Kinesis counts them). :func:`estimate_cost`
turns volumes into money with the prices of :mod:`sim.backends.aws_pricing`; the assumptions it
makes where a scenario cannot say (how long an invocation takes, how many DynamoDB writes a
record causes, how much a function logs) are listed in :attr:`CostEstimate.assumptions`.

A Firehose delivery stream reading a Kinesis stream ingests what the producers put on that
stream (each record rounded up to 5 KB) and writes one S3 object per buffer flush.

Fixed charges (a stream's hours, a table's provisioned capacity) accrue for as long as the
resource exists; usage charges for the records the scenario produces. ``per_hour`` is the fixed
charge plus the usage at the scenario's average rate; ``for_run`` the fixed charge over the
scenario's duration plus the usage of all its records.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.backends import aws_pricing as price

# Producers are sampled tick by tick up to this many ticks; beyond, the totals are extrapolated.
SAMPLE_TICKS_MAX = 5_000
MIB = 1024**2  # Firehose's SizeInMBs are MiB
DYNAMODB_WRITE_ACTIONS = (
    "dynamodb:putitem",
    "dynamodb:updateitem",
    "dynamodb:batchwriteitem",
    "dynamodb:deleteitem",
    "dynamodb:partiqlinsert",
    "dynamodb:partiqlupdate",
    "dynamodb:partiqldelete",
)


@dataclass(frozen=True)
class ProducerVolume:
    """What one producer puts on its stream over the scenario."""

    producer: str
    stream: str
    records: int
    bytes: int  # data plus partition key, summed over the records
    kib_units: int  # sum over the records of ceil(size / 1 KB): Kinesis on-demand's unit
    put_units: int  # sum over the records of ceil(size / 25 KB): PUT payload units
    exact: bool = True  # False when extrapolated from the first SAMPLE_TICKS_MAX ticks
    note: str = ""
    # What a Firehose delivery stream reading the stream gets: the data alone (no partition
    # key). None when not sampled (then estimated from ``bytes``).
    data_bytes: int | None = None
    firehose_units: int | None = None  # sum over the records of ceil(len(data) / 5 KB)
    # Seconds after the scenario's start of the first and the last record (None: not known).
    first: float | None = None
    last: float | None = None

    @property
    def firehose_unit_count(self) -> int:
        if self.firehose_units is not None:
            return self.firehose_units
        return max(self.records, -(-self.bytes // price.FIREHOSE_RECORD_UNIT_BYTES))


@dataclass
class CostItem:
    per_hour: float
    for_run: float
    detail: str


@dataclass
class CostEstimate:
    duration: float  # seconds
    items: dict[tuple[str, str], CostItem] = field(default_factory=dict)
    volumes: list[ProducerVolume] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    @property
    def per_hour(self) -> float:
        return sum(item.per_hour for item in self.items.values())

    @property
    def for_run(self) -> float:
        return sum(item.for_run for item in self.items.values())

    def item(self, kind: str, name: str) -> CostItem | None:
        return self.items.get((kind, name))


# -- volumes ------------------------------------------------------------------------------------
def estimate_volumes(
    scenario: Any, path: str | Path | None = None, seed: int | None = None
) -> list[ProducerVolume]:
    """Every producer's records over the scenario, sampled from the producer itself."""
    from sim.ids import derive_rng
    from sim.producer_registry import ProducerError, create_producer

    seed = scenario.seed if seed is None else seed
    clock_start = scenario.clock.start
    end = clock_start + scenario.clock.duration
    volumes = []
    for spec in scenario.producers:
        stream = spec.target.name
        try:
            producer = create_producer(
                spec.type, derive_rng(seed, f"producer:{spec.name}"), spec.params, path
            )
        except (ProducerError, ImportError) as error:
            volumes.append(
                ProducerVolume(spec.name, stream, 0, 0, 0, 0, exact=False, note=str(error))
            )
            continue
        rate = spec.rate or type(producer).default_rate
        start = clock_start + spec.start
        stop = end if spec.stop is None else min(end, clock_start + spec.stop)
        ticks = math.ceil((stop - start) * rate) if stop > start else 0
        try:
            volumes.append(_sample(producer, spec, stream, start, rate, ticks, clock_start))
        except Exception as error:  # the plan reports it; the run would meet it too
            note = f"could not sample its records: {error!r}"
            volumes.append(ProducerVolume(spec.name, stream, 0, 0, 0, 0, exact=False, note=note))
    return volumes


def _sample(
    producer: Any,
    spec: Any,
    stream: str,
    start: float,
    rate: float,
    ticks: int,
    clock_start: float,
) -> ProducerVolume:
    """Ask the producer tick by tick, as the driver would; extrapolate past the sample."""
    from sim.clock import to_datetime

    records = size = kib = put = data = firehose = sampled = 0
    first_tick = last_tick = None
    done = False
    while sampled < min(ticks, SAMPLE_TICKS_MAX):
        if producer.finished or (spec.count is not None and records >= spec.count):
            done = True
            break
        batch = producer.emit(to_datetime(start + sampled / rate))
        if spec.count is not None:
            batch = batch[: spec.count - records]
        for record in batch:
            n = len(record.data) + len(record.partition_key.encode())
            size += n
            kib += _units(n, price.KINESIS_ON_DEMAND_RECORD_UNIT_BYTES)
            put += _units(n, price.KINESIS_PUT_PAYLOAD_UNIT_BYTES)
            data += len(record.data)
            firehose += _units(len(record.data), price.FIREHOSE_RECORD_UNIT_BYTES)
        if batch:
            first_tick = sampled if first_tick is None else first_tick
            last_tick = sampled
        records += len(batch)
        sampled += 1

    def at(tick: int | None) -> float | None:
        return None if tick is None else start - clock_start + tick / rate

    if done or sampled >= ticks or records == 0:
        return ProducerVolume(
            spec.name, stream, records, size, kib, put,
            data_bytes=data, firehose_units=firehose, first=at(first_tick), last=at(last_tick),
        )  # fmt: skip
    total = round(records * ticks / sampled)
    if spec.count is not None:
        total = min(total, spec.count)
    scale = total / records
    # the last tick that puts records, at the sample's records per tick
    last_tick = min(ticks, math.ceil(total / (records / sampled))) - 1
    return ProducerVolume(
        spec.name,
        stream,
        total,
        round(size * scale),
        round(kib * scale),
        round(put * scale),
        exact=False,
        note=f"extrapolated from the first {sampled:,} of {ticks:,} ticks",
        data_bytes=round(data * scale),
        firehose_units=round(firehose * scale),
        first=at(first_tick),
        last=at(last_tick),
    )


def _units(size: int, unit: int) -> int:
    return max(1, -(-size // unit))


# -- money --------------------------------------------------------------------------------------
def estimate_cost(scenario: Any, volumes: list[ProducerVolume]) -> CostEstimate:
    duration = scenario.clock.duration
    hours = duration / 3600
    estimate = CostEstimate(duration=duration, volumes=list(volumes))

    def add(kind: str, name: str, fixed_hourly: float, usage: float, detail: str) -> None:
        per_hour = fixed_hourly + (usage / hours if hours else 0.0)
        estimate.items[(kind, name)] = CostItem(per_hour, fixed_hourly * hours + usage, detail)

    streams = {s.name: s for s in scenario.resources.streams}
    on_stream: dict[str, tuple[int, int, int]] = {}  # records, kib units, put units
    for volume in volumes:
        records, kib, put = on_stream.get(volume.stream, (0, 0, 0))
        on_stream[volume.stream] = (
            records + volume.records,
            kib + volume.kib_units,
            put + volume.put_units,
        )
    mappings: dict[str, int] = {}
    for function in scenario.functions:
        for trigger in function.triggers:
            if trigger.kinesis is not None and trigger.kinesis.enabled:
                mappings[trigger.kinesis.stream] = mappings.get(trigger.kinesis.stream, 0) + 1
    firehose_readers: dict[str, int] = {}  # delivery streams reading each stream
    for delivery in scenario.resources.delivery_streams:
        if delivery.source.stream is not None:
            source = delivery.source.stream
            firehose_readers[source] = firehose_readers.get(source, 0) + 1

    # Kinesis.
    for name, stream in streams.items():
        records, kib, put = on_stream.get(name, (0, 0, 0))
        if stream.mode == "ON_DEMAND":
            gigabytes = kib * price.KINESIS_ON_DEMAND_RECORD_UNIT_BYTES / price.GB
            readers = mappings.get(name, 0) + firehose_readers.get(name, 0)
            usage = gigabytes * price.KINESIS_ON_DEMAND_INGEST_PER_GB
            usage += readers * gigabytes * price.KINESIS_ON_DEMAND_RETRIEVAL_PER_GB
            read_by = f"{mappings.get(name, 0)} mapping(s)"
            if firehose_readers.get(name):
                read_by += f" and {firehose_readers[name]} delivery stream(s)"
            add(
                "stream",
                name,
                price.KINESIS_ON_DEMAND_STREAM_HOUR,
                usage,
                f"{_p(price.KINESIS_ON_DEMAND_STREAM_HOUR)}/stream-hour; {records:,} records = "
                f"{kib:,} KB written at {_p(price.KINESIS_ON_DEMAND_INGEST_PER_GB)}/GB and read "
                f"by {read_by} at {_p(price.KINESIS_ON_DEMAND_RETRIEVAL_PER_GB)}/GB",
            )
        else:
            shards = stream.shards or 1
            fixed = shards * price.KINESIS_SHARD_HOUR
            detail = f"{shards} shard(s) at {_p(price.KINESIS_SHARD_HOUR)}/shard-hour"
            if stream.retention_hours > 24:
                fixed += shards * price.KINESIS_EXTENDED_RETENTION_SHARD_HOUR
                detail += (
                    f" + extended retention {_p(price.KINESIS_EXTENDED_RETENTION_SHARD_HOUR)}"
                    "/shard-hour"
                )
                if stream.retention_hours > 168:
                    detail += " (long-term retention beyond 7 days not estimated)"
            usage = put / 1e6 * price.KINESIS_PUT_PAYLOAD_UNITS_PER_MILLION
            detail += (
                f"; {records:,} records = {put:,} PUT payload units at "
                f"{_p(price.KINESIS_PUT_PAYLOAD_UNITS_PER_MILLION)}/million"
            )
            add("stream", name, fixed, usage, detail)

    # Lambda, its logs, and the DynamoDB writes its records cause.
    writes: dict[str, float] = {t.name: 0.0 for t in scenario.resources.tables}
    for function in scenario.functions:
        invocations = records = kib = 0
        for trigger in function.triggers:
            if trigger.kinesis is None:
                continue
            mapping = trigger.kinesis
            stream_records, stream_kib, _ = on_stream.get(mapping.stream, (0, 0, 0))
            if not mapping.enabled:
                stream_records = stream_kib = 0
            calls = math.ceil(stream_records / mapping.batch_size)
            invocations += calls
            records += stream_records
            kib += stream_kib
            add(
                "mapping",
                f"{mapping.stream}->{function.name}",
                0.0,
                0.0,
                f"free; about {calls:,} invocation(s) of {function.name}",
            )
        milliseconds = (
            invocations * price.ASSUMED_INVOCATION_MS + records * price.ASSUMED_MS_PER_RECORD
        )
        gb_seconds = milliseconds / 1000 * function.memory / 1024
        add(
            "function",
            function.name,
            0.0,
            invocations / 1e6 * price.LAMBDA_REQUESTS_PER_MILLION
            + gb_seconds * price.LAMBDA_GB_SECOND,
            f"{invocations:,} invocation(s) at {_p(price.LAMBDA_REQUESTS_PER_MILLION)}/million + "
            f"{gb_seconds:,.1f} GB-s at {_p(price.LAMBDA_GB_SECOND)}/GB-s",
        )
        log_bytes = invocations * price.ASSUMED_LOG_BYTES_PER_INVOCATION
        add(
            "log-group",
            f"/aws/lambda/{function.name}",
            0.0,
            log_bytes / price.GB * price.CLOUDWATCH_LOGS_INGEST_PER_GB,
            f"{log_bytes:,} bytes ingested at {_p(price.CLOUDWATCH_LOGS_INGEST_PER_GB)}/GB",
        )
        targets = writable_tables(scenario, function) if records else []
        for table in targets:
            writes[table] += kib / len(targets)

    for table in scenario.resources.tables:
        copies = 1 + len(table.global_secondary_indexes)
        if table.billing_mode == "PROVISIONED":
            fixed = copies * (
                (table.write_capacity or 0) * price.DYNAMODB_WCU_HOUR
                + (table.read_capacity or 0) * price.DYNAMODB_RCU_HOUR
            )
            add(
                "table",
                table.name,
                fixed,
                0.0,
                f"{table.write_capacity} WCU at {_p(price.DYNAMODB_WCU_HOUR)}/hour + "
                f"{table.read_capacity} RCU at {_p(price.DYNAMODB_RCU_HOUR)}/hour"
                + (f", × {copies} with its indexes" if copies > 1 else ""),
            )
            continue
        units = (writes[table.name] + len(table.items)) * copies
        add(
            "table",
            table.name,
            0.0,
            units / 1e6 * price.DYNAMODB_WRITE_REQUEST_UNITS_PER_MILLION,
            f"{units:,.0f} write request units at "
            f"{_p(price.DYNAMODB_WRITE_REQUEST_UNITS_PER_MILLION)}/million",
        )

    # Amazon Data Firehose: what its source stream receives, and the S3 objects it writes.
    for delivery in scenario.resources.delivery_streams:
        estimate.items[("delivery-stream", delivery.name)] = _delivery_stream_cost(
            delivery, volumes, duration
        )
        role = delivery_role_name(delivery)
        if role is not None:
            add("role", role, 0.0, 0.0, "free")

    for bucket in scenario.resources.buckets:
        writers = [d.name for d in scenario.resources.delivery_streams if d.bucket == bucket.name]
        unpriced = (
            "handlers' requests and storage are not estimated: "
            f"PUT {_p(price.S3_PUT_PER_THOUSAND)}/1,000, {_p(price.S3_STANDARD_GB_MONTH)}/GB-month"
        )
        if writers:
            detail = (
                f"the PUTs of delivery stream(s) {', '.join(writers)} are counted on their "
                f"lines; {unpriced}"
            )
        else:
            detail = f"no requests modelled ({unpriced})"
        add("bucket", bucket.name, 0.0, 0.0, detail)
    for queue in scenario.resources.queues:
        per_million = (
            price.SQS_FIFO_REQUESTS_PER_MILLION
            if queue.fifo
            else price.SQS_STANDARD_REQUESTS_PER_MILLION
        )
        add("queue", queue.name, 0.0, 0.0, f"no requests modelled ({_p(per_million)}/million)")
    for topic in scenario.resources.topics:
        add(
            "topic",
            topic.name,
            0.0,
            0.0,
            f"no publishes modelled ({_p(price.SNS_PUBLISHES_PER_MILLION)}/million)",
        )
    for function in scenario.functions:
        add("role", role_name(function), 0.0, 0.0, "free")

    estimate.assumptions = _assumptions(scenario, volumes)
    return estimate


def role_name(function: Any) -> str:
    role = function.role
    return role.name if role is not None and role.name else f"{function.name}-role"


def delivery_role_name(spec: Any) -> str | None:
    """The role streamlab creates for a delivery stream (None when its role is an ARN)."""
    role = spec.role
    if isinstance(role, str):
        return None
    return role.name if role is not None and role.name else f"firehose-{spec.name}"


def _delivery_stream_cost(spec: Any, volumes: list[ProducerVolume], duration: float) -> CostItem:
    """One delivery stream: ingestion of the records its source stream receives from the
    producers, each rounded up to 5 KB, and one S3 PUT per object it writes. Per hour: the
    same traffic at the scenario's average rate, whose flushes are per interval or per full
    buffer, not proportional to the scenario's."""
    prices = (
        f"{_p(price.FIREHOSE_INGEST_PER_GB)}/GB ingested, each record rounded up to 5 KB; "
        f"its objects are S3 PUTs at {_p(price.S3_PUT_PER_THOUSAND)}/1,000"
    )
    source = spec.source.stream
    if source is None:
        detail = "Direct PUT: no producer of the scenario puts to it, so no usage is estimated"
        return CostItem(0.0, 0.0, f"{detail} ({prices})")
    feeding = [v for v in volumes if v.stream == source and v.records]
    records = sum(v.records for v in feeding)
    if not records or duration <= 0:
        return CostItem(0.0, 0.0, f"no records estimated on Kinesis stream {source} ({prices})")
    units = sum(v.firehose_unit_count for v in feeding)
    ingest = units * price.FIREHOSE_RECORD_UNIT_BYTES / price.GB * price.FIREHOSE_INGEST_PER_GB
    data = sum(v.bytes if v.data_bytes is None else v.data_bytes for v in feeding)
    if spec.append_delimiter:
        data += records  # a newline after each record
    buffer = spec.buffering.size_mb * MIB
    interval = max(spec.buffering.interval, price.ASSUMED_MIN_FLUSH_SECONDS)
    firsts = [v.first for v in feeding if v.first is not None]
    lasts = [v.last for v in feeding if v.last is not None]
    span = max(lasts) - min(firsts) if firsts and lasts else duration
    objects = min(records, max(math.floor(span / interval) + 1, math.ceil(data / buffer)))
    scale = 3600 / duration  # the same traffic for an hour
    objects_per_hour = min(records * scale, max(3600 / interval, data * scale / buffer))
    put = price.S3_PUT_PER_THOUSAND / 1000
    detail = (
        f"{records:,} records from Kinesis stream {source} = {units * 5:,} KB ingested "
        f"(5 KB units) at {_p(price.FIREHOSE_INGEST_PER_GB)}/GB + about {objects:,} S3 "
        f"object(s) (one per flush of {spec.buffering.size_mb} MiB or "
        f"{spec.buffering.interval} s) at {_p(price.S3_PUT_PER_THOUSAND)}/1,000 PUTs"
    )
    return CostItem(ingest * scale + objects_per_hour * put, ingest + objects * put, detail)


def writable_tables(scenario: Any, function: Any) -> list[str]:
    """The scenario's tables the function's inline policies let it write to (all of them when
    its policies name none: it may write through a managed policy)."""
    tables = [t.name for t in scenario.resources.tables]
    if not tables:
        return []
    allowed: set[str] = set()
    for policy in function.role.policies if function.role else []:
        for statement in _statements(policy.document):
            if statement.get("Effect") != "Allow":
                continue
            actions = [a.lower() for a in _as_list(statement.get("Action"))]
            if not any(
                fnmatch.fnmatchcase(write, action)
                for action in actions
                for write in DYNAMODB_WRITE_ACTIONS
            ):
                continue
            for resource in _as_list(statement.get("Resource")):
                for table in tables:
                    arn = f"arn:aws:dynamodb:{scenario.region}:{scenario.account_id}:table/{table}"
                    if fnmatch.fnmatchcase(arn, resource):
                        allowed.add(table)
    return [t for t in tables if t in allowed] or tables


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, dict)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _assumptions(scenario: Any, volumes: list[ProducerVolume]) -> list[str]:
    lines = [
        f"prices: {price.PRICES_REGION} list prices as known on {price.PRICES_AS_OF}, not "
        f"fetched live (sim/backends/aws_pricing.py names each pricing page: check them)"
        + (f"; {scenario.region} prices differ" if scenario.region != price.PRICES_REGION else ""),
        "excludes the free tier, taxes, data transfer and anything the scenario does not "
        "declare; fixed hourly charges continue until `sim teardown` removes the resources",
        "records: each producer sampled with the run's seed; a record's size is its data "
        "plus its partition key",
        "Lambda: invocations = records ÷ batch size per mapping (a lower bound: at low rates "
        "Lambda invokes about once a second per shard with smaller batches); duration "
        f"{price.ASSUMED_INVOCATION_MS} ms + {price.ASSUMED_MS_PER_RECORD} ms per record, "
        "x86",
        "DynamoDB: one write per record a function receives, of the record's size, shared "
        "among the tables its inline policies let it write (all tables when they name none); "
        "each global secondary index one more write; storage not included",
        f"CloudWatch Logs: {price.ASSUMED_LOG_BYTES_PER_INVOCATION} bytes per invocation; "
        "storage not included",
    ]
    if scenario.resources.delivery_streams:
        lines.append(
            "Firehose: a delivery stream ingests what the producers put on its source stream "
            "(the data, each record rounded up to 5 KB) and writes one S3 object per buffer "
            "flush: one per buffering interval while records arrive, more when the buffer "
            "size fills sooner (a 0 s interval counted as "
            f"{price.ASSUMED_MIN_FLUSH_SECONDS} s); records put by functions or Flink jobs "
            "(Direct PUT, say) are not estimated; S3 storage not included"
        )
    for volume in volumes:
        if volume.note:
            lines.append(f"producer {volume.producer}: {volume.note}")
    return lines


def _p(value: float) -> str:
    """A unit price as the pricing pages write it: $0.015, $0.20, $0.0000166667."""
    text = f"{value:.10f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"${whole}.{decimals.ljust(2, '0')}"


def money(value: float) -> str:
    if value == 0:
        return "$0"
    if value < 0.000001:
        return "<$0.000001"
    if value < 0.01:
        return f"${value:.6f}"
    return f"${value:,.4f}"
