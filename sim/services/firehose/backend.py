"""The Firehose backend of one account and region: delivery streams, buffers, the tick.

Every operation runs under one ``threading.RLock`` with one clock reading
(:meth:`FirehoseBackend.execute`). Buffers that fill up are sealed inside the operation and
written to S3 after the lock is released. One scheduled callback, the *tick*, does everything
time-driven: it polls Kinesis sources (every ``SOURCE_POLL_SECONDS``), seals buffers whose
interval has passed, and retries failed deliveries; it re-arms itself at the earlier of the next
poll and the earliest buffer deadline, and only while there is something to do.
"""

from __future__ import annotations

import gzip
import logging
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from sim.ids import uuid4
from sim.services.firehose import limits
from sim.services.firehose.exceptions import not_found
from sim.services.firehose.models import Batch, Buffer, DeliveryStream, SourceShard
from sim.services.firehose.prefixes import object_key
from sim.services.firehose.scheduling import Handle, Scheduler, WallScheduler

log = logging.getLogger(__name__)

# put_object(bucket, key, body, role_arn): write one object as the delivery stream's role.
PutObject = Callable[[str, str, bytes, str | None], None]


class Call:
    """One request being served: the backend, its clock reading, the batches it sealed."""

    __slots__ = ("backend", "now", "ready")

    def __init__(self, backend: FirehoseBackend, now: float) -> None:
        self.backend = backend
        self.now = now
        self.ready: list[tuple[DeliveryStream, Batch]] = []

    @property
    def account_id(self) -> str:
        return self.backend.account_id

    def stream(self, name: str) -> DeliveryStream:
        stream = self.backend.streams.get(name)
        if stream is None:
            raise not_found(name, self.account_id)
        return stream


