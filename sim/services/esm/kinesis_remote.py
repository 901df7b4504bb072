"""A stream on another backend (LocalStack, AWS, any Kinesis endpoint), read through boto3.

The event source mapping reads streamlab's shard store directly on the embedded backend. On an
external backend it reads a :class:`RemoteKinesisStore` instead: a per-mapping mirror of the
stream that fetches records with ``GetShardIterator`` and ``GetRecords``, as Lambda's pollers
do, and offers the same direct read API as the store (``get_stream`` → ``arn`` and ``shards``;
each shard's ``shard_id``, parents, ``is_closed``, ``first_index``, ``end_index``, ``read`` and
``index_at_timestamp``). Positions are the mirror's own: 0 is the first record this mapping read
from the shard.

* Each poll of a shard (:meth:`RemoteShard.fetch`) makes one ``GetRecords`` call; the mapping
  polls once a second while idle and again at once while records remain, so it reads about as
  often as Lambda does. :meth:`RemoteShard.catch_up` reads until the shard's end (at the end of
  a run, so the ledger counts every record the stream holds).
* A shard is closed for the mapping once ``GetRecords`` returns no ``NextShardIterator``: the
  shard was closed by resharding and read to its end.
* An expired iterator (five minutes unused, e.g. a long retry backoff) is renewed after the last
  record read (``AFTER_SEQUENCE_NUMBER``); a throttled read (``ProvisionedThroughputExceeded``)
  is simply tried again at the next poll.
* Arrival times are the backend's own (``ApproximateArrivalTimestamp``, its wall clock), mapped
  onto the run's clock by ``to_clock`` (see :meth:`sim.clock.RealtimeClock.from_wall`) so that
  record and iterator ages compare like with like.
* Shards that exist when the mapping starts are read from its starting position; shards that
  appear later (children after resharding) from their first record.

The mirror keeps the records it has read for the rest of the run (a run on an external backend
goes at wall-clock pace, so it holds what the stream received during the run).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from botocore.exceptions import ClientError

# GetRecords: at most 10,000 records per call.
# https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
GET_RECORDS_LIMIT = 10_000
# Reads to the end of a shard at the end of a run stop after this many calls (a stream still
# being written to at full speed would never end).
CATCH_UP_MAX_READS = 1_000
_RETRYABLE_READ_ERRORS = ("ProvisionedThroughputExceededException", "LimitExceededException")

_arrival = attrgetter("arrival")


class RemoteRecord:
    """One record as the mapping sees it (the fields of the store's records it uses)."""

    __slots__ = ("sequence_number", "partition_key", "data", "arrival", "size")

    def __init__(self, sequence_number: str, partition_key: str, data: bytes, arrival: float):
        self.sequence_number = sequence_number
        self.partition_key = partition_key
        self.data = data
        self.arrival = arrival
        self.size = len(data) + len(partition_key.encode())


class RemoteShard:
    def __init__(
        self,
        stream: RemoteStream,
        description: dict[str, Any],
        iterator_args: dict[str, Any],
    ) -> None:
        self.stream = stream
        self.shard_id: str = description["ShardId"]
        self.parent_shard_id: str | None = description.get("ParentShardId")
        self.adjacent_parent_shard_id: str | None = description.get("AdjacentParentShardId")
        self._iterator_args = iterator_args  # how to start (or restart, before any record)
        self._records: list[RemoteRecord] = []
        self._last_arrival = float("-inf")
        self.is_closed = False
        self.millis_behind_latest = 0
        # at once: a LATEST iterator taken at the first poll would miss what came before it
        self._iterator: str | None = self._new_iterator()

    def __repr__(self) -> str:
        state = "closed" if self.is_closed else "open"
        return f"RemoteShard({self.shard_id!r}, {state}, 0..{self.end_index})"

    # -- the direct read API --------------------------------------------------------------
    @property
    def first_index(self) -> int:
        return 0

    @property
    def end_index(self) -> int:
        return len(self._records)

    def read(self, index: int, limit: int, max_bytes: int) -> tuple[list[RemoteRecord], int]:
        """Up to ``limit`` records from ``index`` (the first one even if alone over
        ``max_bytes``), from what has been fetched."""
        records, total = [], 0
        for record in self._records[index : index + limit]:
            if records and total + record.size > max_bytes:
                break
            records.append(record)
            total += record.size
        return records, index + len(records)

    def index_at_timestamp(self, timestamp: float) -> int:
        return bisect_left(self._records, timestamp, key=_arrival)

    # -- fetching -------------------------------------------------------------------------
    def fetch(self) -> int:
        """One ``GetRecords`` call; returns how many records it added."""
        if self.is_closed:
            return 0
        client = self.stream.client
        if self._iterator is None:
            self._iterator = self._new_iterator()
        try:
            response = client.get_records(ShardIterator=self._iterator, Limit=GET_RECORDS_LIMIT)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "ExpiredIteratorException":
                self._iterator = None  # renewed after the last record read, next time
                return 0
            if code in _RETRYABLE_READ_ERRORS:
                return 0
            raise
        to_clock = self.stream.to_clock
        added = response["Records"]
        for raw in added:
            stamp = raw["ApproximateArrivalTimestamp"]
            wall = stamp.timestamp() if isinstance(stamp, datetime) else float(stamp)
            arrival = max(to_clock(wall), self._last_arrival)  # never decreasing in a shard
            self._last_arrival = arrival
            self._records.append(
                RemoteRecord(raw["SequenceNumber"], raw["PartitionKey"], raw["Data"], arrival)
            )
        self.millis_behind_latest = response.get("MillisBehindLatest", 0)
        self._iterator = response.get("NextShardIterator")
        if self._iterator is None:
            self.is_closed = True
        return len(added)

    def catch_up(self) -> None:
        """Read until the shard has nothing more (or is closed)."""
        for _ in range(CATCH_UP_MAX_READS):
            if self.fetch() == 0 and (self.is_closed or self.millis_behind_latest == 0):
                return

    def _new_iterator(self) -> str:
        args: dict[str, Any] = {"StreamName": self.stream.name, "ShardId": self.shard_id}
        if self._records:
            args["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER"
            args["StartingSequenceNumber"] = self._records[-1].sequence_number
        else:
            args.update(self._iterator_args)
        return self.stream.client.get_shard_iterator(**args)["ShardIterator"]


class RemoteStream:
    def __init__(self, store: RemoteKinesisStore, name: str) -> None:
        self.store = store
        self.client = store.client
        self.to_clock = store.to_clock
        self.name = name
        summary = self.client.describe_stream_summary(StreamName=name)
        self.arn: str = summary["StreamDescriptionSummary"]["StreamARN"]
        self._shards: dict[str, RemoteShard] = {}
        self._listed = False

    @property
    def shards(self) -> list[RemoteShard]:
        """Every shard of the stream, in id order, listed afresh (``ListShards``)."""
        first_listing = not self._listed
        self._listed = True
        paginator = self.client.get_paginator("list_shards")
        for page in paginator.paginate(StreamName=self.name):
            for description in page["Shards"]:
                shard_id = description["ShardId"]
                if shard_id not in self._shards:
                    start = (
                        self.store.start_args
                        if first_listing
                        else {"ShardIteratorType": "TRIM_HORIZON"}
                    )
                    self._shards[shard_id] = RemoteShard(self, description, dict(start))
        return [self._shards[shard_id] for shard_id in sorted(self._shards)]


class RemoteKinesisStore:
    """The streams one mapping reads, mirrored through ``client`` (a boto3 Kinesis client).

    ``starting_position`` (and ``starting_position_timestamp``, on the run's clock) say where
    reading starts in the shards listed first; ``to_clock`` maps the backend's arrival times
    (epoch seconds) onto the run's clock and ``from_clock`` maps back.
    """

    remote = True

    def __init__(
        self,
        client: Any,
        *,
        starting_position: str,
        starting_position_timestamp: float | None = None,
        to_clock: Callable[[float], float] = float,
        from_clock: Callable[[float], float] = float,
    ) -> None:
        self.client = client
        self.to_clock = to_clock
        self.start_args: dict[str, Any] = {"ShardIteratorType": starting_position}
        if starting_position == "AT_TIMESTAMP":
            if starting_position_timestamp is None:
                raise ValueError("AT_TIMESTAMP needs a StartingPositionTimestamp")
            self.start_args["Timestamp"] = datetime.fromtimestamp(
                from_clock(starting_position_timestamp), tz=UTC
            )
        self._streams: dict[str, RemoteStream] = {}

    def get_stream(self, name: str) -> RemoteStream:
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = RemoteStream(self, name)
        return stream
