"""Producers: record generators on the simulated clock, and where their records go.

A new target kind is one field made with ``one_of("target", ...)`` on :class:`ProducerTarget`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from sim.scenario import limits
from sim.scenario.base import Spec
from sim.scenario.types import Name, Offset, ProducerType, Range, Rate, StreamName, fail, one_of


class ProducerTarget(Spec):
    """Where a producer's records go: exactly one target kind."""

    stream: StreamName | None = one_of(
        "target", "Kinesis stream (declared in resources.streams) to put records on.", ref="streams"
    )

    @property
    def kind(self) -> str:
        """The target kind given (``"stream"``)."""
        return self.chosen("target")

    @property
    def name(self) -> str:
        """The name of the target resource."""
        return getattr(self, self.kind)


class ProducerSpec(Spec):
    """A record generator driven on the simulated clock."""

    name: Name = Field(description="Producer name (seeds its random generator).")
    type: ProducerType = Field(
        description="A built-in producer (`noaa`) or a class `package.module:ClassName`."
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
        1, description="Records per PutRecords call; 1 uses PutRecord."
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Keyword arguments for the producer class."
    )

    @model_validator(mode="after")
    def _stop_after_start(self) -> ProducerSpec:
        if self.stop is not None and self.stop <= self.start:
            fail(f"a stop later than start ({self.start:g} s)", self.stop, key="stop")
        return self
