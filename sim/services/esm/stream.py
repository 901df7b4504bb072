"""The stream event source mapping (Kinesis and DynamoDB Streams), as Lambda runs it, on the
simulated clock. :mod:`.kinesis` and :mod:`.dynamodb` give it their records' shape.

Per shard, a poller reads the shard every poll interval (Kinesis: each second, Lambda's base
rate; DynamoDB Streams: four times a second) and keeps reading while records remain. Records go
to the shard's *lanes*: one lane per concurrent batch (``ParallelizationFactor``), a record's lane
fixed by its partition key, so order holds per key. Each lane gathers a batch (BatchSize,
MaximumBatchingWindowInSeconds, the 6 MB payload limit, its tumbling window), invokes the
function synchronously, and moves on only when the batch is done with:

* success: delivered. With ``ReportBatchItemFailures`` the response may name failed records: the
  checkpoint is the lowest one listed and every record from there is retried
  (:mod:`.responses`).
* a function error or timeout: retried, whole, after a backoff; with
  ``BisectBatchOnFunctionError`` split in two first (the halves are new batches: bisection does
  not use up retries). Once ``MaximumRetryAttempts`` is used up, or the records pass
  ``MaximumRecordAgeInSeconds``, the batch is given up: its record goes to the
  ``DestinationConfig.OnFailure`` destination (:mod:`.failure_destinations`) if there is one,
  else the records are dropped, and the lane moves on.
* a failure before invocation (throttled, or a record too large for any event): retried until
  the records expire or pass their maximum age; ``MaximumRetryAttempts`` does not count it.

``TumblingWindowInSeconds`` groups records by arrival time into windows aligned on the epoch: a
batch never spans two windows, every invocation gets the ``state`` the previous one returned,
and once the window has ended a last invocation has ``isFinalInvokeForWindow``. A response
without ``state`` is a failed invocation; a state above 1 MB ends the window early.

``FilterCriteria`` drops records that match no filter before they are batched: they count as
processed (the ledger's ``filtered``).

A mapping can be enabled, disabled, updated and deleted while the run goes on: a disabled mapping
keeps its checkpoints and resumes from them; an update applies to the next batch; a deleted
mapping stops reading, and the records it had not processed are reported dropped
(``EventSourceMappingDeleted``).

Invocations take ``invocation_duration`` seconds of simulated time (default 0): the handler runs
when the batch is sent and its result is applied when the invocation ends, while the lane waits.

Where AWS is silent streamlab's choices are in :mod:`.limits`: the retry backoff, the read-ahead
of parallel lanes, a record too large for any event, and the failure record's response context
when the function never ran.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import deque
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any, ClassVar

from sim.clock import Clock, Timer, iso
from sim.ids import uuid4
from sim.ledger import Ledger
from sim.services.esm import limits
from sim.services.esm.failure_destinations import OnFailureDestination, failure_record
from sim.services.esm.responses import (
    REPORT_BATCH_ITEM_FAILURES,
    partial_result,
    window_result,
)
from sim.services.lambda_.exceptions import TooManyRequestsException

# The reason recorded for a throttled invoke (``invoke`` raised TooManyRequestsException, as
# Lambda's Invoke answers 429): a failure before invocation, retried like one.
THROTTLED_REASON = "TooManyRequestsException"
DELETED_REASON = "EventSourceMappingDeleted"

# '{"Records": [' + records joined by ', ' + ']}': the event's bytes around its records.
_ENVELOPE = ('{"Records": [', "]}")
_ENVELOPE_BYTES = len("".join(_ENVELOPE))
_SEPARATOR = ", "
_SEPARATOR_BYTES = len(_SEPARATOR)


@dataclass
class BatchOutcome:
    """One invocation of the mapping's function (or one batch given up): what the report and
    tests see.

    ``outcome`` is ``success`` | ``error`` | ``timeout`` for invocations and ``dropped`` for
    records given up (``reason``: RetryAttemptsExhausted, RecordAgeExceeded, …; ``destination``
    names where their failure record went). ``error`` with a ``reason`` and no ``request_id`` is
    a failure before invocation (the function was not called). ``attempt`` counts invocations of
    this batch. ``iterator_age_ms`` is the age of the batch's last record at that moment.
    ``partial`` is set when a success named failed records (ReportBatchItemFailures).
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
    lane: int = 0
    destination: str | None = None
    partial: bool = False
    final_for_window: bool | None = None


@dataclass
class MappingStats:
    """Per mapping, for the report: invocations (batches sent), records delivered, retried
    invocations, bisections, records whose batch went to the failure destination, records
    filtered out, and the largest iterator age seen."""

    batches: int = 0
    records: int = 0
    retries: int = 0
    bisections: int = 0
    to_destination: int = 0
    filtered: int = 0
    dropped: int = 0
    max_iterator_age_ms: int = 0


