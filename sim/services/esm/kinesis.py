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
the store's absolute positions make the checkpoint a plain integer. On an external backend it
reads a mirror of the stream filled through boto3 (:mod:`.kinesis_remote`): each poll that needs
records makes one ``GetRecords`` call.

How a poller works (all of it O(records handled), never O(stream)):

* ``position`` is the checkpoint: the first record not yet delivered or dropped. ``batch`` holds
  the records from there that the next invocation will carry, with each record's JSON text
  (``texts``) and the event's size so far. While a batching window is open the batch grows
  incrementally: each poll reads only the records after it, so a batch gathered over a long
  window is read and encoded once.
* A batch is *sealed* once it is full (BatchSize or the payload limit) or has been sent: a sealed
  batch is retried as it is; nothing is added to it.
* The event is built as JSON text directly (``encode_events=True``, the default) and handed to
  ``invoke`` as ``bytes``, which ``LambdaRuntime.invoke`` takes as the request body. With
  ``encode_events=False`` ``invoke`` gets the same event as a dict. Both are cut at the same
  record: the size is always that of the JSON text.
* Every shard the mapping will read is tracked by a poller from the moment the mapping knows of
  it: shards listed when it starts, and children found when a parent closes (or at ``settle``).
  A child's poller waits until its parents are read to their end. The ledger's ``available`` is
  the sum over pollers of the records from their starting positions, so records that expire in a
  child still waiting for its parent are reported as ``RecordExpired``, not lost.
