"""CreateStream: a new stream, ACTIVE at once.

AWS answers CREATING and turns the stream ACTIVE a few seconds later; streamlab makes it ACTIVE
immediately, since boto3's ``stream_exists`` waiter would otherwise sleep in wall time. In
on-demand mode the stream starts with ``ON_DEMAND_INITIAL_SHARDS`` shards and ``ShardCount``
is ignored.
"""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import (
    LimitExceededException,
    ResourceInUseException,
    ValidationException,
)
from sim.services.kinesis.operations._common import (
    STREAM_MODE_DETAILS,
    STREAM_NAME_REQUIRED,
    TAG_MAP,
    add_tags,
    check_shard_limit,
)
from sim.services.kinesis.validation import Field

INPUT = {
    "ShardCount": Field("Integer", ge=1, le=limits.SHARD_COUNT_MAX),
    "StreamName": STREAM_NAME_REQUIRED,
    "StreamModeDetails": STREAM_MODE_DETAILS,
    "Tags": TAG_MAP,
    "MaxRecordSizeInKiB": Field(
        "Integer", ge=limits.MAX_RECORD_SIZE_KIB_MIN, le=limits.MAX_RECORD_SIZE_KIB_MAX
    ),
    "WarmThroughputMiBps": Field("Integer", ge=0),
    "RecordDistributionStrategy": Field("String", enum=("AUTO", "USER_PARTITION_KEY")),
}


def run(call: Call, request: dict) -> None:
    backend = call.backend
    name = request["StreamName"]
    mode = request.get("StreamModeDetails", {}).get("StreamMode", "PROVISIONED")
    if mode == "PROVISIONED":
        shard_count = request.get("ShardCount")
        if shard_count is None:
            raise ValidationException(
                "1 validation error detected: Value null at 'shardCount' failed to satisfy "
                "constraint: Member must not be null"
            )
    else:
        shard_count = limits.ON_DEMAND_INITIAL_SHARDS
    if backend.lookup(name) is not None:
        raise ResourceInUseException(
            f"Stream {name} under account {call.account_id} already exists."
        )
    if mode == "ON_DEMAND" and backend.on_demand_stream_count() >= backend.on_demand_stream_limit:
        raise LimitExceededException(
            f"This request would exceed the on-demand stream limit for the account "
            f"{call.account_id} in {backend.region}. Limit: {backend.on_demand_stream_limit}."
        )
    check_shard_limit(call, shard_count)
    stream = backend.add_stream(
        name=name,
        created_at=call.now,
        shard_count=shard_count,
        mode=mode,
        max_record_size_kib=request.get("MaxRecordSizeInKiB", limits.DEFAULT_MAX_RECORD_SIZE_KIB),
    )
    tags = request.get("Tags")
    if tags:
        try:
            add_tags(call, stream, tags)
        except Exception:
            backend.remove_stream(stream)
            raise
    return None
