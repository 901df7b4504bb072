"""Sequence numbers shaped like AWS's.

A Kinesis sequence number is a 56-digit decimal. Written in hex it has 47 digits that pack, from
left to right (version 2, the layout kinesalite read off AWS, ``db/index.js``)::

    2 | shard creation time (9 hex, epoch s) | shard index, low nibble (1)
      | per-shard counter (16, top bit clear) | unknown byte, 00 (2)
      | put time (9 hex, epoch s) | shard index (8) | 2 (the version)

The counter sits above the put time, so numbers increase strictly within a shard as the counter
does, whatever the clock. streamlab's counter is the record's absolute position in the shard
plus one; the shard's ``StartingSequenceNumber`` has counter 0 and a closed shard's
``EndingSequenceNumber`` has the largest counter, ``0x7fffffffffffffff``.

:func:`parse_sequence` also reads AWS's older layouts (versions 0 and 1) so that it can tell a
foreign number from a malformed one, as AWS's error messages do.
"""

from __future__ import annotations

from dataclasses import dataclass

VERSION = 2
MAX_COUNTER = 0x7FFF_FFFF_FFFF_FFFF

_POW_2_124 = 1 << 124
_POW_2_129 = 1 << 129
_POW_2_185 = 1 << 185
_POW_2_185_NEXT = 3 << 184  # 1.5 * 2**185
_MAX_CREATE_SECONDS = 16_025_175_000  # above this AWS rejects the number ("date too large")

_COUNTER_SHIFT = 80
_PUT_TIME_SHIFT = 36


@dataclass(frozen=True, slots=True)
class SequenceParts:
    """What a sequence number encodes."""

    version: int
    shard_created: int  # epoch seconds
    shard_index: int
    counter: int
    put_time: int | None  # epoch seconds (None for version 0, which does not carry it)
    byte1: int = 0


def shard_base(shard_created: int, shard_index: int) -> int:
    """The bits every sequence number of one shard shares (version 2)."""
    return (
        (2 << 184)
        | ((shard_created & 0xF_FFFF_FFFF) << 148)
        | ((shard_index & 0xF) << 144)
        | ((shard_index & 0xFFFF_FFFF) << 4)
        | VERSION
    )


def compose(base: int, counter: int, put_time: int) -> int:
    """The integer value of a sequence number: ``str()`` of it is the AWS-shaped string."""
    return base | (counter << _COUNTER_SHIFT) | ((put_time & 0xF_FFFF_FFFF) << _PUT_TIME_SHIFT)


def format_sequence(shard_created: int, shard_index: int, counter: int, put_time: int) -> str:
    return str(compose(shard_base(shard_created, shard_index), counter, put_time))


def parse_sequence(sequence_number: str | int) -> SequenceParts:
    """Decode a sequence number; :class:`ValueError` if AWS would not accept it as one."""
    n = int(sequence_number)
    if n < 0:
        raise ValueError("negative sequence number")
    if n < _POW_2_124:
        n += _POW_2_124
    digits = f"{n:x}"
    if n < _POW_2_129:
        version = 0
    elif _POW_2_185 < n < _POW_2_185_NEXT:
        version = int(digits[-1], 16)
    else:
        raise ValueError("unknown sequence number version")
    if version == 0:
        created = int(digits[1:10], 16)
        if created >= _MAX_CREATE_SECONDS:
            raise ValueError(f"date too large: {created}")
        return SequenceParts(
            version=0,
            shard_created=created,
            shard_index=int(digits[28:32], 16),
            counter=0,
            put_time=None,
            byte1=int(digits[10:12], 16),
        )
    if version == 2:
        counter_hex, index_hex = digits[11:27], digits[38:46]
        if int(counter_hex[0], 16) > 7:
            raise ValueError("sequence index too high")
        index = int(index_hex, 16)
        if index >= 1 << 31:
            index -= 1 << 32
        created = int(digits[1:10], 16)
        if created >= _MAX_CREATE_SECONDS:
            raise ValueError(f"date too large: {created}")
        return SequenceParts(
            version=2,
            shard_created=created,
            shard_index=index,
            counter=int(counter_hex, 16),
            put_time=int(digits[29:38], 16),
            byte1=int(digits[27:29], 16),
        )
    if version == 1:
        return SequenceParts(
            version=1,
            shard_created=int(digits[1:10], 16),
            shard_index=int(digits[38:46], 16),
            counter=int(digits[36:38], 16),
            put_time=int(digits[13:22], 16),
            byte1=int(digits[11:13], 16),
        )
    raise ValueError(f"unknown sequence number version {version}")
