"""Fixtures shared by the endpoint tests: a served embedded backend and an aws CLI environment.

Both are module-scoped: each test module gets its own endpoint (a module may define its own
``endpoint`` fixture instead, as test_endpoint_server.py does with a control API).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from backend_support import REGION, free_port

from sim.backends.embedded import EmbeddedBackend
from sim.backends.embedded.server import EndpointServer


@pytest.fixture(scope="module")
def endpoint() -> Iterator[EndpointServer]:
    backend = EmbeddedBackend()
    backend.start()
    server = EndpointServer(backend, port=free_port()).start()
    try:
        yield server
    finally:
        server.stop()
        backend.stop()


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment for aws CLI / awslocal subprocesses: test credentials, nothing of ~/.aws."""
    home = tmp_path_factory.mktemp("aws-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    env.update(
        HOME=str(home),
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(home / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
        AWS_PAGER="",
    )
    return env
