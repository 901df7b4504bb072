"""DeleteStream: the stream goes at once (AWS shows DELETING for a while first).

Iterators issued for it fail afterwards with ResourceNotFoundException, also when a stream of
the same name is created again. ``EnforceConsumerDeletion`` is accepted; streamlab has no
enhanced fan-out consumers to delete.
"""

from __future__ import annotations

from sim.services.kinesis.backend import Call
from sim.services.kinesis.operations._common import STREAM_ARN, STREAM_NAME
from sim.services.kinesis.validation import Field

INPUT = {
    "StreamName": STREAM_NAME,
    "EnforceConsumerDeletion": Field("Boolean"),
    "StreamARN": STREAM_ARN,
}


def run(call: Call, request: dict) -> None:
    stream = call.stream(request)
    call.backend.remove_stream(stream)
    return None
