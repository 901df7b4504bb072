"""``table_throttle``: DynamoDB requests on a table answered with DynamoDB's throttling errors.

A run interceptor of the embedded backend (:mod:`sim.backends.embedded.intercept`) answers the
requests before moto sees them, in DynamoDB's JSON 1.0 error form, so botocore parses them into
exactly the ``ClientError`` a handler gets from AWS. What AWS answers (texts from the DynamoDB
API model shipped with botocore, ``TransactionCanceledException`` and the operations' docs, and
from real answers quoted in public issues):

* a **provisioned** table: HTTP 400 ``ProvisionedThroughputExceededException``, "The level of
  configured provisioned throughput for the table was exceeded. Consider increasing your
  provisioning level with the UpdateTable API.", with ``ThrottlingReasons``
  (``TableReadProvisionedThroughputExceeded`` / ``TableWriteProvisionedThroughputExceeded`` and
  the table's ARN: API_ThrottlingReason.html);
* an **on-demand** table: HTTP 400 ``ThrottlingException``, "Throughput exceeds the current
  capacity of your table or index. DynamoDB is automatically scaling your table or index so
  please try again shortly. If exceptions persist, check if you have a hot key:
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
  (real answers: github.com/praetorian-inc/chariot-ui/issues/684, 2024;
  github.com/cowinapi/developer.cowin/issues/151, 2021). Its ``__type`` namespace,
  ``com.amazon.coral.availability``, is the one DynamoDB's throttling errors carry in dynalite's
  tests against the real service; no ``throttlingReasons`` are sent (which reason AWS gives an
  on-demand table that is "scaling" is not documented);
* **BatchWriteItem / BatchGetItem**: "If BatchWriteItem cannot process any items due to
  throttling … it returns a ProvisionedThroughputExceededException or a ThrottlingException";
  otherwise the throttled requests come back in ``UnprocessedItems`` (``UnprocessedKeys``) and
  the others are processed. A batch whose every table is throttled gets the error; a batch
  mixing throttled and other tables has the others written (or read) by moto and the throttled
  tables' requests returned unprocessed, unchanged;
* **TransactWriteItems / TransactGetItems**: ``TransactionCanceledException`` with one
  ``CancellationReasons`` entry per item, ``ProvisionedThroughputExceeded`` or
  ``ThrottlingError`` for the throttled table's items and ``None`` for the others, and the
  message "Transaction cancelled, please refer cancellation reasons for specific reasons
  [None, ThrottlingError]" (the shape of real answers: aws/aws-sdk-net#1292,
  pynamodb/PynamoDB#1144).

Reads are GetItem, BatchGetItem, Query, Scan and TransactGetItems; writes PutItem, UpdateItem,
DeleteItem, BatchWriteItem and TransactWriteItems. PartiQL statements and control-plane
operations (DescribeTable, …) are not throttled.
"""

from __future__ import annotations

import base64
import json
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from sim.faults.effects import FaultEffect
from sim.faults.reach import Reach

TARGET_PREFIX = "DynamoDB_20120810."
CONTENT_TYPE = "application/x-amz-json-1.0"
STATUS = 400
DYNAMODB_NAMESPACE = "com.amazonaws.dynamodb.v20120810"
AVAILABILITY_NAMESPACE = "com.amazon.coral.availability"

PROVISIONED_CODE = "ProvisionedThroughputExceededException"
PROVISIONED_MESSAGE = (
    "The level of configured provisioned throughput for the table was exceeded. "
    "Consider increasing your provisioning level with the UpdateTable API."
)
ON_DEMAND_CODE = "ThrottlingException"
ON_DEMAND_MESSAGE = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
    "scaling your table or index so please try again shortly. If exceptions persist, check if "
    "you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
)
# TransactionCanceledException's cancellation reason codes for throttling.
PROVISIONED_REASON = "ProvisionedThroughputExceeded"
ON_DEMAND_REASON = "ThrottlingError"
CANCELLED_MESSAGE = (
    "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]"
)

