"""UpdateStreamMode: switch between PROVISIONED and ON_DEMAND (twice per rolling 24 hours).

The switch is immediate (AWS shows UPDATING meanwhile) and keeps the current shards; asking for
the mode the stream already has changes nothing and does not count as a switch.
"""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import LimitExceededException
from sim.services.kinesis.operations._common import STREAM_ARN_REQUIRED, STREAM_MODE_DETAILS
from sim.services.kinesis.validation import Field

INPUT = {
    "StreamARN": STREAM_ARN_REQUIRED,
    "StreamModeDetails": Field("Structure", not_null=True, children=STREAM_MODE_DETAILS.children),
    "WarmThroughputMiBps": Field("Integer", ge=0),
}

_DAY = 24 * 3600


def run(call: Call, request: dict) -> None:
    stream = call.stream(request)
    mode = request["StreamModeDetails"]["StreamMode"]
    if mode == stream.mode:
        return None
    recent = [t for t in stream.mode_switches if call.now - t < _DAY]
    if len(recent) >= limits.STREAM_MODE_SWITCHES_PER_DAY:
        raise LimitExceededException(
            f"Stream {stream.name} under account {call.account_id} has already switched "
            f"capacity mode {limits.STREAM_MODE_SWITCHES_PER_DAY} times in the last 24 hours."
        )
    backend = call.backend
    if mode == "ON_DEMAND" and backend.on_demand_stream_count() >= backend.on_demand_stream_limit:
        raise LimitExceededException(
            f"This request would exceed the on-demand stream limit for the account "
            f"{call.account_id} in {backend.region}. Limit: {backend.on_demand_stream_limit}."
        )
    stream.mode_switches = [*recent, call.now]
    stream.mode = mode
    return None
