"""GetShardIterator: a position in a shard, as an opaque iterator valid for 5 minutes.

``TRIM_HORIZON`` is the oldest retained record, ``LATEST`` just after the newest (for a closed
shard: its end, so GetRecords answers at once with no records and the child shards),
``AT_TIMESTAMP`` the first record that arrived at or after the time, ``AT_SEQUENCE_NUMBER`` /
``AFTER_SEQUENCE_NUMBER`` at or after a record of this shard. Sequence numbers that do not
belong to the shard are refused with AWS's messages.
"""

from __future__ import annotations

from bisect import bisect_left
from operator import attrgetter

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import (
    InternalFailure,
    InvalidArgumentException,
    ResourceNotFoundException,
    shard_does_not_exist,
    shard_not_found,
)
from sim.services.kinesis.models import shard_id_for, shard_index_of
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME
from sim.services.kinesis.sequence import parse_sequence
from sim.services.kinesis.tokens import encode_iterator
from sim.services.kinesis.validation import DRY_RUN, Field, shard_id

ITERATOR_TYPES = (
    "AFTER_SEQUENCE_NUMBER",
    "LATEST",
    "AT_TIMESTAMP",
    "AT_SEQUENCE_NUMBER",
    "TRIM_HORIZON",
)

INPUT = {
    "ShardId": shard_id(not_null=True),
    "ShardIteratorType": Field("String", not_null=True, enum=ITERATOR_TYPES),
    "StartingSequenceNumber": Field("String", regex=limits.SEQUENCE_NUMBER_PATTERN),
    "StreamName": STREAM_NAME,
    "Timestamp": Field("Timestamp"),
    "StreamARN": STREAM_ARN,
    "DryRun": DRY_RUN,
}

_MUST_EITHER = (
    "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
    "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
)
_arrival = attrgetter("arrival")


def display_shard_id(index: int) -> str:
    """How AWS names the shard a sequence number encodes (negative indexes included)."""
    if index < 0:
        return f"shardId--{abs(index):011d}"
    return shard_id_for(index)


def run(call: Call, request: dict) -> dict:
    account = call.account_id
    given = request["ShardId"]
    index = shard_index_of(given)
    stream_label = request.get("StreamName") or call.backend._name_from_arn(
        request.get("StreamARN") or ""
    )
    if index is None:
        raise shard_not_found(given, stream_label, account)
    shard_id_text = shard_id_for(index)
    try:
        stream = call.stream(request)
    except ResourceNotFoundException:
        raise shard_does_not_exist(shard_id_text, stream_label, account) from None
    shard = stream.shard_at(index)
    if shard is None or shard.expired:
        raise shard_does_not_exist(shard_id_text, stream.name, account)

    now = call.now
    shard._trim(now)
    kind = request["ShardIteratorType"]
    sequence = request.get("StartingSequenceNumber")
    if sequence is not None and kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        invalid = (
            f"StartingSequenceNumber {sequence} used in GetShardIterator on shard "
            f"{shard.shard_id} in stream {stream.name} under account {account} is invalid"
        )
        try:
            parts = parse_sequence(sequence)
        except ValueError:
            raise InvalidArgumentException(invalid + ".") from None
        if parts.shard_index != index:
            raise InvalidArgumentException(
                f"Invalid StartingSequenceNumber. It encodes "
                f"{display_shard_id(parts.shard_index)}, while it was used in a call to a shard "
                f"with {shard.shard_id}"
            )
        if parts.version != 2 or parts.shard_created != shard.created_seconds:
            if parts.version == 0:
                raise InternalFailure("")
            raise InvalidArgumentException(invalid + " because it did not come from this stream.")
        position = shard.position_of_counter(parts.counter, kind == "AFTER_SEQUENCE_NUMBER")
    elif sequence is not None and kind in ("TRIM_HORIZON", "LATEST"):
        raise InvalidArgumentException(
            _MUST_EITHER + f"Request specified {kind} and also a StartingSequenceNumber."
        )
    elif kind == "TRIM_HORIZON":
        position = shard._offset + shard._start
    elif kind == "LATEST":
        position = shard.end_index
    elif kind == "AT_TIMESTAMP":
        timestamp = request.get("Timestamp")
        if timestamp is None:
            raise InvalidArgumentException(
                "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                "Current request has no timestamp parameter."
            )
        timestamp_ms = int(round(timestamp * 1000))
        now_ms = int(now * 1000)
        if timestamp_ms > now_ms:
            raise InvalidArgumentException(
                "The timestampInMillis parameter cannot be greater than the "
                f"currentTimestampInMillis. timestampInMillis: {timestamp_ms}, "
                f"currentTimestampInMillis: {now_ms}"
            )
        records = shard._records
        position = shard._offset + bisect_left(records, timestamp, shard._start, key=_arrival)
    else:
        raise InvalidArgumentException(
            _MUST_EITHER + f"Request specified {kind} and no StartingSequenceNumber."
        )
    iterator = encode_iterator(stream.name, stream.serial, index, position, int(now * 1000))
    return {"ShardIterator": iterator}
