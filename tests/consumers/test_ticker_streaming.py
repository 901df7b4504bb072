"""The Ticker lab's streaming function, run as deployed in streamlab's Lambda runtime against the
embedded backend: moto's DynamoDB, streamlab's Firehose buffering into moto's S3 on a simulated
clock."""

from __future__ import annotations

import json
import random
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

import consumers.ticker_streaming as handler_module
from consumers.ticker_streaming import (
    MAX_STEP_FRACTION,
    MIN_PRICE,
    PUT_ATTEMPTS,
    TICKERS,
    RecordsNotDelivered,
    next_price,
    put_records,
    tick_records,
)
from sim.pytest_plugin import Cloud
from sim.services.lambda_ import FunctionConfig, LambdaRuntime
from tests.cloud_code import top_level_imports

REGION = "eu-west-1"
ACCOUNT = "123456789012"
TABLE = "DEKYLMAP-streaming-dynamodb"
STREAM = "DEKYLMAP-deliverystream"
BUCKET = "dekylemaposa-deliverystream-s3"
FUNCTION = "DEKYLMAP-streaming-lambda"
FIREHOSE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/DEKYLMAP-firehose-role"
START_PRICES = {"Index_1": 100, "Index_2": 90, "Index_3": 80, "Index_4": 70, "Index_5": 60}
BUFFER_INTERVAL_S = 60


@pytest.fixture
def cloud(monkeypatch):
    """A fresh embedded backend in the lab's region, its Firehose on the simulated clock."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with Cloud(region=REGION) as instance:
        instance.backend.attach_clock(instance.clock)
        yield instance


@pytest.fixture
def table(cloud):
    """The lab's table with its five items."""
    dynamodb = cloud.client("dynamodb")
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "TickerName", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "TickerName", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for ticker, price in START_PRICES.items():
        dynamodb.put_item(
            TableName=TABLE, Item={"TickerName": {"S": ticker}, "Price": {"N": str(price)}}
        )
    return dynamodb


@pytest.fixture
def stream(cloud):
    """A Direct PUT delivery stream into the lab's bucket, buffering 60 s or 1 MiB."""
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    cloud.client("firehose").create_delivery_stream(
        DeliveryStreamName=STREAM,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": FIREHOSE_ROLE,
            "BucketARN": f"arn:aws:s3:::{BUCKET}",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": BUFFER_INTERVAL_S},
        },
    )
    return s3


@pytest.fixture
def runtime(cloud):
    runtime = LambdaRuntime(now=lambda: cloud.clock.now, region=REGION, account_id=ACCOUNT)
    runtime.create_function(
        FunctionConfig(
            name=FUNCTION,
            handler="consumers.ticker_streaming.lambda_handler",
            timeout=60,
            env={"TABLE_NAME": TABLE, "DELIVERY_STREAM": STREAM},
        )
    )
    yield runtime
    runtime.close()


def scheduled_event(cloud) -> dict:
    """What an EventBridge schedule delivers (its content is not used by the handler)."""
    return {
        "version": "0",
        "id": "89d1a02d-5ec7-412e-82f5-13505f849b41",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": "2021-11-01T00:00:00Z",
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/DEKYLMAP-every-minute"],
        "detail": {},
    }


def prices(dynamodb) -> dict[str, Decimal]:
    items = dynamodb.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    return {i["TickerName"]["S"]: Decimal(i["Price"]["N"]) for i in items}


def objects(s3) -> list[tuple[str, bytes]]:
    listed = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return [(o["Key"], s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read()) for o in listed]


def within_bound(old: Decimal, new: Decimal) -> bool:
    return new >= MIN_PRICE and abs(new - old) <= old * Decimal(str(MAX_STEP_FRACTION)) + Decimal(
        "0.005"
    )


