"""Faults injected during a time window of the run.

A new fault kind is one model (subclass ``_Windowed`` for ``start``/``end`` checks) plus one
field made with ``one_of("fault kind", ...)`` on :class:`Fault`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from sim.scenario.base import Spec
from sim.scenario.types import FunctionName, Offset, Range, StreamName, fail, one_of, ref


class _Windowed(Spec):
    """Base of fault kinds: ``start`` and ``end`` offsets, end after start."""

    @model_validator(mode="after")
    def _end_after_start(self) -> _Windowed:
        start, end = getattr(self, "start", 0.0), getattr(self, "end", None)
        if end is not None and end <= start:
            fail(f"an end later than start ({start:g} s)", end, key="end")
        return self


_FAULT_START = "When the fault begins, after the clock's start."
_FAULT_END = "When the fault ends, after the clock's start; null: at the end of the run."


class FunctionErrorFault(_Windowed):
    """Invocations of a function fail with an injected error."""

    function: FunctionName = ref("functions", "Function to fail (declared in functions).")
    start: Offset = Field(0.0, description=_FAULT_START)
    end: Offset | None = Field(None, description=_FAULT_END)
    probability: Annotated[float, Range(0, 1)] = Field(
        1.0, description="Chance that an invocation in the window fails."
    )
    message: str = Field("injected fault", description="Error message of the injected error.")


class StreamThrottleFault(_Windowed):
    """Writes to a stream are throttled (ProvisionedThroughputExceededException)."""

    stream: StreamName = ref("streams", "Stream to throttle (declared in resources.streams).")
    start: Offset = Field(0.0, description=_FAULT_START)
    end: Offset | None = Field(None, description=_FAULT_END)


class Fault(Spec):
    """A fault injected during a time window: exactly one fault kind."""

    function_error: FunctionErrorFault | None = one_of("fault kind", "Make a function fail.")
    stream_throttle: StreamThrottleFault | None = one_of("fault kind", "Throttle a stream.")

    @property
    def kind(self) -> str:
        return self.chosen("fault kind")

    @property
    def spec(self) -> FunctionErrorFault | StreamThrottleFault:
        return getattr(self, self.kind)
