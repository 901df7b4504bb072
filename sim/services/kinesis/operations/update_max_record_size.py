"""UpdateMaxRecordSize: the largest record (data + partition key) the stream accepts,
1024 .. 10240 KiB (large-records.html). Per-shard throughput limits do not change."""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.operations._common import STREAM_ARN
from sim.services.kinesis.validation import Field

INPUT = {
    "StreamARN": STREAM_ARN,
    "MaxRecordSizeInKiB": Field(
        "Integer",
        not_null=True,
        ge=limits.MAX_RECORD_SIZE_KIB_MIN,
        le=limits.MAX_RECORD_SIZE_KIB_MAX,
    ),
}


def run(call: Call, request: dict) -> None:
    stream = call.stream(request)
    stream.max_record_size_kib = request["MaxRecordSizeInKiB"]
    return None
