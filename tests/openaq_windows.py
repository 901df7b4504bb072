"""An independent computation of the OpenAQ 3-hour windows, for the scenario tests.

It regenerates a scenario producer's measurements (same seed, same name, same params, one per
tick at the scenario's rate), keeps the valid ones (the ingestion Lambda's own rules), and
computes avg/min/max/count per city and parameter over [window_end - 3 h, window_end) in plain
Python: no database, no Flink.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from consumers.openaq_ingest import rejection
from sim.clock import to_datetime
from sim.ids import derive_rng
from sim.producer_registry import create_producer
from sim.scenario import load_scenario

WINDOW = timedelta(hours=3)


def measurements(scenario_path: str, producer_name: str) -> list[dict[str, Any]]:
    """Every measurement the producer emits during the run, valid or not."""
    scenario = load_scenario(scenario_path)
    [spec] = [p for p in scenario.producers if p.name == producer_name]
    producer = create_producer(
        spec.type, derive_rng(scenario.seed, f"producer:{spec.name}"), spec.params, None
    )
    rate = spec.rate or type(producer).default_rate
    start = scenario.clock.start + spec.start
    end = scenario.clock.start + scenario.clock.duration
    out, tick = [], 0
    while start + tick / rate < end:
        for record in producer.emit(to_datetime(start + tick / rate)):
            out.append(json.loads(record.data))
        tick += 1
    return out


def windows(
    all_measurements: list[dict[str, Any]], window_end: datetime
) -> dict[tuple[str, str], dict[str, Any]]:
    """(city, parameter) → {avg, min, max, count} of the valid measurements in the window."""
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    for measurement in all_measurements:
        if rejection(measurement) is not None:
            continue
        at = datetime.fromisoformat(measurement["date"]["utc"]).astimezone(UTC)
        if window_end - WINDOW <= at < window_end:
            values[(measurement["city"], measurement["parameter"])].append(measurement["value"])
    return {
        key: {"avg": sum(v) / len(v), "min": min(v), "max": max(v), "count": len(v)}
        for key, v in values.items()
    }