class FirehoseBackend:
    def __init__(
        self,
        account_id: str,
        region: str,
        *,
        scheduler: Scheduler | None = None,
        rng: random.Random | None = None,
        put_object: PutObject | None = None,
        kinesis_store: Callable[[], Any] | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.partition = "aws-cn" if region.startswith("cn-") else "aws"
        self.scheduler: Scheduler = scheduler or WallScheduler()
        self.rng = rng if rng is not None else random.Random(f"streamlab:firehose:{region}")
        self.put_object = put_object
        self.kinesis_store = kinesis_store or (lambda: None)
        self.streams: dict[str, DeliveryStream] = {}
        self.lock = threading.RLock()
        self._timer: Handle | None = None
        self._timer_when = float("inf")

    # -- running operations -----------------------------------------------------------------
    def execute(self, module: ModuleType, request: dict) -> Any:
        with self.lock:
            call = Call(self, self.scheduler.now())
            result = module.run(call, request)
        self._deliver(call.ready, call.now)
        with self.lock:
            self._arm(call.now)
        return result

    def set_scheduler(self, scheduler: Scheduler) -> None:
        """Drive the service from ``scheduler`` from now on (pending ticks move over)."""
        with self.lock:
            self._cancel()
            self.scheduler = scheduler
            self._arm(scheduler.now())

    def reset(self) -> None:
        with self.lock:
            self._cancel()
            self.streams.clear()

    def get(self, name: str) -> DeliveryStream:
        stream = self.streams.get(name)
        if stream is None:
            raise not_found(name, self.account_id)
        return stream

    # -- buffering --------------------------------------------------------------------------
    def accept(self, call: Call, stream: DeliveryStream, data: bytes, arrival: float) -> None:
        """One record into ``stream``'s buffer; seal it when the size hint is reached (a record
        that would overflow a non-empty buffer seals it first)."""
        buffer = stream.buffer
        if buffer.records and buffer.size + len(data) > stream.size_bytes:
            call.ready.append((stream, self.seal(stream)))
        stream.buffer.add(data, arrival, call.now)
        if stream.buffer.size >= stream.size_bytes:
            call.ready.append((stream, self.seal(stream)))

    def seal(self, stream: DeliveryStream) -> Batch:
        buffer, stream.buffer = stream.buffer, Buffer()
        if stream.append_delimiter:
            body = b"".join(record + b"\n" for record in buffer.records)
        else:
            body = b"".join(buffer.records)
        extension = ""
        if stream.compression == "GZIP":
            body = gzip.compress(body, mtime=0)
            extension = ".gz"
        moment = datetime.fromtimestamp(buffer.first_arrival, UTC)
        key = object_key(
            stream.prefix,
            stream.name,
            stream.version_id,
            moment,
            uuid4(self.rng),
            self.rng,
            extension,
        )
        return Batch(stream.bucket, key, body, len(buffer.records), buffer.first_arrival)

    def _deliver(self, ready: list[tuple[DeliveryStream, Batch]], now: float) -> None:
        """Write sealed batches to S3, outside the lock; failures wait for the next tick."""
        for stream, batch in ready:
            try:
                if self.put_object is None:
                    raise RuntimeError("no S3 writer attached")
                self.put_object(
                    batch.bucket, batch.key, batch.body, stream.destination.get("RoleARN")
                )
            except Exception as exc:  # bucket missing, access denied, ...: AWS retries
                log.info(
                    "Firehose %s: delivery to s3://%s failed: %s", stream.name, batch.bucket, exc
                )
                with self.lock:
                    stream.failed_attempts += 1
                    stream.last_error = f"{type(exc).__name__}: {exc}"
                    batch.attempts += 1
                    if now - batch.first_arrival >= limits.DELIVERY_RETRY_SECONDS:
                        stream.dropped += batch.records
                    elif not stream.deleted:
                        stream.retrying.append(batch)
                continue
            with self.lock:
                stream.delivered += batch.records
                stream.objects += 1

    # -- the Kinesis source -----------------------------------------------------------------
    def source_shards(self, stream_name: str) -> list[Any]:
        store = self.kinesis_store()
        if store is None:
            return []
        return list(store.get_stream(stream_name).shards)

    def _poll(self, call: Call, stream: DeliveryStream) -> None:
        try:
            shards = self.source_shards(stream.source_stream_name or "")
        except Exception:  # the source stream is gone: nothing to read
            return
        for shard in shards:
            source = stream.shards.get(shard.shard_id)
            if source is None:  # a child of resharding: read from its start
                source = stream.shards[shard.shard_id] = SourceShard(
                    shard, shard.first_index, shard.first_index
                )
            if source.position >= shard.end_index:
                continue
            records, position = shard.read(
                source.position, limits.SOURCE_READ_MAX_RECORDS, limits.SOURCE_READ_MAX_BYTES
            )
            source.position = position
            stream.read += len(records)
            for record in records:
                self.accept(call, stream, record.data, record.arrival)

    # -- the tick ---------------------------------------------------------------------------
    def _tick(self) -> None:
        with self.lock:
            self._timer = None
            self._timer_when = float("inf")
            call = Call(self, self.scheduler.now())
            for stream in list(self.streams.values()):
                if stream.source_stream_name:
                    self._poll(call, stream)
                buffer = stream.buffer
                if buffer.records and call.now >= buffer.opened_at + stream.interval:
                    call.ready.append((stream, self.seal(stream)))
                if stream.retrying:
                    call.ready.extend((stream, batch) for batch in stream.retrying)
                    stream.retrying = []
        self._deliver(call.ready, call.now)
        with self.lock:
            self._arm(call.now)

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._timer_when = float("inf")

    def _arm(self, now: float) -> None:
        when = float("inf")
        for stream in self.streams.values():
            if stream.source_stream_name or stream.retrying:
                when = min(when, now + limits.SOURCE_POLL_SECONDS)
            if stream.buffer.records:
                when = min(when, stream.buffer.opened_at + stream.interval)
        if when == float("inf"):
            return
        when = max(when, now)
        if self._timer is not None and self._timer_when <= when:
            return
        self._cancel()
        self._timer = self.scheduler.call_at(when, self._tick)
        self._timer_when = when

    def flush_all(self) -> None:
        """Seal and deliver every non-empty buffer now (not AWS behaviour: for tests and
        tooling that want the data out without waiting for a hint)."""
        with self.lock:
            call = Call(self, self.scheduler.now())
            for stream in self.streams.values():
                if stream.buffer.records:
                    call.ready.append((stream, self.seal(stream)))
        self._deliver(call.ready, call.now)

    # -- accounting -------------------------------------------------------------------------
    def accounting(self) -> list[dict[str, Any]]:
        """Per delivery stream, what the ledger needs (see the package docstring)."""
        with self.lock:
            rows = []
            for stream in self.streams.values():
                rows.append(
                    {
                        "name": stream.name,
                        "type": stream.type,
                        "source_stream": stream.source_stream_name,
                        "bucket": stream.bucket,
                        "accepted": stream.accepted,
                        "read": stream.read,
                        "available": stream.available() if stream.source_stream_name else 0,
                        "unread": stream.unread() if stream.source_stream_name else 0,
                        "buffered": stream.buffered,
                        "delivered": stream.delivered,
                        "objects": stream.objects,
                        "dropped": stream.dropped,
                        "failed_attempts": stream.failed_attempts,
                        "last_error": stream.last_error,
                    }
                )
            return rows