READ_OPERATIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITE_OPERATIONS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
)
# DynamoDB request ids: 52 characters of upper-case letters and digits (as real answers show).
REQUEST_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
REQUEST_ID_LENGTH = 52

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class TableThrottle:
    """One ``table_throttle`` fault."""

    table: str
    operations: str  # read | write | all
    reach: Reach
    effect: FaultEffect

    def covers(self, kind: str) -> bool:
        """Whether the fault acts now on requests of ``kind`` (without using its count)."""
        if self.operations not in ("all", kind):
            return False
        with self.reach.lock:
            return self.reach.active()

    def throttles(self, kind: str) -> bool:
        """Whether a request of ``kind`` (read | write) on the table is throttled now; uses one
        of the fault's ``count`` if so."""
        if self.operations not in ("all", kind):
            return False
        with self.reach.lock:
            if not self.reach.active():
                return False
            self.reach.use()
        return True


class TableThrottles:
    """The interceptor answering for every ``table_throttle`` fault of a run.

    ``provisioned`` names the tables in provisioned capacity mode (the others are on-demand);
    ``client`` gives a DynamoDB client of the backend, for the part of a mixed batch that is
    not throttled.
    """

    def __init__(
        self,
        *,
        region: str,
        account_id: str,
        provisioned: set[str],
        client: Callable[[], Any],
        rng: random.Random,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.provisioned = provisioned
        self.client = client
        self.rng = rng
        self.faults: list[TableThrottle] = []

    # -- the interceptor -------------------------------------------------------------------
    def __call__(self, request: Any) -> Answer | None:
        if request.service != "dynamodb":
            return None
        target = request.target or ""
        if not target.startswith(TARGET_PREFIX):
            return None
        operation = target[len(TARGET_PREFIX) :]
        kind = (
            "read"
            if operation in READ_OPERATIONS
            else "write"
            if operation in WRITE_OPERATIONS
            else None
        )
        if kind is None or request.region not in (None, self.region):
            return None
        if not any(fault.covers(kind) for fault in self.faults):
            return None  # cheap: no fault acts now, the body need not be read
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return None  # not JSON: moto answers the serialization error
        tables = _tables_of(operation, body)
        throttled: list[TableThrottle] = []
        for name in dict.fromkeys(tables):
            for fault in self.faults:
                if fault.table == name and fault.throttles(kind):
                    throttled.append(fault)
                    break
        if not throttled:
            return None
        names = {fault.table for fault in throttled}
        for fault in throttled:
            fault.effect.add("requests_throttled")
        if operation in ("BatchWriteItem", "BatchGetItem") and set(tables) - names:
            return self._partial(operation, body, names, throttled, request.region)
        if operation.startswith("Transact"):
            return self._cancelled(body, names)
        return self._error([name for name in tables if name in names], kind)

    # -- answers ---------------------------------------------------------------------------
    def _error(self, tables: list[str], kind: str) -> Answer:
        """The throttling error of the first throttled table's capacity mode."""
        if tables[0] in self.provisioned:
            reasons = [
                {
                    "reason": f"Table{kind.capitalize()}ProvisionedThroughputExceeded",
                    "resource": self._arn(name),
                }
                for name in tables
                if name in self.provisioned
            ]
            body = {
                "__type": f"{DYNAMODB_NAMESPACE}#{PROVISIONED_CODE}",
                "message": PROVISIONED_MESSAGE,
                "ThrottlingReasons": reasons,
            }
            return self._answer(PROVISIONED_CODE, body)
        body = {
            "__type": f"{AVAILABILITY_NAMESPACE}#{ON_DEMAND_CODE}",
            "message": ON_DEMAND_MESSAGE,
        }
        return self._answer(ON_DEMAND_CODE, body)

    def _cancelled(self, body: dict[str, Any], names: set[str]) -> Answer:
        reasons = []
        for item in body.get("TransactItems") or []:
            table = _transact_table(item)
            if table in names:
                provisioned = table in self.provisioned
                reasons.append(
                    {
                        "Code": PROVISIONED_REASON if provisioned else ON_DEMAND_REASON,
                        "Message": PROVISIONED_MESSAGE if provisioned else ON_DEMAND_MESSAGE,
                    }
                )
            else:
                reasons.append({"Code": "None"})
        code = "TransactionCanceledException"
        answer = {
            "__type": f"{DYNAMODB_NAMESPACE}#{code}",
            "CancellationReasons": reasons,
            "Message": CANCELLED_MESSAGE.format(", ".join(r["Code"] for r in reasons)),
        }
        return self._answer(code, answer)

    def _partial(
        self,
        operation: str,
        body: dict[str, Any],
        names: set[str],
        throttled: list[TableThrottle],
        region: str | None,
    ) -> Answer:
        """A batch over throttled and other tables: the others are processed (by moto, through
        the backend's own client), the throttled tables' requests come back unprocessed."""
        items = body.get("RequestItems") or {}
        rest = {t: v for t, v in items.items() if _table_name(t) not in names}
        held = {t: v for t, v in items.items() if _table_name(t) in names}
        params = {k: v for k, v in body.items() if k != "RequestItems"}
        client = self.client()
        try:
            if operation == "BatchWriteItem":
                result = client.batch_write_item(RequestItems=_decode(rest), **params)
            else:
                result = client.batch_get_item(RequestItems=_decode(rest), **params)
        except ClientError as error:
            return self._client_error(error)
        result.pop("ResponseMetadata", None)
        out = json.loads(json.dumps(result, default=_blob))
        key = "UnprocessedItems" if operation == "BatchWriteItem" else "UnprocessedKeys"
        out.setdefault(key, {}).update(held)
        for fault in throttled:
            for table, requests in held.items():
                if _table_name(table) == fault.table:
                    n = len(requests) if operation == "BatchWriteItem" else len(requests["Keys"])
                    fault.effect.add("items_unprocessed", n)
        return self._answer(None, out, status=200)

    def _client_error(self, error: ClientError) -> Answer:
        code = error.response["Error"]["Code"]
        message = error.response["Error"].get("Message", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", STATUS)
        body = {"__type": f"{DYNAMODB_NAMESPACE}#{code}", "message": message}
        return self._answer(code, body, status=status)

    def _answer(self, code: str | None, body: dict[str, Any], *, status: int = STATUS) -> Answer:
        payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": CONTENT_TYPE,
            "x-amzn-RequestId": self._request_id(),
            "x-amz-crc32": str(zlib.crc32(payload) & 0xFFFFFFFF),
        }
        if code is not None:
            headers["x-amzn-ErrorType"] = code
        return status, headers, payload

    def _request_id(self) -> str:
        choice = self.rng.choice
        return "".join(choice(REQUEST_ID_ALPHABET) for _ in range(REQUEST_ID_LENGTH))

    def _arn(self, table: str) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account_id}:table/{table}"


