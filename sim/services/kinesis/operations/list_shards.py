"""ListShards: a stream's shards, a page at a time, optionally filtered.

``ShardFilter`` types (API_ShardFilter.html): ``AT_LATEST`` open shards; ``AT_TRIM_HORIZON``
shards open at the trim horizon (now minus retention, or the stream's creation if later);
``FROM_TRIM_HORIZON`` every shard still retained; ``AT_TIMESTAMP`` shards open at the time;
``FROM_TIMESTAMP`` shards open at or after it; ``AFTER_SHARD_ID`` shards after the id.
A ``NextToken`` carries the stream, the filter and the last shard; it expires after 300 s.
"""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import (
    ExpiredNextTokenException,
    InvalidArgumentException,
    ResourceNotFoundException,
)
from sim.services.kinesis.models import Shard, Stream
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME
from sim.services.kinesis.tokens import decode_next_token, encode_next_token
from sim.services.kinesis.validation import Field, shard_id

FILTER_TYPES = (
    "AFTER_SHARD_ID",
    "AT_TRIM_HORIZON",
    "FROM_TRIM_HORIZON",
    "AT_LATEST",
    "AT_TIMESTAMP",
    "FROM_TIMESTAMP",
)

INPUT = {
    "ExclusiveStartShardId": shard_id(),
    "MaxResults": Field("Integer", ge=1, le=limits.LIST_SHARDS_MAX_LIMIT),
    "NextToken": Field("String", min_len=1, max_len=1_048_576),
    "StreamCreationTimestamp": Field("Timestamp"),
    "StreamName": STREAM_NAME,
    "ShardFilter": Field(
        "Structure",
        children={
            "Type": Field("String", not_null=True, enum=FILTER_TYPES),
            "ShardId": shard_id(),
            "Timestamp": Field("Timestamp"),
        },
    ),
    "StreamARN": STREAM_ARN,
}

_TOKEN_KIND = "ListShards"


def run(call: Call, request: dict) -> dict:
    token = request.get("NextToken")
    named = request.get("StreamName") is not None or request.get("StreamARN") is not None
    if token is None and not named:
        raise InvalidArgumentException("Either NextToken or StreamName should be provided.")
    if token is not None and named:
        raise InvalidArgumentException("NextToken and StreamName cannot be provided together.")
    limit = request.get("MaxResults", limits.LIST_SHARDS_DEFAULT_LIMIT)
    if token is not None:
        for member in ("ExclusiveStartShardId", "StreamCreationTimestamp", "ShardFilter"):
            if request.get(member) is not None:
                raise InvalidArgumentException(
                    f"NextToken and {member} cannot be provided together."
                )
        fields = decode_next_token(_TOKEN_KIND, token)
        if fields is None:
            raise InvalidArgumentException(f"Invalid NextToken: {token}")
        name, serial, after_index, shard_filter, issued = fields
        if call.now - issued > limits.NEXT_TOKEN_LIFETIME_SECONDS:
            raise ExpiredNextTokenException(f"The NextToken has expired: {token}")
        stream = call.backend.lookup(name)
        if stream is None or stream.serial != serial:
            raise ResourceNotFoundException(
                f"Stream {name} under account {call.account_id} not found."
            )
        stream.maintain(call.now)
        shards = [s for s in _filtered(call, stream, shard_filter) if s.index > after_index]
    else:
        stream = call.stream(request)
        shard_filter = request.get("ShardFilter")
        shards = _filtered(call, stream, shard_filter)
        after = request.get("ExclusiveStartShardId")
        if after is not None:
            shards = [shard for shard in shards if shard.shard_id > after]
    page = shards[:limit]
    out: dict = {"Shards": [shard.describe() for shard in page]}
    if len(shards) > limit:
        out["NextToken"] = encode_next_token(
            _TOKEN_KIND, [stream.name, stream.serial, page[-1].index, shard_filter, call.now]
        )
    return out


def _filtered(call: Call, stream: Stream, shard_filter: dict | None) -> list[Shard]:
    shards = stream.listed()
    if shard_filter is None:
        return shards
    kind = shard_filter["Type"]
    if kind == "AT_LATEST":
        return [shard for shard in shards if not shard.is_closed]
    if kind in ("AT_TRIM_HORIZON", "FROM_TRIM_HORIZON"):
        horizon = max(call.now - stream.retention_seconds, stream.created_at)
        if kind == "FROM_TRIM_HORIZON":
            return shards
        return [shard for shard in shards if shard.open_at(horizon)]
    if kind == "AFTER_SHARD_ID":
        after = shard_filter.get("ShardId")
        if after is None:
            raise InvalidArgumentException(
                "ShardId must be specified when ShardFilter type is AFTER_SHARD_ID."
            )
        return [shard for shard in shards if shard.shard_id > after]
    timestamp = shard_filter.get("Timestamp")
    if timestamp is None:
        raise InvalidArgumentException(
            f"Timestamp must be specified when ShardFilter type is {kind}."
        )
    when = max(timestamp, stream.created_at)
    if kind == "AT_TIMESTAMP":
        return [shard for shard in shards if shard.open_at(when)]
    return [shard for shard in shards if shard.closed_at is None or shard.closed_at > when]
