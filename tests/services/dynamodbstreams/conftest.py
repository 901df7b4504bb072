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

from sim.pytest_plugin import Cloud  # noqa: E402


@pytest.fixture
def lab() -> Iterator[Lab]:
    """An embedded backend started at START, its clock attached (the TTL sweeper runs on it)."""
    with Cloud(start=START) as cloud:
        cloud.backend.attach_clock(cloud.clock)
        yield Lab(cloud)
