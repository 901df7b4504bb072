"""Installing a scenario's faults for a run (see :mod:`sim.faults`)."""

from __future__ import annotations

import random
from typing import Any

from sim.faults.buckets import BucketOutage, BucketOutages
from sim.faults.effects import FaultEffects
from sim.faults.functions import FUNCTION_KINDS, add_function_fault
from sim.faults.reach import Reach
from sim.faults.streams import StreamThrottle, StreamThrottles
from sim.faults.tables import TableThrottle, TableThrottles


def schedule_faults(
    scenario: Any,
    clock: Any,
    backend: Any,
    runtime: Any,
    rng: random.Random,
    *,
    stage: int = 0,
    stages: dict[str, int] | None = None,
    effects: FaultEffects | None = None,
) -> FaultEffects:
    """Install the faults; returns the :class:`FaultEffects` they count into.

    A run in stages (Flink jobs, see sim/flink/staging.py) calls this once per stage with the
    ``effects`` the first call returned: function, table and bucket faults, which test the
    clock's time, are installed in stage 0; a stream's throttle in the stage that writes the
    stream (``stages``). Table and bucket faults are run interceptors of the embedded backend,
    removed when it is reset for the next run.
    """
    if effects is None:
        effects = FaultEffects.for_scenario(scenario, rng)
    origin = scenario.clock.start
    horizon = origin + scenario.clock.duration

    def now() -> float:
        return clock.now

    tables: TableThrottles | None = None
    buckets: BucketOutages | None = None
    for index, fault in enumerate(scenario.faults):
        kind, spec, effect = fault.kind, fault.spec, effects[index]
        if kind == "stream_throttle":
            if (stages or {}).get(spec.stream, 0) != stage:
                continue
            store = backend.kinesis_store(scenario.region)
            if store is None:
                raise RuntimeError(
                    "stream_throttle needs streamlab's own Kinesis store (the embedded backend)"
                )
            throttles = store.get_stream(spec.stream).put_fault
            if not isinstance(throttles, StreamThrottles):
                throttles = StreamThrottles()
                store.set_put_fault(spec.stream, throttles)
            reach = Reach.of(spec, now, origin, horizon)
            throttles.faults.append(
                StreamThrottle(reach, spec.failure_rate, effects.rng(index), effect)
            )
            continue
        if stage != 0:
            continue
        reach = Reach.of(spec, now, origin, horizon)
        if kind in FUNCTION_KINDS:
            add_function_fault(runtime, spec, kind, reach, effects.rng(index), effect)
        elif kind == "table_throttle":
            if tables is None:
                tables = TableThrottles(
                    region=scenario.region,
                    account_id=scenario.account_id,
                    provisioned={
                        table.name
                        for table in scenario.resources.tables
                        if table.billing_mode == "PROVISIONED"
                    },
                    client=lambda: backend.client("dynamodb", scenario.region),
                    rng=effects.rng("table answers"),
                )
                backend.add_interceptor(tables)
            tables.faults.append(TableThrottle(spec.table, spec.operations, reach, effect))
        elif kind == "bucket_unavailable":
            if buckets is None:
                buckets = BucketOutages(effects.rng("bucket answers"))
                backend.add_interceptor(buckets)
            buckets.faults.append(BucketOutage(spec.bucket, reach, effect))
    return effects
