"""Helpers for the ``--backend aws`` tests: moto's server standing in for AWS behind a recorder.

:class:`RecordingStandIn` serves moto's WSGI application (the same as ``ThreadedMotoServer``)
wrapped in a middleware that logs every request as (service, operation) before moto sees it, and
can refuse chosen operations with AccessDenied, as an IAM policy would, or answer their next
calls with a chosen error (:meth:`RecordingStandIn.fail_next`). The operation is read
from the request as AWS would: the ``X-Amz-Target`` header (JSON protocols), the ``Action``
parameter (query protocols), or, for REST services (Lambda, S3), the method and path matched
against botocore's own service model. Nothing here reaches AWS: the environment the tests use
has fake credentials, no profile and no config file, and every client points at the stand-in.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs

import boto3
import botocore.session
from werkzeug.serving import make_server

from producers.base import Producer, Record
from sim.daemon import free_port

REGION = "us-east-1"
READ_PREFIXES = ("Describe", "List", "Get", "Head", "Scan", "Query", "BatchGet")
REST_SERVICES = {"lambda": "lambda", "s3": "s3"}  # signing name → botocore service name


@dataclass(frozen=True)
class Call:
    service: str  # the signing name: kinesis, dynamodb, iam, lambda, s3, sts, tagging, …
    operation: str
    method: str
    path: str
    body: bytes

    @property
    def writes(self) -> bool:
        return not self.operation.startswith(READ_PREFIXES)


class _RestOperations:
    """(service, method, path, query) → operation name, from botocore's models."""

    def __init__(self) -> None:
        session = botocore.session.get_session()
        self._table: dict[str, list[tuple[str, re.Pattern[str], set[str], int, str]]] = {}
        for signing, service in REST_SERVICES.items():
            model = session.get_service_model(service)
            rows = []
            for name in model.operation_names:
                http = model.operation_model(name).http
                uri = http["requestUri"]
                path, _, query = uri.partition("?")
                keys = {q.split("=")[0] for q in query.split("&") if q}
                pattern = (
                    "^"
                    + re.sub(
                        r"\\\{([^}]+?)(\\\+)?\\\}",
                        lambda m: ".+" if m.group(2) else "[^/]+",
                        re.escape(path.rstrip("/") or "/"),
                    )
                    + "/?$"
                )
                literal = len(re.sub(r"\{[^}]+\}", "", path))
                rows.append((http["method"], re.compile(pattern), keys, literal, name))
            self._table[signing] = rows

    def name(self, service: str, method: str, path: str, query: str) -> str:
        present = set(parse_qs(query, keep_blank_values=True))
        best = None
        for row_method, pattern, keys, literal, name in self._table.get(service, []):
            if row_method != method or not keys <= present or not pattern.match(path):
                continue
            score = (len(keys), literal)
            if best is None or score > best[0]:
                best = (score, name)
        return best[1] if best else f"{method} {path}"


