"""UntagDeliveryStream: remove tags by key (unknown keys are ignored)."""

from __future__ import annotations

from sim.services.firehose.backend import Call


def run(call: Call, request: dict) -> dict:
    stream = call.stream(request["DeliveryStreamName"])
    for key in request["TagKeys"]:
        stream.tags.pop(key, None)
    return {}
