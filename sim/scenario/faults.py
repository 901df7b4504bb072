"""Faults injected during the run: one kind per entry of the scenario's ``faults`` list.

Every kind shares the same reach in time (:class:`_Reach`): it begins at ``start`` (an offset
from the clock's start) and lasts until ``end``, or for its first ``count`` affected requests
(``end`` and ``count`` cannot both be given), or, with neither, until the run ends. What a
kind does, and which backends can inject it, is in :mod:`sim.faults` and docs/faults.md.

A new fault kind is one model (subclass ``_Reach``) plus one field made with
``one_of("fault kind", ...)`` on :class:`Fault`; :mod:`sim.faults` schedules it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Spec
from sim.scenario.types import (
    BucketName,
    FunctionName,
    Offset,
    Range,
    StreamName,
    TableName,
    fail,
    one_of,
    ref,
)


@dataclass(frozen=True)
class _AboveZeroToOne(Range):
    """Numbers in (0, 1]: greater than 0 and at most 1 (Range words only one bound)."""

    def bounds(self, *, short: bool = False) -> str:
        return "greater than 0 and at most 1"


_FAULT_START = "When the fault begins, after the clock's start."
_FAULT_END = (
    "When the fault ends, after the clock's start; null (and no count): at the end of the run."
)
_FAULT_COUNT = (
    "Instead of an end: the fault affects this many requests (from start on), then stops."
)

Count = Annotated[int, Range(lo=1, noun="an integer")]


class _Reach(Spec):
    """Base of fault kinds: `start`, then `end` or `count` (or neither: the run's end)."""

    start: Offset = Field(0.0, description=_FAULT_START)
    end: Offset | None = Field(None, description=_FAULT_END)
    count: Count | None = Field(None, description=_FAULT_COUNT)

    @model_validator(mode="after")
    def _end_or_count(self) -> _Reach:
        if self.end is not None and self.count is not None:
            fail(
                "either end or count, not both",
                found_text="end and count",
                keys=("end", "count"),
            )
        if self.end is not None and self.end <= self.start:
            fail(f"an end later than start ({self.start:g} s)", self.end, key="end")
        return self


class _FunctionFault(_Reach):
    function: FunctionName = ref("functions", "Function affected (declared in functions).")
    probability: Annotated[float, Range(0, 1)] = Field(
        1.0, description="Chance that an invocation in the window is affected."
    )


class FunctionErrorFault(_FunctionFault):
    """Invocations fail with an injected error (`errorType` InjectedFault), handled like a
    handler's exception: retries, failure destinations, the ledger. `count`: the first N
    failed invocations."""

    message: str = Field("injected fault", description="Error message of the injected error.")


class FunctionTimeoutFault(_FunctionFault):
    """Invocations time out (`Task timed out after N.00 seconds`) without running the
    handler. `count`: the first N timed-out invocations."""


class FunctionThrottleFault(_FunctionFault):
    """Invoke requests are throttled (TooManyRequestsException, HTTP 429): nothing runs. A
    Kinesis trigger retries the batch after a backoff without counting an attempt. `count`:
    the first N throttled requests."""


class StreamThrottleFault(_Reach):
    """Writes to a stream are throttled (ProvisionedThroughputExceededException): PutRecord
    raises, PutRecords answers 200 with the failed entries. `count`: the first N put requests
    with a throttled record."""

    stream: StreamName = ref("streams", "Stream to throttle (declared in resources.streams).")
    failure_rate: Annotated[float, _AboveZeroToOne(gt=0, hi=1)] = Field(
        1.0,
        description="Share of the records refused: each record of a put fails with this "
        "probability (deterministic for the seed); 1 refuses every record.",
    )


class TableThrottleFault(_Reach):
    """DynamoDB requests on a table are throttled as AWS throttles them: a provisioned table
    answers ProvisionedThroughputExceededException, an on-demand table ThrottlingException;
    batch requests return the table's items as unprocessed when other tables' succeed.
    `count`: the first N throttled requests."""

    table: TableName = ref("tables", "Table to throttle (declared in resources.tables).")
    operations: Literal["read", "write", "all"] = Field(
        "all",
        description="Which requests: read (GetItem, BatchGetItem, Query, Scan, "
        "TransactGetItems), write (PutItem, UpdateItem, DeleteItem, BatchWriteItem, "
        "TransactWriteItems) or all.",
    )


class BucketUnavailableFault(_Reach):
    """S3 requests to a bucket are refused with 503 SlowDown ("Please reduce your request
    rate."). `count`: the first N refused requests."""

    bucket: BucketName = ref("buckets", "Bucket to refuse (declared in resources.buckets).")


FaultSpec = (
    FunctionErrorFault
    | FunctionTimeoutFault
    | FunctionThrottleFault
    | StreamThrottleFault
    | TableThrottleFault
    | BucketUnavailableFault
)


class Fault(Spec):
    """A fault injected during the run: exactly one fault kind."""

    function_error: FunctionErrorFault | None = one_of("fault kind", "Make a function fail.")
    function_timeout: FunctionTimeoutFault | None = one_of(
        "fault kind", "Make a function's invocations time out."
    )
    function_throttle: FunctionThrottleFault | None = one_of(
        "fault kind", "Throttle a function's invocations."
    )
    stream_throttle: StreamThrottleFault | None = one_of("fault kind", "Throttle a stream.")
    table_throttle: TableThrottleFault | None = one_of("fault kind", "Throttle a table.")
    bucket_unavailable: BucketUnavailableFault | None = one_of(
        "fault kind", "Make a bucket refuse requests."
    )

    @property
    def kind(self) -> str:
        return self.chosen("fault kind")

    @property
    def spec(self) -> FaultSpec:
        return getattr(self, self.kind)
