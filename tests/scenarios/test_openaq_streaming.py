"""scenarios/openaq-streaming.yaml end to end (ingestion Lambda, Kinesis, the Flink HOP job,
Lambda, DynamoDB): its items equal an independent computation over the produced
measurements, and the batch pipeline's rows for every window both compute."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

if shutil.which("java") is None:  # pragma: no cover - depends on the machine
    pytest.fail("PyFlink needs Java 17: see `make check-java`", pytrace=False)

from sim import Simulation  # noqa: E402
from sim.expect.values import scan_items  # noqa: E402
from tests.openaq_windows import measurements, windows  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
STREAMING = str(ROOT / "scenarios" / "openaq-streaming.yaml")
BATCH = str(ROOT / "scenarios" / "openaq-batch.yaml")
FIRST_END = datetime(2026, 11, 2, 6, 5, tzinfo=UTC)
LAST_END = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def streaming():
    with Simulation.from_file(STREAMING) as simulation:
        result = simulation.run()
        items = scan_items(simulation.client("dynamodb"), "OpenAQAggregates")
    return result, {(item["city_parameter"], item["window_end"]): item for item in items}


@pytest.fixture(scope="module")
def batch():
    with Simulation.from_file(BATCH) as simulation:
        result = simulation.run()
        rows = simulation.databases["openaq"].query("SELECT * FROM aggregates")
    assert result.passed, result.report()
    return {
        (f"{row['city']}#{row['parameter']}", iso(row["window_end"].replace(tzinfo=UTC))): row
        for row in rows
    }


def test_the_scenario_passes_and_accounts_for_every_measurement(streaming):
    result, items = streaming
    assert result.passed, result.report()
    totals = result.ledger.totals()
    assert totals["lost"] == 0 and totals["dropped"] == 47  # the Lambda's rejections
    flink = result.flink["openaq-aggregate"]
    assert flink["rows_emitted"] == len(items)


def test_the_last_window_equals_an_independent_computation(streaming):
    _, items = streaming
    expected = windows(measurements(STREAMING, "belgium"), LAST_END)
    assert len(expected) == 60
    for (city, parameter), want in expected.items():
        item = items[(f"{city}#{parameter}", iso(LAST_END))]
        assert item["window_start"] == "2026-11-02T06:00:00Z"
        assert item["measurements"] == want["count"]
        assert item["min_value"] == want["min"] and item["max_value"] == want["max"]
        assert float(item["avg_value"]) == pytest.approx(want["avg"], rel=1e-9)


def test_streaming_and_batch_agree_on_every_window_both_compute(streaming, batch):
    _, items = streaming
    end, compared = FIRST_END, 0
    while end <= LAST_END:
        keys = {key for key in batch if key[1] == iso(end)}
        assert keys == {key for key in items if key[1] == iso(end)}, iso(end)
        for key in keys:
            row, item = batch[key], items[key]
            assert item["measurements"] == row["measurements"], key
            assert float(item["min_value"]) == row["min_value"], key
            assert float(item["max_value"]) == row["max_value"], key
            assert float(item["avg_value"]) == pytest.approx(row["avg_value"], rel=1e-9), key
            compared += 1
        end += timedelta(minutes=5)
    assert compared == 36 * 60
