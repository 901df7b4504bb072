"""Fixtures for the DynamoDB Streams tests: a real embedded backend on a real simulated clock
(the helpers are in ``ddbstreams_lab``, named so it cannot clash with other test directories'
modules: the test tree has no ``__init__.py``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from ddbstreams_lab import START, Lab  # noqa: E402

from sim.backends.embedded import EmbeddedBackend  # noqa: E402
from sim.clock import Clock, ProcessTime, to_epoch  # noqa: E402


class _World:
    """What ``Lab`` uses of the ``cloud`` fixture: a backend, a clock bound to the process."""

    def __init__(self, backend: EmbeddedBackend) -> None:
        self.backend = backend
        self.clock = Clock(to_epoch(START))
        self.region = backend.region

    def client(self, service: str, region: str | None = None):
        return self.backend.client(service, region)

    def advance(self, seconds: float) -> None:
        self.clock.run(until=self.clock.now + seconds)


@pytest.fixture(scope="module")
def _backend() -> Iterator[EmbeddedBackend]:
    """One embedded backend per module: starting one costs about a second (moto builds IAM's
    managed policies); each test forgets the tables of the one before."""
    backend = EmbeddedBackend(region="us-east-1", seed=0)
    backend.start()
    yield backend
    backend.stop()


@pytest.fixture
def lab(_backend: EmbeddedBackend) -> Iterator[Lab]:
    """No tables, a fresh clock at START bound to the process and attached to the backend (the
    TTL sweeper runs on it)."""
    if not _backend.running:  # a test stopped or reset it
        _backend.start()
    _backend.reset_tables()
    world = _World(_backend)
    _backend.attach_clock(world.clock)
    try:
        with ProcessTime(world.clock):
            yield Lab(world)
    finally:
        _backend.attach_clock(None)
