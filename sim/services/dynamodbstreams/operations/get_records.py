"""GetRecords: the records from a shard iterator's position, and the next iterator.

At most ``Limit`` (default and maximum 1,000) records and 1 MB (their ``SizeBytes``) per call
(API_streams_GetRecords.html). ``NextShardIterator`` is absent (null) once a closed shard has
been read to its end ("If set to null, the shard has been closed"). An iterator older than 15
minutes is ExpiredIteratorException; one whose position has been trimmed since it was issued
is TrimmedDataAccessException ("You obtain a shard iterator, but before you use the iterator in
a GetRecords request, a stream record in the shard exceeds the 24 hour period and is trimmed",
API_streams_GetShardIterator.html).

Records are sent as stored (the Lambda event's record without ``eventSourceARN``), except
``userIdentity``, whose members are written ``PrincipalId`` / ``Type`` as the service model's
``Identity`` names them (so SDKs parse them; Lambda events spell them ``principalId`` /
``type``). The expired-iterator text follows Kinesis's (DynamoDB Streams' own is not recorded;
streamlab's assumption) with DynamoDB Streams' 900,000 ms; an iterator that is not one of ours
is a ValidationException "Invalid ShardIterator" (streamlab's wording).
"""

from __future__ import annotations

from typing import Any

from sim.services.dynamodbstreams import limits
from sim.services.dynamodbstreams.backend import Call
from sim.services.dynamodbstreams.exceptions import (
    ExpiredIteratorException,
    ValidationException,
    amz_utc,
    shard_not_found,
    trimmed,
)
from sim.services.dynamodbstreams.operations._common import limit
from sim.services.dynamodbstreams.sequence import epoch_ms
from sim.services.dynamodbstreams.tokens import decode_iterator, encode_iterator
from sim.services.dynamodbstreams.validation import Field

INPUT = {
    "ShardIterator": Field(
        "String",
        required=True,
        min_len=limits.SHARD_ITERATOR_MIN_LENGTH,
        max_len=limits.SHARD_ITERATOR_MAX_LENGTH,
    ),
    "Limit": limit(limits.GET_RECORDS_MAX_RECORDS),
}


def wire_record(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record as GetRecords sends it."""
    identity = record.get("userIdentity")
    if identity is None:
        return record
    out = dict(record)
    out["userIdentity"] = {"PrincipalId": identity["principalId"], "Type": identity["type"]}
    return out


def run(call: Call, request: dict) -> dict:
    state = decode_iterator(request["ShardIterator"])
    if state is None:
        raise ValidationException("Invalid ShardIterator")
    now = call.now
    now_ms = epoch_ms(now)
    if now_ms - state.issued_ms > limits.ITERATOR_LIFETIME_MS:
        raise ExpiredIteratorException(
            f"Iterator expired. The iterator was created at time {amz_utc(state.issued_ms)} "
            f"while right now it is {amz_utc(now_ms)} which is further in the future than the "
            f"tolerated delay of {limits.ITERATOR_LIFETIME_MS} milliseconds."
        )
    stream = call.backend.get_stream_by_arn(state.stream_arn)  # gone: AWS's not-found text
    shard = next((s for s in stream.shards if s.serial == state.shard_serial), None)
    if shard is None:
        raise shard_not_found()
    shard._trim(now)
    if state.position < shard._offset + shard._start:
        raise trimmed()
    count = request.get("Limit", limits.GET_RECORDS_MAX_RECORDS)
    records, position = shard._read(state.position, count, limits.GET_RECORDS_MAX_BYTES)
    out: dict[str, Any] = {"Records": [wire_record(r.record) for r in records]}
    if shard.closed_at is None or position < shard.end_index:
        out["NextShardIterator"] = encode_iterator(stream.arn, shard.serial, position, now_ms)
    return out