* An idle poll (checkpoint at the shard's end) costs a comparison and a timer.
* The ledger's ``retried`` counts the records of failed tries that are tried again; a batch
  dropped after its last attempt counts under ``dropped`` only.

A throttled invoke (``invoke`` raises :class:`~sim.services.lambda_.TooManyRequestsException`:
reserved concurrency 0, a ``function_throttle`` fault) is a failure before invocation, as AWS
defines it: the function did not run, the batch is retried after the same backoff, and
``MaximumRetryAttempts`` does not count it (its ``BatchOutcome`` is ``error`` with reason
``TooManyRequestsException`` and no request id).

Where AWS is silent or streamlab departs from it (constants and reasons in :mod:`.limits`): the
retry backoff; a record too large for any event (a failure before invocation); and a
StartingPositionTimestamp in the future, which AWS refuses (and so does the scenario checker)
but a mapping built directly honours (records arriving before it are skipped).
"""

from __future__ import annotations

import base64
import math
from binascii import b2a_base64
from collections.abc import Callable
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii
from typing import Any

from sim.clock import Clock, Timer, iso
from sim.ledger import Ledger
from sim.services.esm import limits
from sim.services.lambda_.exceptions import TooManyRequestsException

STARTING_POSITIONS = ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")
# The reason recorded for a throttled invoke (``invoke`` raised TooManyRequestsException, as
# Lambda's Invoke answers 429): a failure before invocation, retried like one.
THROTTLED_REASON = "TooManyRequestsException"

# '{"Records": [' + records joined by ', ' + ']}': the event's bytes around its records.
_ENVELOPE = ('{"Records": [', "]}")
_ENVELOPE_BYTES = len("".join(_ENVELOPE))
_SEPARATOR_BYTES = len(", ")


@dataclass
class BatchOutcome:
    """One invocation of the mapping's function (or one drop): what the report and tests see.

    ``outcome`` is ``success`` | ``error`` | ``timeout`` for invocations and ``dropped`` for
    records given up (``reason``: RetryAttemptsExhausted, MaximumRecordAgeExceeded). ``error``
    with a ``reason`` and no ``request_id`` is a failure before invocation (the function was not
    called). ``attempt`` counts invocations of this batch. ``iterator_age_ms`` is the age of the
    batch's last record at that moment.
    """

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
    start_index: int  # first position this mapping answers for (the ledger's "available")
    position: int  # checkpoint: the next record to deliver
    waiting: bool = False  # a parent shard is not read to its end yet
    skip_before: float | None = None  # AT_TIMESTAMP still ahead: skip records arriving before
    batch: list[Any] = field(default_factory=list)  # records from ``position`` on
    texts: list[str] = field(default_factory=list)  # each record's JSON text in the event
    size: int = 0  # bytes of the event carrying ``batch`` (0 when empty)
    sealed: bool = False  # full or sent: retried as it is, never grown
    attempts: int = 0  # invocations of the current batch
    failures: int = 0  # failed tries of the current batch (with those before invocation)
    window_started: float | None = None
    timer: Timer | None = None
    finished: bool = False

    def clear(self) -> None:
        self.batch = []
        self.texts = []
        self.size = 0
        self.sealed = False
        self.attempts = self.failures = 0
        self.window_started = None

    def trim(self, count: int) -> None:
        """Forget the batch's first ``count`` records (the checkpoint has moved past them)."""
        if count >= len(self.batch):
            self.clear()
            return
        del self.batch[:count]
        del self.texts[:count]
        self.size = (
            _ENVELOPE_BYTES + sum(map(len, self.texts)) + _SEPARATOR_BYTES * (len(self.texts) - 1)
        )


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
            raise ValueError(
                f"MaximumBatchingWindowInSeconds must be 0..{limits.BATCHING_WINDOW_MAX_SECONDS}"
            )
        if (
            not limits.RETRY_ATTEMPTS_INFINITE
            <= self.maximum_retry_attempts
            <= limits.RETRY_ATTEMPTS_MAX
        ):
            raise ValueError(f"MaximumRetryAttempts must be -1..{limits.RETRY_ATTEMPTS_MAX}")
        age = self.maximum_record_age
        if age != limits.RECORD_AGE_INFINITE and not (
            limits.RECORD_AGE_MIN_SECONDS <= age <= limits.RECORD_AGE_MAX_SECONDS
        ):
            raise ValueError(
                f"MaximumRecordAgeInSeconds must be -1 or "
                f"{limits.RECORD_AGE_MIN_SECONDS}..{limits.RECORD_AGE_MAX_SECONDS}"
            )


@dataclass
class KinesisEventSourceMapping:
    """A mapping from one stream to one function.

    ``invoke(event)`` returns an object with ``outcome`` ("success" | "error" | "timeout") and
    ``request_id``. ``event`` is the Kinesis event as JSON ``bytes`` (``encode_events=True``, what
    ``LambdaRuntime.invoke`` takes as a request body), or as a dict (``encode_events=False``).
    """

    uuid: str
    clock: Clock
    store: Any
    stream_name: str
    function_name: str
    function_arn: str
    invoke: Callable[[Any], Any]
    ledger: Ledger
    role_arn: str
    region: str
    config: KinesisMappingConfig = field(default_factory=KinesisMappingConfig)
    batches: list[BatchOutcome] = field(default_factory=list)
    encode_events: bool = True

    def __post_init__(self) -> None:
        self.config.validate()
        self._stream = self.store.get_stream(self.stream_name)
        # a stream on another backend, mirrored through boto3 (see .kinesis_remote)
        self._remote = getattr(self.store, "remote", False)
        self.stream_arn = self._stream.arn
        self._pollers: dict[str, _Poller] = {}
        self._started = False
        self._reported = (0, 0)  # (available, in_flight) added to the hop by settle()
        self._hop = self.ledger.hop(f"stream {self.stream_name}", f"function {self.function_name}")
        self._phase = self.clock.now
        self.created_at = self.clock.now
        # the parts of every record's JSON text that depend on the mapping only
        self._record_tail = (
            f', "invokeIdentityArn": {encode_basestring_ascii(self.role_arn)}'
            f', "awsRegion": {encode_basestring_ascii(self.region)}'
            f', "eventSourceARN": {encode_basestring_ascii(self.stream_arn)}}}'
        )
        self.state = "Disabled"
        if self.config.enabled:
            self.enable()

    # -- lifecycle ------------------------------------------------------------------------
    def enable(self) -> None:
        if self.state == "Enabled":
            return
        self.state = "Enabled"
        if not self._started:
            self._started = True
            self._start_pollers()
            return
        for poller in self._pollers.values():  # resume from each shard's checkpoint
            if not poller.finished and not poller.waiting:
                self._schedule(poller, self.clock.now)

    def disable(self) -> None:
        self.state = "Disabled"
        for poller in self._pollers.values():
            if poller.timer is not None:
                poller.timer.cancel()
                poller.timer = None

    def _start_pollers(self) -> None:
        config = self.config
        shards = self._stream.shards
        if config.starting_position == "LATEST":
            for shard in shards:
                if not shard.is_closed:
                    self._track(shard, shard.end_index)
        else:
            # Every listed shard, from the starting position; children wait for their parents.
            for shard in shards:
                if config.starting_position == "AT_TIMESTAMP":
                    index = shard.index_at_timestamp(config.starting_position_timestamp)
                else:
                    index = shard.first_index
                self._track(shard, index)
        self._release()

    def _track(self, shard: Any, index: int) -> _Poller:
        """Answer for ``shard`` from position ``index`` on; poll it once its parents are done."""
        ts = self.config.starting_position_timestamp
        poller = _Poller(
            shard=shard,
            start_index=index,
            position=index,
            waiting=True,
            skip_before=ts if ts is not None and ts > self.clock.now else None,
        )
        self._pollers[shard.shard_id] = poller
        return poller

    def _discover(self) -> None:
        """Track the children (created since) of the shards this mapping reads."""
        pollers = self._pollers
        for shard in self._stream.shards:  # id order: parents before children
            if shard.shard_id in pollers:
                continue
            parents = (shard.parent_shard_id, shard.adjacent_parent_shard_id)
            if any(parent in pollers for parent in parents if parent):
                # created after this mapping started reading: every record of it is new
                self._track(shard, 0)

    def _release(self) -> None:
        """Start the waiting pollers whose parents are read to their end (or not read at all:
        expired, or closed before a LATEST mapping started)."""
        pollers = self._pollers
        for poller in pollers.values():
            if not poller.waiting:
                continue
            shard = poller.shard
            parents = (shard.parent_shard_id, shard.adjacent_parent_shard_id)
            if all(pollers[p].finished for p in parents if p and p in pollers):
                poller.waiting = False
                if self.state == "Enabled":
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
        if self.state != "Enabled" or poller.finished or poller.waiting:
            return
        shard = poller.shard
        if self._remote and shard.end_index - poller.position < self.config.batch_size:
            shard.fetch()  # one GetRecords call, as a poller on AWS makes
        if not poller.batch and poller.position >= shard.end_index and poller.skip_before is None:
            # idle: nothing new, nothing to expire (the checkpoint is at the shard's end)
            if shard.is_closed:
                self._finish(poller)
            else:
                self._schedule(poller, self._next_tick())
            return
        self._drop_expired(poller)
        if poller.skip_before is not None:
            self._skip(poller)
        if not poller.sealed:
            self._gather(poller)
        if not poller.batch:
            poller.clear()
            if shard.is_closed and poller.position >= shard.end_index:
                self._finish(poller)
            else:
                self._schedule(poller, self._next_tick())
            return
        if not poller.sealed and self._waiting_for_window(poller):
            return
        poller.sealed = True
        self._invoke(poller)

    def _gather(self, poller: _Poller) -> None:
        """Add the records after the batch, up to BatchSize and the payload limit (exactly: the
        size of each record's JSON text in the event)."""
        batch, texts = poller.batch, poller.texts
        batch_size = self.config.batch_size
        room = batch_size - len(batch)
        if room > 0:
            size = poller.size or _ENVELOPE_BYTES - _SEPARATOR_BYTES
            limit = limits.INVOKE_PAYLOAD_MAX_BYTES
            # A record's stored size (data + partition key) is below its size in the event, so
            # reading up to the bytes left returns every record that can fit, and maybe more.
            shard = poller.shard
            records, next_index = shard.read(
                poller.position + len(batch), room, max(limit - size, 1)
            )
            shard_id = shard.shard_id
            tail = self._record_tail
            arrival, stamp = None, ""
            for r in records:
                seq = r.sequence_number
                if r.arrival != arrival:  # records of one put share their arrival
                    arrival = r.arrival
                    stamp = repr(round(arrival, 3))
                text = (
                    '{"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": '
                    f"{encode_basestring_ascii(r.partition_key)}, "
                    f'"sequenceNumber": "{seq}", '
                    f'"data": "{b2a_base64(r.data, newline=False).decode("ascii")}", '
                    f'"approximateArrivalTimestamp": {stamp}}}, '
                    '"eventSource": "aws:kinesis", "eventVersion": "1.0", '
                    f'"eventID": "{shard_id}:{seq}", "eventName": "aws:kinesis:record"{tail}'
                )
                grown = size + len(text) + _SEPARATOR_BYTES
                if grown > limit and batch:
                    poller.sealed = True  # full: the payload limit
                    break
                batch.append(r)
                texts.append(text)
                size = grown
                if size > limit:  # alone too large for any event: never sent, sealed now
                    poller.sealed = True
                    break
            else:
                # full by count, or by bytes (the read stopped short of records that remain)
                if len(batch) >= batch_size or next_index < shard.end_index:
                    poller.sealed = True
            poller.size = size if batch else 0
        else:
            poller.sealed = True

    def _waiting_for_window(self, poller: _Poller) -> bool:
        """MaximumBatchingWindowInSeconds: keep gathering until the batch is full (count or
        payload, which seals it) or the window, opened when its first record was read, ends."""
        window = self.config.maximum_batching_window
        if window <= 0:
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
            poller.trim(first - poller.position)
            poller.position = first

    def _skip(self, poller: _Poller) -> None:
        """AT_TIMESTAMP still ahead: records arriving before it are not for this mapping."""
        ts = poller.skip_before
        assert ts is not None
        if not poller.batch:
            index = poller.shard.index_at_timestamp(ts)
            if index > poller.position:
                poller.start_index += index - poller.position
                poller.position = index
        if self.clock.now >= ts:  # every later record arrives at or after ts
            poller.skip_before = None

    def _invoke(self, poller: _Poller) -> None:
        config, now = self.config, self.clock.now
        if config.maximum_record_age != limits.RECORD_AGE_INFINITE:
            # Records arrive in order within a shard, so the too-old ones lead the batch.
            batch, old = poller.batch, 0
            while old < len(batch) and now - batch[old].arrival > config.maximum_record_age:
                old += 1
            if old:
                self._drop(poller, batch[:old], "MaximumRecordAgeExceeded")
                poller.trim(old)
                poller.position += old
                if not poller.batch:
                    self._schedule(poller, now)  # read on from the new checkpoint
                    return
        records = poller.batch
        shard_id = poller.shard.shard_id
        age_ms = max(0, int(round((now - records[-1].arrival) * 1000)))
        if poller.size > limits.INVOKE_PAYLOAD_MAX_BYTES:
            # one record too large for any event: a failure before invocation
            self._failed(poller, limits.PAYLOAD_TOO_LARGE_REASON, age_ms)
            return
        poller.attempts += 1
        if self.encode_events:
            event: Any = ", ".join(poller.texts).join(_ENVELOPE).encode("ascii")
        else:
            event = self._event(shard_id, records)
        try:
            result = self.invoke(event)
        except TooManyRequestsException:
            # Throttled: a failure before invocation. Lambda retries the batch after a backoff
            # until its records expire or pass MaximumRecordAgeInSeconds; MaximumRetryAttempts
            # does not count it (kinesis-on-failure-destination.html, aws-semantics §2).
            poller.attempts -= 1
            self._failed(poller, THROTTLED_REASON, age_ms)
            return
        outcome = getattr(result, "outcome", "error")
        self.batches.append(
            BatchOutcome(
                time=now,
                shard_id=shard_id,
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
            self._advance(poller)
            return
        if (
            config.maximum_retry_attempts != limits.RETRY_ATTEMPTS_INFINITE
            and poller.attempts > config.maximum_retry_attempts
        ):
            self._drop(poller, records, "RetryAttemptsExhausted")
            self._advance(poller)
            return
        self._hop.retried += len(records)
        self._retry_later(poller)

    def _failed(self, poller: _Poller, reason: str, age_ms: int) -> None:
        """A failure before invocation: not counted against MaximumRetryAttempts."""
        records = poller.batch
        self.batches.append(
            BatchOutcome(
                time=self.clock.now,
                shard_id=poller.shard.shard_id,
                first_sequence=records[0].sequence_number,
                last_sequence=records[-1].sequence_number,
                size=len(records),
                outcome="error",
                attempt=poller.attempts,
                iterator_age_ms=age_ms,
                reason=reason,
            )
        )
        self._hop.retried += len(records)
        self._retry_later(poller)

    def _retry_later(self, poller: _Poller) -> None:
        # the exponent is capped: 2**1024 would not convert to a float (after ~17 h of retries)
        doubling = 2.0 ** min(poller.failures, 30)
        delay = min(limits.RETRY_DELAY_FIRST_SECONDS * doubling, limits.RETRY_DELAY_MAX_SECONDS)
        poller.failures += 1
        self._schedule(poller, self.clock.now + delay)

    def _drop(self, poller: _Poller, dropped: list[Any], reason: str) -> None:
        self._hop.dropped[reason] += len(dropped)
        now = self.clock.now
        self.batches.append(
            BatchOutcome(
                time=now,
                shard_id=poller.shard.shard_id,
                first_sequence=dropped[0].sequence_number,
                last_sequence=dropped[-1].sequence_number,
                size=len(dropped),
                outcome="dropped",
                attempt=poller.attempts,
                iterator_age_ms=max(0, int(round((now - dropped[-1].arrival) * 1000))),
                reason=reason,
            )
        )

    def _advance(self, poller: _Poller) -> None:
        """The batch is done with (delivered or dropped): move the checkpoint past it."""
        poller.position += len(poller.batch)
        poller.clear()
        shard = poller.shard
        if poller.position < shard.end_index:
            self._schedule(poller, self.clock.now)  # more records: keep reading
        elif shard.is_closed:
            self._finish(poller)
        else:
            self._schedule(poller, self._next_tick())

    def _finish(self, poller: _Poller) -> None:
        """A closed shard read to its end: start the children whose parents are all done."""
        poller.finished = True
        self._discover()
        self._release()

    # -- events ---------------------------------------------------------------------------
    def _event(self, shard_id: str, records: list[Any]) -> dict[str, Any]:
        """The event as a dict (``encode_events=False``); the JSON text path builds the same."""
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
        """At the end of a run: what reached the stream for this mapping, and what is left.

        ``available`` counts, for every shard this mapping reads (children waiting for their
        parents included), the records from its starting position; ``in_flight`` those past
        its checkpoint (not yet delivered or dropped, retried batches included). Records that
        left retention unread are dropped (``RecordExpired``) first.
        """
        if self._remote:  # count every record the stream holds, children's too
            caught_up: set[str] = set()
            while pending := [p for k, p in self._pollers.items() if k not in caught_up]:
                for poller in pending:
                    poller.shard.catch_up()
                    caught_up.add(poller.shard.shard_id)
                if self._started:
                    self._discover()
        if self._started:
            self._discover()
        available = in_flight = 0
        for poller in self._pollers.values():
            self._drop_expired(poller)
            if poller.skip_before is not None:
                self._skip(poller)
            end = poller.shard.end_index
            available += end - poller.start_index
            in_flight += end - poller.position
        # Add this mapping's share (replacing what an earlier settle() reported), so a hop
        # shared by two mappings of one function on one stream adds up.
        hop, (reported_available, reported_in_flight) = self._hop, self._reported
        hop.available += available - reported_available
        hop.in_flight += in_flight - reported_in_flight
        self._reported = (available, in_flight)

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
