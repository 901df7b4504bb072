"""UpdateShardCount (UNIFORM_SCALING): reach ``TargetShardCount`` evenly sized shards.

streamlab reaches them with real splits and merges (see
:meth:`sim.services.kinesis.models.Stream.scale_uniformly`), so every new shard names its
parents. AWS bounds: at most double and at least half the open shard count, and the account's
shard quota.
"""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import LimitExceededException
from sim.services.kinesis.operations._common import (
    STREAM_ARN,
    STREAM_NAME,
    check_shard_limit,
    require_provisioned,
)
from sim.services.kinesis.validation import Field

INPUT = {
    "ScalingType": Field("String", not_null=True, enum=("UNIFORM_SCALING",)),
    "StreamName": STREAM_NAME,
    "TargetShardCount": Field("Integer", not_null=True, ge=1, le=limits.SHARD_COUNT_MAX),
    "StreamARN": STREAM_ARN,
}


def run(call: Call, request: dict) -> dict:
    stream = call.stream(request)
    require_provisioned(call, stream)
    target = request["TargetShardCount"]
    current = len(stream.open())
    counts = f"Current open shard count: {current}, Target shard count: {target}"
    backend = call.backend
    if target > backend.shard_limit:
        raise LimitExceededException(
            "Target shard count or number of open shards cannot be greater than "
            f"{backend.shard_limit}. {counts}"
        )
    if target > current * limits.UPDATE_SHARD_COUNT_MAX_FACTOR:
        raise LimitExceededException(
            f"UpdateShardCount cannot scale up over double your current open shard count. {counts}"
        )
    if target * limits.UPDATE_SHARD_COUNT_MAX_FACTOR < current:
        raise LimitExceededException(
            f"UpdateShardCount cannot scale down below half your current open shard count. {counts}"
        )
    if target > current:
        check_shard_limit(call, target - current)
    stream.scale_uniformly(target, call.now)
    return {
        "StreamName": stream.name,
        "CurrentShardCount": current,
        "TargetShardCount": target,
        "StreamARN": stream.arn,
    }
