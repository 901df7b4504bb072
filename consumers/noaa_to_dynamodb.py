"""KinesisLambdaConsumer of the NOAA weather lab: CDO results from a Kinesis stream → DynamoDB.

Deployed as is to AWS Lambda (handler ``noaa_to_dynamodb.lambda_handler``, Kinesis trigger on
``input-stream``). Each Kinesis record carries one NOAA CDO API v2 result, as the producer put
it (``json.dumps(result)``, partition key = the date)::

    {"date": "2021-10-01T00:00:00", "datatype": "PRCP", "station": "GHCND:USW00093721",
     "attributes": ",,W,2400", "value": 0.5}

Tables (names from ``PRECIPITATION_TABLE``, default ``Precipitation``, and ``TEMPERATURE_TABLE``,
default ``Temperature``), as the lab intends: **one item per station-day** in each table,

* partition key ``date`` (S, ``YYYY-MM-DD``): the stream's partition key, so one day's items
  sit together and "what happened on day D" is a single Query;
* sort key ``station`` (S, the GHCND id, e.g. ``GHCND:USW00093721``);
* ``Precipitation``: ``PRCP`` and ``SNOW`` (N, mm); ``Temperature``: ``TMIN`` and ``TMAX``
  (N, °F), each present only if the station reported it (CoCoRaHS stations report no
  temperatures, so they have no Temperature item);
* ``PRCP_attributes`` … ``TMAX_attributes`` (S): the GHCND flag string ``M,Q,S,HHMM`` of that
  measurement, kept because it carries meaning the number lacks: ``T`` (trace) distinguishes
  "a trace fell" from a measured 0, and the quality flag marks values that failed NOAA's
  checks. (The lab dropped it; storing it costs a few bytes per item and no extra writes.)

The stream carries one measurement per record, so a station-day's item is built from up to
four records that may arrive in different batches, in any order, and again after a retry. Each
measurement is therefore written with ``UpdateItem … SET #PRCP = :PRCP`` (creating the item if
needed): setting an attribute to the value it carries is idempotent and independent of the
other attributes, so replays and reordering give the same item. (``PutItem``/
``BatchWriteItem`` would replace the whole item and lose the measurements of earlier batches.)
Within one invocation the measurements of the same item are merged into one ``UpdateItem``:
a batch costs one call per station-day per table, not one per record.

Malformed records (bad base64 or JSON, missing or ill-typed fields, a datatype other than the
four) are logged with their sequence number and skipped, so one bad record does not block the
shard. DynamoDB errors (a missing table, missing permissions, throttling beyond the SDK's
retries) are raised: the event source mapping then retries the batch, as on AWS, and the
retried writes are harmless. The return value is a small summary; it also carries an empty
``batchItemFailures`` list so that it means "all succeeded" should the mapping have
``ReportBatchItemFailures`` turned on.
"""

import base64
import binascii
import json
import logging
import os
from datetime import datetime
from decimal import Decimal

import boto3

logger = logging.getLogger(__name__)

PRECIPITATION = "Precipitation"
TEMPERATURE = "Temperature"
# Which table each datatype belongs to.
TABLE_OF_DATATYPE = {
    "PRCP": PRECIPITATION,
    "SNOW": PRECIPITATION,
    "TMIN": TEMPERATURE,
    "TMAX": TEMPERATURE,
}
ATTRIBUTES_SUFFIX = "_attributes"

_clients = {}


class MalformedRecord(ValueError):
    """A record that can never be stored; it is skipped, not retried."""


def _dynamodb():
    """One DynamoDB client per execution environment, created on first use.

    On Lambda the environment never changes within an execution environment; keying the cache
    on the variables the SDK reads keeps the client right when a local runner or a test changes
    them between invocations in one process.
    """
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


def _reject_constant(name):
    raise MalformedRecord(f"{name} is not a number DynamoDB can store")


