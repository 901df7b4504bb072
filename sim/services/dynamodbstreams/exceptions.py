"""DynamoDB Streams errors: :mod:`sim.errors`' AWS-named classes plus the ones Streams adds.

Messages quoted from AWS answers where they were found; the others are marked "streamlab's
wording" where they are raised. The helpers below build the recurring texts so every operation
words them the same way.
"""

from __future__ import annotations

import time

from sim.errors import (
    AwsError,
    ExpiredIteratorException,
    LimitExceededException,
    ResourceNotFoundException,
    SerializationException,
    UnknownOperationException,
    ValidationException,
)

__all__ = [
    "AwsError",
    "ExpiredIteratorException",
    "InternalServerError",
    "LimitExceededException",
    "ResourceNotFoundException",
    "SerializationException",
    "TrimmedDataAccessException",
    "UnknownOperationException",
    "ValidationException",
    "amz_utc",
    "shard_not_found",
    "stream_not_found",
    "table_has_no_stream",
    "trimmed",
]


class TrimmedDataAccessException(AwsError):
    """Reading a position whose record has passed the 24-hour retention (API_streams_GetRecords)."""

    code = "TrimmedDataAccessException"


class InternalServerError(AwsError):
    code = "InternalServerError"
    status = 500


def stream_not_found(stream_arn: str) -> ResourceNotFoundException:
    """AWS's text for an unknown stream ARN (DescribeStream's answer as public client test
    suites quote it; LocalStack's provider uses the same)."""
    return ResourceNotFoundException(
        f"Requested resource not found: Stream: {stream_arn} not found"
    )


def shard_not_found() -> ResourceNotFoundException:
    """AWS's text for a shard id the stream does not have (the DynamoDB Streams Kinesis
    adapter's tests answer GetShardIterator with it)."""
    return ResourceNotFoundException("Requested resource not found: Shard does not exist")


def table_not_found(table_name: str) -> ResourceNotFoundException:
    """DynamoDB's text for an unknown table (DescribeTable)."""
    return ResourceNotFoundException(f"Requested resource not found: Table: {table_name} not found")


def table_has_no_stream(table_name: str) -> ResourceNotFoundException:
    """A table without a (retained) stream, asked for by name (streamlab's wording: AWS looks
    streams up by ARN only)."""
    return ResourceNotFoundException(
        f"Requested resource not found: Table: {table_name} has no stream"
    )


def trimmed() -> TrimmedDataAccessException:
    """AWS's text (quoted in ironSource/node-dynamodb-stream#13)."""
    return TrimmedDataAccessException("The data you are trying to access has been trimmed")


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def amz_utc(epoch_ms: int) -> str:
    """A time as AWS's Java services print it: ``Thu Jan 22 01:22:02 UTC 2015``."""
    t = time.gmtime(epoch_ms // 1000)
    return (
        f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}"
    )
