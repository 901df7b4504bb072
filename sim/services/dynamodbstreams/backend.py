"""The DynamoDB Streams store of one account and region: streams, the lock, the direct API.

Records come in through :meth:`DynamoDBStreamsBackend.write` (called by the capture hooks in
moto's DynamoDB, :mod:`.capture`); streams open and close through :meth:`open_stream` /
:meth:`close_stream`. The API operations (``operations/<operation>.py``) run under the same
``threading.RLock`` with one reading of the clock (:meth:`execute`), so an HTTP server thread,
a boto3 call in a handler and the simulation thread can all use the store.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

from sim.services.dynamodbstreams import limits
from sim.services.dynamodbstreams.exceptions import (
    ResourceNotFoundException,
    stream_not_found,
    table_has_no_stream,
)
from sim.services.dynamodbstreams.models import Stream, StreamRecord
from sim.services.dynamodbstreams.sequence import epoch_ms, shard_id, stream_label, whole_seconds

EVENT_VERSION = "1.1"  # in real events (SAM's sample, real answers); the API docs' example says 1.0
EVENT_SOURCE = "aws:dynamodb"
# A deletion by Time to Live (API_streams_Identity.html, time-to-live-ttl-streams.html).
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


class Change:
    """One item-level change captured from moto, images already serialised (see
    :mod:`.capture`). ``service`` marks a deletion by Time to Live."""

    __slots__ = (
        "table_name",
        "table_arn",
        "label",
        "view_type",
        "key_schema",
        "event_name",
        "keys",
        "new_image",
        "old_image",
        "size",
        "service",
    )

    def __init__(
        self,
        *,
        table_name: str,
        table_arn: str,
        label: str,
        view_type: str,
        key_schema: list[dict[str, str]],
        event_name: str,
        keys: dict[str, Any],
        new_image: dict[str, Any] | None,
        old_image: dict[str, Any] | None,
        size: int,
        service: bool = False,
    ) -> None:
        self.table_name = table_name
        self.table_arn = table_arn
        self.label = label
        self.view_type = view_type
        self.key_schema = key_schema
        self.event_name = event_name
        self.keys = keys
        self.new_image = new_image
        self.old_image = old_image
        self.size = size
        self.service = service

    def __repr__(self) -> str:
        return f"Change({self.table_name!r}, {self.event_name}, {self.keys})"


class Call:
    """One API request being served: the backend and its single clock reading."""

    __slots__ = ("backend", "now")

    def __init__(self, backend: DynamoDBStreamsBackend, now: float) -> None:
        self.backend = backend
        self.now = now


class DynamoDBStreamsBackend:
    """The streams of one account in one region.

    ``now`` gives epoch seconds (default ``time.time``: the simulated clock under
    time-machine); ``rng`` draws event ids and shard-id suffixes; ``rollover`` is the shard
    rollover period (:data:`.limits.SHARD_ROLLOVER_SECONDS`, None for never);
    ``table_exists(name)`` tells ListStreams whether a table without streams exists.
    """

    def __init__(
        self,
        account_id: str,
        region: str,
        now: Callable[[], float] | None = None,
        rng: random.Random | None = None,
        *,
        rollover: float | None = limits.SHARD_ROLLOVER_SECONDS,
        table_exists: Callable[[str], bool] | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.now: Callable[[], float] = now if now is not None else (lambda: time.time())
        self.rng = rng if rng is not None else random.Random(f"streamlab:ddbstreams:{region}")
        self.rollover = rollover
        self.table_exists = table_exists if table_exists is not None else (lambda name: False)
        self.lock = threading.RLock()
        self._streams: dict[str, Stream] = {}  # by ARN: every stream still retained
        self._latest: dict[str, Stream] = {}  # table name -> its latest stream
        self._shard_serial = 0
        self.records_written = 0

    # -- the direct API (stable; the event source mapping reads the store through it) -------
    def get_stream(self, table_name_or_arn: str) -> Stream:
        """The latest stream of a table (by name), or the stream with this ARN, while it is
        retained (enabled, or disabled less than 24 hours ago).

        :class:`ResourceNotFoundException` if none."""
        if table_name_or_arn.startswith("arn:"):
            return self.get_stream_by_arn(table_name_or_arn)
        with self.lock:
            self._expire(self.now())
            stream = self._latest.get(table_name_or_arn)
            if stream is None:
                raise table_has_no_stream(table_name_or_arn)
            return stream

    def get_stream_by_arn(self, stream_arn: str) -> Stream:
        """The retained stream with this ARN; AWS's ResourceNotFoundException if none."""
        with self.lock:
            self._expire(self.now())
            stream = self._streams.get(stream_arn)
            if stream is None:
                raise stream_not_found(stream_arn)
            return stream

    def streams(self, table_name: str | None = None) -> list[Stream]:
        """Retained streams (of one table, or all), in ARN order."""
        with self.lock:
            self._expire(self.now())
            return [
                self._streams[arn]
                for arn in sorted(self._streams)
                if table_name is None or self._streams[arn].table_name == table_name
            ]

    def execute(self, module: Any, request: dict[str, Any]) -> dict[str, Any]:
        """Run an operation module's ``run`` on a checked request, under the lock."""
        with self.lock:
            now = self.now()
            self._expire(now)
            return module.run(Call(self, now), request)

    def reset(self) -> None:
        """Forget every stream."""
        with self.lock:
            self._streams.clear()
            self._latest.clear()
            self.records_written = 0

    # -- fed by the capture hooks -------------------------------------------------------------
    def open_stream(
        self,
        *,
        table_name: str,
        table_arn: str,
        view_type: str,
        key_schema: list[dict[str, str]],
        label: str | None = None,
    ) -> Stream:
        """A new stream for the table, created now: the table's earlier stream (if still
        enabled) is closed first. ``label`` defaults to the creation instant; a label the
        table's streams already used moves on by a millisecond."""
        with self.lock:
            now = self.now()
            previous = self._latest.get(table_name)
            if previous is not None:
                previous.close(now)
            if label is None:
                created_ms = epoch_ms(now)
                label = stream_label(created_ms)
                while f"{table_arn}/stream/{label}" in self._streams:
                    created_ms += 1
                    label = stream_label(created_ms)
            stream = Stream(
                table_name=table_name,
                table_arn=table_arn,
                label=label,
                view_type=view_type,
                key_schema=key_schema,
                created_at=now,
                lock=self.lock,
                clock=self.now,
                new_shard=self._new_shard_identity,
                rollover=self.rollover,
            )
            self._streams[stream.arn] = stream
            self._latest[table_name] = stream
            return stream

    def close_stream(self, stream_arn: str) -> None:
        """The stream was disabled or its table deleted: its open shard closes."""
        with self.lock:
            stream = self._streams.get(stream_arn)
            if stream is not None:
                stream.close(self.now())

    def write(self, change: Change) -> StreamRecord | None:
        """Append one captured change to its table's stream (None if the stream is closed).

        A stream enabled before capture started is adopted under the table's own label."""
        with self.lock:
            now = self.now()
            arn = f"{change.table_arn}/stream/{change.label}"
            stream = self._streams.get(arn)
            if stream is None:
                stream = self.open_stream(
                    table_name=change.table_name,
                    table_arn=change.table_arn,
                    view_type=change.view_type,
                    key_schema=change.key_schema,
                    label=change.label,
                )
            if not stream.enabled:
                return None
            region = self.region

            def build(sequence_number: str, arrival: float) -> tuple[dict, int]:
                dynamodb: dict[str, Any] = {
                    # "rounded down to the closest second" (API_streams_StreamRecord.html)
                    "ApproximateCreationDateTime": whole_seconds(arrival),
                    "Keys": change.keys,
                }
                if change.new_image is not None:
                    dynamodb["NewImage"] = change.new_image
                if change.old_image is not None:
                    dynamodb["OldImage"] = change.old_image
                dynamodb["SequenceNumber"] = sequence_number
                dynamodb["SizeBytes"] = change.size
                dynamodb["StreamViewType"] = change.view_type
                record: dict[str, Any] = {
                    "eventID": f"{self.rng.getrandbits(128):032x}",
                    "eventName": change.event_name,
                    "eventVersion": EVENT_VERSION,
                    "eventSource": EVENT_SOURCE,
                    "awsRegion": region,
                }
                if change.service:
                    record["userIdentity"] = dict(TTL_IDENTITY)
                record["dynamodb"] = dynamodb
                return record, change.size

            self.records_written += 1
            return stream.append(now, build)

    # -- internals ----------------------------------------------------------------------------
    def _new_shard_identity(self, created_ms: int) -> tuple[int, str]:
        """A region-wide serial (the high part of the shard's sequence numbers) and an
        AWS-shaped id (its stream makes the milliseconds increase, so ids sort by creation)."""
        self._shard_serial += 1
        return self._shard_serial, shard_id(created_ms, self.rng.getrandbits(32))

    def _expire(self, now: float) -> None:
        """Forget disabled streams whose records have all passed retention."""
        gone = [arn for arn, stream in self._streams.items() if stream.expired_at(now)]
        for arn in gone:
            stream = self._streams.pop(arn)
            if self._latest.get(stream.table_name) is stream:
                del self._latest[stream.table_name]


__all__ = ["Call", "Change", "DynamoDBStreamsBackend", "ResourceNotFoundException"]
