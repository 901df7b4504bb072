"""The Kinesis event source mapping, as Lambda runs it, on the simulated clock.

Per shard, a poller reads the shard every simulated second (Lambda's base polling rate) and keeps
reading while records remain; it gathers a batch (BatchSize, MaximumBatchingWindowInSeconds, the
6 MB payload limit), invokes the function synchronously with AWS's Kinesis event, and moves its
checkpoint only when the batch succeeds. A failed batch is retried, whole, until it succeeds, its
records pass MaximumRecordAgeInSeconds or leave the stream's retention, or MaximumRetryAttempts
is used up; then it is dropped (reported in the ledger with the reason) and the shard moves on.
Order is kept per shard: one batch at a time. Parent shards are read to their end before their
children start, as Lambda does after resharding.

On the embedded backend the poller reads streamlab's shard store directly (no boto3 round trip);
the store's absolute positions make the checkpoint a plain integer.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.clock import Clock, Timer, iso
from sim.ledger import Ledger
from sim.services.esm import limits

STARTING_POSITIONS = ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")


@dataclass
class BatchOutcome:
    """One invocation of the mapping's function: what the report and tests look at."""

    time: float
    shard_id: str
    first_sequence: str
    last_sequence: str
    size: int
    outcome: str  # success | error | timeout | dropped
    attempt: int
    iterator_age_ms: int
    request_id: str | None = None
    reason: str | None = None


@dataclass
class _Poller:
    shard: Any
    start_index: int
    position: int
    attempts: int = 0
    retry_end: int | None = None  # end of the batch being retried
    window_started: float | None = None
    timer: Timer | None = None
    finished: bool = False


@dataclass
class KinesisMappingConfig:
    batch_size: int = limits.KINESIS_BATCH_SIZE_DEFAULT
    starting_position: str = "LATEST"
    starting_position_timestamp: float | None = None
    maximum_batching_window: float = 0.0
    maximum_retry_attempts: int = limits.RETRY_ATTEMPTS_INFINITE
    maximum_record_age: int = limits.RECORD_AGE_INFINITE
    enabled: bool = True

    def validate(self) -> None:
        if not 1 <= self.batch_size <= limits.KINESIS_BATCH_SIZE_MAX:
            raise ValueError(f"BatchSize must be 1..{limits.KINESIS_BATCH_SIZE_MAX}")
        if self.starting_position not in STARTING_POSITIONS:
            raise ValueError(f"StartingPosition must be one of {', '.join(STARTING_POSITIONS)}")
        if (self.starting_position == "AT_TIMESTAMP") != (
            self.starting_position_timestamp is not None
        ):
            raise ValueError("StartingPositionTimestamp goes with StartingPosition AT_TIMESTAMP")
        if not 0 <= self.maximum_batching_window <= limits.BATCHING_WINDOW_MAX_SECONDS:
            raise ValueError("MaximumBatchingWindowInSeconds must be 0..300")
        if (
            not limits.RETRY_ATTEMPTS_INFINITE
            <= self.maximum_retry_attempts
            <= (limits.RETRY_ATTEMPTS_MAX)
        ):
            raise ValueError("MaximumRetryAttempts must be -1..10000")
        age = self.maximum_record_age
        if age != limits.RECORD_AGE_INFINITE and not (
            limits.RECORD_AGE_MIN_SECONDS <= age <= limits.RECORD_AGE_MAX_SECONDS
        ):
            raise ValueError("MaximumRecordAgeInSeconds must be -1 or 60..604800")


