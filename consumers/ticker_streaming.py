"""DE…-streaming-lambda of the Ticker lab: five index prices take a random step every minute.

Deployed as is to AWS Lambda (handler ``ticker_streaming.lambda_handler``), triggered by an
EventBridge (CloudWatch Events) schedule ``rate(1 minute)``; its asynchronous invocations send
failures to the notification function (on-failure destination). Environment variables:

* ``TABLE_NAME``: the DynamoDB table (the lab: ``DEKYLMAP-streaming-dynamodb``), partition key
  ``TickerName`` (S), one item per index ``Index_1`` … ``Index_5`` with a ``Price`` (N);
* ``DELIVERY_STREAM``: the Firehose delivery stream (Direct PUT) whose bucket collects the ticks.

Each invocation (the scheduled event's content is not used):

1. reads the five items (``GetItem`` with ``ConsistentRead``, so a tick always starts from the
   previous tick's prices);
2. moves each price by a random step: ``price × (1 + u)`` with ``u`` uniform in
   ``[-MAX_STEP_FRACTION, +MAX_STEP_FRACTION]``, rounded half-up to the cent, never below
   ``MIN_PRICE``. So a new price differs from the old one by at most
   ``MAX_STEP_FRACTION × old + 0.005`` (the rounding), and is at least ``MIN_PRICE``. The
   draws come from the module-level ``random`` (one ``random.uniform`` per index, in index
   order), which a simulation seeds;
3. puts one record per index on the delivery stream with one ``PutRecordBatch``: JSON
   terminated by a newline (Firehose concatenates records with nothing between them), e.g.
   ``{"TickerName": "Index_1", "Price": 101.23, "Timestamp": "2021-11-01T09:00:00.000Z"}``.
   All five records of a tick carry the same timestamp (UTC, milliseconds, from
   ``datetime.now(timezone.utc)``). Records Firehose reports as failed (``FailedPutCount``,
   ``ErrorCode`` per record) are put again, up to ``PUT_ATTEMPTS`` attempts in all with
   ``RETRY_BASE_DELAY_S × 2^n`` between them, as the PutRecordBatch reference advises; records
   still failing make the invocation fail (:class:`RecordsNotDelivered`), so Lambda's
   asynchronous retries and then the on-failure destination take over instead of the ticks
   being lost silently;
4. writes the new prices back (``UpdateItem … SET Price``), only once the tick is on the
   stream: a failed put leaves the table as it was, and the retried invocation starts from the
   same prices.

A missing item, a missing table or stream, or missing permissions raise: the invocation fails.
The return value is a small summary: ``{"tickers": 5, "records": 5, "timestamp": …, "prices":
{"Index_1": 101.23, …}}``.
"""

import json
import os
import random
import time
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

import boto3

TICKERS = ("Index_1", "Index_2", "Index_3", "Index_4", "Index_5")
# The largest relative move of one tick: a price changes by at most 2 % of itself (plus the
# half cent of rounding). Scenario expectations may rely on this bound.
MAX_STEP_FRACTION = 0.02
CENT = Decimal("0.01")
# A price never goes below one cent (and so is never 0 or negative).
MIN_PRICE = CENT
# PutRecordBatch: at most 500 records per call (Firehose API reference, PutRecordBatch).
PUT_RECORD_BATCH_MAX_RECORDS = 500
# Attempts for records PutRecordBatch reports as failed, and the backoff between them.
PUT_ATTEMPTS = 3
RETRY_BASE_DELAY_S = 0.1

_clients = {}


class TickerItemMissing(LookupError):
    """The table has no item for one of the indexes: the lab's table was not filled in."""


class RecordsNotDelivered(RuntimeError):
    """Firehose refused some records even after the retries."""


def _client(service):
    """One client per service and execution environment, created on first use (keyed on the
    variables the SDK reads, so a local runner or a test changing them gets a fresh one)."""
    key = (service,) + tuple(
        os.environ.get(name)
        for name in (
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SESSION_TOKEN",
        )
    )
    client = _clients.get(key)
    if client is None:
        client = boto3.client(service, region_name=os.environ.get("AWS_REGION") or None)
        _clients[key] = client
    return client


