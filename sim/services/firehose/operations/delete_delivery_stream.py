"""DeleteDeliveryStream: gone at once (AWS shows DELETING for a while). Records still buffered
are discarded, as AWS discards what it has not delivered (counted as dropped)."""

from __future__ import annotations

from sim.services.firehose.backend import Call


def run(call: Call, request: dict) -> dict:
    stream = call.stream(request["DeliveryStreamName"])
    stream.deleted = True
    stream.dropped += stream.buffered
    del call.backend.streams[stream.name]
    return {}
