"""Kinesis consumer of the clickstream: one item per shopper in the sessions table.

For each event it adds one to the shopper's counter for the action (``views``, ``clicks``,
``carts``, ``purchases``), adds a purchase's price to ``revenue``, remembers the last order, and
moves ``expires_at`` (the table's Time to Live attribute) to ``SESSION_TTL_SECONDS`` after the
event: idle shoppers' items expire.

The mapping sets ``FunctionResponseTypes: [ReportBatchItemFailures]`` and
``BisectBatchOnFunctionError``. An event the function cannot attribute (a poison record: no
``user_id``, or not JSON) or cannot store (a malformed field, a throttled write) is reported by
its sequence number together with every record after it: Lambda checkpoints before it and
retries from it, so nothing before it is counted twice. When the failing event is the first of
its batch, the function raises instead: a function error makes Lambda bisect the batch, so the
poison record ends up alone, and alone goes to the mapping's on-failure destination once its
retries are used up, while the records after it go on (a partial response alone would retry,
and finally give up, the poison record together with every record after it).

Environment: ``SESSIONS_TABLE``, ``SESSION_TTL_SECONDS`` (default 600).
"""

import base64
import json
import os
from datetime import datetime
from decimal import Decimal

import boto3
from botocore.exceptions import ClientError

COUNTERS = {"view": "views", "click": "clicks", "add_to_cart": "carts", "purchase": "purchases"}

_table = None


def table():
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["SESSIONS_TABLE"])
    return _table


def parse(record):
    """The event of a Kinesis record, or None when it cannot be attributed."""
    try:
        event = json.loads(base64.b64decode(record["kinesis"]["data"]))
    except ValueError:
        return None
    if not isinstance(event, dict) or not event.get("user_id") or not event.get("ts"):
        return None
    return event


def record_event(event):
    ttl = int(os.environ.get("SESSION_TTL_SECONDS", "600"))
    seen = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
    names = {"#n": COUNTERS[event["action"]]}
    values = {":one": 1, ":seen": event["ts"], ":expires": int(seen.timestamp()) + ttl}
    update = "ADD #n :one SET last_seen = :seen, expires_at = :expires"
    if event["action"] == "purchase":
        update = (
            "ADD #n :one, revenue :price SET last_seen = :seen, expires_at = :expires, "
            "last_order = :order"
        )
        values[":price"] = Decimal(str(event["price"]))
        values[":order"] = {"order_id": event["order_id"], "amount": Decimal(str(event["price"]))}
    table().update_item(
        Key={"user_id": event["user_id"]},
        UpdateExpression=update,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


class PoisonRecordError(Exception):
    """The batch starts with an event the function cannot process."""


def failed_from(records, position, why):
    """The partial batch response: the record at ``position`` and every one after it; a
    function error when that is the batch's first record (Lambda then bisects)."""
    sequence = records[position]["kinesis"]["sequenceNumber"]
    if position == 0:
        raise PoisonRecordError(f"{why} {sequence}, the first record of the batch")
    print(f"{why} {sequence}: retry from it")
    return {
        "batchItemFailures": [
            {"itemIdentifier": r["kinesis"]["sequenceNumber"]} for r in records[position:]
        ]
    }


def handler(event, context):
    records = event["Records"]
    for position, record in enumerate(records):
        parsed = parse(record)
        if parsed is None:
            return failed_from(records, position, "cannot attribute")
        if parsed.get("action") not in COUNTERS:
            continue
        try:
            record_event(parsed)
        except (ValueError, KeyError, TypeError, ClientError) as error:
            return failed_from(records, position, f"cannot store ({error})")
    return {"batchItemFailures": []}
