"""SplitShard: close a shard; two children split its hash-key range at ``NewStartingHashKey``.

Done at once (AWS keeps the stream UPDATING for a while). The parent keeps its records and stays
readable until they pass the retention period; its ``EndingSequenceNumber`` is set.
"""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import InvalidArgumentException, shard_not_found
from sim.services.kinesis.models import shard_index_of
from sim.services.kinesis.operations._common import (
    STREAM_ARN,
    STREAM_NAME,
    check_shard_limit,
    require_open,
    require_provisioned,
    shard_for_change,
)
from sim.services.kinesis.validation import Field, shard_id

INPUT = {
    "NewStartingHashKey": Field("String", not_null=True, regex=limits.HASH_KEY_PATTERN),
    "StreamName": STREAM_NAME,
    "ShardToSplit": shard_id(not_null=True),
    "StreamARN": STREAM_ARN,
}


def run(call: Call, request: dict) -> None:
    given = request["ShardToSplit"]
    if shard_index_of(given) is None:
        label = request.get("StreamName") or call.backend._name_from_arn(
            request.get("StreamARN") or ""
        )
        raise shard_not_found(given, label, call.account_id)
    stream = call.stream(request)
    require_provisioned(call, stream)
    shard = shard_for_change(call, stream, given)
    check_shard_limit(call, 1)
    new_start = int(request["NewStartingHashKey"])
    start, end = shard.hash_key_range
    if new_start <= start + 1 or new_start >= end:
        raise InvalidArgumentException(
            f"NewStartingHashKey {request['NewStartingHashKey']} used in SplitShard() on shard "
            f"{shard.shard_id} in stream {stream.name} under account {call.account_id} is not "
            f"both greater than one plus the shard's StartingHashKey {start} and less than the "
            f"shard's EndingHashKey {end}."
        )
    require_open(call, stream, shard)
    stream.split(shard, new_start, call.now)
    return None
