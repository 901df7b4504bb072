"""StartStreamEncryption: records written from now on report ``EncryptionType`` KMS.

No key is checked or used; the data is stored as given.
"""

from __future__ import annotations

from sim.services.kinesis.backend import Call
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME
from sim.services.kinesis.validation import Field

INPUT = {
    "StreamName": STREAM_NAME,
    "EncryptionType": Field("String", not_null=True, enum=("NONE", "KMS")),
    "KeyId": Field("String", not_null=True, min_len=1, max_len=2048),
    "StreamARN": STREAM_ARN,
}


def run(call: Call, request: dict) -> None:
    stream = call.stream(request)
    stream.encryption_type = request["EncryptionType"]
    stream.key_id = request["KeyId"] if stream.encryption_type == "KMS" else None
    return None
