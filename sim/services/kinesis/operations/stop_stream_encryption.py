"""StopStreamEncryption: records written from now on are unencrypted (``EncryptionType`` NONE)."""

from __future__ import annotations

from sim.services.kinesis.backend import Call
from sim.services.kinesis.operations.start_stream_encryption import INPUT as _START_INPUT

INPUT = dict(_START_INPUT)


def run(call: Call, request: dict) -> None:
    stream = call.stream(request)
    stream.encryption_type = "NONE"
    stream.key_id = None
    return None
