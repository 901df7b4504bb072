"""WildRydesStreamProcessor of the Wild Rydes lab: per-minute unicorn summaries → DynamoDB.

A Python port of the lab's Node.js function (the workshop's
``DataProcessing/4_StreamProcessing/lambda/WildRydesStreamProcessor/index.js``), deployable as
is to AWS Lambda (handler ``wildrydes_processor.lambda_handler``, environment variable
``TABLE_NAME=UnicornSensorData``, Kinesis trigger on ``wildrydes-summary``, batch size 100,
starting position LATEST; the role needs ``dynamodb:BatchWriteItem`` on the table).

Each Kinesis record carries one summary row of the aggregation (Kinesis Data Analytics in the
lab, streamlab's Flink job here), one per unicorn per minute::

    {"Name": "Shadowfax", "StatusTime": "2018-03-18 03:20:00.000", "Distance": 362,
     "MinMagicPoints": 170, "MaxMagicPoints": 172, "MinHealthPoints": 146,
     "MaxHealthPoints": 149}

The table ``UnicornSensorData`` has partition key ``Name`` (S) and sort key ``StatusTime``
(S). Every field of the record becomes an attribute of the item, as the lab's
``DocumentClient`` wrote it (numbers as N, strings as S).

What the lab's code does, and this port does the same way:

* decode each record's data (base64, then JSON) into an item, ``PutRequest: {Item: item}``;
* split the requests into chunks of 25 (BatchWriteItem's limit) and write each chunk with
  ``BatchWriteItem`` on the table named by ``TABLE_NAME``;
* if DynamoDB returns ``UnprocessedItems`` for the table, write those again after
  50 × 2^attempt ms (100 ms, 200 ms, 400 ms …), with no limit on attempts;
* any error (a record that is not JSON, an item without its keys, a missing table, missing
  permissions) fails the invocation: the event source mapping retries the whole batch, as on
  AWS. Rewriting a summary is harmless (same key, same item). Nothing is reported per record
  (the lab does not use ``ReportBatchItemFailures``);
* return ``"Delivered N records"``.

Differences from the Node.js code, none of which changes what is stored for the summaries:
the chunks are written one after the other instead of concurrently (``Promise.all``); the data
is decoded as UTF-8 rather than Node's ``'ascii'`` (which would mangle non-ASCII names); the
table name and the client are looked up on first use rather than at module load, so the module
imports without AWS configuration. Kept from the lab, deliberately: two records with the same
``Name`` and ``StatusTime`` in one chunk make BatchWriteItem fail with a ValidationException
("Provided list of item keys contains duplicates"), which fails the invocation; an aggregation
that emits one row per unicorn per window never does that.
"""

import base64
import json
import os
import time
from decimal import Decimal

import boto3
from boto3.dynamodb.types import TypeSerializer

BATCH_WRITE_MAX_ITEMS = 25  # BatchWriteItem: at most 25 put or delete requests
RETRY_BASE_DELAY_MS = 50  # the lab: delay = 50 * 2^attempt ms before retrying unprocessed items

_serializer = TypeSerializer()
_clients = {}


def _dynamodb():
    """One DynamoDB client per execution environment, created on first use (keyed on the
    variables the SDK reads, so a local runner or a test changing them gets a fresh one)."""
    key = tuple(
        os.environ.get(name)
        for name in (
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_DYNAMODB",
            "AWS_ACCESS_KEY_ID",
            "AWS_SESSION_TOKEN",
        )
    )
    client = _clients.get(key)
    if client is None:
        client = boto3.client("dynamodb", region_name=os.environ.get("AWS_REGION") or None)
        _clients.clear()
        _clients[key] = client
    return client


def _not_json(name):
    raise ValueError(f"{name} is not valid JSON")  # JSON.parse rejects NaN and Infinity too


def build_request_items(records):
    """``[{"PutRequest": {"Item": …}}]``, one per Kinesis record, in DynamoDB's typed form."""
    requests = []
    for record in records:
        text = base64.b64decode(record["kinesis"]["data"]).decode("utf-8")
        item = json.loads(text, parse_float=Decimal, parse_constant=_not_json)
        typed = {key: _serializer.serialize(value) for key, value in item.items()}
        requests.append({"PutRequest": {"Item": typed}})
    return requests


def batch_write(client, table_name, request_items, attempt=0):
    """Write up to 25 requests; retry what DynamoDB leaves unprocessed, with backoff."""
    while True:
        if attempt > 0:
            time.sleep(RETRY_BASE_DELAY_MS * 2**attempt / 1000)
        response = client.batch_write_item(RequestItems={table_name: request_items})
        unprocessed = response.get("UnprocessedItems", {}).get(table_name)
        if not unprocessed:
            return
        request_items = unprocessed
        attempt += 1


def lambda_handler(event, context):
    table_name = os.environ.get("TABLE_NAME")
    if not table_name:
        raise RuntimeError(
            "the TABLE_NAME environment variable is not set (the lab: UnicornSensorData)"
        )
    records = event["Records"]
    request_items = build_request_items(records)
    client = _dynamodb() if request_items else None
    for start in range(0, len(request_items), BATCH_WRITE_MAX_ITEMS):
        batch_write(client, table_name, request_items[start : start + BATCH_WRITE_MAX_ITEMS])
    return f"Delivered {len(records)} records"
