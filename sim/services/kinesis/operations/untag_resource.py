"""UntagResource: RemoveTagsFromStream by resource ARN."""

from __future__ import annotations

from sim.services.kinesis.backend import Call
from sim.services.kinesis.operations._common import TAG_KEY_LIST, remove_tags
from sim.services.kinesis.operations.list_tags_for_resource import stream_of
from sim.services.kinesis.validation import resource_arn

INPUT = {
    "TagKeys": TAG_KEY_LIST,
    "ResourceARN": resource_arn(),
}


def run(call: Call, request: dict) -> None:
    remove_tags(call, stream_of(call, request["ResourceARN"]), request["TagKeys"])
    return None
