"""Asynchronous (``Event``) invocation: Lambda's internal queue, retries, event age, destinations.

What AWS documents (aws-semantics.md §3, invocation-async*.md), on a scheduler:

* An event goes on the function's queue and is answered 202 at once (``submit``).
* A function error or timeout is retried :attr:`EventInvokeConfig.maximum_retry_attempts` times
  (default 2): the second attempt :data:`RETRY_DELAYS` [0] (1 minute) after the first, the third
  [1] (2 minutes) after the second. The request id stays the same across attempts.
* A throttled attempt (reserved concurrency exhausted, a throttle fault) goes back on the queue
  with a backoff growing from :data:`THROTTLE_BACKOFF_MIN` to :data:`THROTTLE_BACKOFF_MAX`; it is
  not a retry attempt. Reserved concurrency 0 sends the event straight to the failure destination
  and dead-letter queue, condition ``ZeroReservedConcurrency``, with no retries.
* An event is given up when the next attempt would come after
  :attr:`EventInvokeConfig.maximum_event_age` (condition ``EventAgeExceeded``), or after its last
  retry (``RetriesExhausted``).
* Destinations (:mod:`sim.services.lambda_.destinations`) receive the invocation record: on
  success the OnSuccess destination, on failure the OnFailure destination and the function's
  dead-letter queue (the event alone, with ``RequestID``/``ErrorCode``/``ErrorMessage``
  attributes). Without either, a failed event is discarded and counted as dropped.

The conditions and the record's shape for ``ZeroReservedConcurrency`` (no ``responseContext``,
``approximateInvokeCount`` 0) follow LocalStack's event manager, whose tests are checked against
AWS: AWS's prose names only ``Success`` and shows ``RetriesExhausted``.

Differences, by design: attempts run on the scheduler one at a time (in a simulation, handlers
run while simulated time stands still), so reserved concurrency above 0 never throttles; there
is no duplicate delivery (AWS's queue is at-least-once); the queue itself never drops events
under backlog.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sim.errors import ResourceNotFoundException
from sim.services.lambda_.config import LATEST
from sim.services.lambda_.exceptions import TooManyRequestsException
from sim.services.lambda_.wire import iso_millis

# PutFunctionEventInvokeConfig: MaximumRetryAttempts 0..2 (default 2), MaximumEventAgeInSeconds
# 60..21600 (default 21600 = 6 h). (aws-semantics.md §3, API_FunctionEventInvokeConfig)
RETRY_ATTEMPTS_DEFAULT = 2
RETRY_ATTEMPTS_MAX = 2
EVENT_AGE_DEFAULT_S = 21_600
EVENT_AGE_MIN_S = 60
EVENT_AGE_MAX_S = 21_600
# "Lambda waits one minute before the second attempt and two minutes before the third."
# (invocation-async-error-handling)
RETRY_DELAYS = (60.0, 120.0)
# Throttles and system errors: "The retry interval increases exponentially from 1 second after
# the first attempt to a maximum of 5 minutes." (invocation-async.md)
THROTTLE_BACKOFF_MIN = 1.0
THROTTLE_BACKOFF_MAX = 300.0
# Dead-letter queue message: ErrorMessage "truncated to 1 KB" (AWS Lambda dead letter queues docs).
DLQ_ERROR_MESSAGE_MAX = 1024

SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"
ZERO_RESERVED_CONCURRENCY = "ZeroReservedConcurrency"


@dataclass(frozen=True)
class EventInvokeConfig:
    """A function's asynchronous invocation settings (``FunctionEventInvokeConfig``).

    ``on_success`` / ``on_failure`` are destination ARNs (a function, a standard SQS queue, a
    standard SNS topic, an EventBridge bus). ``None`` settings were not given (the API leaves them
    out of its answers) and mean AWS's defaults."""

    maximum_retry_attempts: int | None = RETRY_ATTEMPTS_DEFAULT
    maximum_event_age: int | None = EVENT_AGE_DEFAULT_S
    on_success: str | None = None
    on_failure: str | None = None
    last_modified: float = 0.0

    @property
    def retries(self) -> int:
        return (
            RETRY_ATTEMPTS_DEFAULT
            if self.maximum_retry_attempts is None
            else self.maximum_retry_attempts
        )

    @property
    def age(self) -> int:
        return EVENT_AGE_DEFAULT_S if self.maximum_event_age is None else self.maximum_event_age


