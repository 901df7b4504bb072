"""The embedded backend: streamlab's Kinesis plus moto's passive stores, in this process.

* Kinesis is streamlab's own shard store (:mod:`sim.services.kinesis`), one per region.
* DynamoDB (and its streams), S3, SQS, SNS, IAM, STS, EventBridge and CloudWatch Logs are moto,
  in-process: moto's mock intercepts boto3 calls to AWS hostnames; our router (see
  :mod:`sim.backends.embedded.router`) takes the Kinesis ones first.
* :class:`sim.backends.embedded.server.EndpointServer` serves the same state over HTTP.

moto's state is process-global, so one embedded backend is active per process at a time.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from moto import mock_aws
from moto.moto_api._internal import mock_random

from sim.backends.base import Backend
from sim.backends.embedded.router import ROUTER
from sim.backends.factory import NO_RETRY_CONFIG, TEST_CREDENTIALS, ClientFactory
from sim.ids import derive_rng
from sim.services.kinesis import KinesisService

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

# botocore sends DynamoDB Streams calls that carry a StreamArn to an account-based host that
# moto does not route; the regional host works.
_PROCESS_ENVIRONMENT = {"AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled"}


class EmbeddedBackend(Backend):
    name = "embedded"
    simulated_time = True

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        seed: int = 0,
        now: Callable[[], float] = time.time,
    ):
        super().__init__(
            region=region,
            account_id=account_id,
            factory=ClientFactory(
                region=region, credentials=dict(TEST_CREDENTIALS), config=NO_RETRY_CONFIG
            ),
        )
        self.seed = seed
        self._now = now
        self._kinesis: dict[str, KinesisService] = {}
        self._kinesis_lock = threading.Lock()
        self._mock: Any = None
        self._saved_environment: dict[str, str | None] = {}

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        if self._mock is not None:
            return
        ROUTER.activate(self)
        environment = dict(_PROCESS_ENVIRONMENT)
        if self.account_id != DEFAULT_ACCOUNT_ID:
            environment["MOTO_ACCOUNT_ID"] = self.account_id
        for key, value in environment.items():
            self._saved_environment[key] = os.environ.get(key)
            os.environ[key] = value
        self._mock = mock_aws(config={"iam": {"load_aws_managed_policies": True}})
        self._mock.start(reset=True)
        mock_random.seed(self.seed)

    def stop(self) -> None:
        if self._mock is None:
            return
        self._mock.stop()
        self._mock = None
        for key, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_environment.clear()
        with self._kinesis_lock:
            self._kinesis.clear()
        ROUTER.deactivate(self)

    def reset(self, seed: int | None = None) -> None:
        """Forget every stream, table, bucket, topic and queue; reseed identifiers."""
        if seed is not None:
            self.seed = seed
        if self._mock is not None:
            self._mock.reset()
        with self._kinesis_lock:
            self._kinesis.clear()
        mock_random.seed(self.seed)

    @property
    def running(self) -> bool:
        return self._mock is not None

    # -- services -------------------------------------------------------------------------
    def kinesis(self, region: str | None = None) -> KinesisService:
        region = region or self.region
        service = self._kinesis.get(region)
        if service is None:
            with self._kinesis_lock:
                service = self._kinesis.get(region)
                if service is None:
                    service = KinesisService(
                        account_id=self.account_id,
                        region=region,
                        now=self._now,
                        rng=derive_rng(self.seed, f"kinesis:{region}"),
                    )
                    self._kinesis[region] = service
        return service

    def kinesis_store(self, region: str | None = None) -> Any:
        return self.kinesis(region).backend

    def kinesis_regions(self) -> list[str]:
        return sorted(self._kinesis)

    def describe(self) -> str:
        return f"embedded (streamlab Kinesis + moto, in-process, region {self.region})"