@dataclass
class StreamMappingConfig:
    """The mapping's parameters (CreateEventSourceMapping's names in snake case)."""

    batch_size: int = limits.KINESIS_BATCH_SIZE_DEFAULT
    starting_position: str = "LATEST"
    starting_position_timestamp: float | None = None
    maximum_batching_window: float = 0.0
    maximum_retry_attempts: int = limits.RETRY_ATTEMPTS_INFINITE
    maximum_record_age: int = limits.RECORD_AGE_INFINITE
    enabled: bool = True
    bisect_batch_on_function_error: bool = False
    function_response_types: tuple[str, ...] = ()
    parallelization_factor: int = limits.PARALLELIZATION_FACTOR_DEFAULT
    tumbling_window: int = 0
    on_failure: str | None = None  # destination ARN
    filter_criteria: dict[str, Any] | None = None

    STARTING_POSITIONS: ClassVar[tuple[str, ...]] = ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")
    BATCH_SIZE_MAX: ClassVar[int] = limits.KINESIS_BATCH_SIZE_MAX

    def validate(self) -> None:
        if not 1 <= self.batch_size <= self.BATCH_SIZE_MAX:
            raise ValueError(f"BatchSize must be 1..{self.BATCH_SIZE_MAX}")
        if self.starting_position not in self.STARTING_POSITIONS:
            raise ValueError(
                f"StartingPosition must be one of {', '.join(self.STARTING_POSITIONS)}"
            )
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
        if not 1 <= self.parallelization_factor <= limits.PARALLELIZATION_FACTOR_MAX:
            raise ValueError(
                f"ParallelizationFactor must be 1..{limits.PARALLELIZATION_FACTOR_MAX}"
            )
        if not 0 <= self.tumbling_window <= limits.TUMBLING_WINDOW_MAX_SECONDS:
            raise ValueError(
                f"TumblingWindowInSeconds must be 0..{limits.TUMBLING_WINDOW_MAX_SECONDS}"
            )
        for kind in self.function_response_types:
            if kind not in limits.FUNCTION_RESPONSE_TYPES:
                raise ValueError(
                    f"FunctionResponseTypes: {kind!r} is not one of "
                    f"{', '.join(limits.FUNCTION_RESPONSE_TYPES)}"
                )

    @property
    def reports_item_failures(self) -> bool:
        return REPORT_BATCH_ITEM_FAILURES in self.function_response_types


@dataclass(slots=True)
class _Item:
    record: Any
    index: int  # absolute position in the shard
    text: str  # the record's JSON text in the event
    window: float | None = None  # start of its tumbling window


@dataclass
class _Segment:
    """A batch as sent (and retried) as it is."""

    items: list[_Item]
    size: int  # bytes of the event's records part
    attempts: int = 0  # invocations of this batch
    failures: int = 0  # failed tries, those before invocation included
    final: bool = False  # the last invocation of its tumbling window
    last_request: str | None = None
    last_throttled: bool = False


@dataclass
class _Window:
    start: float
    end: float
    state: Any = field(default_factory=dict)
    terminated_early: bool = False


@dataclass
class _Lane:
    number: int
    queue: deque[_Item] = field(default_factory=deque)  # read, not in a batch yet
    segments: deque[_Segment] = field(default_factory=deque)  # batches to send, in order
    gathering_since: float | None = None  # MaximumBatchingWindowInSeconds opened
    busy: bool = False  # an invocation is running (invocation_duration)
    retry_at: float = 0.0
    window: _Window | None = None

    def held(self) -> int:
        return len(self.queue) + sum(len(s.items) for s in self.segments)

    def idle(self) -> bool:
        return not self.queue and not self.segments and self.window is None and not self.busy


@dataclass
class _Poller:
    shard: Any
    start_index: int  # first position this mapping answers for (the ledger's "available")
    cursor: int  # next position to read
    lanes: list[_Lane]
    waiting: bool = False  # a parent shard is not read to its end yet
    skip_before: float | None = None  # AT_TIMESTAMP still ahead: skip records arriving before
    timer: Timer | None = None
    finished: bool = False
    end_at_delete: int | None = None
    last_window: float | None = None  # tumbling window of the last record read
    relane_due: bool = False  # ParallelizationFactor changed while invocations ran

    def held(self) -> int:
        return sum(lane.held() for lane in self.lanes)

    def idle(self) -> bool:
        return all(lane.idle() for lane in self.lanes)


