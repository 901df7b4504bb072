"""DecreaseStreamRetentionPeriod: keep records for less time (at least 24 hours)."""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import InvalidArgumentException
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME
from sim.services.kinesis.operations.increase_stream_retention_period import too_short
from sim.services.kinesis.validation import Field

INPUT = {
    "RetentionPeriodHours": Field("Integer", not_null=True),
    "StreamName": STREAM_NAME,
    "StreamARN": STREAM_ARN,
}


def run(call: Call, request: dict) -> None:
    stream = call.stream(request)
    hours = request["RetentionPeriodHours"]
    if hours < limits.RETENTION_MIN_HOURS:
        raise too_short(hours)
    if hours > stream.retention_hours:
        raise InvalidArgumentException(
            f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
            f"longer than existing retention period ({stream.retention_hours} hours). "
            "Use IncreaseRetentionPeriod API."
        )
    stream.set_retention(hours)
    stream.trim_all(call.now)
    return None
