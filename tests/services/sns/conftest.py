"""Fixtures for the SNS delivery tests: one embedded backend per module, reset before each test
(one embedded backend can be active per process), and boto3 clients of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sim.backends.embedded import EmbeddedBackend

SEED = 3


@pytest.fixture(scope="module")
def _started() -> Iterator[EmbeddedBackend]:
    backend = EmbeddedBackend(seed=SEED)
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture
def backend(_started: EmbeddedBackend) -> EmbeddedBackend:
    _started.reset(seed=SEED)
    return _started


@pytest.fixture
def sns(backend: EmbeddedBackend) -> Any:
    return backend.client("sns")


@pytest.fixture
def sqs(backend: EmbeddedBackend) -> Any:
    return backend.client("sqs")


@pytest.fixture
def topic_arn(sns: Any) -> str:
    return sns.create_topic(Name="alerts")["TopicArn"]
