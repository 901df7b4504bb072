"""ListTagsForDeliveryStream: tags in key order, from ExclusiveStartTagKey, at most Limit."""

from __future__ import annotations

from sim.services.firehose.backend import Call


def run(call: Call, request: dict) -> dict:
    stream = call.stream(request["DeliveryStreamName"])
    start = request.get("ExclusiveStartTagKey")
    limit = request.get("Limit", 50)
    keys = sorted(k for k in stream.tags if start is None or k > start)
    return {
        "Tags": [{"Key": k, "Value": stream.tags[k]} for k in keys[:limit]],
        "HasMoreTags": len(keys) > limit,
    }
