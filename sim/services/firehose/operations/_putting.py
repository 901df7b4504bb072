"""What PutRecord and PutRecordBatch share."""

from __future__ import annotations

from sim.ids import uuid4
from sim.services.firehose.backend import Call
from sim.services.firehose.exceptions import not_permitted_on_kinesis_source
from sim.services.firehose.models import DeliveryStream


def target(call: Call, request: dict) -> DeliveryStream:
    stream = call.stream(request["DeliveryStreamName"])
    if stream.type != "DirectPut":
        raise not_permitted_on_kinesis_source()
    return stream


def record_id(call: Call) -> str:
    """An opaque record id (AWS's are 224 hex-ish characters; streamlab's are two UUIDs)."""
    rng = call.backend.rng
    return (uuid4(rng) + uuid4(rng)).replace("-", "")


def put(call: Call, stream: DeliveryStream, data: bytes) -> str:
    stream.accepted += 1
    call.backend.accept(call, stream, data, call.now)
    return record_id(call)
