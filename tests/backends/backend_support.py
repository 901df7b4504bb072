"""Helpers for the backend tests: free ports, a stand-in HTTP server, an isolated AWS setup."""

from __future__ import annotations

from typing import Any

import pytest

from sim.daemon import free_port  # noqa: F401 - re-exported for the tests
from tests.standin import StandIn  # noqa: F401 - re-exported for the tests

ACCOUNT = "123456789012"
REGION = "us-east-1"


def isolate_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Fake credentials and a region in the environment, as a Lambda has; nothing from ~/.aws."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