@dataclass
class AsyncStats:
    """What happened to one function's asynchronous events."""

    events: int = 0  # submitted
    attempts: int = 0  # invocations run
    succeeded: int = 0
    retries: int = 0  # attempts after the first (function errors and timeouts)
    throttled: int = 0  # attempts refused with TooManyRequestsException (then requeued)
    failed: Counter[str] = field(default_factory=Counter)  # by condition
    to_destination: Counter[str] = field(default_factory=Counter)  # by destination ARN
    to_dead_letter: int = 0
    dropped: Counter[str] = field(default_factory=Counter)  # failed events kept nowhere, why
    destination_failures: int = 0  # deliveries a destination refused
    last_destination_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "attempts": self.attempts,
            "succeeded": self.succeeded,
            "retries": self.retries,
            "throttled": self.throttled,
            "failed": dict(sorted(self.failed.items())),
            "to_destination": dict(sorted(self.to_destination.items())),
            "to_dead_letter": self.to_dead_letter,
            "dropped": dict(sorted(self.dropped.items())),
            "destination_failures": self.destination_failures,
            "last_destination_error": self.last_destination_error,
        }


@dataclass
class _Event:
    function: str
    request_id: str
    payload: Any
    source: str | None
    client_context: Mapping[str, Any] | None
    enqueued_at: float
    attempts: int = 0  # invocations run so far
    throttles: int = 0