class RecordingStandIn:
    """moto's server on a free port, recording every request; ``deny`` refuses operations."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        self.calls: list[Call] = []
        self.deny: set[str] = set()
        self.errors: dict[str, list[tuple[str, str]]] = {}  # operation → (code, message) queue
        self._rest = _RestOperations()

        class QuietHandler(MotoRequestHandler):
            def log(self, *args: Any) -> None:
                pass

        moto_app = DomainDispatcherApplication(create_backend_app)
        port = free_port()
        self._server = make_server(
            "127.0.0.1", port, self._middleware(moto_app), True, request_handler=QuietHandler
        )
        self._patches: list[Any] = []
        self.invocations = 0
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _middleware(self, app: Any) -> Any:
        def record(environ: dict[str, Any], start_response: Any) -> Any:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            call = self._identify(environ, body)
            if call.service:  # not moto's own /moto-api
                self.calls.append(call)
            queued = self.errors.get(call.operation)
            if call.operation in self.deny or queued:
                code, message = (
                    queued.pop(0) if queued else ("AccessDeniedException", "denied by the test")
                )
                payload = json.dumps({"__type": code, "message": message}).encode()
                start_response(
                    "400 Bad Request",
                    [("Content-Type", "application/x-amz-json-1.1"),
                     ("Content-Length", str(len(payload)))],
                )  # fmt: skip
                return [payload]
            return app(environ, start_response)

        return record

    def _identify(self, environ: dict[str, Any], body: bytes) -> Call:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        scope = re.search(
            r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", "")
        )
        service = scope.group(1) if scope else ""
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            operation = target.rsplit(".", 1)[-1]
        elif service in REST_SERVICES:
            operation = self._rest.name(service, method, path, query)
        else:
            form = parse_qs(body.decode(errors="replace")) if body else {}
            form.update(parse_qs(query))
            operation = (form.get("Action") or [f"{method} {path}"])[0]
        return Call(service, operation, method, path, body)

    def fail_next(self, operation: str, code: str, message: str, times: int = 1) -> None:
        """Answer the next ``times`` calls of a JSON-protocol ``operation`` with this error."""
        self.errors.setdefault(operation, []).extend([(code, message)] * times)

    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.writes]

    def operations(self) -> list[str]:
        return [c.operation for c in self.calls]

    def reset(self) -> None:
        """Forget moto's state (process-wide: moto's backends are global) and the calls."""
        request = urllib.request.Request(self.url + "/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()
        self.calls.clear()
        self.deny.clear()
        self.errors.clear()

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def __enter__(self) -> RecordingStandIn:
        from moto.awslambda.models import LambdaFunction
        from moto.core.config import default_user_config

        # AWS's managed policies (AWSLambdaKinesisExecutionRole, …) exist, as on AWS; and moto
        # never runs a function (it would start a Docker container): the invocations its event
        # source mappings attempt are only counted.
        self._patches = [
            mock.patch.dict(default_user_config, {"iam": {"load_aws_managed_policies": True}}),
            mock.patch.object(LambdaFunction, "invoke", self._not_run),
        ]
        for patch in self._patches:
            patch.start()
        self._thread.start()
        self.reset()
        return self

    def _not_run(self, *args: Any, **kwargs: Any) -> bytes:
        self.invocations += 1
        return b""

    def __exit__(self, *exc: object) -> None:
        try:
            self.reset()
        finally:
            for patch in reversed(self._patches):
                patch.stop()
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)


# -- running `sim` ------------------------------------------------------------------------------
def sim_env(directory: Path, stand_in_url: str) -> dict[str, str]:
    """Fake credentials, nothing from ~/.aws, ``--backend aws`` pointed at the stand-in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "STREAMLAB_", "LOCALSTACK_")) and k != "NO_COLOR"
    }
    env.update(
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(directory / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(directory / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        STREAMLAB_PORT=str(free_port()),
        STREAMLAB_AWS_ENDPOINT_URL=stand_in_url,
    )
    return env


def sim(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


# A handler package of its own, so that the test knows exactly what the zip must hold.
HANDLER_FILES = {
    "pipeline/__init__.py": "",
    "pipeline/sink.py": textwrap.dedent(
        """\
        import os

        import boto3


        def lambda_handler(event, context):
            table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
            for record in event["Records"]:
                table.put_item(Item={"id": record["kinesis"]["sequenceNumber"]})
            return {"written": len(event["Records"])}
        """
    ),
    "pipeline/helpers/__init__.py": "X = 1\n",
    "pipeline/__pycache__/sink.cpython-311.pyc": "not packaged",
}

PIPELINE = """\
name: pipeline
seed: 3
clock:
  start: 2021-11-01T09:00:00Z
  duration: 20s
resources:
  streams:
    - name: events
      shards: 2
  tables:
    - name: Sink
      partition_key: id:S
  buckets:
    - name: pipeline-archive
  queues:
    - name: pipeline-dlq
  topics:
    - name: pipeline-alerts
      subscriptions:
        - {protocol: sqs, endpoint: pipeline-dlq}
producers:
  - name: noaa
    type: noaa
    target: {stream: events}
    rate: 2/s
    count: 10
    params:
      stations: 1
functions:
  - name: Sink
    handler: pipeline.sink:lambda_handler
    runtime: python3.12
    timeout: 20
    memory: 256
    env:
      TABLE: Sink
    role:
      name: SinkRole
      managed_policy_arns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole
      policies:
        - name: WriteSink
          document:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: dynamodb:PutItem
                Resource: arn:aws:dynamodb:us-east-1:123456789012:table/Sink
    triggers:
      - kinesis:
          stream: events
          batch_size: 25
          starting_position: AT_TIMESTAMP
          starting_position_timestamp: 2021-11-01T08:00:00Z
          maximum_batching_window: 5
          maximum_retry_attempts: 3
          maximum_record_age: 3600
          enabled: false
"""


def write_project(directory: Path, scenario: str = PIPELINE) -> Path:
    """The handler package and the scenario file in ``directory``; returns the scenario."""
    for name, text in HANDLER_FILES.items():
        write(directory / name, text)
    return write(directory / "pipeline.yaml", scenario)


class FixedSizeProducer(Producer):
    """``per_tick`` records of ``size`` bytes (partition key ``k``, one byte) each tick; finite
    when ``total`` is given."""

    name = "fixed-size"

    def __init__(self, rng: Any, size: int = 100, per_tick: int = 1, total: int | None = None):
        super().__init__(rng)
        self.size, self.per_tick, self.total, self.sent = size, per_tick, total, 0

    def emit(self, now: Any) -> list[Record]:
        n = self.per_tick if self.total is None else min(self.per_tick, self.total - self.sent)
        self.sent += n
        return [Record(b"x" * self.size, "k") for _ in range(n)]

    @property
    def finished(self) -> bool:
        return self.total is not None and self.sent >= self.total
