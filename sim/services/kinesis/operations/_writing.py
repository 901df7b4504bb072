"""What PutRecord and PutRecords share: hash keys, record-size rules, throttling text."""

from __future__ import annotations

from sim.services.kinesis import limits
from sim.services.kinesis.exceptions import InvalidArgumentException, ValidationException
from sim.services.kinesis.validation import Field

PARTITION_KEY = Field(
    "String",
    not_null=True,
    min_len=limits.PARTITION_KEY_MIN_LENGTH,
    max_len=limits.PARTITION_KEY_MAX_LENGTH,
)
EXPLICIT_HASH_KEY = Field("String", regex=limits.HASH_KEY_PATTERN)
DATA = Field("Blob", not_null=True, max_len=limits.DATA_MAX_BYTES)


def explicit_hash_key(value: str) -> int:
    key = int(value)
    if key >= limits.HASH_KEY_LIMIT:
        raise InvalidArgumentException(
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            f"Specified value was {value}"
        )
    return key


def record_too_large(data_length: int, size: int, max_bytes: int, path: str) -> Exception:
    """A record over the stream's maximum record size (data + partition key).

    Data alone over the limit is reported as AWS reports it for default streams (a
    ValidationException on the member, limit 1048576); data within it but data plus partition
    key over it gets an InvalidArgumentException worded by streamlab (AWS's text unknown).
    """
    if data_length > max_bytes:
        return ValidationException(
            f"1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 "
            f"lim={data_length} cap={data_length}]' at '{path}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {max_bytes}"
        )
    return InvalidArgumentException(
        f"Record size of {size} bytes (data plus partition key) exceeds the stream's maximum "
        f"record size of {max_bytes} bytes."
    )
