"""The NOAA pipeline on real LocalStack (host mode): LocalStack holds the stream and the tables;
streamlab runs the producer, the consumer handler and its event source mapping against it (the
mapping polls LocalStack's Kinesis through boto3). The stored items equal the embedded run's.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sim import Simulation
from sim.backends.endpoint import EndpointBackend
from sim.backends.endpoint_teardown import teardown_endpoint
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
NOAA = ROOT / "scenarios" / "noaa-weather.yaml"
# NOAA's three simulated minutes in 22.5 s of wall time: the producer's 744 records go out at
# 80 a second, well within the consumer's pace against LocalStack.
SPEED = 8.0


def stored_tables(directory: Path) -> dict[str, list[dict]]:
    return {
        path.stem: [json.loads(line) for line in path.read_text().splitlines()]
        for path in sorted((directory / "tables").glob("*.jsonl"))
    }


@pytest.fixture(scope="module")
def embedded_tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    out = tmp_path_factory.mktemp("embedded")
    with Simulation.from_file(NOAA) as simulation:
        assert simulation.run(export=out).passed
    return stored_tables(out)


def test_noaa_on_localstack_passes_and_stores_what_the_embedded_backend_stores(
    localstack, embedded_tables, tmp_path: Path
) -> None:
    scenario = load_scenario(NOAA)
    backend = EndpointBackend(
        localstack.url, region=scenario.region, account_id=scenario.account_id
    )
    with Simulation(scenario, path=NOAA, backend=backend, speed=SPEED) as simulation:
        result = simulation.run(export=tmp_path)
        tables = simulation.client("dynamodb").list_tables()["TableNames"]
    assert result.passed, result.report()
    assert result.backend == "endpoint"
    assert result.wall_seconds < 120
    assert {"Precipitation", "Temperature"} <= set(tables)
    # the mapping read LocalStack's stream: every record the producer put there was delivered
    totals = result.ledger.totals()
    assert totals["produced"] == totals["accepted"] == totals["delivered"] == 744
    assert stored_tables(tmp_path) == embedded_tables
    # leave the shared LocalStack as it was: the scenario's resources, deleted by name
    out = io.StringIO()
    assert teardown_endpoint(backend, scenario, yes=True, out=out, err=out) == 0, out.getvalue()
    assert out.getvalue().rstrip().endswith("nothing left")
