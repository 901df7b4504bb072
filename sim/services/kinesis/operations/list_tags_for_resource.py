"""ListTagsForResource: a stream's tags by resource ARN, in key order."""

from __future__ import annotations

from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import ResourceNotFoundException
from sim.services.kinesis.models import Stream
from sim.services.kinesis.operations._common import tag_list
from sim.services.kinesis.validation import resource_arn

INPUT = {
    "ResourceARN": resource_arn(),
}


def stream_of(call: Call, arn: str) -> Stream:
    """The stream a resource ARN names; consumer, channel and queue ARNs are not simulated."""
    _, _, resource = arn.partition(":stream/")
    if not resource or "/" in resource:
        raise ResourceNotFoundException(
            f"Resource {arn} under account {call.account_id} not found."
        )
    return call.stream({"StreamARN": arn})


def run(call: Call, request: dict) -> dict:
    return {"Tags": tag_list(stream_of(call, request["ResourceARN"]).tags)}
