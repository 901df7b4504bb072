"""GetRecords: records from a shard iterator's position, and the next iterator.

At most ``Limit`` (default and maximum 10,000) records and 10 MiB per call. ``MillisBehindLatest``
is the age of the oldest record not yet returned (0 when caught up). Once a closed shard has
been read to its end, ``NextShardIterator`` is absent (null) and ``ChildShards`` names the shards
that continue its hash-key range. Iterators expire 5 minutes (simulated) after being issued.
"""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import (
    ExpiredIteratorException,
    InvalidArgumentException,
    amz_utc,
    shard_does_not_exist,
)
from sim.services.kinesis.models import Shard, Stream, shard_id_for
from sim.services.kinesis.operations import RecordList
from sim.services.kinesis.operations._common import STREAM_ARN
from sim.services.kinesis.tokens import decode_iterator, encode_iterator
from sim.services.kinesis.validation import DRY_RUN, Field

INPUT = {
    "Limit": Field("Integer", ge=1, le=limits.GET_RECORDS_MAX_RECORDS),
    "ShardIterator": Field("String", not_null=True, min_len=1, max_len=limits.ITERATOR_MAX_LENGTH),
    "StreamARN": STREAM_ARN,
    "DryRun": DRY_RUN,
}


def child_shards(stream: Stream, shard: Shard) -> list[dict]:
    children = []
    for other in stream._shards[shard.index + 1 :]:
        if shard.shard_id in (other.parent_shard_id, other.adjacent_parent_shard_id):
            parents = [other.parent_shard_id]
            if other.adjacent_parent_shard_id:
                parents.append(other.adjacent_parent_shard_id)
            start, end = other.hash_key_range
            children.append(
                {
                    "ShardId": other.shard_id,
                    "ParentShards": parents,
                    "HashKeyRange": {"StartingHashKey": str(start), "EndingHashKey": str(end)},
                }
            )
    return children


def run(call: Call, request: dict) -> dict:
    state = decode_iterator(request["ShardIterator"])
    if state is None:
        raise InvalidArgumentException("Invalid ShardIterator.")
    now = call.now
    now_ms = int(now * 1000)
    if now_ms - state.issued_ms > limits.ITERATOR_LIFETIME_MS:
        raise ExpiredIteratorException(
            f"Iterator expired. The iterator was created at time {amz_utc(state.issued_ms)} "
            f"while right now it is {amz_utc(now_ms)} which is further in the future than the "
            f"tolerated delay of {limits.ITERATOR_LIFETIME_MS} milliseconds."
        )
    backend = call.backend
    stream = backend.lookup(state.stream_name)
    shard = stream.shard_at(state.shard_index) if stream is not None else None
    if shard is None or stream.serial != state.stream_serial:
        raise shard_does_not_exist(
            shard_id_for(state.shard_index), state.stream_name, call.account_id
        )
    stream.maintain(now)
    shard._trim(now)
    limit = request.get("Limit", limits.GET_RECORDS_DEFAULT_LIMIT)
    records, position = shard._read(state.position, limit, limits.GET_RECORDS_MAX_BYTES)
    out: dict = {"Records": RecordList(records)}
    end = shard.end_index
    if shard.is_closed and position >= end:
        out["MillisBehindLatest"] = 0
        out["ChildShards"] = child_shards(stream, shard)
        return out
    out["NextShardIterator"] = encode_iterator(
        stream.name, stream.serial, shard.index, position, now_ms
    )
    arrival = shard.arrival_at(position) if position < end else None
    out["MillisBehindLatest"] = 0 if arrival is None else max(0, int((now - arrival) * 1000))
    return out
