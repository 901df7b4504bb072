"""AddTagsToStream: add or overwrite tags (at most 50 per stream)."""

from __future__ import annotations

from dataclasses import replace

from sim.services.kinesis.backend import Call
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME, TAG_MAP, add_tags

INPUT = {
    "Tags": replace(TAG_MAP, not_null=True),
    "StreamName": STREAM_NAME,
    "StreamARN": STREAM_ARN,
}


def run(call: Call, request: dict) -> None:
    stream = call.stream(request)
    add_tags(call, stream, request["Tags"])
    return None
