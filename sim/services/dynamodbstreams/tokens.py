"""Shard iterators: ``<stream ARN>|1|<opaque token>``, as AWS's look.

AWS's DynamoDB Streams iterators start with the stream's ARN, then ``|1|``, then an opaque
base64 string (a real one is quoted in a public paste of a GetRecords answer:
``arn:aws:dynamodb:ap-southeast-1:...:table/T/stream/2019-09-09T07:25:52.507|1|AAAAAAAAAAFp...``).
streamlab's token carries the shard's serial, an absolute position and the time the iterator
was issued (ms), behind an 8-byte keyed checksum and a keystream mask: nothing random goes in,
so the same request at the same simulated instant yields the same iterator, and a tampered or
foreign token is recognised as invalid.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from hashlib import sha256

_VERSION = "1"
_MAC_KEY = b"streamlab-dynamodbstreams-iterator"
_PREFIX = b"\x00\x00\x00\x00\x00\x00\x00\x01"
_CHECK = 8
_MAX_PAYLOAD = 256


@dataclass(frozen=True, slots=True)
class IteratorState:
    stream_arn: str
    shard_serial: int
    position: int
    issued_ms: int


def _mask(check: bytes, data: bytes) -> bytes:
    key = b"".join(sha256(check + bytes((i,))).digest() for i in range((len(data) + 31) // 32))
    return bytes(a ^ b for a, b in zip(data, key[: len(data)], strict=True))


def _arn_tag(stream_arn: str) -> str:
    """Binds a token to its stream: an iterator moved onto another ARN is invalid."""
    return sha256(stream_arn.encode("utf-8")).hexdigest()[:16]


def encode_iterator(stream_arn: str, shard_serial: int, position: int, issued_ms: int) -> str:
    payload = f"{issued_ms}/{shard_serial}/{position}/{_arn_tag(stream_arn)}".encode("ascii")
    check = sha256(_MAC_KEY + payload).digest()[:_CHECK]
    token = base64.b64encode(_PREFIX + check + _mask(check, payload)).decode("ascii")
    return f"{stream_arn}|{_VERSION}|{token}"


def decode_iterator(iterator: str) -> IteratorState | None:
    """The iterator's contents, or None if it is not one of ours (malformed or tampered)."""
    head, _, token = iterator.rpartition("|")
    stream_arn, _, version = head.rpartition("|")
    if not stream_arn or version != _VERSION:
        return None
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        return None
    start = len(_PREFIX) + _CHECK
    if not raw.startswith(_PREFIX) or not start < len(raw) <= start + _MAX_PAYLOAD:
        return None
    check = raw[len(_PREFIX) : start]
    payload = _mask(check, raw[start:])
    if sha256(_MAC_KEY + payload).digest()[:_CHECK] != check:
        return None
    try:
        issued, serial, position, tag = payload.decode("ascii").split("/")
        state = IteratorState(stream_arn, int(serial), int(position), int(issued))
    except ValueError:
        return None
    return state if tag == _arn_tag(stream_arn) else None
