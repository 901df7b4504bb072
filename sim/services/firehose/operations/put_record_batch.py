"""PutRecordBatch: up to 500 records, 4 MiB in all, each at most 1,000 KiB.

Per-record failures (``ErrorCode`` ServiceUnavailableException, "Slow down.") happen on AWS
when a stream's throughput quota is exceeded; streamlab does not meter Firehose throughput, so
``FailedPutCount`` is 0 and every entry carries a ``RecordId``.
"""

from __future__ import annotations

from sim.services.firehose import limits
from sim.services.firehose.backend import Call
from sim.services.firehose.exceptions import InvalidArgumentException
from sim.services.firehose.operations._putting import put, target


def run(call: Call, request: dict) -> dict:
    stream = target(call, request)
    records = request["Records"]
    if sum(len(record["Data"]) for record in records) > limits.PUT_RECORD_BATCH_MAX_BYTES:
        raise InvalidArgumentException("Records size exceeds 4 MB limit")
    responses = [{"RecordId": put(call, stream, record["Data"])} for record in records]
    return {"FailedPutCount": 0, "Encrypted": False, "RequestResponses": responses}
