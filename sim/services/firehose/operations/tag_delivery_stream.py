"""TagDeliveryStream: add or overwrite tags (at most 50 per stream)."""

from __future__ import annotations

from sim.services.firehose import limits
from sim.services.firehose.backend import Call
from sim.services.firehose.exceptions import LimitExceededException


def run(call: Call, request: dict) -> dict:
    stream = call.stream(request["DeliveryStreamName"])
    tags = dict(stream.tags)
    tags.update({tag["Key"]: tag.get("Value", "") for tag in request["Tags"]})
    if len(tags) > limits.TAGS_MAX:
        raise LimitExceededException(
            f"A delivery stream can have at most {limits.TAGS_MAX} tags; this request would "
            f"leave {stream.name} with {len(tags)}."
        )
    stream.tags = tags
    return {}
