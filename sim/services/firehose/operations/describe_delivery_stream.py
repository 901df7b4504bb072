"""DescribeDeliveryStream: the stream's description (one destination, ACTIVE)."""

from __future__ import annotations

from sim.services.firehose.backend import Call
from sim.services.firehose.operations._common import describe


def run(call: Call, request: dict) -> dict:
    return {"DeliveryStreamDescription": describe(call.stream(request["DeliveryStreamName"]))}
