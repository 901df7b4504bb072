"""Routing: partition keys to 128-bit hash keys, hash keys to shards.

Kinesis takes the MD5 of the partition key (UTF-8) as a 128-bit big-endian integer, unless the
record carries an ``ExplicitHashKey``; the record goes to the open shard whose hash-key range
contains it (API_PutRecordsRequestEntry.html). Open shards always cover 0 .. 2^128-1 without
gaps, so routing is a bisect over their range starts.
"""

from __future__ import annotations

from bisect import bisect_right
from hashlib import md5

from sim.services.kinesis.limits import HASH_KEY_LIMIT

HASH_KEY_MAX = HASH_KEY_LIMIT - 1

_from_bytes = int.from_bytes


def hash_key(partition_key_utf8: bytes) -> int:
    """The 128-bit hash key of a partition key given as UTF-8 bytes."""
    return _from_bytes(md5(partition_key_utf8).digest(), "big")


def partition_key_hash(partition_key: str) -> int:
    return hash_key(partition_key.encode("utf-8"))


def even_ranges(count: int) -> list[tuple[int, int]]:
    """``count`` contiguous ranges over 0 .. 2^128-1, as CreateStream makes them.

    Each range is ``floor(2^128 / count)`` wide; the last one takes the remainder
    (kinesalite ``actions/createStream.js``, read off AWS).
    """
    width = HASH_KEY_LIMIT // count
    return [
        (i * width, ((i + 1) * width if i < count - 1 else HASH_KEY_LIMIT) - 1)
        for i in range(count)
    ]


class Router:
    """Finds the open shard owning a hash key, in O(log shards)."""

    __slots__ = ("_starts", "_shards")

    def __init__(self, shards: list) -> None:
        ordered = sorted(shards, key=lambda shard: shard.hash_key_range[0])
        self._starts = [shard.hash_key_range[0] for shard in ordered]
        self._shards = ordered

    def route(self, key: int):
        return self._shards[bisect_right(self._starts, key) - 1]

    def __len__(self) -> int:
        return len(self._shards)
