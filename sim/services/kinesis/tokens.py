"""Opaque tokens: shard iterators and paging NextTokens.

A shard iterator encodes the stream (name and creation serial), the shard, an absolute position
in it and the time it was issued, in milliseconds. Like AWS's it is base64 of eight bytes
``00 00 00 00 00 00 00 01`` followed by what looks like ciphertext: here an 8-byte keyed
checksum of the payload, then the payload XORed with a keystream derived from that checksum. Nothing random goes in, so the same request at
the same simulated time yields the same iterator; a tampered or foreign string fails the
checksum and is answered "Invalid ShardIterator." as AWS does.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from hashlib import sha256

_PREFIX = b"\x00\x00\x00\x00\x00\x00\x00\x01"
_MAC_KEY = b"streamlab-kinesis-token"
_CHECK = 8
_MAX_PAYLOAD = 4096


def _keystream(check: bytes, length: int) -> bytes:
    blocks = (length + 31) // 32
    return b"".join(sha256(check + bytes((i,))).digest() for i in range(blocks))[:length]


def _mask(check: bytes, data: bytes) -> bytes:
    n = len(data)
    key = _keystream(check, n)
    return (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


def _seal(payload: bytes) -> str:
    if len(payload) > _MAX_PAYLOAD:
        raise ValueError("token payload too long")
    check = sha256(_MAC_KEY + payload).digest()[:_CHECK]
    return base64.b64encode(_PREFIX + check + _mask(check, payload)).decode("ascii")


def _open(token: str) -> bytes | None:
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        return None
    head = len(_PREFIX) + _CHECK
    if len(raw) <= head or len(raw) > head + _MAX_PAYLOAD or not raw.startswith(_PREFIX):
        return None
    check = raw[len(_PREFIX) : head]
    payload = _mask(check, raw[head:])
    if sha256(_MAC_KEY + payload).digest()[:_CHECK] != check:
        return None
    return payload


@dataclass(frozen=True, slots=True)
class IteratorState:
    stream_name: str
    stream_serial: int
    shard_index: int
    position: int
    issued_ms: int


def encode_iterator(
    stream_name: str, stream_serial: int, shard_index: int, position: int, issued_ms: int
) -> str:
    payload = f"{issued_ms}/{stream_serial}/{shard_index}/{position}/{stream_name}"
    return _seal(payload.encode("utf-8"))


def decode_iterator(token: str) -> IteratorState | None:
    """The iterator's contents, or None if it is not one of ours."""
    payload = _open(token)
    if payload is None:
        return None
    try:
        issued, serial, shard, position, name = payload.decode("utf-8").split("/", 4)
        return IteratorState(name, int(serial), int(shard), int(position), int(issued))
    except ValueError:
        return None


def encode_next_token(kind: str, fields: list) -> str:
    return _seal(json.dumps([kind, *fields], separators=(",", ":")).encode("utf-8"))


def decode_next_token(kind: str, token: str) -> list | None:
    payload = _open(token)
    if payload is None:
        return None
    try:
        value = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(value, list) or not value or value[0] != kind:
        return None
    return value[1:]
