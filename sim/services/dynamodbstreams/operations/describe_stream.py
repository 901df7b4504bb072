"""DescribeStream: a stream's status, settings and shards (oldest first).

At most ``Limit`` (default and maximum 100) shards per call, after ``ExclusiveStartShardId``;
``LastEvaluatedShardId`` is set when more shards follow. ``ShardFilter`` ``{"Type":
"CHILD_SHARDS", "ShardId": parent}`` lists the children of one shard (Streams.html, "Shard
discovery"). A closed shard has an ``EndingSequenceNumber``; an open one does not.
"""

from __future__ import annotations

from sim.services.dynamodbstreams import limits
from sim.services.dynamodbstreams.backend import Call
from sim.services.dynamodbstreams.exceptions import ValidationException
from sim.services.dynamodbstreams.operations._common import limit, shard_id, stream_arn
from sim.services.dynamodbstreams.validation import Field

INPUT = {
    "StreamArn": stream_arn(required=True),
    "Limit": limit(limits.DESCRIBE_STREAM_MAX_SHARDS),
    "ExclusiveStartShardId": shard_id(),
    "ShardFilter": Field(
        "Structure",
        children={
            "Type": Field("String", enum=("CHILD_SHARDS",)),
            "ShardId": shard_id(),
        },
    ),
}


def run(call: Call, request: dict) -> dict:
    stream = call.backend.get_stream_by_arn(request["StreamArn"])
    shards = stream.shards
    shard_filter = request.get("ShardFilter")
    if shard_filter is not None:
        parent = shard_filter.get("ShardId")
        if shard_filter.get("Type") is None or parent is None:
            # streamlab's wording: AWS's text for an incomplete filter is not documented
            raise ValidationException("ShardFilter must specify both Type and ShardId.")
        shards = [shard for shard in shards if shard.parent_shard_id == parent]
    after = request.get("ExclusiveStartShardId")
    if after is not None:
        shards = [shard for shard in shards if shard.shard_id > after]  # ids sort by creation
    count = request.get("Limit", limits.DESCRIBE_STREAM_MAX_SHARDS)
    page = shards[:count]
    description = stream.describe()
    description["CreationRequestDateTime"] = round(stream.created_at, 3)
    description["Shards"] = [shard.describe() for shard in page]
    if len(shards) > count:
        description["LastEvaluatedShardId"] = page[-1].shard_id
    return {"StreamDescription": description}
