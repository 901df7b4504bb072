"""Fault injection: a scenario's ``faults`` scheduled on the clock.

* ``function_error``: invocations of a function fail with an injected error between ``start`` and
  ``end`` (offsets from the scenario's start), each with the given probability. The failure is
  handled exactly like a handler exception (retries, failure destinations, the ledger).
* ``stream_throttle``: puts to a stream fail with ProvisionedThroughputExceededException between
  ``start`` and ``end``, as a hot shard does.
"""

from __future__ import annotations

import random
from typing import Any


class UnsupportedFault(RuntimeError):
    """A fault the chosen backend cannot inject (raised before anything is created)."""


def check_faults(scenario: Any, backend: Any) -> None:
    """Refuse, before provisioning, faults that need parts the backend does not give us."""
    for index, fault in enumerate(scenario.faults):
        where = f"faults[{index}]"
        if fault.function_error is not None and backend.runs_functions:
            raise UnsupportedFault(
                f"{where}: function_error needs the functions to run in streamlab; on the "
                f"{backend.name} backend they run in AWS Lambda"
            )
        if fault.stream_throttle is not None and backend.kinesis_store(scenario.region) is None:
            raise UnsupportedFault(
                f"{where}: stream_throttle needs streamlab's own Kinesis (the embedded "
                f"backend); the {backend.name} backend's streams are its own"
            )


def schedule_faults(
    scenario: Any,
    clock: Any,
    backend: Any,
    runtime: Any,
    rng: random.Random,
    *,
    stage: int = 0,
    stages: dict[str, int] | None = None,
) -> None:
    """Put the faults on the clock. A run in stages (Flink jobs, see sim/flink/staging.py)
    calls this once per stage: function faults, which test the clock's time, are set in stage
    0; a stream's throttle in the stage that writes the stream (``stages``)."""
    origin = scenario.clock.start
    horizon = origin + scenario.clock.duration
    for fault in scenario.faults:
        if fault.function_error is not None and stage == 0:
            spec = fault.function_error
            start = origin + spec.start
            end = horizon if spec.end is None else origin + spec.end

            def predicate(spec: Any = spec, start: float = start, end: float = end) -> bool:
                now = clock.now
                return start <= now < end and (
                    spec.probability >= 1.0 or rng.random() < spec.probability
                )

            runtime.add_fault(spec.function, predicate, spec.message)
        elif fault.stream_throttle is not None:
            spec = fault.stream_throttle
            if (stages or {}).get(spec.stream, 0) != stage:
                continue
            store = backend.kinesis_store(scenario.region)
            if store is None:
                raise RuntimeError(
                    "stream_throttle needs streamlab's own Kinesis store (the embedded backend)"
                )
            end = horizon if spec.end is None else origin + spec.end
            clock.call_at(
                max(origin + spec.start, clock.now),
                lambda store=store, name=spec.stream, end=end: store.throttle(name, end),
            )
