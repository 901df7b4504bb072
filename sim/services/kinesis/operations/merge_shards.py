"""MergeShards: close two adjacent shards; one child takes their joined hash-key range.

``ShardToMerge`` must be the lower of the two (its range ends just below the adjacent one's),
as AWS requires. The child names them as ``ParentShardId`` and ``AdjacentParentShardId``.
"""

from __future__ import annotations

from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import InvalidArgumentException, shard_not_found
from sim.services.kinesis.models import shard_index_of
from sim.services.kinesis.operations._common import (
    STREAM_ARN,
    STREAM_NAME,
    require_open,
    require_provisioned,
    shard_for_change,
)
from sim.services.kinesis.validation import shard_id

INPUT = {
    "ShardToMerge": shard_id(not_null=True),
    "AdjacentShardToMerge": shard_id(not_null=True),
    "StreamName": STREAM_NAME,
    "StreamARN": STREAM_ARN,
}


def run(call: Call, request: dict) -> None:
    label = request.get("StreamName") or call.backend._name_from_arn(request.get("StreamARN") or "")
    for member in ("ShardToMerge", "AdjacentShardToMerge"):
        if shard_index_of(request[member]) is None:
            raise shard_not_found(request[member], label, call.account_id)
    stream = call.stream(request)
    require_provisioned(call, stream)
    shard = shard_for_change(call, stream, request["ShardToMerge"])
    adjacent = shard_for_change(call, stream, request["AdjacentShardToMerge"])
    if shard.hash_key_range[1] + 1 != adjacent.hash_key_range[0]:
        raise InvalidArgumentException(
            f"Shards {shard.shard_id} and {adjacent.shard_id} in stream {stream.name} under "
            f"account {call.account_id} are not an adjacent pair of shards eligible for merging"
        )
    require_open(call, stream, shard)
    require_open(call, stream, adjacent)
    stream.merge(shard, adjacent, call.now)
    return None
