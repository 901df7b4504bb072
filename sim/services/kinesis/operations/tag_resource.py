"""TagResource: AddTagsToStream by resource ARN (streams only; consumers are not simulated)."""

from __future__ import annotations

from dataclasses import replace

from sim.services.kinesis.backend import Call
from sim.services.kinesis.operations._common import TAG_MAP, add_tags
from sim.services.kinesis.operations.list_tags_for_resource import stream_of
from sim.services.kinesis.validation import resource_arn

INPUT = {
    "Tags": replace(TAG_MAP, not_null=True),
    "ResourceARN": resource_arn(),
}


def run(call: Call, request: dict) -> None:
    add_tags(call, stream_of(call, request["ResourceARN"]), request["Tags"])
    return None
