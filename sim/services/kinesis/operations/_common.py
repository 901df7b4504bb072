"""Pieces several operations share: member specs, shard lookup, tag rules, limit messages."""

from __future__ import annotations

import re

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import (
    InvalidArgumentException,
    LimitExceededException,
    ValidationException,
    shard_not_found,
)
from sim.services.kinesis.models import Shard, Stream, shard_id_for, shard_index_of
from sim.services.kinesis.validation import Field, stream_arn, stream_name

STREAM_NAME = stream_name()
STREAM_NAME_REQUIRED = stream_name(not_null=True)
STREAM_ARN = stream_arn()
STREAM_ARN_REQUIRED = stream_arn(not_null=True)
STREAM_MODE_DETAILS = Field(
    "Structure",
    children={"StreamMode": Field("String", not_null=True, enum=("PROVISIONED", "ON_DEMAND"))},
)
TAG_MAP = Field(
    "Map",
    min_len=1,
    max_len=200,
    child_key_lengths=(1, limits.TAG_KEY_MAX_LENGTH),
    child_value_lengths=(0, limits.TAG_VALUE_MAX_LENGTH),
    children=Field("String"),
)
TAG_KEY_LIST = Field(
    "List",
    not_null=True,
    min_len=1,
    max_len=50,
    child_lengths=(1, limits.TAG_KEY_MAX_LENGTH),
    children=Field("String"),
)


def shard_for_change(call: Call, stream: Stream, given: str) -> Shard:
    """The shard a Split/Merge names; AWS's "Could not find shard" if none."""
    index = shard_index_of(given)
    shard = stream.shard_at(index) if index is not None else None
    if shard is None or shard.expired:
        name = given if index is None else shard_id_for(index)
        raise shard_not_found(name, stream.name, call.account_id)
    return shard


def require_open(call: Call, stream: Stream, shard: Shard) -> None:
    if shard.is_closed:
        raise InvalidArgumentException(
            f"Shard {shard.shard_id} in stream {stream.name} under account {call.account_id} "
            "has already been merged or split, and thus is not eligible for merging or splitting."
        )


def require_provisioned(call: Call, stream: Stream) -> None:
    """Resharding calls on an on-demand stream fail as AWS answers them (moto's text)."""
    if stream.mode == "ON_DEMAND":
        raise ValidationException(
            f"Request is invalid. Stream {stream.name} under account {call.account_id} "
            "is in On-Demand mode."
        )


def check_shard_limit(call: Call, additional: int) -> None:
    backend = call.backend
    current = backend.open_shard_count()
    if current + additional > backend.shard_limit:
        raise LimitExceededException(
            f"This request would exceed the shard limit for the account {call.account_id} in "
            f"{backend.region}. Current shard count for the account: {current}. Limit: "
            f"{backend.shard_limit}. Number of additional shards that would have resulted from "
            f"this request: {additional}. Refer to the AWS Service Limits page "
            "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) "
            "for current limits and how to request higher limits."
        )


# Tag characters AWS accepts (kinesalite addTagsToStream.js, matched against AWS).
_BAD_TAG_CHARACTER = re.compile(r"[^\u00C0-\u1FFF\u2C00-\uD7FFa-zA-Z0-9_./\-=+ @%]")


def check_tag_characters(call: Call, stream_name: str, strings: list[str], verb: str) -> None:
    """``verb`` is "add tags to" or "remove tags from"."""
    if any(_BAD_TAG_CHARACTER.search(s) for s in strings):
        raise InvalidArgumentException(
            "Some tags contain invalid characters. Valid characters: "
            "Unicode letters, digits, white space, _ . / = + - % @."
        )
    if any("%" in s for s in strings):
        raise InvalidArgumentException(
            f"Failed to {verb} stream {stream_name} under account {call.account_id} because "
            "some tags contained illegal characters. The allowed characters are Unicode "
            "letters, white-spaces, '_',',','/','=','+','-','@'."
        )


def add_tags(call: Call, stream: Stream, tags: dict[str, str]) -> None:
    check_tag_characters(call, stream.name, [*tags, *tags.values()], "add tags to")
    if len(set(stream.tags) | set(tags)) > limits.TAGS_PER_STREAM_MAX:
        raise InvalidArgumentException(
            f"Failed to add tags to stream {stream.name} under account {call.account_id} "
            f"because a given stream cannot have more than {limits.TAGS_PER_STREAM_MAX} tags "
            "associated with it."
        )
    stream.tags.update(tags)


def remove_tags(call: Call, stream: Stream, keys: list[str]) -> None:
    check_tag_characters(call, stream.name, keys, "remove tags from")
    for key in keys:
        stream.tags.pop(key, None)


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": tags[key]} for key in sorted(tags)]
