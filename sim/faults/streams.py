"""``stream_throttle``: writes to a stream refused with ProvisionedThroughputExceededException.

Installed on streamlab's shard store (``KinesisBackend.set_put_fault``), which asks the fault
about every PutRecord and PutRecords while it holds the stream's lock. In the fault's reach
each record of a put is refused with probability ``failure_rate`` (every record when it is 1),
drawn from the fault's own seeded generator, so a run is repeatable for its seed. What AWS
answers is the store's: PutRecord raises the exception; PutRecords answers 200 with
``FailedRecordCount`` and, for each refused entry, ``ErrorCode``
ProvisionedThroughputExceededException and ``ErrorMessage`` "Rate exceeded for shard
shardId-… in stream … under account …." (the Kinesis Developer Guide's example,
developing-producers-with-sdk.html, "Handling failures when using PutRecords"). A refused
record uses none of the shard's throughput.

A ``count`` limits the fault to that many put requests with at least one refused record.
"""

from __future__ import annotations

import random

from sim.faults.effects import FaultEffect
from sim.faults.reach import Reach


class StreamThrottle:
    """One ``stream_throttle`` fault: which records of a put it refuses."""

    def __init__(
        self, reach: Reach, failure_rate: float, rng: random.Random, effect: FaultEffect
    ) -> None:
        self.reach = reach
        self.failure_rate = failure_rate
        self.rng = rng
        self.effect = effect

    def refusals(self, now: float, entries: int) -> list[bool] | None:
        with self.reach.lock:
            if not self.reach.active(now):
                return None
            if self.failure_rate >= 1.0:
                flags = [True] * entries
            else:
                draw, rate = self.rng.random, self.failure_rate
                flags = [draw() < rate for _ in range(entries)]
            refused = sum(flags)
            if not refused:
                return None
            self.reach.use()
        self.effect.add("put_requests_throttled")
        self.effect.add("records_throttled", refused)
        return flags


class StreamThrottles:
    """The ``stream_throttle`` faults of one stream (the store holds one fault per stream):
    the first whose reach covers a put decides it."""

    def __init__(self) -> None:
        self.faults: list[StreamThrottle] = []

    def refusals(self, now: float, entries: int) -> list[bool] | None:
        for fault in self.faults:
            flags = fault.refusals(now, entries)
            if flags is not None:
                return flags
        return None
