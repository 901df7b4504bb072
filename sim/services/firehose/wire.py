"""The HTTP codec: AWS JSON 1.1 (target prefix ``Firehose_20150804``, as botocore's firehose
model says) in, AWS-shaped responses out. Blobs are base64 strings, timestamps epoch seconds.

:func:`handle` serves both the in-process router and the HTTP server and returns
``(status, headers, body)``. Errors answer ``{"__type": code, "message": text}`` with the
error's status; every response carries ``x-amzn-RequestId``.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

from sim.services.firehose.exceptions import (
    AwsError,
    InternalFailure,
    SerializationException,
    UnknownOperationException,
)
from sim.services.firehose.operations import aws_operations, find_operation, not_simulated
from sim.services.firehose.validation import validate

log = logging.getLogger(__name__)

TARGET_PREFIX = "Firehose_20150804"
AMZ_JSON = "application/x-amz-json-1.1"


def _blob(value: Any) -> bytes:
    if not isinstance(value, str):
        raise SerializationException("")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SerializationException("") from None


def decode_blobs(operation: str, request: dict) -> dict:
    """Record.Data / Records[].Data from base64 to bytes."""
    if operation == "PutRecord" and isinstance(request.get("Record"), dict):
        record = request["Record"]
        if "Data" in record:
            record["Data"] = _blob(record["Data"])
    elif operation == "PutRecordBatch" and isinstance(request.get("Records"), list):
        for record in request["Records"]:
            if isinstance(record, dict) and "Data" in record:
                record["Data"] = _blob(record["Data"])
    return request


def encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def invoke(backend: Any, operation: str, request: dict) -> Any:
    """Check ``request`` (Python values, blobs as bytes) and run ``operation``."""
    module = find_operation(operation)
    if module is None:
        raise not_simulated(operation)
    validate(operation, request)
    return backend.execute(module, request)


def handle(
    backend: Any, target: str, content_type: str, body: bytes, request_id: str
) -> tuple[int, dict[str, str], bytes]:
    headers = {"x-amzn-RequestId": request_id, "Content-Type": AMZ_JSON}
    service, _, operation = target.partition(".")
    try:
        if service != TARGET_PREFIX or operation not in aws_operations():
            raise UnknownOperationException("")
        try:
            data = json.loads(body) if body else None
        except ValueError:
            raise SerializationException("") from None
        if not isinstance(data, dict):
            raise SerializationException("")
        result = invoke(backend, operation, decode_blobs(operation, data))
        return 200, headers, encode(result if result is not None else {})
    except AwsError as error:
        return error.status, headers, encode(error.to_dict())
    except Exception as exc:  # a bug of ours: answer as AWS would, keep the traceback
        log.exception("Firehose %s failed", target)
        error = InternalFailure(f"streamlab internal error: {type(exc).__name__}: {exc}")
        return 500, headers, encode(error.to_dict())
