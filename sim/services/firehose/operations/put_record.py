"""PutRecord: one record (at most 1,000 KiB) into a DirectPut stream's buffer."""

from __future__ import annotations

from sim.services.firehose.backend import Call
from sim.services.firehose.operations._putting import put, target


def run(call: Call, request: dict) -> dict:
    stream = target(call, request)
    return {"RecordId": put(call, stream, request["Record"]["Data"]), "Encrypted": False}
