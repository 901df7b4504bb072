"""Drives a producer on the clock and puts its records onto its target through boto3.

Each tick (``rate`` ticks per simulated second) asks the producer for the records of that
instant and puts them with PutRecord (``batch: 1``, what the labs' scripts did) or PutRecords in
chunks of ``batch``.

A refused record is retried as AWS advises a producer to (constants below, with their sources):

* **only the failed entries are sent again**: a PutRecords answer of 200 can still carry
  failed entries (``FailedRecordCount``, an ``ErrorCode`` per entry); those, and only those, go
  into a later request;
* **after an exponential backoff with full jitter** on the simulated clock:
  ``random() * min(PUT_RETRY_BASE_SECONDS * 2**n, PUT_RETRY_MAX_BACKOFF_SECONDS)`` after the
  n-th consecutive failed send (botocore's standard retry mode, for throttling errors);
* **in order, per partition key**: records wait in one backlog, failed ones ahead of newer
  ones, and nothing newer is sent while a failed record waits for its retry. Records of one
  PutRecords request are not ordered against each other, as AWS documents (an entry after a
  failed one may be stored first; strict order needs PutRecord, which ``batch: 1`` uses, one
  record at a time);
* **after a linger**, when ``linger`` is set: records wait until ``batch`` of them are ready, or
  the oldest has waited ``linger`` seconds (the Kinesis Producer Library's
  ``RecordMaxBufferedTime``), so a producer of one record a tick sends full batches;
* **until a time-to-live**: a record not accepted ``record_ttl`` seconds (the producer's
  ``record_ttl`` in the scenario, default ``PUT_RECORD_TTL_SECONDS``) after it was produced is
  given up, like the Kinesis Producer Library's ``RecordTtl``, and reported in the ledger as
  refused with AWS's error code. Records that fail for a reason a retry cannot cure
  (a missing stream, a record too large) are reported at once.

Nothing is dropped silently: every record produced ends accepted or refused, or, when the run
ends first, still waits for a retry (:attr:`ProducerDriver.pending`, the ledger's ``pending``).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from botocore.exceptions import ClientError

from producers.base import Producer, Record
from sim.clock import Clock, Timer, to_datetime
from sim.ledger import Ledger
from sim.scenario.limits import PUT_RECORD_TTL_SECONDS, PUT_RECORDS_MAX

# Backoff between sends of refused records: "exponential backoff with jitter" (AWS SDKs'
# standard retry mode, https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html),
# in botocore's formula: t_i = rand(0, 1) * min(base * 2**i, MAX_BACKOFF) with base 1 s for
# throttling errors and MAX_BACKOFF 20 s (botocore/retries/standard.py, ExponentialBackoff).
PUT_RETRY_BASE_SECONDS = 1.0
PUT_RETRY_MAX_BACKOFF_SECONDS = 20.0
# The reason a record is given up with when it expired without ever being refused (it waited
# behind a linger or a backlog held up by no error: cannot happen with linger < record_ttl).
EXPIRED_UNSENT = "RecordTtlExpired"
# Error codes a later attempt can succeed after: the two ErrorCode values of a PutRecords
# result entry (API_PutRecordsResultEntry.html) and the service's own unavailability.
RETRYABLE_ERRORS = frozenset(
    {"ProvisionedThroughputExceededException", "InternalFailure", "ServiceUnavailable"}
)


@dataclass
class _Pending:
    """A produced record not yet accepted: when it was produced, how often it was refused."""

    record: Record
    produced_at: float
    refusals: int = 0
    error: str = ""


@dataclass
class ProducerDriver:
    name: str
    producer: Producer
    clock: Clock
    client_for: Callable[[], Any]
    ledger: Ledger
    stream: str
    rate: float
    start: float
    stop: float | None = None
    count: int | None = None
    batch: int = 1
    rng: random.Random | None = None  # the retries' jitter (default: seeded by the name)
    record_ttl: float = PUT_RECORD_TTL_SECONDS  # a refused record is given up this long after
    linger: float = 0.0  # how long a record may wait for a full batch (0: sent at once)

    def __post_init__(self) -> None:
        if not 1 <= self.batch <= PUT_RECORDS_MAX:
            raise ValueError(f"batch must be 1..{PUT_RECORDS_MAX}")
        if self.rng is None:
            self.rng = random.Random(f"put retries of {self.name}")
        self.emitted = 0
        self.calls = 0
        self.backlog: deque[_Pending] = deque()  # records produced, not yet accepted, in order
        # what refusals did: records refused (each refusal), records sent again, given up
        self.refused_records = 0
        self.retried_records = 0
        self.expired_records = 0
        self._last_error = ""
        self._failures = 0  # consecutive sends that ended with a refusal (the backoff exponent)
        self._retry: Timer | None = None
        self._lingering: Timer | None = None
        self._ticks = 0
        self._target = f"stream {self.stream}"
        self.clock.call_at(max(self.start, self.clock.now), self._tick)

    @property
    def pending(self) -> int:
        """Records produced and neither accepted nor given up yet (waiting for a retry)."""
        return len(self.backlog)

    @property
    def done(self) -> bool:
        return self.producer.finished or (self.count is not None and self.emitted >= self.count)

    def _tick(self) -> None:
        now = self.clock.now
        if self.stop is not None and now >= self.stop or self.done:
            return
        records = self.producer.emit(to_datetime(now))
        if self.count is not None:
            records = records[: self.count - self.emitted]
        if records:
            self.emitted += len(records)
            self.ledger.record_produced(self.name, len(records))
            self.backlog.extend(_Pending(record, now) for record in records)
            if self._retry is None:  # else they wait behind the records being retried
                self._send()
        if not self.done:
            self._ticks += 1
            self.clock.call_at(self.start + self._ticks / self.rate, self._tick)

    # -- sending the backlog ---------------------------------------------------------------
    def _send(self) -> None:
        """Put the backlog, oldest first, until it is empty or a record is refused; then wait
        a backoff before the next try (newer records wait meanwhile)."""
        self._retry = None
        self._expire()
        backlog = self.backlog
        while backlog:
            if self.linger and len(backlog) < self.batch:
                due = backlog[0].produced_at + self.linger
                if self.clock.now < due:  # wait for a fuller batch, at most until `due`
                    if self._lingering is None:
                        self._lingering = self.clock.call_at(due, self._linger_over)
                    return
            if self.batch == 1:
                refused = self._send_one(backlog[0])
            else:
                refused = self._send_chunk(list(islice(backlog, self.batch)))
            if refused:
                delay = self.rng.random() * min(
                    PUT_RETRY_BASE_SECONDS * 2.0 ** min(self._failures, 30),
                    PUT_RETRY_MAX_BACKOFF_SECONDS,
                )
                self._failures += 1
                self._retry = self.clock.call_later(delay, self._send)
                return
        self._failures = 0

    def _linger_over(self) -> None:
        self._lingering = None
        if self._retry is None:  # else the retry sends them
            self._send()

    def _expire(self) -> None:
        """Give up the records produced more than the time-to-live ago (the backlog is in the
        order they were produced). Each is reported with the error that refused it, or, if it
        waited without being sent, with the error that held the backlog up."""
        deadline = self.clock.now - self.record_ttl
        backlog = self.backlog
        while backlog and backlog[0].produced_at <= deadline:
            pending = backlog.popleft()
            self.expired_records += 1
            reason = pending.error or self._last_error or EXPIRED_UNSENT
            self.ledger.record_refused(self.name, reason)

    def _send_one(self, pending: _Pending) -> bool:
        """PutRecord the backlog's first record; True if it was refused and waits for a retry."""
        code = self._put_record(pending)
        if code is None:
            self.backlog.popleft()
            self.ledger.record_accepted(self.name, self._target)
            return False
        return self._refused(pending, code, in_backlog=True)

    def _send_chunk(self, chunk: list[_Pending]) -> bool:
        """PutRecords the backlog's first records; the refused ones stay at its front."""
        failed = self._put_records(chunk)
        for _ in chunk:
            self.backlog.popleft()
        retry: list[_Pending] = []
        for pending, code in failed:
            if self._refused(pending, code, in_backlog=False):
                retry.append(pending)
        self.backlog.extendleft(reversed(retry))
        accepted = len(chunk) - len(failed)
        if accepted:
            self.ledger.record_accepted(self.name, self._target, accepted)
        return bool(retry)

    def _refused(self, pending: _Pending, code: str, *, in_backlog: bool) -> bool:
        """Note a refusal; True if the record is to be retried, else it is reported refused."""
        self.refused_records += 1
        pending.refusals += 1
        pending.error = self._last_error = code
        if code in RETRYABLE_ERRORS:
            return True
        if in_backlog:
            self.backlog.popleft()
        self.ledger.record_refused(self.name, code)
        return False

    # -- the AWS calls ---------------------------------------------------------------------
    def _put_record(self, pending: _Pending) -> str | None:
        record = pending.record
        kwargs: dict[str, Any] = {
            "StreamName": self.stream,
            "Data": record.data,
            "PartitionKey": record.partition_key,
        }
        if record.explicit_hash_key is not None:
            kwargs["ExplicitHashKey"] = record.explicit_hash_key
        self._count_call([pending])
        try:
            self.client_for().put_record(**kwargs)
        except ClientError as error:
            return error.response["Error"]["Code"]
        return None

    def _put_records(self, chunk: list[_Pending]) -> list[tuple[_Pending, str]]:
        entries = []
        for pending in chunk:
            record = pending.record
            entry: dict[str, Any] = {"Data": record.data, "PartitionKey": record.partition_key}
            if record.explicit_hash_key is not None:
                entry["ExplicitHashKey"] = record.explicit_hash_key
            entries.append(entry)
        self._count_call(chunk)
        try:
            response = self.client_for().put_records(StreamName=self.stream, Records=entries)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            return [(pending, code) for pending in chunk]
        return [
            (pending, result["ErrorCode"])
            for pending, result in zip(chunk, response["Records"], strict=True)
            if "ErrorCode" in result
        ]

    def _count_call(self, sent: list[_Pending]) -> None:
        self.calls += 1
        self.retried_records += sum(1 for pending in sent if pending.refusals)
