"""RemoveTagsFromStream: remove tags by key (absent keys are ignored, as AWS does)."""

from __future__ import annotations

from sim.services.kinesis.backend import Call
from sim.services.kinesis.operations._common import (
    STREAM_ARN,
    STREAM_NAME,
    TAG_KEY_LIST,
    remove_tags,
)

INPUT = {
    "TagKeys": TAG_KEY_LIST,
    "StreamName": STREAM_NAME,
    "StreamARN": STREAM_ARN,
}


def run(call: Call, request: dict) -> None:
    stream = call.stream(request)
    remove_tags(call, stream, request["TagKeys"])
    return None
