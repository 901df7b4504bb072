"""The HTTP codec: AWS JSON 1.0 requests in, AWS-shaped responses out.

:func:`handle` serves both the in-process boto3 interception (the embedded backend's router) and
the HTTP endpoint. The DynamoDB Streams service model says protocol ``json`` 1.0, target prefix
``DynamoDBStreams_20120810``. Timestamps are epoch seconds as JSON numbers. Errors answer as
DynamoDB does: ``{"__type": "<namespace>#<Code>", "message": ...}`` with the namespace of the
layer that raises them (``com.amazon.coral.validate`` for validation, ``com.amazon.coral.service``
for framework errors, ``com.amazonaws.dynamodb.v20120810`` for the service's own); botocore
reads the code after the ``#``. Every response carries ``x-amzn-RequestId``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sim.services.dynamodbstreams.exceptions import (
    AwsError,
    InternalServerError,
    SerializationException,
    UnknownOperationException,
    ValidationException,
)
from sim.services.dynamodbstreams.operations import find_operation, is_aws_operation

log = logging.getLogger(__name__)

TARGET_PREFIX = "DynamoDBStreams_20120810"
AMZ_JSON = "application/x-amz-json-1.0"
_JSON_TYPES = frozenset({AMZ_JSON, "application/x-amz-json-1.1", "application/json"})
_SERVICE_NAMESPACE = "com.amazonaws.dynamodb.v20120810#"
_NAMESPACES = {
    ValidationException.code: "com.amazon.coral.validate#",
    SerializationException.code: "com.amazon.coral.service#",
    UnknownOperationException.code: "com.amazon.coral.service#",
}
_encoder = json.JSONEncoder(separators=(",", ":"))


def error_body(error: AwsError) -> bytes:
    body: dict[str, str] = {"__type": _NAMESPACES.get(error.code, _SERVICE_NAMESPACE) + error.code}
    if error.message:
        body["Message" if isinstance(error, SerializationException) else "message"] = error.message
    return _encoder.encode(body).encode("utf-8")


def handle(
    backend: Any, target: str, content_type: str, body: bytes, request_id: str
) -> tuple[int, dict[str, str], bytes]:
    """Answer one DynamoDB Streams request addressed to ``backend``."""
    headers = {"x-amzn-RequestId": request_id, "Content-Type": AMZ_JSON}
    media_type = content_type.partition(";")[0].strip().lower()
    service, _, operation = target.partition(".")
    try:
        known = service == TARGET_PREFIX and is_aws_operation(operation)
        if not known:
            raise UnknownOperationException("")
        if media_type and media_type not in _JSON_TYPES:
            raise SerializationException("")
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            raise SerializationException("") from None
        if not isinstance(data, dict):
            raise SerializationException("Start of list found where not expected")
        module = find_operation(operation)
        result = backend.execute(module, module.check(data))
        return 200, headers, _encoder.encode(result).encode("utf-8")
    except AwsError as error:
        return error.status, headers, error_body(error)
    except Exception as exc:  # a bug of ours: answer as AWS would, keep the traceback
        log.exception("DynamoDB Streams %s failed", target)
        error = InternalServerError(f"streamlab internal error: {type(exc).__name__}: {exc}")
        return error.status, headers, error_body(error)
