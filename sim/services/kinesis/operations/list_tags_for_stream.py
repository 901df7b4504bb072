"""ListTagsForStream: tags in key order, paged by ``ExclusiveStartTagKey`` and ``Limit``."""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME
from sim.services.kinesis.validation import Field

INPUT = {
    "Limit": Field("Integer", ge=1, le=limits.LIST_TAGS_MAX_LIMIT),
    "ExclusiveStartTagKey": Field("String", min_len=1, max_len=limits.TAG_KEY_MAX_LENGTH),
    "StreamName": STREAM_NAME,
    "StreamARN": STREAM_ARN,
}


def run(call: Call, request: dict) -> dict:
    stream = call.stream(request)
    keys = sorted(stream.tags)
    after = request.get("ExclusiveStartTagKey")
    if after is not None:
        keys = [key for key in keys if key > after]
    limit = request.get("Limit", limits.TAGS_PER_STREAM_MAX)
    return {
        "Tags": [{"Key": key, "Value": stream.tags[key]} for key in keys[:limit]],
        "HasMoreTags": len(keys) > limit,
    }
