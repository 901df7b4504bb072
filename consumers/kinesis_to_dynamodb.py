"""lambda-kinesis-to-ddb of the OpenAQ streaming seed: the 3-hour aggregates → DynamoDB.

Deployed as is to AWS Lambda (handler ``kinesis_to_dynamodb.lambda_handler``, Kinesis trigger
on the Flink job's output stream). It depends on one environment variable, as the seed says:

``database``
    The name of the DynamoDB table the aggregates are stored in.

Each Kinesis record carries one row of ``flink_jobs/openaq_aggregate.py`` as JSON: the air
quality of one city and parameter over the 3 hours ending at ``window_end`` (a new window
every 5 minutes)::

    {"city": "Brussels", "parameter": "pm25", "window_start": "2026-11-02T09:05:00Z",
     "window_end": "2026-11-02T12:05:00Z", "avg_value": 11.8, "min_value": 3.1,
     "max_value": 20.4, "measurements": 214}

**The table.** One item per row:

* partition key ``city_parameter`` (S): ``"<city>#<parameter>"``, e.g. ``"Brussels#pm25"``;
* sort key ``window_end`` (S): ISO 8601 UTC with a ``Z``, e.g. ``"2026-11-02T12:05:00Z"``,
  which sorts as time does;
* ``city``, ``parameter``, ``window_start`` (S); ``avg_value``, ``min_value``,
  ``max_value`` (N, the JSON number's digits exactly); ``measurements`` (N, the count).

So "the air quality in Brussels, pm25, over the last 3 hours" is one ``Query`` on
``city_parameter = "Brussels#pm25"`` with ``ScanIndexForward=False, Limit=1``, and a day of
it the same query with ``window_end BETWEEN …``. Declared as::

    KeySchema=[{"AttributeName": "city_parameter", "KeyType": "HASH"},
               {"AttributeName": "window_end", "KeyType": "RANGE"}]
    AttributeDefinitions=[{"AttributeName": "city_parameter", "AttributeType": "S"},
                          {"AttributeName": "window_end", "AttributeType": "S"}]

**Writes: BatchWriteItem, 25 items a request.** A row is the whole aggregate of its window,
so an item is only ever put whole, never updated, and writing it again (a job replayed from
the stream's start, the mapping retrying a batch) leaves the same item. BatchWriteItem's
limits (no conditions, no updates) therefore cost nothing, and it takes 25 items per call
where PutItem takes one: every 5 minutes the job emits one row per city and parameter at
once, which arrive together in one batch. Two rows with the same key in one request make
DynamoDB refuse the whole request ("Provided list of item keys contains duplicates"), so
within an invocation the later row for a key replaces the earlier one, as consecutive PutItems
would. What DynamoDB returns in ``UnprocessedItems`` (throttling) is written again after
50 ms × 2^attempt (at most :data:`RETRY_MAX_DELAY_SECONDS`), :data:`MAX_ATTEMPTS` times in all
(under 3 s of waiting: give the function a timeout of 10 s or more).

**Errors fail the invocation**, and the event source mapping retries the whole batch, as on
AWS: a missing ``database`` variable (:class:`DatabaseNotConfigured`), a record that is not a
row (:class:`MalformedRecord`: not base64 or JSON, a field missing or of the wrong type; the
message names the record's ``eventID``, the field, what was expected and what was found),
items DynamoDB still leaves unprocessed (:class:`ItemsUnprocessed`), and DynamoDB's own errors
(a missing table, missing permissions). The batch is checked whole before anything is written,
so a malformed record writes nothing. A malformed record is retried until it leaves the
stream: it blocks its shard meanwhile, as any failing record does on AWS; bound that with the
mapping's ``MaximumRetryAttempts``, ``BisectBatchOnFunctionError`` and an on-failure
destination. Retried writes are harmless (same key, same item).
"""

import base64
import binascii
import json
import logging
import math
import os
import re
import time
from decimal import Decimal

import boto3
from boto3.dynamodb.types import TypeSerializer

logger = logging.getLogger(__name__)

DATABASE_ENV = "database"  # the seed's variable: the table's name
PARTITION_KEY = "city_parameter"
SORT_KEY = "window_end"
KEY_SEPARATOR = "#"
BATCH_WRITE_MAX_ITEMS = 25  # BatchWriteItem: at most 25 put or delete requests
RETRY_BASE_DELAY_SECONDS = 0.05  # unprocessed items: again after 50 ms × 2^attempt …
RETRY_MAX_DELAY_SECONDS = 1.0  # … at most 1 s apart …
MAX_ATTEMPTS = 6  # … and 6 BatchWriteItem calls for a chunk in all (2.55 s of waiting at most)

# The row's fields: strings, numbers, and the count.
STRING_FIELDS = ("city", "parameter", "window_start", "window_end")
NUMBER_FIELDS = ("avg_value", "min_value", "max_value")
COUNT_FIELD = "measurements"
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")  # 2026-11-02T12:05:00Z

_serializer = TypeSerializer()
_clients = {}


class DatabaseNotConfigured(RuntimeError):
    """The ``database`` environment variable is not set: nothing can be written."""


class MalformedRecord(ValueError):
    """A Kinesis record that is not one of the job's rows; the invocation fails."""


