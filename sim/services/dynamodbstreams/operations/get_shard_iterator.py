"""GetShardIterator: a position in a shard, as an iterator valid for 15 minutes.

``TRIM_HORIZON`` is the oldest retained record, ``LATEST`` just after the newest (for a closed
shard its end: GetRecords then answers with no records and no next iterator),
``AT_SEQUENCE_NUMBER`` / ``AFTER_SEQUENCE_NUMBER`` at or just after one of the shard's records,
``AT_TIMESTAMP`` the first record written at or after ``Timestamp`` (the oldest retained one if
the time is before the trim horizon; a time in the future is a ValidationException, as the API
reference says). A sequence number whose record has been trimmed is
TrimmedDataAccessException ("You request a shard iterator with a sequence number older than
the trim point (24 hours)", API_streams_GetShardIterator.html).

Texts that are streamlab's wording (AWS's are not recorded): a missing or superfluous
``SequenceNumber``, a sequence number that is not one of the shard's, a missing or future
``Timestamp``.
"""

from __future__ import annotations

from sim.services.dynamodbstreams import limits
from sim.services.dynamodbstreams.backend import Call
from sim.services.dynamodbstreams.exceptions import ValidationException, shard_not_found, trimmed
from sim.services.dynamodbstreams.operations._common import shard_id, stream_arn
from sim.services.dynamodbstreams.sequence import epoch_ms
from sim.services.dynamodbstreams.tokens import encode_iterator
from sim.services.dynamodbstreams.validation import Field

ITERATOR_TYPES = (
    "TRIM_HORIZON",
    "LATEST",
    "AT_SEQUENCE_NUMBER",
    "AFTER_SEQUENCE_NUMBER",
    "AT_TIMESTAMP",
)
_BY_SEQUENCE = ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")

INPUT = {
    "StreamArn": stream_arn(required=True),
    "ShardId": shard_id(required=True),
    "ShardIteratorType": Field("String", required=True, enum=ITERATOR_TYPES),
    "SequenceNumber": Field(
        "String",
        min_len=limits.SEQUENCE_NUMBER_MIN_LENGTH,
        max_len=limits.SEQUENCE_NUMBER_MAX_LENGTH,
    ),
    "Timestamp": Field("Timestamp"),
}


def run(call: Call, request: dict) -> dict:
    stream = call.backend.get_stream_by_arn(request["StreamArn"])
    shard = stream.shard(request["ShardId"])
    if shard is None:
        raise shard_not_found()
    now = call.now
    shard._trim(now)
    first = shard._offset + shard._start
    kind = request["ShardIteratorType"]
    sequence = request.get("SequenceNumber")
    if kind in _BY_SEQUENCE:
        if sequence is None:
            raise ValidationException(f"SequenceNumber is required for ShardIteratorType {kind}.")
        try:
            at = shard.index_of_sequence(sequence)
        except ValueError:
            raise ValidationException(
                f"Invalid SequenceNumber {sequence} for shard {shard.shard_id}: it is not the "
                "sequence number of a record of this shard."
            ) from None
        if at < first:
            raise trimmed()
        position = at + 1 if kind == "AFTER_SEQUENCE_NUMBER" else at
    elif sequence is not None:
        raise ValidationException(
            f"SequenceNumber must not be given with ShardIteratorType {kind}."
        )
    elif kind == "TRIM_HORIZON":
        position = first
    elif kind == "LATEST":
        position = shard.end_index
    else:  # AT_TIMESTAMP
        timestamp = request.get("Timestamp")
        if timestamp is None:
            raise ValidationException("Timestamp is required for ShardIteratorType AT_TIMESTAMP.")
        if timestamp > now:
            raise ValidationException(
                f"Timestamp {timestamp:.3f} is in the future (current time {now:.3f})."
            )
        position = shard.index_at_timestamp(timestamp)
    return {"ShardIterator": encode_iterator(stream.arn, shard.serial, position, epoch_ms(now))}
