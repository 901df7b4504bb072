"""The HTTP codec: AWS JSON 1.1 and CBOR requests in, AWS-shaped responses out.

:func:`handle` is the one entry point for both the in-process boto3 interception (a botocore
``before-send`` hook hands it the request's ``X-Amz-Target``, ``Content-Type`` and body) and the
HTTP server. It returns ``(status, headers, body)``.

Protocols (the Kinesis service model says ``json`` 1.1, target prefix ``Kinesis_20131202``):

* ``application/x-amz-json-1.1`` (boto3, the CLI, most SDKs): blobs are base64 strings,
  timestamps epoch seconds as JSON numbers.
* ``application/x-amz-cbor-1.1`` (the AWS SDK for Java, KCL, the Flink connector): blobs are
  CBOR byte strings; timestamps are CBOR tag 1 holding epoch **milliseconds** as an integer in
  both directions (AWS departs from RFC 8949's seconds here; see aws-sdk-java-v2 issue #4661
  and LocalStack PR #11071). A timestamp sent as a plain number is taken as epoch seconds.

Errors answer AWS's way: the status of the :class:`~sim.errors.AwsError`, body
``{"__type": code, "message": text}`` (``"Message"`` for the deserialiser's
SerializationException texts, and no message at all for a body that does not parse, as AWS
answers). Every response carries ``x-amzn-RequestId``.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from json.encoder import encode_basestring_ascii as _json_string
from typing import Any

import cbor2

from sim.services.kinesis.exceptions import (
    AwsError,
    InternalFailure,
    SerializationException,
    UnknownOperationException,
)
from sim.services.kinesis.operations import (
    EpochSeconds,
    RecordList,
    find_operation,
    is_aws_operation,
    not_simulated,
    record_shape,
)

log = logging.getLogger(__name__)

TARGET_PREFIX = "Kinesis_20131202"
AMZ_JSON = "application/x-amz-json-1.1"
AMZ_CBOR = "application/x-amz-cbor-1.1"
_JSON_TYPES = frozenset({AMZ_JSON, "application/x-amz-json-1.0", "application/json"})

_b64encode = base64.b64encode
_b2a = binascii.b2a_base64


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return _b64encode(value).decode("ascii")
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


_json_encoder = json.JSONEncoder(separators=(",", ":"), default=_json_default)
_json_decode = json.loads


def _millis_to_seconds(value: Any, _immutable: bool = False) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value / 1000.0
    return value


_CBOR_SEMANTICS = {1: _millis_to_seconds}


def _to_cbor(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _to_cbor(v) for k, v in value.items()}
    if isinstance(value, RecordList):
        return [_to_cbor(record_shape(record)) for record in value]
    if isinstance(value, list):
        return [_to_cbor(v) for v in value]
    if isinstance(value, EpochSeconds):
        return cbor2.CBORTag(1, int(round(value * 1000)))
    return value


def _records_json(records: RecordList) -> str:
    """GetRecords' records as JSON text, written directly (10,000 of them per call)."""
    parts = []
    append = parts.append
    for record in records:
        encryption = record.encryption_type
        extra = "" if encryption == "NONE" else f',"EncryptionType":"{encryption}"'
        append(
            f'{{"SequenceNumber":"{record.sequence_number}",'
            f'"ApproximateArrivalTimestamp":{round(record.arrival, 3)!r},'
            f'"Data":"{_b2a(record.data, newline=False).decode("ascii")}",'
            f'"PartitionKey":{_json_string(record.partition_key)}{extra}}}'
        )
    return "[" + ",".join(parts) + "]"


def encode(value: Any, cbor: bool) -> bytes:
    if cbor:
        return cbor2.dumps(_to_cbor(value))
    records = value.get("Records")
    if isinstance(records, RecordList):
        rest = _json_encoder.encode({k: v for k, v in value.items() if k != "Records"})
        text = '{"Records":' + _records_json(records) + ("," + rest[1:] if rest != "{}" else "}")
        return text.encode("ascii")
    return _json_encoder.encode(value).encode("utf-8")


def error_body(error: AwsError, cbor: bool) -> bytes:
    body: dict[str, str] = {"__type": error.code}
    if error.message:
        key = "Message" if isinstance(error, SerializationException) else "message"
        body[key] = error.message
    return encode(body, cbor)


def decode(body: bytes, cbor: bool) -> Any:
    """The request body as Python values; SerializationException (no message) if unreadable."""
    try:
        if cbor:
            return cbor2.loads(body, semantic_decoders=_CBOR_SEMANTICS)
        return _json_decode(body)
    except (ValueError, TypeError, cbor2.CBORError):
        raise SerializationException("") from None


def handle(
    backend: Any, target: str, content_type: str, body: bytes, request_id: str
) -> tuple[int, dict[str, str], bytes]:
    """Answer one Kinesis request addressed to ``backend``."""
    media_type = content_type.partition(";")[0].strip().lower()
    cbor = media_type == AMZ_CBOR
    headers = {"x-amzn-RequestId": request_id}
    if not cbor and media_type not in _JSON_TYPES:
        headers["Content-Type"] = "application/xml"
        return 404, headers, b"<UnknownOperationException/>\n"
    headers["Content-Type"] = AMZ_CBOR if cbor else AMZ_JSON
    service, _, operation = target.partition(".")
    try:
        known = service == TARGET_PREFIX and is_aws_operation(operation)
        if not body:
            raise SerializationException("") if known else UnknownOperationException("")
        data = decode(body, cbor)
        if not isinstance(data, dict):
            raise SerializationException("")
        if not known:
            raise UnknownOperationException("")
        module = find_operation(operation)
        if module is None:
            raise not_simulated(operation)
        request = module.CHECK(data)
        result = backend.execute(module, request)
        payload = b"" if result is None else encode(result, cbor)
        return 200, headers, payload
    except AwsError as error:
        return error.status, headers, error_body(error, cbor)
    except Exception as exc:  # a bug of ours: answer as AWS would, keep the traceback
        log.exception("Kinesis %s failed", target)
        error = InternalFailure(f"streamlab internal error: {type(exc).__name__}: {exc}")
        return error.status, headers, error_body(error, cbor)
