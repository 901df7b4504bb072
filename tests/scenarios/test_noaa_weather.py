"""The NOAA weather pipeline end to end: producer → Kinesis → Lambda → DynamoDB → queries."""

from collections import defaultdict
from pathlib import Path

import pytest

from producers.noaa import NoaaProducer
from sim import Simulation
from sim.expect.values import scan_items
from sim.ids import derive_rng

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "noaa-weather.yaml"


@pytest.fixture(scope="module")
def noaa_run():
    with Simulation.from_file(SCENARIO) as simulation:
        result = simulation.run()
        dynamodb = simulation.client("dynamodb")
        tables = {name: scan_items(dynamodb, name) for name in ("Precipitation", "Temperature")}
        yield simulation, result, tables


def expected_tables(seed: int) -> dict[str, dict[tuple[str, str], dict]]:
    """Computed from the producer's data set alone, independently of the consumer's code."""
    producer = NoaaProducer(derive_rng(seed, "producer:noaa"), stations=8)
    table_of = {
        "PRCP": "Precipitation",
        "SNOW": "Precipitation",
        "TMIN": "Temperature",
        "TMAX": "Temperature",
    }
    tables: dict[str, dict] = defaultdict(dict)
    for result in producer.results():
        key = (result["date"][:10], result["station"])
        item = tables[table_of[result["datatype"]]].setdefault(
            key, {"date": key[0], "station": key[1]}
        )
        item[result["datatype"]] = result["value"]
    return tables


def test_scenario_passes_every_expectation(noaa_run):
    _, result, _ = noaa_run
    failed = [(e.name, e.expected, e.actual, e.error) for e in result.expectations if not e.passed]
    assert failed == []
    assert result.passed


def test_stored_items_match_an_independent_computation(noaa_run):
    simulation, _, tables = noaa_run
    expected = expected_tables(simulation.seed)
    for name in ("Precipitation", "Temperature"):
        stored = {
            (i["date"], i["station"]): {k: v for k, v in i.items() if not k.endswith("_attributes")}
            for i in tables[name]
        }
        assert len(stored) == len(tables[name])  # keys unique
        assert stored == expected[name]


def test_every_record_accounted_for(noaa_run):
    _, result, _ = noaa_run
    totals = result.ledger.totals()
    assert totals["produced"] == totals["accepted"] == totals["delivered"] == 744
    assert totals["lost"] == totals["dropped"] == totals["in_flight"] == 0


def test_records_carry_simulated_arrival_times(noaa_run):
    simulation, _, _ = noaa_run
    store = simulation.backend.kinesis_store()
    stream = store.get_stream("input-stream")
    start = simulation.scenario.clock.start
    end = start + simulation.scenario.clock.duration
    arrivals = [
        r.arrival for s in stream.shards for r in s.read(s.first_index, 10_000, 10 * 2**20)[0]
    ]
    assert len(arrivals) == 744
    assert all(start <= a <= end for a in arrivals)
    # 10 records per simulated second: the month's 744 records take 74.4 s
    assert max(arrivals) - min(arrivals) == pytest.approx(74.3, abs=0.2)


def test_invocations_are_logged_with_simulated_times_and_lambda_log_lines(noaa_run):
    simulation, result, _ = noaa_run
    assert result.invocations
    first = result.invocations[0]
    assert first.function_name == "KinesisLambdaConsumer"
    assert first.source == "kinesis:input-stream"
    assert first.started_at >= simulation.scenario.clock.start
    assert first.logs.startswith(f"START RequestId: {first.request_id} Version: $LATEST")
    assert sum(r.payload["records"] for r in result.invocations) == 744


def test_invocation_logs_reach_cloudwatch_logs_with_simulated_times(noaa_run):
    simulation, result, _ = noaa_run
    logs = simulation.client("logs")
    group = "/aws/lambda/KinesisLambdaConsumer"
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert len(streams) == 1 and "[$LATEST]" in streams[0]["logStreamName"]
    events = logs.get_log_events(
        logGroupName=group,
        logStreamName=streams[0]["logStreamName"],
        startFromHead=True,
        limit=10_000,
    )["events"]
    first = result.invocations[0]
    assert events[0]["message"] == f"START RequestId: {first.request_id} Version: $LATEST"
    assert events[0]["timestamp"] == int(round(first.started_at * 1000))
    assert sum(e["message"].startswith("REPORT RequestId") for e in events) == len(
        result.invocations
    )