def _table_name(value: Any) -> str:
    """A table named by name or by ARN (``arn:aws:dynamodb:…:table/NAME``)."""
    text = str(value or "")
    if text.startswith("arn:"):
        return text.split(":table/", 1)[-1].split("/", 1)[0]
    return text


def _transact_table(item: dict[str, Any]) -> str:
    for action in item.values():
        if isinstance(action, dict) and "TableName" in action:
            return _table_name(action["TableName"])
    return ""


def _tables_of(operation: str, body: dict[str, Any]) -> list[str]:
    """The tables a request touches, in request order (repeats for transaction items)."""
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [_table_name(name) for name in (body.get("RequestItems") or {})]
    if operation.startswith("Transact"):
        return [_transact_table(item) for item in body.get("TransactItems") or []]
    return [_table_name(body.get("TableName"))]


def _decode(value: Any) -> Any:
    """Wire JSON to boto3 parameters: binary attribute values (``B``, ``BS``) are base64 text
    on the wire and bytes for boto3. Only an attribute value has a ``B`` key with a string."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "B" and isinstance(item, str):
                out[key] = base64.b64decode(item)
            elif key == "BS" and isinstance(item, list) and all(isinstance(b, str) for b in item):
                out[key] = [base64.b64decode(b) for b in item]
            else:
                out[key] = _decode(item)
        return out
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def _blob(value: Any) -> Any:
    """``json.dumps`` default: boto3's bytes back to the wire's base64 text."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot encode {type(value).__name__}")