class AsyncInvoker:
    """The asynchronous invocation queue of one :class:`~sim.services.lambda_.LambdaRuntime`.

    ``scheduler`` gives ``now()`` and ``call_at(when, fn)``: a run's clock
    (:class:`~sim.services.firehose.scheduling.ClockScheduler`) or :class:`WallLoop` outside runs.
    ``deliver(kind, target_arn, record, function_config, event)`` sends a record to a destination
    (see :class:`sim.services.lambda_.destinations.Destinations`); it raises on failure."""

    def __init__(
        self,
        runtime: Any,
        scheduler: Any,
        *,
        deliver: Callable[..., None],
        rng: random.Random,
    ):
        self.runtime = runtime
        self.scheduler = scheduler
        self._deliver = deliver
        self._rng = rng
        self._configs: dict[str, EventInvokeConfig] = {}
        self.stats: dict[str, AsyncStats] = {}
        self._queued: dict[int, str] = {}  # events not finished yet: id -> function
        self._due = 0  # events whose next attempt is due now (not waiting for a retry delay)
        self._idle = threading.Condition()

    # -- configuration (PutFunctionEventInvokeConfig & co) --------------------------------
    def configure(self, function: str, config: EventInvokeConfig | None) -> None:
        if config is None:
            self._configs.pop(function, None)
        else:
            self._configs[function] = config

    def config_for(self, function: str) -> EventInvokeConfig | None:
        return self._configs.get(function)

    def _config(self, function: str) -> EventInvokeConfig:
        return self._configs.get(function) or EventInvokeConfig()

    # -- the queue ------------------------------------------------------------------------
    def submit(
        self,
        function: str,
        payload: Any,
        *,
        request_id: str,
        source: str | None = None,
        client_context: Mapping[str, Any] | None = None,
    ) -> str:
        """Queue an event for ``function`` (already checked to exist); returns its request id."""
        event = _Event(function, request_id, payload, source, client_context, self.scheduler.now())
        self.stats.setdefault(function, AsyncStats()).events += 1
        with self._idle:
            self._queued[id(event)] = function
            self._due += 1
        self.scheduler.call_at(event.enqueued_at, lambda: self._attempt(event, due=True))
        return request_id

    def queued(self, function: str | None = None) -> int:
        """Events not finished yet (waiting for an attempt or a retry), of one function or all."""
        with self._idle:
            functions = list(self._queued.values())
        return len(functions) if function is None else functions.count(function)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait (wall time) until no attempt is due: every event has had its first attempt, and
        no throttled event is waiting to be tried again. Retries after an error wait for their
        delay (1 and 2 minutes) and are not waited for."""
        with self._idle:
            return self._idle.wait_for(lambda: self._due == 0, timeout)

    def _attempt(self, event: _Event, *, due: bool = False) -> None:
        try:
            self._run_attempt(event)
        finally:
            if due:
                with self._idle:
                    self._due -= 1
                    self._idle.notify_all()

    def _run_attempt(self, event: _Event) -> None:
        stats = self.stats[event.function]
        config = self._config(event.function)
        try:
            result = self.runtime.invoke(
                event.function,
                event.payload,
                client_context=event.client_context,
                source=event.source,
                request_id=event.request_id,
            )
        except TooManyRequestsException:
            stats.throttled += 1
            if self._reserved_concurrency(event.function) == 0:
                self._fail(event, ZERO_RESERVED_CONCURRENCY, None)
                return
            event.throttles += 1
            delay = min(THROTTLE_BACKOFF_MAX, THROTTLE_BACKOFF_MIN * 2 ** (event.throttles - 1))
            if not self._time_for(event, delay, config):
                self._fail(event, EVENT_AGE_EXCEEDED, None)
                return
            with self._idle:
                self._due += 1
            self.scheduler.call_at(
                self.scheduler.now() + delay, lambda: self._attempt(event, due=True)
            )
            return
        except ResourceNotFoundException:
            stats.dropped["FunctionDeleted"] += 1  # deleted while the event was queued
            self._finish(event)
            return
        event.attempts += 1
        stats.attempts += 1
        if result.outcome == "success":
            stats.succeeded += 1
            self._send(event, config.on_success, SUCCESS, result, config)
            self._finish(event)
            return
        if event.attempts > config.retries:
            self._fail(event, RETRIES_EXHAUSTED, result)
            return
        delay = RETRY_DELAYS[min(event.attempts, len(RETRY_DELAYS)) - 1]
        if not self._time_for(event, delay, config):
            self._fail(event, EVENT_AGE_EXCEEDED, result)
            return
        stats.retries += 1
        self.scheduler.call_at(self.scheduler.now() + delay, lambda: self._attempt(event))

    def _time_for(self, event: _Event, delay: float, config: EventInvokeConfig) -> bool:
        """Whether an attempt ``delay`` seconds from now is still within the event's age."""
        return self.scheduler.now() + delay - event.enqueued_at <= config.age

    def _reserved_concurrency(self, function: str) -> int | None:
        try:
            return self.runtime.get_function(function).reserved_concurrency
        except ResourceNotFoundException:
            return None

    def _fail(self, event: _Event, condition: str, result: Any) -> None:
        stats = self.stats[event.function]
        stats.failed[condition] += 1
        config = self._config(event.function)
        sent = self._send(event, config.on_failure, condition, result, config)
        dead_lettered = self._dead_letter(event, result)
        if not (sent or dead_lettered):
            refused = sent is False or dead_lettered is False
            stats.dropped["DestinationDeliveryFailed" if refused else condition] += 1
        self._finish(event)

    def _finish(self, event: _Event) -> None:
        with self._idle:
            self._queued.pop(id(event), None)

    # -- records and destinations ---------------------------------------------------------
    def _send(
        self,
        event: _Event,
        target: str | None,
        condition: str,
        result: Any,
        config: EventInvokeConfig,
    ) -> bool | None:
        """Send the invocation record to ``target``: True when sent, False when the destination
        refused it (DestinationDeliveryFailures), None without a destination."""
        if not target:
            return None
        stats = self.stats[event.function]
        record = self.invocation_record(event, condition, result)
        kind = "success" if condition == SUCCESS else "failure"
        try:
            self._deliver(kind, target, record, self.runtime.get_function(event.function))
        except Exception as exc:  # AccessDenied, a missing queue, ...: DestinationDeliveryFailures
            stats.destination_failures += 1
            stats.last_destination_error = f"{type(exc).__name__}: {exc}"
            return False
        stats.to_destination[target] += 1
        return True

    def _dead_letter(self, event: _Event, result: Any) -> bool | None:
        """Send the event to the function's dead-letter queue: True when sent, False when
        refused (DeadLetterErrors), None without one."""
        try:
            config = self.runtime.get_function(event.function)
        except ResourceNotFoundException:
            return None
        if not config.dead_letter_target:
            return None
        stats = self.stats[event.function]
        message = ""
        if result is not None and isinstance(result.payload, dict):
            message = str(result.payload.get("errorMessage", ""))
        attributes = {
            "RequestID": {"DataType": "String", "StringValue": event.request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": "200"},
            "ErrorMessage": {
                "DataType": "String",
                "StringValue": message.encode()[:DLQ_ERROR_MESSAGE_MAX].decode("utf-8", "ignore")
                or "Unhandled",
            },
        }
        try:
            self._deliver(
                "dead-letter", config.dead_letter_target, event.payload, config, attributes
            )
        except Exception as exc:  # DeadLetterErrors
            stats.destination_failures += 1
            stats.last_destination_error = f"{type(exc).__name__}: {exc}"
            return False
        stats.to_dead_letter += 1
        return True

    def invocation_record(self, event: _Event, condition: str, result: Any) -> dict[str, Any]:
        """AWS's invocation record (invocation-async-retain-records)."""
        config = self.runtime.get_function(event.function)
        record: dict[str, Any] = {
            "version": "1.0",
            "timestamp": iso_millis(self.scheduler.now()),
            "requestContext": {
                "requestId": event.request_id,
                "functionArn": f"{config.arn}:{LATEST}",
                "condition": condition,
                "approximateInvokeCount": event.attempts,
            },
            "requestPayload": _json_value(event.payload),
        }
        if result is not None:
            response: dict[str, Any] = {"statusCode": 200, "executedVersion": LATEST}
            if result.outcome != "success":
                response["functionError"] = "Unhandled"
            record["responseContext"] = response
            record["responsePayload"] = _json_value(result.payload)
        return record


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        try:
            return json.loads(value)
        except ValueError:
            return value.decode("utf-8", "replace")
    return value


class WallLoop:
    """A scheduler on the wall clock for the asynchronous queue outside runs: one daemon thread
    running callbacks in time order (first come, first served at equal times), so events run in
    the order they were queued, as the runtime's single background worker did."""

    def __init__(self, now: Callable[[], float] | None = None, name: str = "lambda:async"):
        self._now = now if now is not None else time.time
        self._heap: list[tuple[float, int, Callable[[], Any]]] = []
        self._sequence = itertools.count()
        self._wake = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def now(self) -> float:
        return self._now()

    def call_at(self, when: float, fn: Callable[[], Any]) -> None:
        with self._wake:
            heapq.heappush(self._heap, (when, next(self._sequence), fn))
            self._wake.notify()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._heap.clear()
            self._wake.notify()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._closed:
                    if self._heap:
                        delay = self._heap[0][0] - self._now()
                        if delay <= 0:
                            break
                        self._wake.wait(min(delay, 1.0))
                    else:
                        self._wake.wait()
                if self._closed:
                    return
                _, _, fn = heapq.heappop(self._heap)
            try:
                fn()
            except Exception:  # a bug of ours: never let it stop the queue
                import traceback

                traceback.print_exc()
