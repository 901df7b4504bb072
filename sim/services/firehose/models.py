"""Delivery streams, their buffers and the batches sealed from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Batch:
    """A sealed buffer on its way to S3: its key is fixed when it is sealed."""

    bucket: str
    key: str
    body: bytes
    records: int
    first_arrival: float
    attempts: int = 0


@dataclass
class Buffer:
    records: list[bytes] = field(default_factory=list)
    size: int = 0
    first_arrival: float = 0.0  # approximate arrival of the oldest record (object naming)
    opened_at: float = 0.0  # when the first record entered the buffer (the interval hint)

    def add(self, data: bytes, arrival: float, now: float) -> None:
        if not self.records:
            self.first_arrival = arrival
            self.opened_at = now
        self.records.append(data)
        self.size += len(data)


@dataclass
class SourceShard:
    shard: Any
    start_index: int  # where the delivery stream began reading this shard (ledger)
    position: int


@dataclass
class DeliveryStream:
    name: str
    arn: str
    type: str  # DirectPut | KinesisStreamAsSource
    created_at: float
    destination_kind: str  # ExtendedS3 | S3
    destination: dict[str, Any]  # the description, defaults filled in
    bucket: str
    prefix: str | None
    error_output_prefix: str | None
    size_bytes: int
    interval: int
    compression: str
    append_delimiter: bool
    version_id: str = "1"
    source_stream_arn: str | None = None
    source_stream_name: str | None = None
    source_role_arn: str | None = None
    shards: dict[str, SourceShard] = field(default_factory=dict)
    buffer: Buffer = field(default_factory=Buffer)
    retrying: list[Batch] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    # counters (the ledger's): records accepted by PutRecord(Batch) or read from the source,
    # records written to S3, objects written, records dropped after 24 h of failed delivery
    accepted: int = 0
    read: int = 0
    delivered: int = 0
    objects: int = 0
    dropped: int = 0
    failed_attempts: int = 0  # S3 writes that failed (each retried until 24 h)
    last_error: str | None = None
    deleted: bool = False

    @property
    def buffered(self) -> int:
        """Records accepted or read but not yet in S3 (in the buffer or being retried)."""
        return len(self.buffer.records) + sum(b.records for b in self.retrying)

    def unread(self) -> int:
        """Records on the source stream after this delivery stream's positions."""
        return sum(max(0, s.shard.end_index - s.position) for s in self.shards.values())

    def available(self) -> int:
        """Records that reached the source after the delivery stream began reading it."""
        return sum(max(0, s.shard.end_index - s.start_index) for s in self.shards.values())
