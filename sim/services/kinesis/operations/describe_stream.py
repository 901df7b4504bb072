"""DescribeStream: the stream and a page of its shards (``Limit``, ``ExclusiveStartShardId``).

Shards are listed in id order, closed ones included until their records have all passed the
retention period.
"""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.operations import EpochSeconds
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME
from sim.services.kinesis.validation import Field, shard_id

INPUT = {
    "Limit": Field("Integer", ge=1, le=limits.DESCRIBE_STREAM_MAX_LIMIT),
    "ExclusiveStartShardId": shard_id(),
    "StreamName": STREAM_NAME,
    "StreamARN": STREAM_ARN,
}


def run(call: Call, request: dict) -> dict:
    stream = call.stream(request)
    shards = stream.listed()
    after = request.get("ExclusiveStartShardId")
    if after is not None:
        shards = [shard for shard in shards if shard.shard_id > after]
    limit = request.get("Limit", limits.DESCRIBE_STREAM_DEFAULT_LIMIT)
    description = {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": stream.status,
        "StreamModeDetails": {"StreamMode": stream.mode},
        "Shards": [shard.describe() for shard in shards[:limit]],
        "HasMoreShards": len(shards) > limit,
        "RetentionPeriodHours": stream.retention_hours,
        "StreamCreationTimestamp": EpochSeconds(int(stream.created_at)),
        "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
        "EncryptionType": stream.encryption_type,
    }
    if stream.key_id is not None:
        description["KeyId"] = stream.key_id
    return {"StreamDescription": description}
