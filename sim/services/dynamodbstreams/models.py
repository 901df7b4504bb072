"""Streams, shards and stream records: the in-memory store behind streamlab's DynamoDB Streams.

Each shard is an append-only log, as in streamlab's Kinesis store: a list of
:class:`StreamRecord`, the absolute position of its first element (``_offset``) and of the oldest
retained record (``_offset + _start``). Appending is ``list.append``; a sequence number maps to
a position in O(1) (it encodes it, :mod:`.sequence`); a timestamp maps to a position by
bisecting the arrival times, which never decrease within a shard. Trimming (24-hour retention)
moves ``_start`` with one bisect and compacts the list only once the trimmed prefix outgrows
the rest: O(1) amortised per record. Positions are absolute and stay valid after trimming.

A stream has one open shard at a time. It rolls over every ``rollover`` seconds of simulated
time (the open shard closes and a child whose ``ParentShardId`` is the closed one opens), lazily:
whoever looks at the stream or writes to it first after the instant brings it up to date, with
the times the eager version would have given. Disabling the stream (or deleting its table)
closes the open shard; closed shards stay listed until their records pass retention.

Everything runs under the backend's lock; the direct read API used by the event source mapping
(:attr:`Stream.shards`, :meth:`Shard.read`, :attr:`Shard.first_index`, ...) takes it itself.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from sim.services.dynamodbstreams import limits
from sim.services.dynamodbstreams.sequence import epoch_ms, format_sequence, parse_sequence

_COMPACT_MIN = 4096  # never compact a trimmed prefix shorter than this
_arrival = attrgetter("arrival")
_INF = float("inf")


class StreamRecord:
    """One stream record as stored.

    ``record`` is the record exactly as a Lambda event carries it, without the mapping's
    ``eventSourceARN``; ``arrival`` is when it was written (epoch seconds, simulated, full
    precision: ``record["dynamodb"]["ApproximateCreationDateTime"]`` is it rounded down to the
    second); ``size`` is its ``SizeBytes``.
    """

    __slots__ = ("sequence_number", "arrival", "record", "size")

    def __init__(self, sequence_number: str, arrival: float, record: dict, size: int) -> None:
        self.sequence_number = sequence_number
        self.arrival = arrival
        self.record = record
        self.size = size

    @property
    def event_name(self) -> str:
        return self.record["eventName"]

    def __repr__(self) -> str:
        return (
            f"StreamRecord({self.sequence_number!r}, {self.record['eventName']}, "
            f"arrival={self.arrival}, size={self.size})"
        )


class Shard:
    """One shard of a stream: its identity, lineage and log."""

    adjacent_parent_shard_id: str | None = None  # DynamoDB Streams shards have one parent

    def __init__(
        self,
        stream: Stream,
        serial: int,
        shard_id: str,
        created_at: float,
        parent_shard_id: str | None = None,
    ) -> None:
        self.stream = stream
        self.serial = serial  # region-wide; the high part of every sequence number
        self.shard_id = shard_id
        self.parent_shard_id = parent_shard_id
        self.created_at = created_at
        self.closed_at: float | None = None
        self.expired = False  # closed and past retention: no longer listed
        self._records: list[StreamRecord] = []
        self._offset = 0  # absolute position of _records[0]
        self._start = 0  # list position of the oldest retained record
        self._last_arrival = -_INF

    def __repr__(self) -> str:
        state = "closed" if self.closed_at is not None else "open"
        return f"Shard({self.shard_id!r}, {state}, {self._offset + self._start}..{self.end_index})"

    # -- the direct read API (used by the event source mapping) ------------------------------
    @property
    def is_closed(self) -> bool:
        """Whether the shard takes no more records (rolled over, or its stream disabled)."""
        stream = self.stream
        with stream.lock:
            stream.maintain(stream.clock())
            return self.closed_at is not None

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
        """Position of the first retained record written at or after ``timestamp``."""
        with self.stream.lock:
            self._trim(self.stream.clock())
            return self._offset + bisect_left(self._records, timestamp, self._start, key=_arrival)

    def index_of_sequence(self, sequence_number: str, after: bool = False) -> int:
        """Position of this shard's record ``sequence_number`` (or just after it).

        :class:`ValueError` if the number is not one of this shard's (another shard's, or not
        written yet)."""
        serial, position = parse_sequence(sequence_number)
        if serial != self.serial or position >= self.end_index:
            raise ValueError(f"{sequence_number} is not a record of {self.shard_id}")
        return position + 1 if after else position

    def read(
        self,
        start_index: int,
        count: int = limits.GET_RECORDS_MAX_RECORDS,
        max_bytes: int = limits.GET_RECORDS_MAX_BYTES,
    ) -> tuple[list[StreamRecord], int]:
        """Up to ``count`` records from position ``start_index``, at most ``max_bytes`` of them
        (``SizeBytes``; the first record is returned even if it alone is larger).

        Returns the records and the position after the last one. A trimmed ``start_index``
        reads from the oldest retained record.
        """
        with self.stream.lock:
            self._trim(self.stream.clock())
            return self._read(max(start_index, self._offset + self._start), count, max_bytes)

    def arrival_at(self, index: int) -> float | None:
        """When the record at ``index`` was written (None if not retained)."""
        position = index - self._offset
        if self._start <= position < len(self._records):
            return self._records[position].arrival
        return None

    @property
    def starting_sequence_number(self) -> str:
        return format_sequence(self.serial, 0)

    @property
    def ending_sequence_number(self) -> str | None:
        """None while open; then the last record's number (the starting one if it has none)."""
        if self.closed_at is None:
            return None
        return format_sequence(self.serial, max(self.end_index - 1, 0))

    def describe(self) -> dict[str, Any]:
        """The ``Shard`` structure of DescribeStream."""
        sequence_range = {"StartingSequenceNumber": self.starting_sequence_number}
        ending = self.ending_sequence_number
        if ending is not None:
            sequence_range["EndingSequenceNumber"] = ending
        out: dict[str, Any] = {"ShardId": self.shard_id, "SequenceNumberRange": sequence_range}
        if self.parent_shard_id is not None:
            out["ParentShardId"] = self.parent_shard_id
        return out

    # -- internals (under the lock) ---------------------------------------------------------
    def _read(self, start: int, count: int, max_bytes: int) -> tuple[list[StreamRecord], int]:
        offset = self._offset
        stop = min(start + count, offset + len(self._records))
        if stop <= start:
            return [], start
        batch = self._records[start - offset : stop - offset]
        total = 0
        for taken, record in enumerate(batch):
            total += record.size
            if total > max_bytes and taken:
                del batch[taken:]
                break
        return batch, start + len(batch)

    def _trim(self, now: float) -> None:
        """Forget records older than the retention period (amortised O(1))."""
        records = self._records
        start = self._start
        if start >= len(records):
            return
        cutoff = now - limits.RETENTION_SECONDS
        if records[start].arrival >= cutoff:
            return
        start = bisect_left(records, cutoff, start, key=_arrival)
        if start > _COMPACT_MIN and start * 2 > len(records):
            self._records = records[start:]
            self._offset += start
            start = 0
        self._start = start

    def _append(self, now: float, build: Callable[[str, float], tuple[dict, int]]) -> StreamRecord:
        """Append the record ``build(sequence_number, arrival)`` returns (its dict and size)."""
        arrival = now if now > self._last_arrival else self._last_arrival
        self._last_arrival = arrival
        sequence_number = format_sequence(self.serial, self.end_index)
        record, size = build(sequence_number, arrival)
        stored = StreamRecord(sequence_number, arrival, record, size)
        self._records.append(stored)
        return stored


