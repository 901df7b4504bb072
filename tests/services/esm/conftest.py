"""Fixtures for the Kinesis event source mapping tests (the helpers are in ``esm_lab``).

``esm_lab`` and the handler modules have names starting with ``esm_`` so they cannot clash with
other test directories' modules (the test tree has no ``__init__.py``: every test directory is
put on ``sys.path``).

Every test gets the ``lab`` fixture. At teardown it settles every mapping the test created and
checks the ledger: for every hop ``available == settled`` (no record lost), failures, drops and
records still in flight included.
"""

from __future__ import annotations

import os
import random
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
for directory in (HERE, os.path.join(HERE, "handlers")):
    if directory not in sys.path:
        sys.path.insert(0, directory)

import esm_shared  # noqa: E402
from esm_lab import ACCOUNT, REGION, T0, Lab  # noqa: E402

from sim.clock import Clock  # noqa: E402
from sim.ids import derive_rng  # noqa: E402
from sim.services.kinesis import KinesisService  # noqa: E402
from sim.services.lambda_ import LambdaRuntime  # noqa: E402


@pytest.fixture(autouse=True)
def _reset_shared():
    esm_shared.reset()
    yield
    esm_shared.reset()


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def kinesis(clock: Clock) -> KinesisService:
    return KinesisService(
        account_id=ACCOUNT, region=REGION, now=lambda: clock.now, rng=random.Random(0)
    )


@pytest.fixture
def runtime(clock: Clock):
    rt = LambdaRuntime(
        rng=derive_rng(1, "lambda"), now=lambda: clock.now, region=REGION, account_id=ACCOUNT
    )
    yield rt
    rt.close()


@pytest.fixture
def lab(clock: Clock, kinesis: KinesisService, runtime: LambdaRuntime):
    world = Lab(clock, kinesis, runtime)
    yield world
    world.assert_balanced()  # every test: nothing lost, whatever happened
