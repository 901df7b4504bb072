"""Sequence numbers, shard ids and stream labels shaped like AWS's.

* A sequence number is a decimal string of 21 to 40 digits (botocore ``SequenceNumber``). AWS's
  look like ``000000000000000075450`` (a shard listed by DescribeStream, quoted in
  CoorpAcademy/serverless-plugins#36) or ``21258800000000008186106757``. streamlab's are the
  shard's serial times ``SEQUENCE_SHARD_SPAN`` plus the record's absolute position + 1,
  zero-padded to 21 digits: strictly increasing within a shard, larger in a child shard than in
  its parent, unique within a region, and decodable back to (shard, position) in O(1).
* A shard id is ``shardId-`` + the shard's creation time in epoch milliseconds on 20 digits +
  ``-`` + 8 hex digits, as in ``shardId-00000001414562045508-2bac9cd2`` (API_streams_Shard
  examples; ``shardId-00000001573689847184-864758bb`` in services-dynamodb-errors.html).
* A stream label is the stream's creation time, ISO 8601 in UTC with milliseconds and no zone,
  ``2015-05-11T21:21:33.291`` (the ARN example in Streams.html).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sim.services.dynamodbstreams.limits import SEQUENCE_DIGITS, SEQUENCE_SHARD_SPAN

# Process time under time-machine comes back through integer nanoseconds, so a simulated
# 12.25 s can read 12.2499998 s: instants are cut to whole ms / s with this much tolerance.
_TOLERANCE = 1e-6  # seconds


def epoch_ms(epoch_seconds: float) -> int:
    """Whole milliseconds of an instant (rounded down, tolerant of float noise)."""
    return int((epoch_seconds + _TOLERANCE) * 1000)


def whole_seconds(epoch_seconds: float) -> float:
    """An instant rounded down to the second (as ApproximateCreationDateTime is), a float."""
    return float(int(epoch_seconds + _TOLERANCE))


def format_sequence(shard_serial: int, position: int) -> str:
    """The sequence number of the record at absolute ``position`` of shard ``shard_serial``."""
    return f"{shard_serial * SEQUENCE_SHARD_SPAN + position + 1:0{SEQUENCE_DIGITS}d}"


def parse_sequence(sequence_number: str) -> tuple[int, int]:
    """``(shard_serial, position)`` of a sequence number; :class:`ValueError` if it is not one
    of streamlab's (not decimal, or position part 0)."""
    if not sequence_number.isdigit() or not sequence_number.isascii():
        raise ValueError(f"not a sequence number: {sequence_number!r}")
    serial, rest = divmod(int(sequence_number), SEQUENCE_SHARD_SPAN)
    if rest == 0:
        raise ValueError(f"not a record's sequence number: {sequence_number!r}")
    return serial, rest - 1


def shard_id(created_ms: int, suffix: int) -> str:
    """``shardId-00000001414562045508-2bac9cd2``: creation time (ms) and 32 bits of suffix."""
    return f"shardId-{created_ms:020d}-{suffix & 0xFFFF_FFFF:08x}"


def stream_label(epoch_ms: int) -> str:
    """``2015-05-11T21:21:33.291``: a UTC instant with milliseconds."""
    moment = datetime.fromtimestamp(epoch_ms // 1000, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{epoch_ms % 1000:03d}"
