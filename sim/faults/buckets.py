"""``bucket_unavailable``: S3 requests to a bucket refused with 503 SlowDown.

S3 answers an overloaded bucket (prefix) with HTTP 503 ``SlowDown``, "Please reduce your request
rate." while it scales ("Amazon S3 error best practices": "SlowDown errors can occur when a high
request rate triggers one of these mechanisms"; AWS Knowledge Center "s3-503-within-request-
rate-prefix": "Amazon S3 might return 503 Slow Down errors while it scales"). That is the
unavailability a client of a bucket meets; S3's other 503, ``ServiceUnavailable``, is not tied
to a bucket. The answer is S3's XML error (``<Error><Code>SlowDown</Code><Message>…</Message>
<RequestId>…</RequestId><HostId>…</HostId></Error>``, as real answers show it), with the
``x-amz-request-id`` and ``x-amz-id-2`` headers; a HEAD request gets the status and headers
with no body, as S3 answers HEAD. botocore treats SlowDown as a throttling error: clients
retry it, and so does Firehose delivering to the bucket (every second until it succeeds).

Every request addressed to the bucket (virtual-hosted or path style, any operation) is refused
in the fault's reach; ``count`` limits the fault to that many refused requests.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass
from typing import Any

from sim.faults.effects import FaultEffect
from sim.faults.reach import Reach

STATUS = 503
CODE = "SlowDown"
MESSAGE = "Please reduce your request rate."
CONTENT_TYPE = "application/xml"
# x-amz-request-id: 16 upper-case hex digits; x-amz-id-2: base64 text (as real answers show).
REQUEST_ID_HEX_DIGITS = 16
HOST_ID_BYTES = 57

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class BucketOutage:
    """One ``bucket_unavailable`` fault."""

    bucket: str
    reach: Reach
    effect: FaultEffect

    def refuses(self) -> bool:
        with self.reach.lock:
            if not self.reach.active():
                return False
            self.reach.use()
        self.effect.add("requests_refused")
        return True


class BucketOutages:
    """The interceptor answering for every ``bucket_unavailable`` fault of a run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.faults: list[BucketOutage] = []

    def __call__(self, request: Any) -> Answer | None:
        bucket = request.bucket
        if bucket is None:
            return None
        for fault in self.faults:
            if fault.bucket == bucket and fault.refuses():
                return self._answer(request.method)
        return None

    def _answer(self, method: str) -> Answer:
        request_id = f"{self.rng.getrandbits(4 * REQUEST_ID_HEX_DIGITS):016X}"
        host_id = base64.b64encode(self.rng.randbytes(HOST_ID_BYTES)).decode("ascii")
        headers = {
            "Content-Type": CONTENT_TYPE,
            "x-amz-request-id": request_id,
            "x-amz-id-2": host_id,
        }
        if method.upper() == "HEAD":
            return STATUS, headers, b""
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{CODE}</Code><Message>{MESSAGE}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
        )
        return STATUS, headers, body.encode("utf-8")
