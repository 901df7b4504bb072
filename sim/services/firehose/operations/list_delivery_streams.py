"""ListDeliveryStreams: names in alphabetical order, from ExclusiveStartDeliveryStreamName,
filtered by DeliveryStreamType, at most Limit (default 10)."""

from __future__ import annotations

from sim.services.firehose import limits
from sim.services.firehose.backend import Call


def run(call: Call, request: dict) -> dict:
    kind = request.get("DeliveryStreamType")
    start = request.get("ExclusiveStartDeliveryStreamName")
    limit = request.get("Limit", limits.LIST_DEFAULT_LIMIT)
    names = sorted(
        stream.name
        for stream in call.backend.streams.values()
        if (kind is None or stream.type == kind) and (start is None or stream.name > start)
    )
    return {"DeliveryStreamNames": names[:limit], "HasMoreDeliveryStreams": len(names) > limit}