@dataclass
class KinesisEventSourceMapping:
    """A mapping from one stream to one function. ``invoke(event)`` returns an object with
    ``outcome`` ("success" | "error" | "timeout") and ``request_id``."""

    uuid: str
    clock: Clock
    store: Any
    stream_name: str
    function_name: str
    function_arn: str
    invoke: Callable[[dict[str, Any]], Any]
    ledger: Ledger
    role_arn: str
    region: str
    config: KinesisMappingConfig = field(default_factory=KinesisMappingConfig)
    batches: list[BatchOutcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.config.validate()
        self._stream = self.store.get_stream(self.stream_name)
        self.stream_arn = self._stream.arn
        self._pollers: dict[str, _Poller] = {}
        self._done: set[str] = set()
        self._hop = self.ledger.hop(f"stream {self.stream_name}", f"function {self.function_name}")
        self._phase = self.clock.now
        self.created_at = self.clock.now
        self.state = "Disabled"
        if self.config.enabled:
            self.enable()

    # -- lifecycle ------------------------------------------------------------------------
    def enable(self) -> None:
        if self.state == "Enabled":
            return
        self.state = "Enabled"
        if not self._pollers and not self._done:
            self._start_pollers()
        else:  # resume from the last checkpoint of every shard
            for poller in self._pollers.values():
                if not poller.finished:
                    self._schedule(poller, self.clock.now)

    def disable(self) -> None:
        self.state = "Disabled"
        for poller in self._pollers.values():
            if poller.timer is not None:
                poller.timer.cancel()
                poller.timer = None

    def _start_pollers(self) -> None:
        position = self.config.starting_position
        shards = self._stream.shards
        if position == "LATEST":
            for shard in shards:
                if not shard.is_closed:
                    self._add_poller(shard, shard.end_index)
            return
        ids = {shard.shard_id for shard in shards}
        for shard in shards:
            parents = [p for p in (shard.parent_shard_id, shard.adjacent_parent_shard_id) if p]
            if not any(parent in ids for parent in parents):
                self._add_poller(shard, self._initial_index(shard))

    def _initial_index(self, shard: Any) -> int:
        if self.config.starting_position == "AT_TIMESTAMP":
            return shard.index_at_timestamp(self.config.starting_position_timestamp)
        return shard.first_index

    def _add_poller(self, shard: Any, index: int) -> None:
        poller = _Poller(shard=shard, start_index=index, position=index)
        self._pollers[shard.shard_id] = poller
        self._schedule(poller, self.clock.now)

    def _schedule(self, poller: _Poller, when: float) -> None:
        if poller.timer is not None:
            poller.timer.cancel()
        poller.timer = self.clock.call_at(max(when, self.clock.now), self._poll, poller)

    def _next_tick(self) -> float:
        """The next polling instant: every second from the mapping's creation."""
        now = self.clock.now
        ticks = math.floor((now - self._phase) / limits.POLL_INTERVAL_SECONDS) + 1
        return self._phase + ticks * limits.POLL_INTERVAL_SECONDS

    # -- polling --------------------------------------------------------------------------
    def _poll(self, poller: _Poller) -> None:
        poller.timer = None
        if self.state != "Enabled" or poller.finished:
            return
        shard = poller.shard
        self._drop_expired(poller)
        end = poller.retry_end
        limit = self.config.batch_size if end is None else end - poller.position
        records, next_index = shard.read(poller.position, limit, limits.INVOKE_PAYLOAD_MAX_BYTES)
        records, next_index = self._fit_payload(records, poller.position, next_index)
        if not records:
            poller.attempts, poller.retry_end, poller.window_started = 0, None, None
            if shard.is_closed and poller.position >= shard.end_index:
                self._finish(poller)
            else:
                self._schedule(poller, self._next_tick())
            return
        if end is None and self._waiting_for_window(poller, records):
            return
        poller.window_started = None
        self._invoke(poller, records, next_index)

    def _fit_payload(
        self, records: list[Any], start: int, next_index: int
    ) -> tuple[list[Any], int]:
        """Cut the batch where the event would exceed the 6 MB invocation payload."""
        total = 0
        for count, record in enumerate(records):
            total += 4 * ((len(record.data) + 2) // 3) + limits.EVENT_RECORD_OVERHEAD_BYTES
            if total > limits.INVOKE_PAYLOAD_MAX_BYTES and count:
                return records[:count], start + count
        return records, next_index

    def _waiting_for_window(self, poller: _Poller, records: list[Any]) -> bool:
        window = self.config.maximum_batching_window
        if window <= 0 or len(records) >= self.config.batch_size:
            return False
        now = self.clock.now
        if poller.window_started is None:
            poller.window_started = now
        deadline = poller.window_started + window
        if now >= deadline:
            return False
        self._schedule(poller, min(deadline, self._next_tick()))
        return True

    def _drop_expired(self, poller: _Poller) -> None:
        """Records that left the stream (retention) before the function got them."""
        first = poller.shard.first_index
        if poller.position < first:
            self._hop.dropped["RecordExpired"] += first - poller.position
            poller.position = first
            if poller.retry_end is not None and poller.retry_end <= first:
                poller.retry_end, poller.attempts = None, 0

    def _invoke(self, poller: _Poller, records: list[Any], next_index: int) -> None:
        config, now = self.config, self.clock.now
        if config.maximum_record_age != limits.RECORD_AGE_INFINITE:
            # Records arrive in order within a shard, so the too-old ones lead the batch.
            old = 0
            while old < len(records) and now - records[old].arrival > config.maximum_record_age:
                old += 1
            if old:
                self._drop(poller, records[:old], "MaximumRecordAgeExceeded")
                poller.position += old
                if old == len(records):
                    self._advance(poller, next_index)
                    return
                records = records[old:]
        poller.attempts += 1
        result = self.invoke(self._event(poller.shard.shard_id, records))
        age_ms = max(0, int(round((now - records[-1].arrival) * 1000)))
        outcome = getattr(result, "outcome", "error")
        self.batches.append(
            BatchOutcome(
                time=now,
                shard_id=poller.shard.shard_id,
                first_sequence=records[0].sequence_number,
                last_sequence=records[-1].sequence_number,
                size=len(records),
                outcome=outcome,
                attempt=poller.attempts,
                iterator_age_ms=age_ms,
                request_id=getattr(result, "request_id", None),
            )
        )
        if outcome == "success":
            self._hop.delivered += len(records)
            self._advance(poller, next_index)
            return
        self._hop.retried += len(records)
        retries_used = poller.attempts - 1
        if (
            config.maximum_retry_attempts != limits.RETRY_ATTEMPTS_INFINITE
            and retries_used >= config.maximum_retry_attempts
        ):
            self._drop(poller, records, "RetryAttemptsExhausted")
            self._advance(poller, next_index)
            return
        poller.retry_end = next_index
        delay = min(
            limits.RETRY_DELAY_FIRST_SECONDS * 2**retries_used, limits.RETRY_DELAY_MAX_SECONDS
        )
        self._schedule(poller, now + delay)

    def _drop(self, poller: _Poller, dropped: list[Any], reason: str) -> None:
        self._hop.dropped[reason] += len(dropped)
        self.batches.append(
            BatchOutcome(
                time=self.clock.now,
                shard_id=poller.shard.shard_id,
                first_sequence=dropped[0].sequence_number,
                last_sequence=dropped[-1].sequence_number,
                size=len(dropped),
                outcome="dropped",
                attempt=poller.attempts,
                iterator_age_ms=int(round((self.clock.now - dropped[-1].arrival) * 1000)),
                reason=reason,
            )
        )

    def _advance(self, poller: _Poller, next_index: int) -> None:
        poller.position = next_index
        poller.attempts, poller.retry_end = 0, None
        shard = poller.shard
        if next_index < shard.end_index:
            self._schedule(poller, self.clock.now)  # more records: keep reading
        elif shard.is_closed:
            self._finish(poller)
        else:
            self._schedule(poller, self._next_tick())

    def _finish(self, poller: _Poller) -> None:
        """A closed shard read to its end: start the children whose parents are all done."""
        poller.finished = True
        self._done.add(poller.shard.shard_id)
        for shard in self._stream.shards:
            if shard.shard_id in self._pollers:
                continue
            parents = [p for p in (shard.parent_shard_id, shard.adjacent_parent_shard_id) if p]
            if (
                parents
                and poller.shard.shard_id in parents
                and all(p in self._done for p in parents)
            ):
                self._add_poller(shard, max(shard.first_index, 0))

    # -- events ---------------------------------------------------------------------------
    def _event(self, shard_id: str, records: list[Any]) -> dict[str, Any]:
        stream_arn, role_arn, region = self.stream_arn, self.role_arn, self.region
        b64 = base64.b64encode
        return {
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
                    "awsRegion": region,
                    "eventSourceARN": stream_arn,
                }
                for r in records
            ]
        }

    # -- accounting -----------------------------------------------------------------------
    def settle(self) -> None:
        """At the end of a run: what reached the stream for this mapping, and what is left."""
        available = in_flight = 0
        for poller in self._pollers.values():
            self._drop_expired(poller)
            available += poller.shard.end_index - poller.start_index
            in_flight += poller.shard.end_index - poller.position
        for shard in self._stream.shards:  # children not started yet: still waiting
            if shard.shard_id not in self._pollers and (
                shard.parent_shard_id or shard.adjacent_parent_shard_id
            ):
                available += shard.end_index - shard.first_index
                in_flight += shard.end_index - shard.first_index
        self._hop.available = available
        self._hop.in_flight = in_flight

    @property
    def max_iterator_age_ms(self) -> int:
        return max((b.iterator_age_ms for b in self.batches), default=0)

    def describe(self) -> dict[str, Any]:
        """The mapping as ``GetEventSourceMapping`` shows it."""
        config = self.config
        described = {
            "UUID": self.uuid,
            "StartingPosition": config.starting_position,
            "BatchSize": config.batch_size,
            "MaximumBatchingWindowInSeconds": int(config.maximum_batching_window),
            "ParallelizationFactor": 1,
            "EventSourceArn": self.stream_arn,
            "FunctionArn": self.function_arn,
            "LastModified": iso(self.created_at),
            "LastProcessingResult": self._last_result(),
            "State": self.state,
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {}},
            "MaximumRecordAgeInSeconds": config.maximum_record_age,
            "BisectBatchOnFunctionError": False,
            "MaximumRetryAttempts": config.maximum_retry_attempts,
        }
        if config.starting_position_timestamp is not None:
            described["StartingPositionTimestamp"] = config.starting_position_timestamp
        return described

    def _last_result(self) -> str:
        if not self.batches:
            return "No records processed"
        last = self.batches[-1]
        return "OK" if last.outcome == "success" else "PROBLEM: Function call failed"