class ItemsUnprocessed(RuntimeError):
    """DynamoDB left items unprocessed after every attempt; the invocation fails."""


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


def _not_json(constant):
    raise ValueError(f"{constant} is not JSON")


def _record_name(record, index):
    return f"record {index} (eventID {record.get('eventID', '?')})"


def decode_row(record, index=0):
    """The job's row carried by one Kinesis record of a Lambda event; MalformedRecord if not."""
    where = _record_name(record, index)
    try:
        data = record["kinesis"]["data"]
    except (KeyError, TypeError):
        raise MalformedRecord(f"{where}: no kinesis.data (not a Kinesis event record)") from None
    try:
        text = base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, TypeError):
        raise MalformedRecord(f"{where}: kinesis.data is not base64 of UTF-8 text") from None
    try:
        row = json.loads(text, parse_float=Decimal, parse_constant=_not_json)
    except ValueError as error:
        raise MalformedRecord(f"{where}: not JSON ({error}): {text[:200]!r}") from None
    if not isinstance(row, dict):
        raise MalformedRecord(f"{where}: expected a JSON object, found {text[:200]!r}")
    return row


def _field(row, name, where):
    if name not in row or row[name] is None:
        raise MalformedRecord(f"{where}: field {name!r} is missing; found fields {sorted(row)}")
    return row[name]


def build_item(row, where="a row"):
    """The DynamoDB item (typed attribute values) of one row; MalformedRecord if the row lacks
    a field or has one of the wrong type."""
    item = {}
    for name in STRING_FIELDS:
        value = _field(row, name, where)
        if not isinstance(value, str) or not value:
            raise MalformedRecord(f"{where}: field {name!r}: expected a non-empty string, found {value!r}")  # fmt: skip
        if name in ("window_start", "window_end") and not ISO_UTC.match(value):
            raise MalformedRecord(
                f"{where}: field {name!r}: expected an ISO 8601 UTC time such as "
                f"2026-11-02T12:05:00Z, found {value!r}"
            )
        item[name] = value
    for name in NUMBER_FIELDS:
        value = _field(row, name, where)
        if isinstance(value, bool) or not isinstance(value, int | Decimal) or not math.isfinite(value):  # fmt: skip
            raise MalformedRecord(f"{where}: field {name!r}: expected a number, found {value!r}")
        item[name] = Decimal(value)
    count = _field(row, COUNT_FIELD, where)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise MalformedRecord(
            f"{where}: field {COUNT_FIELD!r}: expected a count of at least 1, found {count!r}"
        )
    item[COUNT_FIELD] = count
    item[PARTITION_KEY] = f"{item['city']}{KEY_SEPARATOR}{item['parameter']}"
    typed = {}
    for name, value in item.items():
        try:
            typed[name] = _serializer.serialize(value)
        except TypeError as error:  # a number DynamoDB cannot hold (over 38 digits, …)
            raise MalformedRecord(f"{where}: field {name!r}: {error}") from None
    return typed


def build_put_requests(records):
    """``[{"PutRequest": {"Item": …}}]`` for a batch of Kinesis records, one per key: a later
    row for the same city, parameter and window replaces an earlier one."""
    items = {}
    for index, record in enumerate(records):
        where = _record_name(record, index)
        item = build_item(decode_row(record, index), where)
        key = (item[PARTITION_KEY]["S"], item[SORT_KEY]["S"])
        items.pop(key, None)  # keep the order of the last occurrence
        items[key] = item
    return [{"PutRequest": {"Item": item}} for item in items.values()]


def batch_write(client, table_name, requests):
    """Write up to 25 put requests; write what DynamoDB leaves unprocessed again, with backoff.
    ItemsUnprocessed if some remain after :data:`MAX_ATTEMPTS` calls."""
    pending = requests
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            time.sleep(min(RETRY_MAX_DELAY_SECONDS, RETRY_BASE_DELAY_SECONDS * 2**attempt))
        response = client.batch_write_item(RequestItems={table_name: pending})
        pending = response.get("UnprocessedItems", {}).get(table_name) or []
        if not pending:
            return
    raise ItemsUnprocessed(
        f"DynamoDB left {len(pending)} of {len(requests)} items unprocessed in {table_name!r} "
        f"after {MAX_ATTEMPTS} BatchWriteItem calls; the batch will be retried"
    )


def lambda_handler(event, context):
    table_name = os.environ.get(DATABASE_ENV)
    if not table_name:
        raise DatabaseNotConfigured(
            f"the environment variable {DATABASE_ENV!r} is not set: it names the DynamoDB "
            "table the aggregates are written to"
        )
    records = event.get("Records", [])
    requests = build_put_requests(records)
    client = _dynamodb() if requests else None
    for start in range(0, len(requests), BATCH_WRITE_MAX_ITEMS):
        batch_write(client, table_name, requests[start : start + BATCH_WRITE_MAX_ITEMS])
    logger.info("wrote %d items from %d records to %s", len(requests), len(records), table_name)
    # batchItemFailures: "all succeeded", should the mapping report batch item failures.
    return {"records": len(records), "items": len(requests), "batchItemFailures": []}
