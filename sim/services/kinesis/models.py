"""Streams, shards and records: the in-memory store behind streamlab's Kinesis.

Each shard is an append-only log: a Python list of :class:`Record` plus two integers, the
absolute position of the list's first element (``_offset``) and of the oldest retained record
(``_offset + _start``). Appending is ``list.append``; a sequence number maps to a position in
O(1) (its counter is the position plus one); a timestamp maps to a position by bisecting the
arrival times, which never decrease within a shard. Retention trimming moves ``_start`` forward
with one bisect and compacts the list only once the trimmed prefix is larger than the rest, so
trimming costs O(1) amortised per record and puts and reads stay O(log n) however long the
shard grows.

Positions are absolute and stay valid after trimming: reading from a trimmed position starts at
the oldest retained record instead.

Everything here runs under the backend's lock; the read methods used by the event source
mapping (:meth:`Shard.read`, :attr:`Shard.first_index`, :meth:`Shard.index_at_timestamp`, ...)
take that lock themselves.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from operator import attrgetter
from typing import Protocol

from sim.services.kinesis import limits
from sim.services.kinesis.hashing import Router, even_ranges
from sim.services.kinesis.sequence import (
    MAX_COUNTER,
    compose,
    format_sequence,
    parse_sequence,
    shard_base,
)

_COMPACT_MIN = 4096  # never compact a trimmed prefix shorter than this
_arrival = attrgetter("arrival")


class PutFault(Protocol):
    """An injected write fault on a stream (see :meth:`KinesisBackend.set_put_fault`)."""

    def refusals(self, now: float, entries: int) -> list[bool] | None:
        """For a put of ``entries`` records at ``now``: which entries to refuse with
        ProvisionedThroughputExceededException (one flag per entry, in request order), or
        None to refuse none. Called once per PutRecord / PutRecords, under the backend lock."""
        ...


class Record:
    """One data record as stored (and as GetRecords returns it)."""

    __slots__ = ("sequence_number", "partition_key", "data", "arrival", "size", "encryption_type")

    def __init__(
        self,
        sequence_number: str,
        partition_key: str,
        data: bytes,
        arrival: float,
        size: int,
        encryption_type: str = "NONE",
    ) -> None:
        self.sequence_number = sequence_number
        self.partition_key = partition_key
        self.data = data
        self.arrival = arrival  # ApproximateArrivalTimestamp, epoch seconds
        self.size = size  # data bytes + partition key bytes (UTF-8)
        self.encryption_type = encryption_type

    def __repr__(self) -> str:
        return (
            f"Record(sequence_number={self.sequence_number!r}, "
            f"partition_key={self.partition_key!r}, size={self.size}, arrival={self.arrival})"
        )


class Shard:
    """One shard: its place in the hash-key space, its lineage and its log."""

    def __init__(
        self,
        stream: Stream,
        index: int,
        hash_key_range: tuple[int, int],
        created_at: float,
        parent_shard_id: str | None = None,
        adjacent_parent_shard_id: str | None = None,
    ) -> None:
        self.stream = stream
        self.index = index
        self.shard_id = shard_id_for(index)
        self.hash_key_range = hash_key_range
        self.parent_shard_id = parent_shard_id
        self.adjacent_parent_shard_id = adjacent_parent_shard_id
        self.created_at = created_at
        self.created_seconds = int(created_at)
        self._base = shard_base(self.created_seconds, index)
        self.starting_sequence_number = str(compose(self._base, 0, self.created_seconds))
        self.ending_sequence_number: str | None = None
        self.closed_at: float | None = None
        self.expired = False  # closed and past retention: no longer listed
        self._records: list[Record] = []
        self._offset = 0  # absolute position of _records[0]
        self._start = 0  # list position of the oldest retained record
        self._last_arrival = 0.0
        # write metering (1-second windows) and on-demand load measuring
        self._window = -1
        self._window_bytes = 0
        self._window_records = 0
        self._period = -1
        self._period_bytes = 0
        self.split_due: float | None = None

    def __repr__(self) -> str:
        state = "closed" if self.is_closed else "open"
        return f"Shard({self.shard_id!r}, {state}, {self.first_index}..{self.end_index})"

    # -- the direct read API (stable; used by the event source mapping) ----------------------
    @property
    def is_closed(self) -> bool:
        return self.ending_sequence_number is not None

    @property
    def end_index(self) -> int:
        """The absolute position the next record written to this shard would take."""
        return self._offset + len(self._records)

    @property
    def first_index(self) -> int:
        """The absolute position of the oldest retained record (``end_index`` if none)."""
        with self.stream.lock:
            self._trim(self.stream.clock())
            return self._offset + self._start

    def index_at_timestamp(self, timestamp: float) -> int:
        """Position of the first retained record that arrived at or after ``timestamp``."""
        with self.stream.lock:
            self._trim(self.stream.clock())
            position = bisect_left(self._records, timestamp, self._start, key=_arrival)
            return self._offset + position

    def index_of_sequence(self, sequence_number: str, after: bool = False) -> int:
        """Position of a record of this shard given its sequence number (AT or AFTER it).

        :class:`ValueError` if the number was not issued by this shard.
        """
        parts = parse_sequence(sequence_number)
        if (
            parts.version != 2
            or parts.shard_index != self.index
            or parts.shard_created != self.created_seconds
        ):
            raise ValueError(f"{sequence_number} was not issued by {self.shard_id}")
        return self.position_of_counter(parts.counter, after)

    def read(
        self,
        index: int,
        limit: int = limits.GET_RECORDS_MAX_RECORDS,
        max_bytes: int = limits.GET_RECORDS_MAX_BYTES,
    ) -> tuple[list[Record], int]:
        """Up to ``limit`` records from position ``index``, at most ``max_bytes`` of them.

        Returns the records and the position after the last one. A trimmed ``index`` reads from
        the oldest retained record; the first record is returned even if it alone is larger
        than ``max_bytes``.
        """
        with self.stream.lock:
            self._trim(self.stream.clock())
            return self._read(index, limit, max_bytes)

    def arrival_at(self, index: int) -> float | None:
        """Arrival time of the record at ``index`` (None if not retained)."""
        position = index - self._offset
        if self._start <= position < len(self._records):
            return self._records[position].arrival
        return None

    # -- internals (called under the lock) -----------------------------------------------------
    def position_of_counter(self, counter: int, after: bool) -> int:
        position = counter if after else counter - 1
        return min(max(position, self._offset + self._start), self.end_index)

    def _read(self, index: int, limit: int, max_bytes: int) -> tuple[list[Record], int]:
        records = self._records
        offset = self._offset
        start = max(index, offset + self._start)
        stop = min(start + limit, offset + len(records))
        if stop <= start:
            return [], max(start, index)
        batch = records[start - offset : stop - offset]
        total = 0
        for count, record in enumerate(batch):
            total += record.size
            if total > max_bytes and count:
                del batch[count:]
                break
        return batch, start + len(batch)

    def _trim(self, now: float) -> None:
        """Forget records older than the stream's retention period (amortised O(1))."""
        records = self._records
        start = self._start
        if start >= len(records):
            return
        cutoff = now - self.stream.retention_seconds
        if records[start].arrival >= cutoff:
            return
        start = bisect_left(records, cutoff, start, key=_arrival)
        if start > _COMPACT_MIN and start * 2 > len(records):
            self._records = records[start:]
            self._offset += start
            start = 0
        self._start = start

    def _append(
        self, partition_key: str, data: bytes, size: int, now: float, encryption: str
    ) -> Record:
        arrival = now if now > self._last_arrival else self._last_arrival
        self._last_arrival = arrival
        counter = self._offset + len(self._records) + 1
        record = Record(
            str(self._base | (counter << 80) | (int(arrival) << 36)),  # sequence.compose
            partition_key,
            data,
            arrival,
            size,
            encryption,
        )
        self._records.append(record)
        return record

    def _admit(self, size: int, now: float) -> bool:
        """Count a write against this shard's per-second limits; False if it would exceed.

        The first record of a window is always admitted, so a record larger than the
        per-second byte limit (large records, up to 10 MiB) passes on an idle shard.
        """
        second = int(now // limits.THROUGHPUT_WINDOW_SECONDS)
        if second != self._window:
            self._window = second
            self._window_bytes = 0
            self._window_records = 0
        if self._window_records >= limits.SHARD_WRITE_RECORDS_PER_SECOND or (
            self._window_bytes and self._window_bytes + size > limits.SHARD_WRITE_BYTES_PER_SECOND
        ):
            return False
        self._window_bytes += size
        self._window_records += 1
        return True

    def _measure(self, size: int, now: float) -> None:
        """On-demand load measuring: bytes written per measuring period."""
        period = int(now // limits.ON_DEMAND_MEASURE_SECONDS)
        if period != self._period:
            self._close_period(period)
        self._period_bytes += size

    def _close_period(self, period: int) -> None:
        if self._period >= 0 and self.split_due is None:
            rate = self._period_bytes / limits.ON_DEMAND_MEASURE_SECONDS
            if rate > limits.ON_DEMAND_SPLIT_THRESHOLD_BYTES_PER_SECOND:
                period_end = (self._period + 1) * limits.ON_DEMAND_MEASURE_SECONDS
                self.split_due = period_end + limits.ON_DEMAND_SPLIT_DELAY_SECONDS
        self._period = period
        self._period_bytes = 0

    def _close(self, now: float) -> None:
        self.ending_sequence_number = format_sequence(
            self.created_seconds, self.index, MAX_COUNTER, int(now)
        )
        self.closed_at = now
        self.split_due = None

    def describe(self) -> dict:
        """The ``Shard`` structure of DescribeStream / ListShards."""
        start, end = self.hash_key_range
        out: dict = {"ShardId": self.shard_id}
        if self.parent_shard_id:
            out["ParentShardId"] = self.parent_shard_id
        if self.adjacent_parent_shard_id:
            out["AdjacentParentShardId"] = self.adjacent_parent_shard_id
        out["HashKeyRange"] = {"StartingHashKey": str(start), "EndingHashKey": str(end)}
        sequence_range = {"StartingSequenceNumber": self.starting_sequence_number}
        if self.ending_sequence_number is not None:
            sequence_range["EndingSequenceNumber"] = self.ending_sequence_number
        out["SequenceNumberRange"] = sequence_range
        return out

    def open_at(self, when: float) -> bool:
        return self.created_at <= when and (self.closed_at is None or when < self.closed_at)


def shard_id_for(index: int) -> str:
    return f"shardId-{index:012d}"


class Stream:
    """One data stream: settings, tags and every shard it ever had (until they expire)."""

    def __init__(
        self,
        *,
        name: str,
        arn: str,
        serial: int,
        created_at: float,
        shard_count: int,
        mode: str,
        lock: threading.RLock,
        clock: Callable[[], float],
        max_record_size_kib: int = limits.DEFAULT_MAX_RECORD_SIZE_KIB,
        tags: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.arn = arn
        self.serial = serial  # distinguishes a stream from an earlier one of the same name
        self.created_at = created_at
        self.status = "ACTIVE"
        self.mode = mode
        self.retention_hours = limits.RETENTION_DEFAULT_HOURS
        self.retention_seconds = self.retention_hours * 3600
        self.max_record_size_kib = max_record_size_kib
        self.encryption_type = "NONE"
        self.key_id: str | None = None
        self.tags: dict[str, str] = dict(tags or {})
        self.mode_switches: list[float] = []
        self.throttled_until = float("-inf")
        self.put_fault: PutFault | None = None  # fault injection (KinesisBackend.set_put_fault)
        self.deleted = False
        self.lock = lock
        self.clock = clock
        self._shards: list[Shard] = []
        self._maintained = float("-inf")
        for hash_range in even_ranges(shard_count):
            self._new_shard(hash_range, created_at)
        self._route()

    def __repr__(self) -> str:
        return f"Stream({self.name!r}, {self.mode}, {len(self.open())} open shards)"

    # -- the direct read API -------------------------------------------------------------------
    @property
    def shards(self) -> list[Shard]:
        """Every shard still listed, in id order: open ones, and closed ones whose records
        have not all passed the retention period yet."""
        with self.lock:
            self.maintain(self.clock())
            return self.listed()

    @property
    def open_shards(self) -> list[Shard]:
        """The shards records are written to now, in id order."""
        with self.lock:
            self.maintain(self.clock())
            return self.open()

    def shard(self, shard_id: str) -> Shard | None:
        """The shard with this exact id (expired ones included), or None."""
        index = shard_index_of(shard_id)
        if index is None or index >= len(self._shards):
            return None
        return self._shards[index]

    @property
    def max_record_bytes(self) -> int:
        return self.max_record_size_kib * limits.KiB

    # -- internals (called under the lock) -----------------------------------------------------
    def listed(self) -> list[Shard]:
        return [shard for shard in self._shards if not shard.expired]

    def open(self) -> list[Shard]:
        return [shard for shard in self._shards if shard.ending_sequence_number is None]

    def shard_at(self, index: int) -> Shard | None:
        return self._shards[index] if 0 <= index < len(self._shards) else None

    @property
    def shard_total(self) -> int:
        return len(self._shards)

    def route(self, key: int) -> Shard:
        return self._router.route(key)

    def set_retention(self, hours: int) -> None:
        self.retention_hours = hours
        self.retention_seconds = hours * 3600

    def _new_shard(
        self,
        hash_range: tuple[int, int],
        now: float,
        parent: str | None = None,
        adjacent: str | None = None,
    ) -> Shard:
        shard = Shard(self, len(self._shards), hash_range, now, parent, adjacent)
        self._shards.append(shard)
        return shard

    def _route(self) -> None:
        self._router = Router(self.open())

    def split(self, shard: Shard, new_start: int, now: float) -> tuple[Shard, Shard]:
        """Close ``shard``; two children take ``[start, new_start-1]`` and ``[new_start, end]``."""
        start, end = shard.hash_key_range
        shard._close(now)
        left = self._new_shard((start, new_start - 1), now, shard.shard_id)
        right = self._new_shard((new_start, end), now, shard.shard_id)
        self._route()
        return left, right

    def merge(self, shard: Shard, adjacent: Shard, now: float) -> Shard:
        """Close both; one child takes their joined range (``shard`` is the lower one)."""
        shard._close(now)
        adjacent._close(now)
        child = self._new_shard(
            (shard.hash_key_range[0], adjacent.hash_key_range[1]),
            now,
            shard.shard_id,
            adjacent.shard_id,
        )
        self._route()
        return child

    def scale_uniformly(self, target: int, now: float) -> None:
        """UpdateShardCount UNIFORM_SCALING: reach ``target`` even ranges by splits and merges.

        Every open shard is first split at each new range boundary inside it; the pieces of
        each new range are then merged left to right. Lineage (parent / adjacent parent) is
        therefore exact, as with AWS's own splits and merges.
        """
        ranges = even_ranges(target)
        bounds = [start for start, _ in ranges[1:]]
        for shard in sorted(self.open(), key=lambda s: s.hash_key_range[0]):
            current = shard
            low, high = shard.hash_key_range
            for bound in bounds[bisect_right(bounds, low) : bisect_right(bounds, high)]:
                current = self.split(current, bound, now)[1]
        pieces = sorted(self.open(), key=lambda s: s.hash_key_range[0])
        at = 0
        for _, end in ranges:
            accumulated = pieces[at]
            at += 1
            while accumulated.hash_key_range[1] < end:
                accumulated = self.merge(accumulated, pieces[at], now)
                at += 1

    def trim_all(self, now: float) -> None:
        """Apply retention to every shard now (before the retention period changes)."""
        for shard in self._shards:
            shard._trim(now)
        self._maintained = float("-inf")
        self.maintain(now)

    def maintain(self, now: float) -> None:
        """Housekeeping at most once per simulated second: expire closed shards past
        retention, and (on-demand) split shards whose measured load calls for it."""
        if self._maintained <= now < self._maintained + 1:
            return
        self._maintained = now
        for shard in self._shards:
            closed_at = shard.closed_at
            if closed_at is not None and closed_at + self.retention_seconds <= now:
                shard.expired = True
        if self.mode != "ON_DEMAND":
            return
        period = int(now // limits.ON_DEMAND_MEASURE_SECONDS)
        due = []
        for shard in self.open():
            if shard._period != period and shard._period >= 0:
                shard._close_period(period)
            if shard.split_due is not None and shard.split_due <= now:
                due.append(shard)
        for shard in due:
            start, end = shard.hash_key_range
            if end > start:
                self.split(shard, (start + end + 1) // 2, now)


def shard_index_of(shard_id: str) -> int | None:
    """The index a shard id names, accepting AWS's lenient forms (``shardId-1``, ``1``).

    Like AWS (kinesalite ``db.resolveShardId``): the part after the first ``-`` (or the whole
    id) must be decimal digits naming 0 .. 2147483647.
    """
    pieces = shard_id.split("-")
    digits = pieces[1] if len(pieces) > 1 and pieces[1] else shard_id
    if not digits.isdigit() or not digits.isascii():
        return None
    index = int(digits)
    return index if index <= 2_147_483_647 else None