def test_a_tick_moves_every_price_within_the_bound_and_reaches_s3_after_the_buffer(
    cloud, table, stream, runtime
):
    random.seed(7)
    draws = [random.uniform(-MAX_STEP_FRACTION, MAX_STEP_FRACTION) for _ in TICKERS]
    random.seed(7)
    result = runtime.invoke(FUNCTION, scheduled_event(cloud), source="events:DEKYLMAP-every-minute")
    assert result.function_error is None, result.payload

    expected = {
        ticker: next_price(Decimal(START_PRICES[ticker]), draw)
        for ticker, draw in zip(TICKERS, draws, strict=True)
    }
    assert prices(table) == expected
    assert all(within_bound(Decimal(START_PRICES[t]), p) for t, p in expected.items())
    assert expected != {t: Decimal(p) for t, p in START_PRICES.items()}
    assert result.payload == {
        "tickers": 5,
        "records": 5,
        "timestamp": "2021-11-01T00:00:00.000Z",
        "prices": {t: float(p) for t, p in expected.items()},
    }

    # Firehose holds the records until its 60 s interval has passed.
    cloud.advance(BUFFER_INTERVAL_S - 1)
    assert objects(stream) == []
    cloud.advance(2)
    [(key, body)] = objects(stream)
    assert key.startswith("2021/11/01/00/DEKYLMAP-deliverystream-1-2021-11-01-00-00-00-")
    assert body.endswith(b"\n")
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert lines == [
        {"TickerName": t, "Price": float(expected[t]), "Timestamp": "2021-11-01T00:00:00.000Z"}
        for t in TICKERS
    ]


def test_a_minute_schedule_builds_a_price_path_in_the_bucket(cloud, table, stream, runtime):
    random.seed(11)
    for _ in range(10):
        result = runtime.invoke(FUNCTION, scheduled_event(cloud))
        assert result.function_error is None, result.payload
        cloud.advance(60)
    cloud.advance(BUFFER_INTERVAL_S + 1)
    records = [json.loads(line) for _, body in objects(stream) for line in body.splitlines()]
    assert len(records) == 50
    assert len(objects(stream)) >= 5  # one object per buffer interval, not one per record
    timestamps = sorted({r["Timestamp"] for r in records})
    assert timestamps == [f"2021-11-01T00:{m:02d}:00.000Z" for m in range(10)]
    for ticker in TICKERS:
        path = [
            Decimal(str(r["Price"]))
            for r in sorted(records, key=lambda r: r["Timestamp"])
            if r["TickerName"] == ticker
        ]
        previous = [Decimal(START_PRICES[ticker]), *path[:-1]]
        assert all(within_bound(a, b) for a, b in zip(previous, path, strict=True)), ticker
        assert prices(table)[ticker] == path[-1]  # the table holds the last tick


def test_a_missing_delivery_stream_fails_the_invocation_and_leaves_the_table(cloud, table, runtime):
    result = runtime.invoke(FUNCTION, scheduled_event(cloud))
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "ResourceNotFoundException"
    assert STREAM in result.payload["errorMessage"]
    # The tick never reached the stream, so the prices did not move: a retry starts again.
    assert prices(table) == {t: Decimal(p) for t, p in START_PRICES.items()}


def test_a_missing_item_fails_the_invocation(cloud, table, stream, runtime):
    table.delete_item(TableName=TABLE, Key={"TickerName": {"S": "Index_4"}})
    result = runtime.invoke(FUNCTION, scheduled_event(cloud))
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "TickerItemMissing"
    assert "TickerName=Index_4" in result.payload["errorMessage"]


def test_the_table_and_stream_come_from_the_environment(cloud, table, stream, monkeypatch):
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.setenv("DELIVERY_STREAM", STREAM)
    with pytest.raises(RuntimeError, match="TABLE_NAME environment variable is not set"):
        handler_module.lambda_handler({}, None)
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.delenv("DELIVERY_STREAM")
    with pytest.raises(RuntimeError, match="DELIVERY_STREAM environment variable is not set"):
        handler_module.lambda_handler({}, None)


