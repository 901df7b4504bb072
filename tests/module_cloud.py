"""One embedded backend for a whole test module, for tests that only need empty tables and
queues: starting a backend costs about a second (moto rebuilds IAM's managed policies), while
forgetting the tables and queues of the test before costs milliseconds.

The directory's ``conftest.py`` imports the ``module_cloud`` fixture (as tests/consumers/ does),
and a test module opts in by overriding the plugin's ``cloud`` fixture::

    from tests.module_cloud import fresh

    @pytest.fixture
    def cloud(module_cloud):
        return fresh(module_cloud)

The clock is the module's: tests that run it forward should keep the plugin's own ``cloud``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sim.pytest_plugin import Cloud


@pytest.fixture(scope="module")
def module_cloud() -> Iterator[Cloud]:
    with Cloud() as instance:
        yield instance


def fresh(cloud: Cloud) -> Cloud:
    """``cloud`` with no DynamoDB tables (nor their streams) and no SQS queues."""
    cloud.backend.reset_tables()
    cloud.backend.reset_queues()
    return cloud
