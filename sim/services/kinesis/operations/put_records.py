"""PutRecords: up to 500 records (5 MiB with partition keys) in one request.

The request succeeds as a whole while single records may fail: an entry that would overflow
its shard's per-second limits (or an entry an injected fault refuses: ``throttle``,
``set_put_fault``) carries ``ErrorCode`` ProvisionedThroughputExceededException and AWS's message, and
``FailedRecordCount`` counts them. Results are in request order.
"""

from __future__ import annotations

from bisect import bisect_right
from hashlib import md5

from sim.services.kinesis import limits
from sim.services.kinesis.backend import Call
from sim.services.kinesis.exceptions import InvalidArgumentException, rate_exceeded_message
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME
from sim.services.kinesis.operations._writing import (
    DATA,
    EXPLICIT_HASH_KEY,
    PARTITION_KEY,
    explicit_hash_key,
    record_too_large,
)
from sim.services.kinesis.validation import DRY_RUN, Field

INPUT = {
    "Records": Field(
        "List",
        not_null=True,
        min_len=1,
        max_len=limits.PUT_RECORDS_MAX_RECORDS,
        member_str="com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310",
        children=Field(
            "Structure",
            children={
                "PartitionKey": PARTITION_KEY,
                "ExplicitHashKey": EXPLICIT_HASH_KEY,
                "Data": DATA,
            },
        ),
    ),
    "StreamName": STREAM_NAME,
    "StreamARN": STREAM_ARN,
    "DryRun": DRY_RUN,
}

_THROTTLED = "ProvisionedThroughputExceededException"
_from_bytes = int.from_bytes


def run(call: Call, request: dict) -> dict:
    stream = call.stream(request)
    now = call.now
    max_bytes = stream.max_record_bytes
    prepared = []
    total = 0
    for number, entry in enumerate(request["Records"], 1):
        partition_key = entry["PartitionKey"]
        data = entry["Data"]
        key_bytes = partition_key.encode("utf-8")
        size = len(data) + len(key_bytes)
        if size > max_bytes:
            raise record_too_large(len(data), size, max_bytes, f"records.{number}.member.data")
        total += size
        explicit = entry.get("ExplicitHashKey")
        if explicit is None:
            key = _from_bytes(md5(key_bytes).digest(), "big")
        else:
            key = explicit_hash_key(explicit)
        prepared.append((partition_key, data, size, key))
    if total > limits.PUT_RECORDS_MAX_REQUEST_BYTES:
        raise InvalidArgumentException("Records size exceeds 5 MB limit")

    throttled = now < stream.throttled_until
    fault = stream.put_fault
    refused = None if throttled or fault is None else fault.refusals(now, len(prepared))
    router = stream._router
    starts, owners = router._starts, router._shards
    encryption = stream.encryption_type
    on_demand = stream.mode == "ON_DEMAND"
    touched = call.touched
    results = []
    append = results.append
    failed = 0
    for index, (partition_key, data, size, key) in enumerate(prepared):
        shard = owners[bisect_right(starts, key) - 1]
        if throttled or (refused is not None and refused[index]) or not shard._admit(size, now):
            failed += 1
            append(
                {
                    "ErrorCode": _THROTTLED,
                    "ErrorMessage": rate_exceeded_message(
                        shard.shard_id, stream.name, call.account_id
                    ),
                }
            )
            continue
        if on_demand:
            shard._measure(size, now)
        record = shard._append(partition_key, data, size, now, encryption)
        touched[id(shard)] = (stream, shard)
        append({"SequenceNumber": record.sequence_number, "ShardId": shard.shard_id})
    out = {"FailedRecordCount": failed, "Records": results}
    if encryption != "NONE":
        out["EncryptionType"] = encryption
    return out
