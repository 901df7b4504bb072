"""Producers: record generators on the simulated clock, and where their records go.

A new target kind is one field made with ``one_of("target", ...)`` on :class:`ProducerTarget`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from sim.scenario import limits
from sim.scenario.base import Spec
from sim.scenario.types import (
    Duration,
    FunctionName,
    Name,
    Offset,
    ProducerType,
    Range,
    Rate,
    StreamName,
    fail,
    one_of,
)


class ProducerTarget(Spec):
    """Where a producer's records go: exactly one target kind."""

    stream: StreamName | None = one_of(
        "target", "Kinesis stream (declared in resources.streams) to put records on.", ref="streams"
    )
    function: FunctionName | None = one_of(
        "target",
        "Function (declared in functions) invoked synchronously with the records, as a client "
        "calling Lambda: the event is the record's JSON (batch 1) or a JSON list of `batch` "
        'records. A response `{"accepted": N, "rejected": [{"index": i, "reason": '
        '"..."}]}` is read into the ledger; a function error or throttle is retried.',
        ref="functions",
    )

    @property
    def kind(self) -> str:
        """The target kind given (``"stream"`` or ``"function"``)."""
        return self.chosen("target")

    @property
    def name(self) -> str:
        """The name of the target resource."""
        return getattr(self, self.kind)


class ProducerSpec(Spec):
    """A record generator driven on the simulated clock."""

    name: Name = Field(description="Producer name (seeds its random generator).")
    type: ProducerType = Field(
        description="A built-in producer (`noaa`, `unicorns`, `openaq`) or a class `package.module:ClassName`."
    )
    target: ProducerTarget = Field(description="Where the records go.")
    rate: Rate | None = Field(
        None, description="Ticks per second; null uses the producer's default rate."
    )
    start: Offset = Field(0.0, description="When the producer starts, after the clock's start.")
    stop: Offset | None = Field(
        None, description="When the producer stops, after the clock's start; null: at the end."
    )
    count: Annotated[int, Range(lo=1, noun="an integer")] | None = Field(
        None, description="Stop after this many records; null: no limit."
    )
    batch: Annotated[int, Range(1, limits.PUT_RECORDS_MAX, noun="an integer")] = Field(
        1,
        description="Records per PutRecords call (1 uses PutRecord); for a function target, "
        "records per invocation.",
    )
    linger: Annotated[Duration, Range(lo=0, noun="a duration", unit="seconds")] = Field(
        0.0,
        description="How long a record may wait for `batch` records to be ready before it is "
        "sent in a smaller batch (the KPL's RecordMaxBufferedTime); 0 sends each tick's records "
        "at once.",
    )
    record_ttl: Annotated[Duration, Range(gt=0, noun="a duration", unit="seconds")] = Field(
        limits.PUT_RECORD_TTL_SECONDS,
        description=(
            "How long a refused record is retried (with backoff) before it is given up and "
            "counted as refused; the Kinesis Producer Library's RecordTtl default, 30s."
        ),
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Keyword arguments for the producer class."
    )

    @model_validator(mode="after")
    def _linger_within_ttl(self) -> ProducerSpec:
        if self.linger >= self.record_ttl:
            fail(
                f"a linger shorter than record_ttl ({self.record_ttl:g} s): a record lingering "
                "longer would expire before it is sent",
                self.linger,
                key="linger",
            )
        return self

    @model_validator(mode="after")
    def _stop_after_start(self) -> ProducerSpec:
        if self.stop is not None and self.stop <= self.start:
            fail(f"a stop later than start ({self.start:g} s)", self.stop, key="stop")
        return self
