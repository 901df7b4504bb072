"""Which bucket and key an intercepted request addresses, if it is an S3 request at all.

A signed request names its service in the credential scope; an unsigned one only through its
host (``bucket.s3.amazonaws.com``, ``s3.amazonaws.com/bucket``), which
:class:`~sim.backends.embedded.intercept.Request` reads. Over HTTP to the endpoint
(``http://127.0.0.1:4566/bucket/key``) an unsigned request has no such host: as moto's server
does (it falls back to S3 for unsigned requests it cannot place), a request without an
``X-Amz-Target`` or a query-protocol ``Action`` is taken as a path-style S3 request there.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

_VIRTUAL_HOST = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*)\.s3[.-]")
# Paths of the endpoint that are not buckets (moto's API, streamlab's and LocalStack's own).
_NOT_BUCKETS = ("moto-api", "_localstack", "_streamlab", "_aws")


def s3_target(request: Any) -> tuple[str, str | None] | None:
    """(bucket, key or None) of an S3 request addressing a bucket; None otherwise."""
    if request.service == "s3":
        bucket = request.bucket
        return (bucket, request.key) if bucket else None
    if request.service is not None or request.signed:
        return None
    if request.target or request.form.get("Action"):
        return None
    return _unsigned_endpoint_target(request)


def _unsigned_endpoint_target(request: Any) -> tuple[str, str | None] | None:
    host = urlsplit(request.url).hostname or ""
    path = request.path.lstrip("/")
    match = _VIRTUAL_HOST.match(host)
    if match:
        return match.group("bucket"), path or None
    bucket, _, key = path.partition("/")
    if not bucket or bucket in _NOT_BUCKETS:
        return None
    return bucket, key or None
