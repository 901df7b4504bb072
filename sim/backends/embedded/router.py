"""In-process routing: boto3 calls to AWS hostnames never leave the process.

moto registers its ``BotocoreStubber`` as a ``before-send`` handler in botocore's
``BUILTIN_HANDLERS``, so every botocore session created afterwards hands requests to moto instead
of the network while moto's mock is active. botocore calls *every* ``before-send`` handler and
keeps the first answer, so a handler placed beside moto's would not stop moto from processing a
request too: we put our router in the stubber's place instead. It answers Kinesis requests from
streamlab's shard store, Firehose requests (``Firehose_20150804.*``) from streamlab's Firehose
(the backend's ``firehose(region)``), DynamoDB Streams requests (``DynamoDBStreams_20120810.*``)
from streamlab's stream store (the backend's ``dynamodb_streams(region)``) and Lambda requests
from streamlab's Lambda API (the backend's
:meth:`~sim.backends.embedded.EmbeddedBackend.lambda_api`), asks the backend's
interceptors (:mod:`sim.backends.embedded.intercept`: SNS delivery, faults) about the rest, and
hands what they do not answer to moto's stubber. Both see the request exactly as botocore serialised it, and botocore parses our
answer with its own parser, so what a handler or producer gets back is what it would get from AWS.

Only requests addressed to AWS hostnames are taken; a client given an explicit ``endpoint_url``
(``http://127.0.0.1:4566``) goes over HTTP as it asked.
"""

from __future__ import annotations

import re
import threading
from io import BytesIO
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import moto.core.models as moto_models
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.handlers import BUILTIN_HANDLERS

from sim.backends.embedded.intercept import Request
from sim.services.lambda_.api import PATH_PREFIXES as LAMBDA_PATH_PREFIXES

if TYPE_CHECKING:
    from sim.backends.embedded import EmbeddedBackend

KINESIS_TARGET_PREFIX = "Kinesis_20131202."
FIREHOSE_TARGET_PREFIX = "Firehose_20150804."
DYNAMODB_STREAMS_TARGET_PREFIX = "DynamoDBStreams_20120810."
_AWS_HOST = re.compile(r"^https?://[^/]*\.amazonaws\.com(?:\.cn)?(?::\d+)?(?:/|$)")
_SCOPE_REGION = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")
_SCOPE_SERVICE = re.compile(r"Credential=[^/]+/\d{8}/[a-z0-9-]+/([a-z0-9-]+)/")


class _RawBody(BytesIO):
    """The ``raw`` object botocore reads a response body from."""

    def stream(self, **_: Any):
        data = self.read()
        if data:
            yield data


def region_of(headers: Any, url: str = "") -> str | None:
    """The region a signed request is addressed to (from its credential scope, else its host)."""
    auth = headers.get("Authorization") or ""
    if isinstance(auth, bytes):
        auth = auth.decode("latin-1")
    match = _SCOPE_REGION.search(auth)
    if match:
        return match.group(1)
    host = re.match(r"^https?://[a-z0-9-]+\.([a-z0-9-]+)\.amazonaws\.com", url)
    return host.group(1) if host else None


def is_lambda_request(headers: Any, path: str) -> bool:
    """Whether a request is for Lambda's API: by the service of its SigV4 credential scope when
    it is signed, else by its path (``/2015-03-31/functions...``,
    ``/2015-03-31/event-source-mappings...``)."""
    auth = headers.get("Authorization") or ""
    if isinstance(auth, bytes):
        auth = auth.decode("latin-1")
    match = _SCOPE_SERVICE.search(auth)
    if match:
        return match.group(1) == "lambda"
    return path.startswith(LAMBDA_PATH_PREFIXES)


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    return body.read()


class InProcessRouter:
    """The ``before-send`` handler; routes to whichever embedded backend is active."""

    def __init__(self) -> None:
        self._backend: EmbeddedBackend | None = None
        self._lock = threading.Lock()

    @property
    def active(self) -> EmbeddedBackend | None:
        return self._backend

    def activate(self, backend: EmbeddedBackend) -> None:
        with self._lock:
            if self._backend is not None and self._backend is not backend:
                raise RuntimeError(
                    "another embedded backend is already active in this process; "
                    "stop it before starting a new one"
                )
            self._backend = backend

    def deactivate(self, backend: EmbeddedBackend) -> None:
        with self._lock:
            if self._backend is backend:
                self._backend = None

    def __call__(self, request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        backend = self._backend
        if backend is None or not _AWS_HOST.match(request.url):
            return moto_models.botocore_stubber(request=request, **kwargs)
        headers = request.headers
        target = headers.get("X-Amz-Target")
        if isinstance(target, bytes):
            target = target.decode("ascii")
        if target is not None and target.startswith(
            (KINESIS_TARGET_PREFIX, FIREHOSE_TARGET_PREFIX, DYNAMODB_STREAMS_TARGET_PREFIX)
        ):
            content_type = headers.get("Content-Type") or ""
            if isinstance(content_type, bytes):
                content_type = content_type.decode("ascii")
            region = region_of(headers, request.url)
            if target.startswith(FIREHOSE_TARGET_PREFIX):
                service = backend.firehose(region)
            elif target.startswith(DYNAMODB_STREAMS_TARGET_PREFIX):
                service = backend.dynamodb_streams(region)
            else:
                service = backend.kinesis(region)
            status, response_headers, payload = service.handle(
                target, content_type, _body_bytes(request.body)
            )
            return AWSResponse(request.url, status, response_headers, _RawBody(payload))
        url = urlsplit(request.url)
        if target is None and is_lambda_request(headers, url.path):
            path = f"{url.path}?{url.query}" if url.query else url.path
            status, response_headers, payload = backend.lambda_api().handle(
                request.method, path, headers, _body_bytes(request.body)
            )
            return AWSResponse(request.url, status, response_headers, _RawBody(payload))
        if backend.intercepting:
            body = _body_bytes(request.body)
            request.body = body  # read once: moto reads it again if nobody answers
            answer = backend.intercept(Request(request.method, request.url, headers, body))
            if answer is not None:
                status, response_headers, payload = answer
                return AWSResponse(request.url, status, dict(response_headers), _RawBody(payload))
        return moto_models.botocore_stubber(request=request, **kwargs)


ROUTER = InProcessRouter()


def _install() -> None:
    """Put the router in the place of moto's stubber in botocore's built-in handlers."""
    for index, handler_entry in enumerate(BUILTIN_HANDLERS):
        event, handler = handler_entry[0], handler_entry[1]
        if event == "before-send" and handler is ROUTER:
            return
        if event == "before-send" and handler is moto_models.botocore_stubber:
            BUILTIN_HANDLERS[index] = ("before-send", ROUTER)
            return
    BUILTIN_HANDLERS.append(("before-send", ROUTER))


_install()
