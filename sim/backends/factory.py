"""The one boto3 client factory: nothing else in streamlab reads endpoint settings.

Every active part (producers' drivers, provisioning, expectations, export) asks its backend's
factory for clients, so the same code runs against the embedded backend (no endpoint: requests
are routed in-process), any LocalStack-compatible endpoint, or AWS.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

# Against LocalStack or AWS, clients retry as the SDK's standard mode does.
DEFAULT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=5,
    read_timeout=60,
    tcp_keepalive=True,
)
# On the embedded backend simulated time stands still during a call, so an SDK retry (which
# sleeps in wall time) would meet the same throttled second again: callers see the error at
# once and retry on the simulated clock instead.
NO_RETRY_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 1})
TEST_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


class ClientFactory:
    def __init__(
        self,
        *,
        region: str,
        endpoint_url: str | None = None,
        credentials: dict[str, str] | None = None,
        profile: str | None = None,
        config: Config | None = None,
    ):
        self.region = region
        self.endpoint_url = endpoint_url
        self._credentials = credentials
        self._profile = profile
        self._config = config or DEFAULT_CONFIG
        self._session: boto3.session.Session | None = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    @property
    def session(self) -> boto3.session.Session:
        if self._session is None:
            kwargs: dict[str, Any] = {"region_name": self.region}
            if self._profile:
                kwargs["profile_name"] = self._profile
            if self._credentials:
                kwargs.update(self._credentials)
            self._session = boto3.session.Session(**kwargs)
        return self._session

    def client(self, service: str, region: str | None = None) -> Any:
        """A cached client for ``service`` (boto3 clients are thread-safe)."""
        key = (service, region or self.region)
        client = self._clients.get(key)
        if client is None:
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = self.session.client(
                        service,
                        region_name=key[1],
                        endpoint_url=self.endpoint_url,
                        config=self._config,
                    )
                    self._clients[key] = client
        return client

    def resource(self, service: str, region: str | None = None) -> Any:
        return self.session.resource(
            service,
            region_name=region or self.region,
            endpoint_url=self.endpoint_url,
            config=self._config,
        )

    def environment(self) -> dict[str, str]:
        """Variables that point an SDK in another context (a Lambda handler) at this backend."""
        env = {"AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region}
        if self.endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        if self._credentials:
            env["AWS_ACCESS_KEY_ID"] = self._credentials["aws_access_key_id"]
            env["AWS_SECRET_ACCESS_KEY"] = self._credentials["aws_secret_access_key"]
            if "aws_session_token" in self._credentials:
                env["AWS_SESSION_TOKEN"] = self._credentials["aws_session_token"]
        return env
