"""IncreaseStreamRetentionPeriod: keep records longer (at most 8760 hours).

Records that already passed the old retention period are trimmed first, so they do not come
back (kinesis-extended-retention.html).
"""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import InvalidArgumentException
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME
from sim.services.kinesis.validation import Field

INPUT = {
    "RetentionPeriodHours": Field("Integer", not_null=True),
    "StreamName": STREAM_NAME,
    "StreamARN": STREAM_ARN,
}


def too_short(hours: int) -> InvalidArgumentException:
    return InvalidArgumentException(
        f"Minimum allowed retention period is {limits.RETENTION_MIN_HOURS} hours. "
        f"Requested retention period ({hours} hours) is too short."
    )


def run(call: Call, request: dict) -> None:
    stream = call.stream(request)
    hours = request["RetentionPeriodHours"]
    if hours < limits.RETENTION_MIN_HOURS:
        raise too_short(hours)
    if hours > limits.RETENTION_MAX_HOURS:
        raise InvalidArgumentException(
            f"Maximum allowed retention period is {limits.RETENTION_MAX_HOURS} hours. "
            f"Requested retention period ({hours} hours) is too long."
        )
    if hours < stream.retention_hours:
        raise InvalidArgumentException(
            f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
            f"shorter than existing retention period ({stream.retention_hours} hours). "
            "Use DecreaseRetentionPeriod API."
        )
    stream.trim_all(call.now)
    stream.set_retention(hours)
    return None