def stubbed_firehose(cloud):
    client = cloud.client("firehose")
    return client, Stubber(client)


def batch_answer(errors: list[str | None]) -> dict:
    """A PutRecordBatch response: one entry per record, an ErrorCode where it failed."""
    entries = [
        {"ErrorCode": code, "ErrorMessage": "Slow down."} if code else {"RecordId": f"id-{i}"}
        for i, code in enumerate(errors)
    ]
    return {
        "FailedPutCount": sum(1 for code in errors if code),
        "Encrypted": False,
        "RequestResponses": entries,
    }


def test_records_firehose_refuses_are_put_again(cloud):
    records = tick_records({"Index_1": Decimal("1.00"), "Index_2": Decimal("2.00")}, "T")
    client, stubber = stubbed_firehose(cloud)
    stubber.add_response(
        "put_record_batch",
        batch_answer([None, "ServiceUnavailableException"]),
        {"DeliveryStreamName": STREAM, "Records": records},
    )
    stubber.add_response(
        "put_record_batch",
        batch_answer([None]),
        {"DeliveryStreamName": STREAM, "Records": records[1:]},  # only the refused record
    )
    sleeps = []
    with stubber:
        put_records(client, STREAM, records, sleep=sleeps.append)
    stubber.assert_no_pending_responses()
    assert sleeps == [0.1]


def test_records_still_refused_after_the_attempts_fail_the_invocation(cloud):
    records = tick_records({"Index_1": Decimal("1.00"), "Index_2": Decimal("2.00")}, "T")
    client, stubber = stubbed_firehose(cloud)
    stubber.add_response("put_record_batch", batch_answer(["ServiceUnavailableException", None]))
    for _ in range(PUT_ATTEMPTS - 1):
        stubber.add_response("put_record_batch", batch_answer(["ServiceUnavailableException"]))
    sleeps = []
    with stubber, pytest.raises(RecordsNotDelivered) as raised:
        put_records(client, STREAM, records, sleep=sleeps.append)
    assert str(raised.value) == (
        f"1 of 2 records were not accepted by delivery stream {STREAM} after {PUT_ATTEMPTS} "
        "attempts (ServiceUnavailableException: Slow down.)"
    )
    assert sleeps == [0.1, 0.2]


def test_a_firehose_error_is_not_swallowed(cloud):
    client, stubber = stubbed_firehose(cloud)
    stubber.add_client_error(
        "put_record_batch", "ResourceNotFoundException", "Firehose x not found.", 400
    )
    with stubber, pytest.raises(ClientError):
        put_records(client, STREAM, tick_records({"Index_1": Decimal(1)}, "T"))


@pytest.mark.parametrize("draw", [-MAX_STEP_FRACTION, -0.013, 0.0, 0.0049, MAX_STEP_FRACTION])
@pytest.mark.parametrize("price", ["0.01", "0.02", "0.5", "60", "100", "12345.67"])
def test_a_step_stays_within_the_bound_and_above_zero(price, draw):
    old = Decimal(price)
    new = next_price(old, draw)
    assert new == new.quantize(Decimal("0.01"))
    assert within_bound(old, new) or new == MIN_PRICE
    assert new >= MIN_PRICE > 0


def test_records_are_newline_terminated_json():
    [record] = tick_records({"Index_1": Decimal("101.23")}, "2021-11-01T00:00:00.000Z")
    assert record["Data"] == (
        b'{"TickerName": "Index_1", "Price": 101.23, "Timestamp": "2021-11-01T00:00:00.000Z"}\n'
    )


def test_handler_is_cloud_code():
    """Only the standard library and boto3: it deploys to Lambda as is, and never imports sim."""
    imported = top_level_imports(handler_module)
    assert imported <= {"json", "os", "random", "time", "datetime", "decimal", "boto3"}
