"""Requests answered before moto sees them: streamlab's active parts and injected faults.

moto keeps the passive stores (DynamoDB, S3, SQS, SNS, …). Some requests to them need streamlab
first: an SNS ``Publish`` must be delivered on the run's clock (to an email outbox, a queue, a
function), a fault makes a table throttle or a bucket unavailable, a bucket policy refuses an
anonymous write. Each such part registers an :data:`Interceptor` with the embedded backend
(:meth:`~sim.backends.embedded.EmbeddedBackend.add_interceptor`). Both ways into the backend ask
the interceptors first, in the order they were added: boto3 calls in this process (the router,
:mod:`sim.backends.embedded.router`) and HTTP requests to the endpoint
(:mod:`sim.backends.embedded.server`). The first one that answers wins; a request none answers
goes to moto unchanged.

Kinesis, Firehose, DynamoDB Streams and Lambda requests never reach the interceptors: they are
streamlab's own services, which inject their faults themselves.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

_SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/")
_S3_VIRTUAL_HOST = re.compile(r"^(?P<bucket>.+)\.s3[.-]")

# (status, headers, body) — the same triple the Kinesis, Firehose and Lambda services answer.
Answer = tuple[int, Mapping[str, str], bytes]


@dataclass
class Request:
    """One AWS request as it arrived, with what interceptors commonly ask of it.

    ``url`` is the whole URL (in-process: ``https://sns.us-east-1.amazonaws.com/``; over HTTP:
    ``http://127.0.0.1:4566/…``). ``headers`` is case-insensitive for ``get``.
    """

    method: str
    url: str
    headers: Any
    body: bytes

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        return value

    @cached_property
    def _scope(self) -> tuple[str, str, str] | None:
        match = _SCOPE.search(self.header("Authorization") or "")
        return (match.group(1), match.group(2), match.group(3)) if match else None

    @property
    def signed(self) -> bool:
        """Whether the request carries SigV4 credentials (unsigned: an anonymous caller)."""
        return self._scope is not None

    @property
    def access_key(self) -> str | None:
        return self._scope[0] if self._scope else None

    @property
    def region(self) -> str | None:
        if self._scope:
            return self._scope[1]
        host = re.match(r"^https?://[a-z0-9-]+\.([a-z0-9-]+)\.amazonaws\.com", self.url)
        return host.group(1) if host else None

    @cached_property
    def service(self) -> str | None:
        """The signing service (``sns``, ``s3``, ``dynamodb``, ``sqs``, …), else from the host
        of an unsigned in-process request (``s3`` for ``bucket.s3.amazonaws.com``)."""
        if self._scope:
            return self._scope[2]
        host = urlsplit(self.url).hostname or ""
        if host.endswith(".amazonaws.com"):
            if _S3_VIRTUAL_HOST.match(host) or host.startswith("s3."):
                return "s3"
            return host.split(".", 1)[0]
        return None

    @property
    def path(self) -> str:
        return unquote(urlsplit(self.url).path)

    @cached_property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.url).query, keep_blank_values=True)

    @property
    def target(self) -> str | None:
        """``X-Amz-Target`` (JSON protocols: ``DynamoDB_20120810.PutItem``)."""
        return self.header("X-Amz-Target")

    @cached_property
    def form(self) -> dict[str, str]:
        """The parameters of a query-protocol request (SNS, SQS's old protocol, IAM, STS):
        the form body, else the URL's query string; one value per name."""
        content_type = (self.header("Content-Type") or "").lower()
        source = ""
        if "x-www-form-urlencoded" in content_type:
            source = self.body.decode("utf-8", "replace")
        elif not self.body:
            source = urlsplit(self.url).query
        return {k: v[0] for k, v in parse_qs(source, keep_blank_values=True).items()}

    @property
    def operation(self) -> str | None:
        """The API operation for JSON and query protocols (``PutItem``, ``Publish``); None for
        REST protocols (S3), whose operation is in the method and path."""
        target = self.target
        if target:
            return target.rsplit(".", 1)[-1]
        return self.form.get("Action")

    @cached_property
    def bucket(self) -> str | None:
        """The bucket an S3 request addresses (virtual-hosted or path style), else None."""
        if self.service != "s3":
            return None
        host = urlsplit(self.url).hostname or ""
        match = _S3_VIRTUAL_HOST.match(host)
        if match:
            return match.group("bucket")
        first = self.path.lstrip("/").split("/", 1)[0]
        return first or None

    @property
    def key(self) -> str | None:
        """The object key of an S3 request, else None."""
        if self.bucket is None:
            return None
        host = urlsplit(self.url).hostname or ""
        path = self.path.lstrip("/")
        if not _S3_VIRTUAL_HOST.match(host):
            path = path.split("/", 1)[1] if "/" in path else ""
        return path or None


Interceptor = Callable[[Request], "Answer | None"]


@dataclass
class Interceptors:
    """The interceptors of one backend, asked in order; thread-safe to add and remove."""

    _chain: list[Interceptor] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, interceptor: Interceptor) -> Callable[[], None]:
        """Add ``interceptor``; returns a function that removes it again."""
        with self._lock:
            self._chain = [*self._chain, interceptor]

        def remove() -> None:
            with self._lock:
                self._chain = [i for i in self._chain if i is not interceptor]

        return remove

    def clear(self) -> None:
        with self._lock:
            self._chain = []

    def __bool__(self) -> bool:
        return bool(self._chain)

    def answer(self, request: Request) -> Answer | None:
        for interceptor in self._chain:  # a snapshot: add/remove replace the list
            answer = interceptor(request)
            if answer is not None:
                return answer
        return None
