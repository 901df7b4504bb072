"""Fixtures: a fake clock, streamlab's Kinesis, and real boto3 clients answered by it.

The ``kinesis`` client goes through botocore's real serializer and parser: a ``before-send``
handler hands the serialized request to ``KinesisService.handle`` and wraps the answer in an
``AWSResponse``, so the wire shapes are checked on both sides. Client-side parameter
validation is off so that AWS's own validation messages can be tested.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from sim.services.kinesis import KinesisService

ACCOUNT = "123456789012"
REGION = "us-east-1"
T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z


class FakeClock:
    """A mutable clock: ``clock()`` is the time, ``clock.advance(s)`` moves it."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


class _Body:
    """The ``raw`` botocore reads a response body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        if self._body:
            yield self._body


def _text(value: Any) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else (value or "")


def attach(client: Any, service: KinesisService) -> Any:
    """Answer every request of ``client`` from ``service`` (in-process, no network)."""

    def before_send(request: Any, **_: Any) -> AWSResponse:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes | bytearray):
            body = body.read()
        status, headers, payload = service.handle(
            _text(request.headers.get("X-Amz-Target")),
            _text(request.headers.get("Content-Type")),
            bytes(body),
        )
        return AWSResponse(request.url, status, headers, _Body(payload))

    client.meta.events.register_first("before-send.kinesis", before_send)
    return client


def make_client(service: KinesisService, *, validate: bool = False) -> Any:
    client = boto3.client(
        "kinesis",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=validate, retries={"total_max_attempts": 1}),
    )
    return attach(client, service)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(clock: FakeClock) -> KinesisService:
    return KinesisService(account_id=ACCOUNT, region=REGION, now=clock, rng=random.Random(0))


@pytest.fixture
def backend(service: KinesisService):
    return service.backend


@pytest.fixture
def kinesis(service: KinesisService) -> Any:
    return make_client(service)


@pytest.fixture
def stream(kinesis: Any) -> str:
    """A provisioned stream of 2 shards named ``s``."""
    kinesis.create_stream(StreamName="s", ShardCount=2)
    return "s"


def error_of(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    """(code, message) of a botocore ClientError."""
    error = excinfo.value
    assert isinstance(error, ClientError), error
    return error.response["Error"]["Code"], error.response["Error"]["Message"]


def validation(*errors: str) -> str:
    plural = "s" if len(errors) > 1 else ""
    return f"{len(errors)} validation error{plural} detected: " + "; ".join(errors)


def iterator(kinesis: Any, stream: str, shard: str, kind: str = "TRIM_HORIZON", **kw: Any) -> str:
    return kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard, ShardIteratorType=kind, **kw
    )["ShardIterator"]


def shard_of(kinesis: Any, stream: str, key: str) -> str:
    return kinesis.put_record(StreamName=stream, PartitionKey=key, Data=b"x")["ShardId"]


@pytest.fixture
def helpers() -> Any:
    class Helpers:
        error_of = staticmethod(error_of)
        validation = staticmethod(validation)
        iterator = staticmethod(iterator)
        make_client = staticmethod(make_client)

    return Helpers