def _setting(name, example):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"the {name} environment variable is not set (the lab: {example})")
    return value


def next_price(price, draw=None):
    """One random step of ``price`` (a Decimal): rounded to the cent, at least MIN_PRICE."""
    if draw is None:
        draw = random.uniform(-MAX_STEP_FRACTION, MAX_STEP_FRACTION)
    moved = (price * (1 + Decimal(repr(draw)))).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(moved, MIN_PRICE)


def read_prices(dynamodb, table_name):
    """{ticker: Decimal price} of the five items."""
    prices = {}
    for ticker in TICKERS:
        item = dynamodb.get_item(
            TableName=table_name,
            Key={"TickerName": {"S": ticker}},
            ConsistentRead=True,
        ).get("Item")
        if item is None or "N" not in item.get("Price", {}):
            raise TickerItemMissing(
                f"table {table_name} has no item TickerName={ticker} with a numeric Price"
            )
        prices[ticker] = Decimal(item["Price"]["N"])
    return prices


def tick_records(prices, timestamp):
    """One newline-terminated JSON record per ticker."""
    return [
        {
            "Data": (
                json.dumps({"TickerName": ticker, "Price": float(price), "Timestamp": timestamp})
                + "\n"
            ).encode("utf-8")
        }
        for ticker, price in prices.items()
    ]


def put_records(firehose, stream_name, records, sleep=time.sleep):
    """PutRecordBatch ``records``; put the failed ones again, up to PUT_ATTEMPTS attempts.

    Raises :class:`RecordsNotDelivered` naming the error codes when some never went in."""
    for start in range(0, len(records), PUT_RECORD_BATCH_MAX_RECORDS):
        pending = records[start : start + PUT_RECORD_BATCH_MAX_RECORDS]
        errors = []
        for attempt in range(PUT_ATTEMPTS):
            if attempt:
                sleep(RETRY_BASE_DELAY_S * 2 ** (attempt - 1))
            response = firehose.put_record_batch(DeliveryStreamName=stream_name, Records=pending)
            if not response.get("FailedPutCount"):
                pending = []
                break
            answers = response.get("RequestResponses") or []
            failed = [(r, a) for r, a in zip(pending, answers, strict=False) if a.get("ErrorCode")]
            if not failed:  # a count without failed entries: nothing to put again
                raise RecordsNotDelivered(
                    f"delivery stream {stream_name} reported FailedPutCount "
                    f"{response['FailedPutCount']} without naming the failed records"
                )
            pending = [record for record, _ in failed]
            errors = sorted({f"{a['ErrorCode']}: {a.get('ErrorMessage', '')}" for _, a in failed})
        if pending:
            raise RecordsNotDelivered(
                f"{len(pending)} of {len(records)} records were not accepted by delivery stream "
                f"{stream_name} after {PUT_ATTEMPTS} attempts ({'; '.join(errors)})"
            )


def write_prices(dynamodb, table_name, prices):
    for ticker, price in prices.items():
        dynamodb.update_item(
            TableName=table_name,
            Key={"TickerName": {"S": ticker}},
            UpdateExpression="SET Price = :price",
            ExpressionAttributeValues={":price": {"N": str(price)}},
        )


def lambda_handler(event, context):
    table_name = _setting("TABLE_NAME", "DEKYLMAP-streaming-dynamodb")
    stream_name = _setting("DELIVERY_STREAM", "DEKYLMAP-deliverystream")
    dynamodb = _client("dynamodb")
    prices = read_prices(dynamodb, table_name)
    moved = {ticker: next_price(price) for ticker, price in prices.items()}
    now = datetime.now(timezone.utc)  # noqa: UP017 - the Lambda runtime may predate 3.11
    timestamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    put_records(_client("firehose"), stream_name, tick_records(moved, timestamp))
    write_prices(dynamodb, table_name, moved)
    return {
        "tickers": len(moved),
        "records": len(moved),
        "timestamp": timestamp,
        "prices": {ticker: float(price) for ticker, price in moved.items()},
    }
