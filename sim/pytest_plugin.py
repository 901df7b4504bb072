"""pytest fixtures for testing pipelines with streamlab (active when streamlab is installed).

``cloud``
    A fresh embedded backend for one test: ``cloud.client("kinesis")`` and friends reach it
    in-process, ``cloud.clock`` is a simulated clock bound to the process (``datetime.now()``
    returns its time), ``cloud.advance(seconds)`` runs it forward, ``cloud.kinesis`` is the
    Kinesis shard store.

``run_scenario``
    ``run_scenario("scenarios/x.yaml", seed=1)`` runs a scenario file and returns its
    :class:`sim.runner.SimulationResult`. The run's backend stays up until the next run or the
    end of the test: ``run_scenario.client("dynamodb")`` looks at what it stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CLOUD_START = "2021-11-01T00:00:00Z"


class Cloud:
    """What the ``cloud`` fixture yields."""

    def __init__(self, start: str = CLOUD_START, seed: int = 0, region: str = "us-east-1"):
        from sim.backends.embedded import EmbeddedBackend
        from sim.clock import Clock, ProcessTime, to_epoch

        self.clock = Clock(to_epoch(start))
        self.backend = EmbeddedBackend(region=region, seed=seed)
        self._binding = ProcessTime(self.clock)

    def __enter__(self) -> Cloud:
        self.backend.start()
        self._binding.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._binding.__exit__(None, None, None)
        self.backend.stop()

    @property
    def region(self) -> str:
        return self.backend.region

    @property
    def kinesis(self) -> Any:
        return self.backend.kinesis_store()

    def client(self, service: str, region: str | None = None) -> Any:
        return self.backend.client(service, region)

    def advance(self, seconds: float) -> None:
        """Run the clock forward by ``seconds`` of simulated time."""
        self.clock.run(until=self.clock.now + seconds)


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    with Cloud() as instance:
        yield instance


class ScenarioRunner:
    """What the ``run_scenario`` fixture yields: call it with a scenario path."""

    def __init__(self) -> None:
        self.simulation: Any = None

    def __call__(self, path: str | Path, *, export: str | Path | None = None, **kwargs: Any) -> Any:
        from sim.runner import Simulation

        self.close()  # one embedded backend per process: release the previous run's
        self.simulation = Simulation.from_file(path, **kwargs)
        return self.simulation.run(export=export)

    def client(self, service: str, region: str | None = None) -> Any:
        """A client of the last run's backend, to look at what it stored."""
        return self.simulation.client(service, region)

    def close(self) -> None:
        if self.simulation is not None:
            self.simulation.close()
            self.simulation = None


@pytest.fixture
def run_scenario() -> Iterator[ScenarioRunner]:
    runner = ScenarioRunner()
    yield runner
    runner.close()