ShardFactory = Callable[[int], tuple[int, str]]  # creation ms -> (serial, shard id)


class Stream:
    """One stream of one table: its settings and every shard still listed."""

    def __init__(
        self,
        *,
        table_name: str,
        table_arn: str,
        label: str,
        view_type: str,
        key_schema: list[dict[str, str]],
        created_at: float,
        lock: threading.RLock,
        clock: Callable[[], float],
        new_shard: ShardFactory,
        rollover: float | None = limits.SHARD_ROLLOVER_SECONDS,
    ) -> None:
        self.table_name = table_name
        self.table_arn = table_arn
        self.label = label
        self.arn = f"{table_arn}/stream/{label}"
        self.view_type = view_type
        self.key_schema = [dict(element) for element in key_schema]
        self.created_at = created_at
        self.status = "ENABLED"
        self.disabled_at: float | None = None
        self.lock = lock
        self.clock = clock
        self.rollover = rollover
        self._new_shard_identity = new_shard
        self._shards: list[Shard] = []
        self._by_id: dict[str, Shard] = {}
        self._open: Shard | None = None
        self._last_shard_ms = 0  # shard ids carry strictly increasing milliseconds
        self._next_due = _INF
        self._open_shard(created_at, None)

    def __repr__(self) -> str:
        return f"Stream({self.arn!r}, {self.status}, {len(self._shards)} shards)"

    # -- the direct read API ------------------------------------------------------------------
    @property
    def shards(self) -> list[Shard]:
        """Every shard still listed, oldest first (parents before children): the open one and
        closed ones whose records have not all passed retention."""
        with self.lock:
            self.maintain(self.clock())
            return list(self._shards)

    @property
    def open_shard(self) -> Shard | None:
        """The shard records are written to now (None once the stream is disabled)."""
        with self.lock:
            self.maintain(self.clock())
            return self._open

    def shard(self, shard_id: str) -> Shard | None:
        """The listed shard with this id, or None."""
        with self.lock:
            self.maintain(self.clock())
            return self._by_id.get(shard_id)

    @property
    def enabled(self) -> bool:
        return self.status == "ENABLED"

    # -- internals (under the lock) -----------------------------------------------------------
    def maintain(self, now: float) -> None:
        """Bring the shards up to ``now``: roll the open shard over, forget expired shards."""
        if now < self._next_due:
            return
        open_shard = self._open
        rollover = self.rollover
        while open_shard is not None and rollover is not None:
            due = open_shard.created_at + rollover
            if now < due:
                break
            open_shard.closed_at = due
            open_shard = self._open_shard(due, open_shard.shard_id)
        retention = limits.RETENTION_SECONDS
        if any(s.closed_at is not None and s.closed_at + retention <= now for s in self._shards):
            kept = []
            for shard in self._shards:
                if shard.closed_at is not None and shard.closed_at + retention <= now:
                    shard.expired = True
                    del self._by_id[shard.shard_id]
                else:
                    kept.append(shard)
            self._shards = kept
        self._plan()

    def _plan(self) -> None:
        """When :meth:`maintain` next has something to do."""
        due = _INF
        if self._open is not None and self.rollover is not None:
            due = self._open.created_at + self.rollover
        for shard in self._shards:
            if shard.closed_at is not None:
                due = min(due, shard.closed_at + limits.RETENTION_SECONDS)
                break  # shards close in order: the first closed one expires first
        self._next_due = due

    def _open_shard(self, created_at: float, parent: str | None) -> Shard:
        created_ms = max(epoch_ms(created_at), self._last_shard_ms + 1)
        self._last_shard_ms = created_ms
        serial, shard_id = self._new_shard_identity(created_ms)
        shard = Shard(self, serial, shard_id, created_at, parent)
        self._shards.append(shard)
        self._by_id[shard_id] = shard
        self._open = shard
        self._plan()
        return shard

    def append(self, now: float, build: Callable[[str, float], tuple[dict, int]]) -> StreamRecord:
        """Write one record to the open shard (the stream must be enabled)."""
        self.maintain(now)
        shard = self._open
        assert shard is not None, f"{self.arn} is disabled"
        return shard._append(now, build)

    def close(self, now: float) -> None:
        """Disable the stream: the open shard closes; nothing is written any more."""
        if self.status != "ENABLED":
            return
        self.maintain(now)
        if self._open is not None:
            self._open.closed_at = now
            self._open = None
        self.status = "DISABLED"
        self.disabled_at = now
        self._plan()

    def expired_at(self, now: float) -> bool:
        """Whether a disabled stream has passed retention (all its records are gone)."""
        return self.disabled_at is not None and self.disabled_at + limits.RETENTION_SECONDS <= now

    def describe(self) -> dict[str, Any]:
        """The ``StreamDescription`` of DescribeStream, without its shards."""
        return {
            "StreamArn": self.arn,
            "StreamLabel": self.label,
            "StreamStatus": self.status,
            "StreamViewType": self.view_type,
            "CreationRequestDateTime": self.created_at,
            "TableName": self.table_name,
            "KeySchema": [dict(element) for element in self.key_schema],
        }