class StreamEventSourceMapping:
    """A mapping from one stream to one function; subclasses give the records' shape.

    ``invoke(event)`` returns an object with ``outcome`` ("success" | "error" | "timeout"),
    ``request_id`` and ``payload`` (the function's response), or raises
    :class:`TooManyRequestsException`. ``event`` is JSON ``bytes`` (``encode_events=True``, what
    ``LambdaRuntime.invoke`` takes as a request body) or the same event as a dict.
    ``destination_client(service)`` gives the boto3 client the on-failure destination is sent
    with (the function's execution role); ``record_filter`` is a parsed FilterCriteria
    (:func:`sim.services.esm.filtering.parse_filter_criteria`), or None to build it here.
    """

    source_service: ClassVar[str] = ""
    batch_info_key: ClassVar[str] = ""
    poll_interval: ClassVar[float] = limits.POLL_INTERVAL_SECONDS
    config_class: ClassVar[type[StreamMappingConfig]] = StreamMappingConfig

    def __init__(
        self,
        *,
        uuid: str,
        clock: Clock,
        store: Any,
        stream_name: str,
        function_name: str,
        function_arn: str,
        invoke: Any,
        ledger: Ledger,
        role_arn: str,
        region: str,
        config: StreamMappingConfig | None = None,
        encode_events: bool = True,
        invocation_duration: float = 0.0,
        destination_client: Any = None,
        rng: random.Random | None = None,
    ) -> None:
        self.uuid = uuid
        self.clock = clock
        self.store = store
        self.stream_name = stream_name
        self.function_name = function_name
        self.function_arn = function_arn
        self.invoke = invoke
        self.ledger = ledger
        self.role_arn = role_arn
        self.region = region
        self.config = config if config is not None else self.config_class()
        self.encode_events = encode_events
        self.invocation_duration = invocation_duration
        self.batches: list[BatchOutcome] = []
        self.stats = MappingStats()
        self.destination_errors: list[str] = []
        self._rng = rng if rng is not None else random.Random(uuid)
        self._destination_client = destination_client
        self.config.validate()
        self._filter = self._parse_filter(self.config.filter_criteria)
        self._destination = self._make_destination(self.config.on_failure)
        self._stream = self._get_stream()
        self._remote = getattr(self.store, "remote", False)
        self.stream_arn = self._stream.arn
        self._pollers: dict[str, _Poller] = {}
        self._started = False
        self._reported = (0, 0)  # (available, in_flight) added to the hop by settle()
        self._hop = self.ledger.hop(self.hop_source(), f"function {self.function_name}")
        self._phase = self.clock.now
        self.created_at = self.clock.now
        self.last_modified = self.clock.now
        self.state = "Disabled"
        self.state_reason = "User action"
        if self.config.enabled:
            self.enable()

    # -- what subclasses give -------------------------------------------------------------
    def _get_stream(self) -> Any:
        return self.store.get_stream(self.stream_name)

    def hop_source(self) -> str:
        return f"stream {self.stream_name}"

    def _record_text(self, record: Any, shard_id: str) -> str:
        raise NotImplementedError

    def _sequence(self, record: Any) -> str:
        return record.sequence_number

    def _lane_key(self, record: Any) -> str:
        raise NotImplementedError

    # -- lifecycle ------------------------------------------------------------------------
    def enable(self) -> None:
        if self.state in ("Enabled", "Deleting"):
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
        if self.state == "Deleting":
            return
        self.state = "Disabled"
        for poller in self._pollers.values():
            if poller.timer is not None:
                poller.timer.cancel()
                poller.timer = None

    def delete(self) -> None:
        """Stop reading for good. Records read but not processed, and those already in the
        stream, are reported dropped (``EventSourceMappingDeleted``); a running invocation
        finishes."""
        if self.state == "Deleting":
            return
        self.disable()
        self.state = "Deleting"
        self.last_modified = self.clock.now
        for poller in self._pollers.values():
            self._drop_expired(poller)
            poller.end_at_delete = poller.shard.end_index
            unread = max(0, poller.end_at_delete - max(poller.cursor, poller.shard.first_index))
            held = 0
            for lane in poller.lanes:
                keep = lane.segments[0] if lane.busy and lane.segments else None
                held += lane.held() - (len(keep.items) if keep else 0)
                lane.queue.clear()
                lane.segments = deque([keep] if keep else [])
                lane.window = None
            poller.cursor = poller.end_at_delete
            self._drop_count(DELETED_REASON, unread + held)

    def update(self, **changes: Any) -> None:
        """UpdateEventSourceMapping: the changed parameters apply from the next batch.
        ``enabled`` enables or disables the mapping."""
        if self.state == "Deleting":
            raise ValueError(f"the event source mapping {self.uuid} is being deleted")
        known = {f.name for f in fields(self.config)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown event source mapping parameter(s): {', '.join(unknown)}")
        fixed = [k for k in ("starting_position", "starting_position_timestamp") if k in changes]
        if fixed:
            raise ValueError(f"{fixed[0]} cannot be updated (only set at creation)")
        config = replace(self.config, **changes)
        config.validate()
        record_filter = (
            self._parse_filter(config.filter_criteria)
            if "filter_criteria" in changes
            else self._filter
        )
        destination = (
            self._make_destination(config.on_failure)
            if "on_failure" in changes
            else self._destination
        )
        old = self.config
        self.config, self._filter, self._destination = config, record_filter, destination
        self.last_modified = self.clock.now
        if config.parallelization_factor != old.parallelization_factor:
            for poller in self._pollers.values():
                self._relane(poller)
        if "enabled" in changes:
            self.enable() if config.enabled else self.disable()
        elif self.state == "Enabled":
            for poller in self._pollers.values():
                if not poller.finished and not poller.waiting:
                    self._schedule(poller, self.clock.now)

    def _parse_filter(self, criteria: dict[str, Any] | None) -> Any:
        if not criteria:
            return None
        from sim.services.esm.filtering import parse_filter_criteria

        return parse_filter_criteria(criteria, source=self.source_service)

    def _make_destination(self, arn: str | None) -> OnFailureDestination | None:
        if arn is None:
            return None
        client_for = self._destination_client
        if client_for is None:
            raise ValueError("an on-failure destination needs a destination client")
        return OnFailureDestination(
            arn, client_for, mapping_uuid=self.uuid, rng=random.Random(self._rng.random())
        )

    def _new_lanes(self) -> list[_Lane]:
        return [_Lane(n) for n in range(self.config.parallelization_factor)]

    def _relane(self, poller: _Poller) -> None:
        """ParallelizationFactor changed: once no invocation of the shard is running (so that
        no key has a batch in flight in an old lane), the records held go back to the new
        lanes in shard order; batches waiting for a retry are gathered again."""
        if any(lane.busy for lane in poller.lanes):
            poller.relane_due = True  # done when the running invocations end
            return
        poller.relane_due = False
        items: list[_Item] = []
        for lane in poller.lanes:
            for segment in lane.segments:
                items.extend(segment.items)
            items.extend(lane.queue)
        lanes = self._new_lanes()
        for item in sorted(items, key=lambda i: i.index):
            lanes[self._lane_of(item.record, len(lanes))].queue.append(item)
        poller.lanes = lanes

    def _lane_of(self, record: Any, count: int) -> int:
        if count == 1:
            return 0
        digest = hashlib.md5(self._lane_key(record).encode()).digest()
        return int.from_bytes(digest[:8], "big") % count

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
            cursor=index,
            lanes=self._new_lanes(),
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
            if poller.timer.when <= when and not poller.timer.cancelled:
                return  # an earlier poll is already due
            poller.timer.cancel()
        poller.timer = self.clock.call_at(max(when, self.clock.now), self._poll, poller)

    def _next_tick(self) -> float:
        """The next polling instant: every poll interval from the mapping's creation."""
        now = self.clock.now
        interval = self.poll_interval
        ticks = math.floor((now - self._phase) / interval) + 1
        return self._phase + ticks * interval

    # -- polling --------------------------------------------------------------------------
    def _poll(self, poller: _Poller) -> None:
        poller.timer = None
        if self.state != "Enabled" or poller.finished or poller.waiting:
            return
        shard = poller.shard
        if self._remote and self._wants_records(poller):
            shard.fetch()  # one GetRecords call, as a poller on AWS makes
        if poller.cursor >= shard.end_index and poller.skip_before is None and poller.idle():
            # idle: nothing new, nothing to expire (the checkpoint is at the shard's end)
            if shard.is_closed:
                self._finish(poller)
            else:
                self._schedule(poller, self._next_tick())
            return
        self._drop_expired(poller)
        if poller.skip_before is not None:
            self._skip(poller)
        self._read(poller)
        wake = math.inf
        for lane in list(poller.lanes):
            if lane.busy:
                continue
            if lane.retry_at > self.clock.now:
                wake = min(wake, lane.retry_at)
                continue
            wake = min(wake, self._work(poller, lane))
            if self.state != "Enabled":
                return
        if shard.is_closed and poller.cursor >= shard.end_index and poller.idle():
            self._finish(poller)
            return
        if any(not lane.segments and not lane.busy for lane in poller.lanes):
            wake = min(wake, self._next_tick())  # a lane can take new records
        if wake < math.inf:  # else: an invocation is running, and its end polls again
            self._schedule(poller, wake)

    def _wants_records(self, poller: _Poller) -> bool:
        """Some lane is free to batch and holds, with what is left to read, too few records
        for a full batch."""
        unread = poller.shard.end_index - poller.cursor
        return any(
            not lane.segments and len(lane.queue) + unread < self.config.batch_size
            for lane in poller.lanes
        )

    def _read(self, poller: _Poller) -> None:
        """Read records into the lanes' queues until each lane has a batch's worth, a lane
        holds its read-ahead limit, or the shard has no more."""
        shard = poller.shard
        lanes = poller.lanes
        count = len(lanes)
        batch_size = self.config.batch_size
        cap = batch_size if count == 1 else batch_size * limits.PARALLEL_READ_AHEAD_BATCHES
        record_filter = self._filter
        window = self.config.tumbling_window
        while poller.cursor < shard.end_index:
            if all(len(lane.queue) >= batch_size for lane in lanes):
                break
            if any(len(lane.queue) >= cap for lane in lanes):
                break
            want = max(batch_size - min(len(lane.queue) for lane in lanes), 1)
            records, next_index = shard.read(poller.cursor, want, limits.INVOKE_PAYLOAD_MAX_BYTES)
            if not records:
                poller.cursor = max(poller.cursor, next_index)
                break
            shard_id = shard.shard_id
            index = next_index - len(records)
            filtered = 0
            for record in records:
                text = self._record_text(record, shard_id)
                if record_filter is not None and not record_filter.matches(json.loads(text)):
                    filtered += 1
                else:
                    start = float(math.floor(record.arrival / window) * window) if window else None
                    item = _Item(record, index, text, start)
                    lanes[self._lane_of(record, count)].queue.append(item)
                index += 1
            poller.cursor = next_index
            if window:
                poller.last_window = float(math.floor(records[-1].arrival / window) * window)
            if filtered:
                self._hop.filtered += filtered
                self.stats.filtered += filtered

    def _work(self, poller: _Poller, lane: _Lane) -> float:
        """Send the lane's next batch if it is ready. Returns when the lane next needs a poll
        (now: at once; inf: when records come)."""
        now = self.clock.now
        if not lane.segments:
            gathered = self._gather(poller, lane)
            if not isinstance(gathered, _Segment):
                return gathered
            lane.segments.append(gathered)
        segment = lane.segments[0]
        if self._drop_aged(poller, lane, segment):
            return now
        if segment.size > limits.INVOKE_PAYLOAD_MAX_BYTES:
            # one record too large for any event: a failure before invocation
            self._failed_before(poller, lane, segment, limits.PAYLOAD_TOO_LARGE_REASON)
            return lane.retry_at
        self._invoke(poller, lane, segment)
        return self._lane_wake(poller, lane)

    def _lane_wake(self, poller: _Poller, lane: _Lane) -> float:
        """When a lane that has just sent a batch needs the next poll: never while its
        invocation runs (its end polls), at its retry time after a failure, at once while
        records remain (Lambda keeps reading), else at the next polling instant."""
        if lane.busy:
            return math.inf
        if lane.segments:
            return max(lane.retry_at, self.clock.now)
        if lane.queue or poller.cursor < poller.shard.end_index:
            return self.clock.now
        return self._next_tick()

    def _gather(self, poller: _Poller, lane: _Lane) -> _Segment | float:
        """The lane's next batch from its queue, or when to look again."""
        now = self.clock.now
        config = self.config
        queue = lane.queue
        window = lane.window
        shard = poller.shard
        if config.tumbling_window and window is not None:
            if window.terminated_early or self._window_complete(poller, lane, window):
                return _Segment([], 0, final=True)
            if not (queue and queue[0].window == window.start):
                # records of the window may still come
                return window.end if now < window.end else self._next_tick()
        if not queue:
            return math.inf
        first_window = queue[0].window
        if config.tumbling_window and window is None:
            assert first_window is not None
            window = lane.window = _Window(first_window, first_window + config.tumbling_window)
        items: list[_Item] = []
        size = _ENVELOPE_BYTES - _SEPARATOR_BYTES
        full = False
        for item in queue:
            if len(items) >= config.batch_size:
                full = True
                break
            if config.tumbling_window and item.window != first_window:
                full = True  # the window's records end here
                break
            grown = size + len(item.text) + _SEPARATOR_BYTES
            if grown > limits.INVOKE_PAYLOAD_MAX_BYTES and items:
                full = True
                break
            items.append(item)
            size = grown
            if size > limits.INVOKE_PAYLOAD_MAX_BYTES:
                full = True  # alone too large for any event
                break
        if not full and len(items) >= config.batch_size:
            full = True
        if not full and config.maximum_batching_window > 0:
            if lane.gathering_since is None:
                lane.gathering_since = now
            deadline = lane.gathering_since + config.maximum_batching_window
            if now < deadline and not (shard.is_closed and poller.cursor >= shard.end_index):
                return deadline
        lane.gathering_since = None
        for _ in items:
            queue.popleft()
        final = window is not None and self._window_complete(poller, lane, window)
        return _Segment(items, size, final=final)

    def _window_complete(self, poller: _Poller, lane: _Lane, window: _Window) -> bool:
        """No record of ``window`` is left to batch in this lane: none queued, and none can
        be read any more (a later window's record was read, or the window is over and the
        shard read to its end)."""
        queue = lane.queue
        if queue:
            return queue[0].window != window.start
        if poller.last_window is not None and poller.last_window > window.start:
            return True
        shard = poller.shard
        return poller.cursor >= shard.end_index and (
            self.clock.now >= window.end or shard.is_closed
        )

    def _drop_aged(self, poller: _Poller, lane: _Lane, segment: _Segment) -> bool:
        """MaximumRecordAgeInSeconds: give up the batch's leading records that are too old
        (records arrive in order within a lane). True when the batch is gone."""
        age = self.config.maximum_record_age
        if age == limits.RECORD_AGE_INFINITE or not segment.items:
            return False
        now, items, old = self.clock.now, segment.items, 0
        while old < len(items) and now - items[old].record.arrival > age:
            old += 1
        if not old:
            return False
        aged = _Segment(items[:old], 0, segment.attempts, last_request=segment.last_request)
        aged.last_throttled = segment.last_throttled
        self._give_up(poller, lane, aged, limits.CONDITION_RECORD_AGE)
        del items[:old]
        segment.size = _size(items)
        if not items and not segment.final:
            lane.segments.popleft()
            return True
        return False

    def _drop_expired(self, poller: _Poller) -> None:
        """Records that left the stream (retention) before the function got them."""
        first = poller.shard.first_index
        expired = 0
        if poller.cursor < first:
            expired += first - poller.cursor
            poller.cursor = first
        for lane in poller.lanes:
            if lane.queue and lane.queue[0].index < first:
                kept = deque(item for item in lane.queue if item.index >= first)
                expired += len(lane.queue) - len(kept)
                lane.queue = kept
            for segment in list(lane.segments):
                if lane.busy and segment is lane.segments[0]:
                    continue
                if segment.items and segment.items[0].index < first:
                    kept_items = [item for item in segment.items if item.index >= first]
                    expired += len(segment.items) - len(kept_items)
                    segment.items = kept_items
                    segment.size = _size(kept_items)
                    if not kept_items and not segment.final:
                        lane.segments.remove(segment)
        if expired:
            self._drop_count("RecordExpired", expired)

    def _skip(self, poller: _Poller) -> None:
        """AT_TIMESTAMP still ahead: records arriving before it are not for this mapping."""
        ts = poller.skip_before
        assert ts is not None
        if poller.held() == 0:
            index = poller.shard.index_at_timestamp(ts)
            if index > poller.cursor:
                poller.start_index += index - poller.cursor
                poller.cursor = index
        if self.clock.now >= ts:  # every later record arrives at or after ts
            poller.skip_before = None

    # -- invoking -------------------------------------------------------------------------
    def _event(self, poller: _Poller, lane: _Lane, segment: _Segment) -> str:
        records = _SEPARATOR.join(item.text for item in segment.items)
        window = lane.window
        if window is None:
            return records.join(_ENVELOPE)
        extra = {
            "window": {"start": _window_time(window.start), "end": _window_time(window.end)},
            "state": window.state,
            "shardId": poller.shard.shard_id,
            "eventSourceARN": self.stream_arn,
            "isFinalInvokeForWindow": segment.final,
            "isWindowTerminatedEarly": window.terminated_early,
        }
        return '{"Records": [' + records + "], " + json.dumps(extra)[1:]

    def _invoke(self, poller: _Poller, lane: _Lane, segment: _Segment) -> None:
        now = self.clock.now
        items = segment.items
        age_ms = max(0, int(round((now - items[-1].record.arrival) * 1000))) if items else 0
        text = self._event(poller, lane, segment)
        event: Any = text.encode("ascii") if self.encode_events else json.loads(text)
        segment.attempts += 1
        try:
            result = self.invoke(event)
        except TooManyRequestsException:
            # Throttled: a failure before invocation. Lambda retries the batch after a backoff
            # until its records expire or pass MaximumRecordAgeInSeconds; MaximumRetryAttempts
            # does not count it (kinesis-on-failure-destination.html, aws-semantics §2).
            segment.attempts -= 1
            segment.last_throttled = True
            self._failed_before(poller, lane, segment, THROTTLED_REASON)
            return
        segment.last_throttled = False
        segment.last_request = getattr(result, "request_id", None)
        self.stats.batches += 1
        self.stats.max_iterator_age_ms = max(self.stats.max_iterator_age_ms, age_ms)
        if self.invocation_duration > 0:
            lane.busy = True
            self.clock.call_at(
                now + self.invocation_duration,
                self._complete,
                poller,
                lane,
                segment,
                result,
                age_ms,
                text,
            )
            return
        self._complete(poller, lane, segment, result, age_ms, text)

    def _complete(
        self,
        poller: _Poller,
        lane: _Lane,
        segment: _Segment,
        result: Any,
        age_ms: int,
        event_text: str,
    ) -> None:
        """Apply an invocation's result to its batch."""
        lane.busy = False
        now = self.clock.now
        items = segment.items
        outcome = getattr(result, "outcome", "error")
        payload = getattr(result, "payload", None)
        partial = None
        window_state = None
        if outcome == "success" and lane.window is not None:
            window_state = window_result(payload)
            if window_state.missing:
                outcome = "error"
        if outcome == "success" and self.config.reports_item_failures and items:
            partial = partial_result(payload, [self._sequence(i.record) for i in items])
            if partial.invalid is not None:
                outcome = "error"
        self.batches.append(
            BatchOutcome(
                time=now,
                shard_id=poller.shard.shard_id,
                first_sequence=self._sequence(items[0].record) if items else "",
                last_sequence=self._sequence(items[-1].record) if items else "",
                size=len(items),
                outcome=outcome,
                attempt=segment.attempts,
                iterator_age_ms=age_ms,
                request_id=getattr(result, "request_id", None),
                reason=(
                    "MissingWindowState"
                    if window_state is not None and window_state.missing
                    else (partial.invalid if partial is not None else None)
                ),
                lane=lane.number,
                partial=partial is not None and partial.failed_from is not None,
                final_for_window=segment.final if lane.window is not None else None,
            )
        )
        deleted = self.state == "Deleting"
        if outcome == "success" and (partial is None or partial.failed_from is None):
            self._delivered(lane, segment, len(items))
            if window_state is not None and lane.window is not None:
                lane.window.state = window_state.state
                if segment.final:
                    lane.window = None
                elif window_state.too_large:
                    lane.window.terminated_early = True
            lane.segments.popleft()
        elif outcome == "success":  # partial: the checkpoint is the lowest failed record
            assert partial is not None and partial.failed_from is not None
            done = partial.failed_from
            if done:
                self._delivered(lane, segment, done)
                del items[:done]
                segment.size = _size(items)
            if window_state is not None and lane.window is not None:
                lane.window.state = window_state.state
            # with bisect on, the batch is split at the returned sequence number and only the
            # remaining records are retried: no further halving (services-ddb-
            # batchfailurereporting.html, services-kinesis-batchfailurereporting.html)
            self._function_failed(poller, lane, segment, event_text, deleted, bisect=False)
        else:
            self._function_failed(poller, lane, segment, event_text, deleted)
        if deleted:
            lane.segments.clear()
            return
        if poller.relane_due:
            self._relane(poller)
        if self.state == "Enabled" and not poller.finished:
            self._schedule(poller, self._lane_wake(poller, lane))

    def _delivered(self, lane: _Lane, segment: _Segment, count: int) -> None:
        self._hop.delivered += count
        self.stats.records += count

    def _function_failed(
        self,
        poller: _Poller,
        lane: _Lane,
        segment: _Segment,
        event_text: str,
        deleted: bool,
        bisect: bool = True,
    ) -> None:
        """A failed invocation (error, timeout, invalid response): bisect, retry or give up.
        ``bisect`` False: a partial batch response, whose remaining records are retried as
        they are."""
        items = segment.items
        if deleted:
            self._drop_count(DELETED_REASON, len(items))
            return
        config = self.config
        segment.failures += 1
        if bisect and config.bisect_batch_on_function_error and len(items) > 1:
            half = (len(items) + 1) // 2
            first, second = items[:half], items[half:]
            lane.segments.popleft()
            lane.segments.extendleft(
                [
                    _Segment(second, _size(second), final=segment.final),
                    _Segment(first, _size(first)),
                ]
            )
            self.stats.bisections += 1
            self._retried(len(items))
            lane.retry_at = self.clock.now
            return
        if (
            config.maximum_retry_attempts != limits.RETRY_ATTEMPTS_INFINITE
            and segment.attempts > config.maximum_retry_attempts
        ):
            self._give_up(poller, lane, segment, limits.CONDITION_RETRIES_EXHAUSTED, event_text)
            lane.segments.popleft()
            if segment.final and lane.window is not None:
                lane.window = None
            lane.retry_at = self.clock.now
            return
        self._retried(len(items))
        self._back_off(lane, segment)

    def _retried(self, count: int) -> None:
        self._hop.retried += count
        self.stats.retries += 1

    def _failed_before(self, poller: _Poller, lane: _Lane, segment: _Segment, reason: str) -> None:
        """A failure before invocation: not counted against MaximumRetryAttempts."""
        items = segment.items
        self.batches.append(
            BatchOutcome(
                time=self.clock.now,
                shard_id=poller.shard.shard_id,
                first_sequence=self._sequence(items[0].record) if items else "",
                last_sequence=self._sequence(items[-1].record) if items else "",
                size=len(items),
                outcome="error",
                attempt=segment.attempts,
                iterator_age_ms=(
                    max(0, int(round((self.clock.now - items[-1].record.arrival) * 1000)))
                    if items
                    else 0
                ),
                reason=reason,
                lane=lane.number,
            )
        )
        segment.failures += 1
        self._retried(len(items))
        self._back_off(lane, segment)

    def _back_off(self, lane: _Lane, segment: _Segment) -> None:
        # the exponent is capped: 2**1024 would not convert to a float (after ~17 h of retries)
        doubling = 2.0 ** min(segment.failures - 1, 30)
        delay = min(limits.RETRY_DELAY_FIRST_SECONDS * doubling, limits.RETRY_DELAY_MAX_SECONDS)
        lane.retry_at = self.clock.now + delay

    def _give_up(
        self,
        poller: _Poller,
        lane: _Lane,
        segment: _Segment,
        condition: str,
        event_text: str | None = None,
    ) -> None:
        """Records given up: their failure record to the destination, or dropped."""
        items = segment.items
        now = self.clock.now
        destination = self._destination
        sent_to = None
        if destination is not None and items:
            record = self._failure_record(poller, segment, condition)
            try:
                destination.send(
                    record,
                    event_text or self._event(poller, lane, segment),
                    poller.shard.shard_id,
                    now,
                )
                sent_to = destination.label
            except Exception as exc:  # the destination refused: the records are dropped
                self.destination_errors.append(f"{destination.label}: {exc}")
        if sent_to is not None:
            self._hop.to_destination[sent_to] += len(items)
            self.stats.to_destination += len(items)
        elif items:
            self._drop_count(condition, len(items))
        if items:
            self.batches.append(
                BatchOutcome(
                    time=now,
                    shard_id=poller.shard.shard_id,
                    first_sequence=self._sequence(items[0].record),
                    last_sequence=self._sequence(items[-1].record),
                    size=len(items),
                    outcome="dropped",
                    attempt=segment.attempts,
                    iterator_age_ms=max(0, int(round((now - items[-1].record.arrival) * 1000))),
                    reason=condition,
                    lane=lane.number,
                    destination=sent_to,
                )
            )

    def _failure_record(self, poller: _Poller, segment: _Segment, condition: str) -> dict[str, Any]:
        items = segment.items
        invoked = segment.attempts > 0
        return failure_record(
            request_id=segment.last_request or uuid4(self._rng),
            function_arn=self.function_arn,
            condition=condition,
            invoke_count=segment.attempts,
            # the function ran and failed: 200 with Unhandled, as AWS's example; never run
            # (throttled or too old before a try): 429 or 200 without functionError
            # (assumption, not AWS-documented)
            function_error="Unhandled" if invoked else None,
            status_code=429 if segment.last_throttled and not invoked else 200,
            timestamp=iso(self.clock.now),
            batch_info_key=self.batch_info_key,
            batch_info={
                "shardId": poller.shard.shard_id,
                "startSequenceNumber": self._sequence(items[0].record),
                "endSequenceNumber": self._sequence(items[-1].record),
                "approximateArrivalOfFirstRecord": iso(items[0].record.arrival),
                "approximateArrivalOfLastRecord": iso(items[-1].record.arrival),
                "batchSize": len(items),
                "streamArn": self.stream_arn,
            },
        )

    def _drop_count(self, reason: str, count: int) -> None:
        if count:
            self._hop.dropped[reason] += count
            self.stats.dropped += count

    def _finish(self, poller: _Poller) -> None:
        """A closed shard read to its end: start the children whose parents are all done."""
        poller.finished = True
        self._discover()
        self._release()

    # -- accounting -----------------------------------------------------------------------
    def settle(self) -> None:
        """At the end of a run: what reached the stream for this mapping, and what is left.

        ``available`` counts, for every shard this mapping reads (children waiting for their
        parents included), the records from its starting position (to its deletion, if it
        was deleted); ``in_flight`` those not yet delivered, filtered, given up or dropped.
        Records that left retention unread are dropped (``RecordExpired``) first.
        """
        if self._remote:  # count every record the stream holds, children's too
            caught_up: set[str] = set()
            while pending := [p for k, p in self._pollers.items() if k not in caught_up]:
                for poller in pending:
                    poller.shard.catch_up()
                    caught_up.add(poller.shard.shard_id)
                if self._started:
                    self._discover()
        if self._started and self.state != "Deleting":
            self._discover()
        available = in_flight = 0
        for poller in self._pollers.values():
            end = poller.end_at_delete
            if end is None:
                self._drop_expired(poller)
                if poller.skip_before is not None:
                    self._skip(poller)
                end = poller.shard.end_index
            available += end - poller.start_index
            in_flight += max(0, end - poller.cursor) + poller.held()
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
        described: dict[str, Any] = {
            "UUID": self.uuid,
            "StartingPosition": config.starting_position,
            "BatchSize": config.batch_size,
            "MaximumBatchingWindowInSeconds": int(config.maximum_batching_window),
            "ParallelizationFactor": config.parallelization_factor,
            "EventSourceArn": self.stream_arn,
            "FunctionArn": self.function_arn,
            "LastModified": iso(self.last_modified),
            "LastProcessingResult": self._last_result(),
            "State": self.state,
            "StateTransitionReason": self.state_reason,
            "DestinationConfig": {
                "OnFailure": {"Destination": config.on_failure} if config.on_failure else {}
            },
            "MaximumRecordAgeInSeconds": config.maximum_record_age,
            "BisectBatchOnFunctionError": config.bisect_batch_on_function_error,
            "MaximumRetryAttempts": config.maximum_retry_attempts,
            "FunctionResponseTypes": list(config.function_response_types),
        }
        if config.tumbling_window:
            described["TumblingWindowInSeconds"] = config.tumbling_window
        if config.filter_criteria:
            described["FilterCriteria"] = config.filter_criteria
        if config.starting_position_timestamp is not None:
            described["StartingPositionTimestamp"] = config.starting_position_timestamp
        return described

    def _last_result(self) -> str:
        if not self.batches:
            return "No records processed"
        last = self.batches[-1]
        return "OK" if last.outcome == "success" else "PROBLEM: Function call failed"


def _size(items: list[_Item]) -> int:
    """Bytes of the records part of an event carrying ``items``."""
    if not items:
        return 0
    return _ENVELOPE_BYTES + sum(len(i.text) for i in items) + _SEPARATOR_BYTES * (len(items) - 1)


def _window_time(epoch: float) -> str:
    """A tumbling window's bound as AWS writes it: ``2020-12-09T07:04:00Z``."""
    moment = datetime.fromtimestamp(epoch, UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
