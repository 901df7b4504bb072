"""Kinesis errors: :mod:`sim.errors`' AWS-named classes plus the few Kinesis adds.

Messages follow AWS's wording as kinesalite recorded it against the real service; the helper
functions below build the recurring ones so every operation words them the same way.
"""

from __future__ import annotations

import time

from sim.errors import (
    AccessDeniedException,
    AwsError,
    ExpiredIteratorException,
    InternalFailure,
    InvalidArgumentException,
    LimitExceededException,
    ProvisionedThroughputExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    SerializationException,
    UnknownOperationException,
    ValidationException,
)

__all__ = [
    "AccessDeniedException",
    "AwsError",
    "DryRunOperationException",
    "ExpiredIteratorException",
    "ExpiredNextTokenException",
    "InternalFailure",
    "InvalidArgumentException",
    "LimitExceededException",
    "NotSimulatedException",
    "ProvisionedThroughputExceededException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "SerializationException",
    "UnknownOperationException",
    "ValidationException",
    "amz_utc",
    "shard_not_found",
    "shard_does_not_exist",
    "stream_not_found",
    "rate_exceeded_message",
]


class ExpiredNextTokenException(AwsError):
    code = "ExpiredNextTokenException"


class DryRunOperationException(AwsError):
    code = "DryRunOperationException"


class NotSimulatedException(AwsError):
    """An operation of AWS's Kinesis API that streamlab does not simulate.

    Status 400 (not 5xx) so that SDKs report it at once instead of retrying.
    """

    code = "NotImplementedException"


def stream_not_found(name: str, account_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Stream {name} under account {account_id} not found.")


def shard_not_found(shard: str, stream: str, account_id: str) -> ResourceNotFoundException:
    """The message for a shard id that does not parse or names no shard (Split/Merge/...)."""
    return ResourceNotFoundException(
        f"Could not find shard {shard} in stream {stream} under account {account_id}."
    )


def shard_does_not_exist(shard_id: str, stream: str, account_id: str) -> ResourceNotFoundException:
    """The message GetShardIterator / GetRecords give for a well-formed id with no shard."""
    return ResourceNotFoundException(
        f"Shard {shard_id} in stream {stream} under account {account_id} does not exist"
    )


def rate_exceeded_message(shard_id: str, stream: str, account_id: str) -> str:
    return f"Rate exceeded for shard {shard_id} in stream {stream} under account {account_id}."


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def amz_utc(epoch_ms: int) -> str:
    """A time as AWS's Java services print it: ``Thu Jan 22 01:22:02 UTC 2015`` (no locale)."""
    t = time.gmtime(epoch_ms // 1000)
    return (
        f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}"
    )