def parse_record(record):
    """(table, date, station, datatype, value, attributes) of one Kinesis event record."""
    try:
        data = record["kinesis"]["data"]
    except (KeyError, TypeError):
        raise MalformedRecord("no kinesis.data in the event record") from None
    try:
        text = base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, TypeError, ValueError) as exc:
        raise MalformedRecord(f"data is not base64 of UTF-8 text: {exc}") from None
    try:
        result = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise MalformedRecord(f"data is not JSON: {exc}") from None
    if not isinstance(result, dict):
        raise MalformedRecord(f"expected a JSON object, got {type(result).__name__}")
    missing = [k for k in ("date", "datatype", "station", "value") if k not in result]
    if missing:
        raise MalformedRecord(f"missing field(s) {', '.join(missing)}")
    datatype = result["datatype"]
    if not isinstance(datatype, str) or datatype not in TABLE_OF_DATATYPE:
        raise MalformedRecord(
            f"unknown datatype {datatype!r} (expected one of {', '.join(TABLE_OF_DATATYPE)})"
        )
    station = result["station"]
    if not isinstance(station, str) or not station:
        raise MalformedRecord(f"station must be a non-empty string, got {station!r}")
    try:
        day = datetime.fromisoformat(result["date"]).date().isoformat()
    except (TypeError, ValueError):
        raise MalformedRecord(
            f"date must look like 2021-10-01T00:00:00, got {result['date']!r}"
        ) from None
    value = result["value"]
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise MalformedRecord(f"value must be a number, got {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise MalformedRecord(f"value must be finite, got {value!r}")
    attributes = result.get("attributes")
    if attributes is not None and not isinstance(attributes, str):
        raise MalformedRecord(f"attributes must be a string, got {attributes!r}")
    return TABLE_OF_DATATYPE[datatype], day, station, datatype, value, attributes


def _update(client, table_name, day, station, measurements):
    names, values, assignments = {}, {}, []
    for datatype in sorted(measurements):
        value, attributes = measurements[datatype]
        names[f"#{datatype}"] = datatype
        values[f":{datatype}"] = {"N": str(value)}
        assignments.append(f"#{datatype} = :{datatype}")
        if attributes is not None:
            names[f"#{datatype}_a"] = datatype + ATTRIBUTES_SUFFIX
            values[f":{datatype}_a"] = {"S": attributes}
            assignments.append(f"#{datatype}_a = :{datatype}_a")
    client.update_item(
        TableName=table_name,
        Key={"date": {"S": day}, "station": {"S": station}},
        UpdateExpression="SET " + ", ".join(assignments),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def lambda_handler(event, context):
    table_names = {
        PRECIPITATION: os.environ.get("PRECIPITATION_TABLE", PRECIPITATION),
        TEMPERATURE: os.environ.get("TEMPERATURE_TABLE", TEMPERATURE),
    }
    records = event.get("Records") or []
    # (table, date, station) → datatype → (value, attributes); later records win, as they
    # would if written one by one.
    items = {}
    skipped = 0
    for record in records:
        try:
            table, day, station, datatype, value, attributes = parse_record(record)
        except MalformedRecord as exc:
            kinesis = record.get("kinesis") if isinstance(record, dict) else None
            sequence = kinesis.get("sequenceNumber") if isinstance(kinesis, dict) else None
            logger.warning("skipping record %s: %s", sequence or "(no sequence number)", exc)
            skipped += 1
            continue
        items.setdefault((table, day, station), {})[datatype] = (value, attributes)

    written = {PRECIPITATION: 0, TEMPERATURE: 0}
    if items:
        client = _dynamodb()
        for (table, day, station), measurements in items.items():
            _update(client, table_names[table], day, station, measurements)
            written[table] += 1
    return {
        "records": len(records),
        "skipped": skipped,
        "precipitation_items": written[PRECIPITATION],
        "temperature_items": written[TEMPERATURE],
        "batchItemFailures": [],
    }
