"""PutRecord: one record onto the shard its hash key routes to.

Raises ProvisionedThroughputExceededException when the shard's 1 MiB/s or 1,000 records/s
window is full (both capacity modes), while the stream is throttled for fault injection, or when
an injected put fault refuses the record (``KinesisBackend.set_put_fault``).
"""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import (
    InvalidArgumentException,
    ProvisionedThroughputExceededException,
    rate_exceeded_message,
)
from sim.services.kinesis.hashing import hash_key
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME
from sim.services.kinesis.operations._writing import (
    DATA,
    EXPLICIT_HASH_KEY,
    PARTITION_KEY,
    explicit_hash_key,
    record_too_large,
)
from sim.services.kinesis.sequence import parse_sequence
from sim.services.kinesis.validation import DRY_RUN, Field

INPUT = {
    "SequenceNumberForOrdering": Field("String", regex=limits.SEQUENCE_NUMBER_PATTERN),
    "PartitionKey": PARTITION_KEY,
    "ExplicitHashKey": EXPLICIT_HASH_KEY,
    "Data": DATA,
    "StreamName": STREAM_NAME,
    "StreamARN": STREAM_ARN,
    "DryRun": DRY_RUN,
}


def run(call: Call, request: dict) -> dict:
    stream = call.stream(request)
    now = call.now
    partition_key = request["PartitionKey"]
    data = request["Data"]
    key_bytes = partition_key.encode("utf-8")
    size = len(data) + len(key_bytes)
    if size > stream.max_record_bytes:
        raise record_too_large(len(data), size, stream.max_record_bytes, "data")
    explicit = request.get("ExplicitHashKey")
    key = explicit_hash_key(explicit) if explicit is not None else hash_key(key_bytes)
    ordering = request.get("SequenceNumberForOrdering")
    if ordering is not None:
        try:
            parts = parse_sequence(ordering)
            if parts.version == 0 or (parts.put_time is not None and parts.put_time > now):
                raise ValueError("not a current sequence number")
        except ValueError:
            raise InvalidArgumentException(
                f"ExclusiveMinimumSequenceNumber {ordering} used in PutRecord on stream "
                f"{stream.name} under account {call.account_id} is invalid."
            ) from None
    shard = stream.route(key)
    fault = stream.put_fault
    if (
        now < stream.throttled_until
        or (fault is not None and fault.refusals(now, 1))
        or not shard._admit(size, now)
    ):
        raise ProvisionedThroughputExceededException(
            rate_exceeded_message(shard.shard_id, stream.name, call.account_id)
        )
    if stream.mode == "ON_DEMAND":
        shard._measure(size, now)
    record = shard._append(partition_key, data, size, now, stream.encryption_type)
    call.wrote(stream, shard)
    out = {"ShardId": shard.shard_id, "SequenceNumber": record.sequence_number}
    if stream.encryption_type != "NONE":
        out["EncryptionType"] = stream.encryption_type
    return out
