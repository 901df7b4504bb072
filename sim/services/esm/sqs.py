"""The SQS event source mapping, as Lambda runs it, on the simulated clock.

Lambda polls a standard or FIFO queue, gathers a batch (BatchSize, MaximumBatchingWindowInSeconds,
the 6 MB payload limit), invokes the function synchronously with AWS's SQS event and deletes the
batch's messages when the function succeeds. A failed batch is not deleted: its messages stay in
flight until the queue's visibility timeout ends, come back, are received again (their
``ApproximateReceiveCount`` grows) and, once the queue's redrive policy's ``maxReceiveCount`` is
used up, SQS moves them to the dead-letter queue. With ``ReportBatchItemFailures`` only the
messages the function reports come back. Sources: with-sqs.html, services-sqs-parameters.html,
services-sqs-errorhandling.html, services-sqs-scaling.html (constants in :mod:`.limits`).

The queue (:mod:`.sqs_queue`) does the SQS side: visibility timeouts, receive counts, FIFO
message groups (a group with a message in flight returns nothing more) and the redrive to the
dead-letter queue are moto's, running on simulated time because the clock is bound to the
process (:class:`sim.clock.ProcessTime`). This module is the poller:

* **Polling.** While the queue is idle the poller checks it once a simulated second; on the
  embedded backend the check reads moto's queue (no request), elsewhere it is a
  ``ReceiveMessage``. A failed batch also wakes the poller when its visibility timeout ends, as
  a long poll would.
* **Batches.** Each ``ReceiveMessage`` asks for up to 10 messages. Without a batching window the
  batch is what one call returns; with one, the poller keeps receiving (every second) until the
  batch is full, the window (opened by its first message) ends or the next message would push
  the event past :data:`limits.INVOKE_PAYLOAD_MAX_BYTES`. Messages received but left out by the
  payload limit stay in flight and open the next batch (AWS does not say what it does with
  them; they must not be lost). While a window may hold them, messages are received with the
  stretched visibility timeout AWS describes (window + function timeout + 30 s, when the window
  and the function's timeout exceed the queue's), and a mapping whose function's timeout exceeds
  the queue's visibility timeout is refused, as CreateEventSourceMapping does.
* **FIFO.** Batches hold at most 10 messages, no window. SQS keeps a group's later messages back
  while one of its messages is in flight, so a failed batch blocks its groups until it comes
  back; other groups go on. A partial batch response is applied as on a standard queue (the
  unreported messages are deleted): keeping a group's order is the handler's part, as AWS
  advises ("stop processing messages after the first failure and return all failed and
  unprocessed messages", services-sqs-errorhandling.html).
* **Concurrency.** Each invocation holds a slot for ``invocation_duration`` simulated seconds
  (the handler runs at the start; its result, delete or not, is applied when the slot is
  released). At most ``min(scaling level, ScalingConfig.MaximumConcurrency)`` slots are held:
  5 at first, 300 more a minute while messages wait, at most 1,000.
* **Filtering.** A message that does not match ``record_filter`` is deleted without invoking
  ("If an Amazon SQS message doesn't satisfy your filter criteria, Lambda automatically removes
  the message from the queue", invocation-eventfiltering.html) and counted as filtered.
* **Throttling.** A throttled invoke (``invoke`` raises
  :class:`~sim.services.lambda_.TooManyRequestsException`) is retried with a back-off while the
  batch's visibility timeout lasts, then given up: its messages come back and are received
  again. It is recorded as ``error`` with reason ``TooManyRequestsException`` and no request id.
* **Ledger** (hop ``queue NAME → function NAME``): ``available`` counts the messages this mapping
  received plus those still in the queue at :meth:`settle`; each ends ``delivered`` (deleted
  after success), filtered, ``to_destination["queue DLQ"]`` (moved by the redrive policy),
  ``dropped`` (``MessageRetentionPeriodExpired``; ``MessageDeleted`` when something else deleted
  it) or ``in_flight``. ``retried`` counts messages handed to the function again after a failure
  (received again, or re-invoked after a throttle).

How a move to the dead-letter queue is seen: a message whose failed receive reached
``maxReceiveCount`` is a candidate; once its visibility timeout has ended and the poller has
received again (moto redrives on ``ReceiveMessage``, as SQS does), the embedded queue looks it up
in the dead-letter queue (exact). Through the API alone a message cannot be looked up, so there a
candidate is counted as moved once a ``ReceiveMessage`` followed the end of its visibility
timeout (an inference).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.clock import Clock, Timer, iso
from sim.errors import ResourceInUseException
from sim.ledger import Ledger
from sim.services.esm import limits
from sim.services.esm.sqs_config import REPORT_BATCH_ITEM_FAILURES, SqsMappingConfig
from sim.services.esm.sqs_event import (
    ENVELOPE_BYTES,
    SEPARATOR_BYTES,
    InvalidBatchResponse,
    event_body,
    event_record,
    record_text,
    reported_failures,
)
from sim.services.esm.sqs_queue import GONE, IN_DEAD_LETTER_QUEUE, IN_QUEUE, SqsQueue
from sim.services.esm.stream import MappingStats
from sim.services.lambda_.exceptions import TooManyRequestsException

__all__ = [
    "REPORT_BATCH_ITEM_FAILURES",
    "SqsBatchOutcome",
    "SqsEventSourceMapping",
    "SqsMappingConfig",
]

ENABLED, DISABLED, DELETING = "Enabled", "Disabled", "Deleting"
# BatchOutcome reasons
THROTTLED_REASON = "TooManyRequestsException"
INVALID_RESPONSE_REASON = "InvalidBatchItemFailures"
# ledger reasons
DELETED_REASON = "MessageDeleted"  # deleted from the queue by something other than this mapping


@dataclass
class SqsBatchOutcome:
    """One invocation (or throttled try) of the mapping's function.

    ``outcome``: ``success`` (all deleted), ``partial`` (a valid ``batchItemFailures`` response:
    ``failed_ids`` come back), ``error`` or ``timeout`` (every message comes back). An ``error``
    with reason ``TooManyRequestsException`` and no request id was throttled (the function did
    not run); one with reason ``InvalidBatchItemFailures: ...`` succeeded but answered a partial
    batch response Lambda rejects. ``attempt`` counts the tries of this batch (throttles
    included); ``receive_count`` is the highest ``ApproximateReceiveCount`` among its messages.
    """

    time: float
    size: int
    outcome: str  # success | partial | error | timeout
    attempt: int
    receive_count: int
    message_ids: tuple[str, ...]
    request_id: str | None = None
    reason: str | None = None
    failed_ids: tuple[str, ...] = ()


@dataclass
class _Tracked:
    """A message this mapping received and has not settled (delivered, filtered, moved...)."""

    sent_ms: int
    receive_count: int = 0
    visible_at: float = 0.0  # when it comes back if not deleted (last receive + visibility)
    in_batch: bool = False  # held by a batch being gathered, invoked or waiting in the carry
    failed: bool = False  # its last try failed: receiving it again is a retry
    failed_at: float | None = None
    dead_letter_queue: str | None = None  # the next receive moves it there (maxReceiveCount)


@dataclass
class _Message:
    message_id: str
    receipt_handle: str
    receive_count: int
    text: str  # its event record's JSON text


@dataclass
class _Batch:
    messages: list[_Message] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    size: int = ENVELOPE_BYTES  # bytes of the event carrying ``messages``
    opened: float | None = None  # when its first message came (the batching window's start)
    sealed: bool = False  # full (BatchSize or payload): nothing more is added
    attempts: int = 0
    throttles: int = 0


class SqsEventSourceMapping:
    """A mapping from one SQS queue to one function.

    ``queue`` is an :class:`~sim.services.esm.sqs_queue.SqsQueue` (see ``open_queue``).
    ``function_timeout`` (the function's Timeout, seconds) is what Lambda checks the queue's
    visibility timeout against and stretches it by while a batching window is open; None: not
    known (no check; the stretch counts it as 0).
    ``invoke(event)`` gets the event as JSON ``bytes`` (what ``LambdaRuntime.invoke`` takes as a
    request body) and returns an object with ``outcome`` ("success" | "error" | "timeout"),
    ``payload`` (the function's response) and ``request_id``; it raises
    ``TooManyRequestsException`` when throttled.
    """

    def __init__(
        self,
        uuid: str,
        clock: Clock,
        queue: SqsQueue,
        function_name: str,
        function_arn: str,
        invoke: Callable[[bytes], Any],
        ledger: Ledger,
        region: str,
        config: SqsMappingConfig | None = None,
        invocation_duration: float = 0.0,
        function_timeout: float | None = None,
    ):
        self.config = config if config is not None else SqsMappingConfig()
        self.config.validate(fifo=queue.fifo)
        if invocation_duration < 0:
            raise ValueError("invocation_duration must not be negative")
        if function_timeout is not None and queue.visibility_timeout() < function_timeout:
            # CreateEventSourceMapping refuses it (AWS's message, as CloudFormation relays it:
            # "Invalid request provided: Queue visibility timeout: 36 seconds is less than
            # Function timeout: 450 seconds")
            raise ValueError(
                f"Queue visibility timeout: {queue.visibility_timeout()} seconds is less than "
                f"Function timeout: {int(function_timeout)} seconds"
            )
        self.function_timeout = function_timeout
        self.uuid = uuid
        self.clock = clock
        self.queue = queue
        self.function_name = function_name
        self.function_arn = function_arn
        self.invoke = invoke
        self.ledger = ledger
        self.region = region
        self.invocation_duration = float(invocation_duration)
        self.queue_arn = queue.arn
        self.queue_name = queue.name
        self.batches: list[SqsBatchOutcome] = []
        self.polls = 0  # poller wake-ups (idle checks included)
        self.filtered = 0  # messages deleted because they did not match the filter
        self.created_at = self.last_modified = clock.now
        self._hop = ledger.hop(f"queue {queue.name}", f"function {function_name}")
        self._phase = clock.now
        self._tracked: dict[str, _Tracked] = {}
        self._seen = 0  # messages received for the first time
        # settled as expired, yet still in moto's queue (moto never deletes expired messages)
        self._expired: set[str] = set()
        self._redrive: dict[str, _Tracked] = {}  # failed at maxReceiveCount: bound for the DLQ
        self._gathering: _Batch | None = None  # a batch waiting for its batching window
        self._carry: list[_Message] = []  # received, left out of a batch by the payload limit
        self._deferred: list[_Message] = []  # failed and received again in the same instant
        self._deferred_at = -math.inf
        self._stalled_at = -math.inf
        self._running = 0  # slots held: invocations in progress and throttled batches
        self._backlog_since: float | None = None  # messages waited for a slot since
        self._timer: Timer | None = None
        self._wakes: dict[float, Timer] = {}
        self._last_receive_at = -math.inf
        self._reported = (0, 0, 0)  # (available, in_flight, expired unseen) given to the hop
        self.state = DISABLED
        if self.config.enabled:
            self.enable()

    # -- lifecycle ------------------------------------------------------------------------
    def enable(self) -> None:
        self._check_not_deleting()
        self.config.enabled = True
        if self.state == ENABLED:
            return
        self.state = ENABLED
        self._schedule(self.clock.now)

    def disable(self) -> None:
        """Stop polling. Messages stay in the queue; invocations in progress finish; a batch
        still gathering is let go (its messages come back after their visibility timeout)."""
        self._check_not_deleting()
        self.config.enabled = False
        if self.state == DISABLED:
            return
        self.state = DISABLED
        self._stop()

    def delete(self) -> None:
        """Stop polling for good; invocations in progress finish and their results apply."""
        if self.state == DELETING:
            return
        self.state = DELETING
        self._stop()

    def update(self, **changes: Any) -> None:
        """UpdateEventSourceMapping: any :class:`SqsMappingConfig` field (batch_size,
        maximum_batching_window, maximum_concurrency, function_response_types, record_filter,
        filter_criteria, enabled). Validated as a whole; applies from the next poll."""
        self._check_not_deleting()
        known = {f.name for f in dataclasses.fields(SqsMappingConfig)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise TypeError(f"unknown event source mapping parameters: {', '.join(unknown)}")
        config = dataclasses.replace(self.config, **changes)
        config.validate(fifo=self.queue.fifo)
        self.config = config
        self.last_modified = self.clock.now
        if config.enabled and self.state != ENABLED:
            self.enable()
        elif not config.enabled and self.state == ENABLED:
            self.disable()
        elif self.state == ENABLED:
            self._schedule(self.clock.now)

    def _check_not_deleting(self) -> None:
        if self.state == DELETING:
            # assumption: AWS refuses changes to a mapping being deleted; its wording is not
            # documented
            raise ResourceInUseException(
                f"Cannot update the event source mapping {self.uuid}: it is being deleted."
            )

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for timer in self._wakes.values():
            timer.cancel()
        self._wakes.clear()
        held = list(self._carry) + list(self._deferred)
        if self._gathering is not None:
            held += self._gathering.messages
        for message in held:
            tracked = self._tracked.get(message.message_id)
            if tracked is not None:
                tracked.in_batch = False
        self._gathering = None
        self._carry = []
        self._deferred = []
        self._backlog_since = None

    # -- scheduling -----------------------------------------------------------------------
    def _schedule(self, when: float) -> None:
        """Poll at ``when`` unless a poll is already due by then."""
        when = max(when, self.clock.now)
        timer = self._timer
        if timer is not None and not timer.cancelled:
            if timer.when <= when:
                return
            timer.cancel()
        self._timer = self.clock.call_at(when, self._poll)

    def _wake_at(self, when: float) -> None:
        """Poll at ``when`` too (a failed batch's messages come back then)."""
        if self.state != ENABLED or when in self._wakes:
            return
        self._wakes[when] = self.clock.call_at(max(when, self.clock.now), self._woken, when)

    def _woken(self, when: float) -> None:
        self._wakes.pop(when, None)
        if self.state == ENABLED:
            self._schedule(self.clock.now)

    def _next_tick(self) -> float:
        """The next idle check: every second from the mapping's creation."""
        interval = limits.SQS_POLL_INTERVAL_SECONDS
        ticks = math.floor((self.clock.now - self._phase) / interval) + 1
        return self._phase + ticks * interval

    def _concurrency(self) -> int:
        """Batches that may be in flight now: the scaling level, capped by MaximumConcurrency."""
        level = limits.SQS_INITIAL_CONCURRENT_BATCHES
        if self._backlog_since is not None:
            waited = self.clock.now - self._backlog_since
            level += math.floor(waited * limits.SQS_SCALE_UP_PER_MINUTE / 60 + 1e-9)
        cap = self.config.maximum_concurrency
        return min(level, limits.SQS_MAX_CONCURRENT_BATCHES, cap if cap is not None else level)

    # -- polling --------------------------------------------------------------------------
    def _poll(self) -> None:
        self._timer = None
        if self.state != ENABLED:
            return
        now = self.clock.now
        self.polls += 1
        if self._deferred and now > self._deferred_at:
            self._carry[:0] = self._deferred
            self._deferred = []
        while self._stalled_at != now:
            if self._running >= self._concurrency():
                if self._backlog_since is None and (
                    self._carry or self._gathering is not None or self.queue.has_messages()
                ):
                    self._backlog_since = now  # messages wait for a slot: scale up from now
                return  # every slot is taken: the next one released polls again
            batch = self._next_batch()
            if batch is None:
                break
            self._running += 1
            self._invoke(batch)
        self._schedule(self._next_tick())

    def _next_batch(self) -> _Batch | None:
        """The batch to invoke now, or None (nothing to send, or its window is still open)."""
        config, now = self.config, self.clock.now
        window = config.maximum_batching_window
        batch = self._gathering if self._gathering is not None else _Batch()
        self._gathering = None
        while self._carry and self._add(batch, self._carry[0]):
            self._carry.pop(0)
        drained = False
        # without a window a batch is one ReceiveMessage's worth: carried messages are that
        while not batch.sealed and not self._carry and not (window <= 0 and batch.messages):
            if not self.queue.has_messages():
                drained = True
                break
            asked = min(limits.SQS_RECEIVE_MAX_MESSAGES, config.batch_size - len(batch.messages))
            received, returned = self._receive(asked)
            for i, message in enumerate(received):
                if not self._add(batch, message):
                    self._carry.extend(received[i:])
                    break
            if returned < asked:
                drained = True
                break
            if self._stalled_at == now or (window <= 0 and batch.messages):
                break
        if not batch.messages:
            if drained and not self._carry:
                self._backlog_since = None  # the queue is empty: back to the initial level
            return None
        if not batch.sealed and window > 0:
            assert batch.opened is not None
            deadline = batch.opened + window
            if now < deadline:
                self._gathering = batch
                self._schedule(min(deadline, self._next_tick()))
                return None
        return batch

    def _add(self, batch: _Batch, message: _Message) -> bool:
        """Add ``message`` unless the batch is sealed or the message would push the event past
        the payload limit (which seals it)."""
        if message.message_id in batch.ids:
            # received again while held (its visibility timeout ended): the newest receipt
            # handle and receive count replace the old ones
            i = next(i for i, m in enumerate(batch.messages) if m.message_id == message.message_id)
            batch.size += len(message.text) - len(batch.messages[i].text)
            batch.messages[i] = message
            return True
        if batch.sealed:
            return False
        grown = batch.size + len(message.text) + (SEPARATOR_BYTES if batch.messages else 0)
        if batch.messages and grown > limits.INVOKE_PAYLOAD_MAX_BYTES:
            batch.sealed = True
            return False
        batch.messages.append(message)
        batch.ids.add(message.message_id)
        batch.size = grown
        if batch.opened is None:
            batch.opened = self.clock.now
        if (
            len(batch.messages) >= self.config.batch_size
            or grown >= limits.INVOKE_PAYLOAD_MAX_BYTES
        ):
            batch.sealed = True
        return True

    def _receive(self, count: int) -> tuple[list[_Message], int]:
        """One ``ReceiveMessage``: the messages for a batch (filtered ones deleted here) and how
        many the queue returned."""
        visibility = self.queue.visibility_timeout()
        stretched = self._stretched_visibility(visibility)
        messages = self.queue.receive(count, stretched)
        visibility = visibility if stretched is None else stretched
        now = self.clock.now
        self._last_receive_at = now
        kept: list[_Message] = []
        if messages:
            record_filter = self.config.record_filter
            filtered: list[tuple[str, str]] = []
            for message in messages:
                attributes = message.get("Attributes", {})
                message_id = message["MessageId"]
                receive_count = int(attributes.get("ApproximateReceiveCount", 1))
                tracked = self._tracked.get(message_id)
                if tracked is None:
                    tracked = _Tracked(sent_ms=int(attributes.get("SentTimestamp", 0)))
                    self._tracked[message_id] = tracked
                    self._seen += 1
                elif tracked.failed:
                    self._hop.retried += 1
                self._redrive.pop(message_id, None)
                again_now = tracked.failed_at == now
                tracked.failed = False
                tracked.in_batch = True
                tracked.receive_count = receive_count
                tracked.visible_at = now + visibility
                record = event_record(message, self.queue_arn, self.region)
                if record_filter is not None and not record_filter.matches(record):
                    filtered.append((message_id, message["ReceiptHandle"]))
                    continue
                item = _Message(
                    message_id, message["ReceiptHandle"], receive_count, record_text(record)
                )
                if again_now:
                    self._defer(item)
                else:
                    kept.append(item)
            if filtered:
                self._delete_filtered(filtered)
        self._check_redrive()
        return kept, len(messages)

    def _stretched_visibility(self, visibility: int) -> int | None:
        """The visibility timeout Lambda gives the messages it receives while a batching window
        may hold them: "If your batch window is greater than 0, and (batch window) + (function
        timeout) > (queue visibility timeout), then your effective queue visibility timeout is
        (batch window) + (function timeout) + 30s" (with-sqs.html, 2023 edition). None: the
        queue's own."""
        window = self.config.maximum_batching_window
        timeout = self.function_timeout or 0
        if window > 0 and window + timeout > visibility:
            return math.ceil(window + timeout) + 30
        return None

    def _defer(self, message: _Message) -> None:
        """A message that failed at this very instant came back at once (a visibility timeout
        of 0): it is tried again from the next poll, so one instant cannot loop forever."""
        now = self.clock.now
        self._deferred = [m for m in self._deferred if m.message_id != message.message_id]
        self._deferred.append(message)
        self._deferred_at = self._stalled_at = now

    def _delete_filtered(self, filtered: list[tuple[str, str]]) -> None:
        errors = self.queue.delete([handle for _, handle in filtered])
        for i, (message_id, _) in enumerate(filtered):
            if i in errors:
                tracked = self._tracked.get(message_id)
                if tracked is not None:
                    tracked.in_batch = False  # not deleted: it comes back, is filtered again
            else:
                self.filtered += 1
                self._resolve(message_id, "filtered")

    # -- invoking -------------------------------------------------------------------------
    def _invoke(self, batch: _Batch) -> None:
        now = self.clock.now
        batch.attempts += 1
        ids = [m.message_id for m in batch.messages]
        try:
            result = self.invoke(event_body([m.text for m in batch.messages]))
        except TooManyRequestsException:
            self._record(batch, "error", None, THROTTLED_REASON, ids)
            self._throttled(batch)
            return
        outcome = getattr(result, "outcome", "error")
        reason = None
        failed: frozenset[str] = frozenset(ids)
        if outcome == "success":
            failed = frozenset()
            if self.config.reports_batch_item_failures:
                try:
                    failed = reported_failures(getattr(result, "payload", None), set(ids))
                except InvalidBatchResponse as e:
                    outcome, reason, failed = (
                        "error",
                        f"{INVALID_RESPONSE_REASON}: {e}",
                        frozenset(ids),
                    )
                else:
                    if failed:
                        outcome = "partial"
        request_id = getattr(result, "request_id", None)
        self._record(batch, outcome, request_id, reason, [i for i in ids if i in failed])
        if self.invocation_duration > 0:
            self.clock.call_at(now + self.invocation_duration, self._complete, batch, failed)
        else:
            self._complete(batch, failed)

    def _record(
        self,
        batch: _Batch,
        outcome: str,
        request_id: str | None,
        reason: str | None,
        failed: list[str],
    ) -> None:
        self.batches.append(
            SqsBatchOutcome(
                time=self.clock.now,
                size=len(batch.messages),
                outcome=outcome,
                attempt=batch.attempts,
                receive_count=max(m.receive_count for m in batch.messages),
                message_ids=tuple(m.message_id for m in batch.messages),
                request_id=request_id,
                reason=reason,
                failed_ids=tuple(failed),
            )
        )

    def _throttled(self, batch: _Batch) -> None:
        """Try a throttled batch again after a back-off while its visibility timeout lasts;
        then give it up (its messages come back and are received again)."""
        delay = min(
            limits.SQS_THROTTLE_RETRY_DELAY_FIRST_SECONDS * 2.0 ** min(batch.throttles, 30),
            limits.SQS_THROTTLE_RETRY_DELAY_MAX_SECONDS,
        )
        batch.throttles += 1
        visible = [
            self._tracked[m.message_id].visible_at
            for m in batch.messages
            if m.message_id in self._tracked
        ]
        retry_at = self.clock.now + delay
        if self.state == ENABLED and visible and retry_at < min(visible):
            self._hop.retried += len(batch.messages)
            self.clock.call_at(retry_at, self._retry, batch)
        else:
            self._give_up(batch)

    def _retry(self, batch: _Batch) -> None:
        if self.state != ENABLED:
            self._give_up(batch)
            return
        self._invoke(batch)

    def _give_up(self, batch: _Batch) -> None:
        self._returned(batch.messages)
        self._release()

    def _complete(self, batch: _Batch, failed: frozenset[str]) -> None:
        """The invocation's slot is released: delete what succeeded; the rest comes back."""
        done = [m for m in batch.messages if m.message_id not in failed]
        back = [m for m in batch.messages if m.message_id in failed]
        if done:
            errors = self.queue.delete([m.receipt_handle for m in done])
            for i, message in enumerate(done):
                if i in errors:
                    back.append(message)  # not deleted (moved or gone meanwhile): settle() sees
                else:
                    self._resolve(message.message_id, "delivered")
        self._returned(back)
        self._release()

    def _returned(self, messages: list[_Message]) -> None:
        """Messages left in the queue after a failure: they come back when their visibility
        timeout ends (and the poller wakes then); at maxReceiveCount SQS moves them instead."""
        if not messages:
            return
        now = self.clock.now
        policy = self.queue.redrive_policy()
        for message in messages:
            tracked = self._tracked.get(message.message_id)
            if tracked is None:
                continue
            tracked.in_batch = False
            tracked.failed = True
            tracked.failed_at = now
            if policy is not None and tracked.receive_count >= policy.max_receive_count:
                tracked.dead_letter_queue = policy.dead_letter_queue
                self._redrive[message.message_id] = tracked
            self._wake_at(tracked.visible_at + limits.SQS_VISIBILITY_WAKE_DELAY_SECONDS)

    def _release(self) -> None:
        self._running -= 1
        if self.state == ENABLED:
            self._schedule(self.clock.now)

    # -- accounting -----------------------------------------------------------------------
    def _resolve(self, message_id: str, how: str, detail: str | None = None) -> None:
        """Settle one message once: delivered, filtered, destination (DLQ name) or dropped
        (reason)."""
        if self._tracked.pop(message_id, None) is None:
            return
        self._redrive.pop(message_id, None)
        hop = self._hop
        if how == "delivered":
            hop.delivered += 1
        elif how == "filtered":
            hop.filtered += 1
        elif how == "destination":
            hop.to_destination[f"queue {detail}"] += 1
        else:
            hop.dropped[detail or "unknown"] += 1

    def _check_redrive(self) -> None:
        """Settle the failed messages SQS has moved to the dead-letter queue."""
        if not self._redrive:
            return
        now = self.clock.now
        due = [mid for mid, t in self._redrive.items() if now > t.visible_at]
        if not due:
            return
        if self.queue.can_locate:
            where = self.queue.locate(due)
            moved = [mid for mid in due if where[mid] == IN_DEAD_LETTER_QUEUE]
        else:  # inferred: a ReceiveMessage came after the message became visible again
            moved = [mid for mid in due if self._last_receive_at > self._redrive[mid].visible_at]
        for message_id in moved:
            self._resolve(message_id, "destination", self._redrive[message_id].dead_letter_queue)

    def settle(self) -> None:
        """At the end of a run: what this mapping answered for, and what is left.

        Messages it received and has not settled are looked up (on the embedded backend):
        moved to the dead-letter queue, past the queue's MessageRetentionPeriod (SQS deletes
        them; moto keeps them, unreturnable), deleted by someone else, or still in flight.
        Messages still in the queue that it never received are available and in flight (or
        dropped as expired). Repeated calls replace what an earlier call reported.
        """
        now = self.clock.now
        self._check_redrive()
        idle = [mid for mid, t in self._tracked.items() if not t.in_batch]
        where = self.queue.locate(idle) if idle and self.queue.can_locate else {}
        retention_ms = self.queue.retention_period() * 1000
        policy = self.queue.redrive_policy()
        for message_id in idle:
            tracked = self._tracked[message_id]
            place = where.get(message_id, IN_QUEUE)
            if place == IN_DEAD_LETTER_QUEUE:
                queue = tracked.dead_letter_queue or (policy.dead_letter_queue if policy else None)
                self._resolve(message_id, "destination", queue or "dead-letter queue")
            elif tracked.sent_ms + retention_ms <= now * 1000:
                self._resolve(message_id, "dropped", limits.SQS_RETENTION_EXPIRED_REASON)
                if place == IN_QUEUE and self.queue.can_locate:
                    self._expired.add(message_id)
            elif place == GONE:
                self._resolve(message_id, "dropped", DELETED_REASON)
        counted = self._tracked.keys() | self._expired if self._expired else self._tracked.keys()
        waiting, expired = self.queue.census(counted, now)
        available = self._seen + waiting + expired
        in_flight = len(self._tracked) + waiting
        hop = self._hop
        reported_available, reported_in_flight, reported_expired = self._reported
        hop.available += available - reported_available
        hop.in_flight += in_flight - reported_in_flight
        if expired != reported_expired:
            hop.dropped[limits.SQS_RETENTION_EXPIRED_REASON] += expired - reported_expired
        self._reported = (available, in_flight, expired)

    # -- the API's view -------------------------------------------------------------------
    # -- what the report and the Lambda API read ------------------------------------------
    def hop_source(self) -> str:
        return f"queue {self.queue_name}"

    @property
    def stream_arn(self) -> str:
        """The event source's ARN (named as for the stream mappings, which the Lambda API's
        ListEventSourceMappings filters on)."""
        return self.queue_arn

    @property
    def max_iterator_age_ms(self) -> int:
        return 0  # SQS sources have no iterator age

    @property
    def stats(self) -> MappingStats:
        """The counts the report shows per mapping (the stream mappings' shape): batches are
        invocations, retries failed ones; records sent to the failure destination are those
        the queue's redrive moved to its dead-letter queue."""
        hop = self._hop
        invoked = [b for b in self.batches if b.request_id is not None]
        return MappingStats(
            batches=len(invoked),
            records=hop.delivered,
            retries=sum(1 for b in invoked if b.outcome != "success"),
            to_destination=sum(hop.to_destination.values()),
            filtered=self.filtered,
            dropped=sum(hop.dropped.values()),
        )

    def describe(self) -> dict[str, Any]:
        """The mapping as ``GetEventSourceMapping`` shows an SQS mapping."""
        config = self.config
        account = self.function_arn.split(":")[4] if self.function_arn.count(":") >= 5 else ""
        described: dict[str, Any] = {
            "UUID": self.uuid,
            "BatchSize": config.batch_size,
            "MaximumBatchingWindowInSeconds": int(config.maximum_batching_window),
            "EventSourceArn": self.queue_arn,
        }
        if config.filter_criteria is not None:
            described["FilterCriteria"] = config.filter_criteria
        described.update(
            {
                "FunctionArn": self.function_arn,
                "LastModified": iso(self.last_modified),
                "State": self.state,
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": list(config.function_response_types),
            }
        )
        if config.maximum_concurrency is not None:
            described["ScalingConfig"] = {"MaximumConcurrency": config.maximum_concurrency}
        described["EventSourceMappingArn"] = (
            f"arn:aws:lambda:{self.region}:{account}:event-source-mapping:{self.uuid}"
        )
        return described
