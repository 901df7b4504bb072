"""lambda-kinesis-to-ddb (consumers/kinesis_to_dynamodb.py): the OpenAQ job's 3-hour aggregates
into DynamoDB, run as deployed against the embedded backend (the ``cloud`` fixture, real moto)
with AWS-shaped Kinesis events."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest
from botocore.exceptions import ClientError

import consumers.kinesis_to_dynamodb as handler_module
from consumers.kinesis_to_dynamodb import (
    DatabaseNotConfigured,
    ItemsUnprocessed,
    MalformedRecord,
    lambda_handler,
)
from sim.services.lambda_ import FunctionConfig, LambdaRuntime
from tests.cloud_code import top_level_imports
from tests.module_cloud import fresh

TABLE = "openaq-aggregates"
STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/openaq-aggregates"


@pytest.fixture
def cloud(module_cloud):
    """The module's backend with no tables (tests/module_cloud.py)."""
    return fresh(module_cloud)


@pytest.fixture
def env(cloud, monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", cloud.region)
    monkeypatch.setenv("AWS_DEFAULT_REGION", cloud.region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("database", TABLE)
    return cloud


@pytest.fixture
def table(env):
    """The table as the module's docstring declares it."""
    client = env.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "city_parameter", "KeyType": "HASH"},
            {"AttributeName": "window_end", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "city_parameter", "AttributeType": "S"},
            {"AttributeName": "window_end", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


_sequence = [49590338271490256608559692538361571095921575989136588898]


def kinesis_event(payloads: list[dict | bytes | str]) -> dict:
    """An event as Lambda delivers Kinesis records (a str is put as the data's text)."""
    records = []
    for payload in payloads:
        if isinstance(payload, dict):
            data = json.dumps(payload, separators=(",", ":")).encode()
        else:
            data = payload.encode() if isinstance(payload, str) else payload
        _sequence[0] += 1
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": payload.get("city", "x") if isinstance(payload, dict) else "x",
                    "sequenceNumber": str(_sequence[0]),
                    "data": base64.b64encode(data).decode(),
                    "approximateArrivalTimestamp": 1793620800.123,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{_sequence[0]}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-kinesis-to-ddb",
                "awsRegion": "us-east-1",
                "eventSourceARN": STREAM_ARN,
            }
        )
    return {"Records": records}


def row(city="Brussels", parameter="pm25", end="2026-11-02T12:05:00Z", avg=11.8, n=214):
    """One of the job's rows: the 3 hours before ``end``."""
    start = datetime.fromisoformat(end.replace("Z", "+00:00")) - timedelta(hours=3)
    return {
        "city": city,
        "parameter": parameter,
        "window_start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "window_end": end,
        "avg_value": avg,
        "min_value": 3.1,
        "max_value": 20.4,
        "measurements": n,
    }


def scan(client) -> dict[tuple[str, str], dict]:
    items = {}
    for page in client.get_paginator("scan").paginate(TableName=TABLE):
        for item in page["Items"]:
            items[(item["city_parameter"]["S"], item["window_end"]["S"])] = item
    return items


def test_rows_become_items_keyed_by_city_parameter_and_window_end(table):
    rows = [
        row(),
        row(parameter="no2", avg=31.25),
        row(end="2026-11-02T12:10:00Z", avg=12.0),
        row(city="Gent", n=1),
    ]
    result = lambda_handler(kinesis_event(rows), None)
    assert result == {"records": 4, "items": 4, "batchItemFailures": []}
    items = scan(table)
    assert set(items) == {
        ("Brussels#pm25", "2026-11-02T12:05:00Z"),
        ("Brussels#no2", "2026-11-02T12:05:00Z"),
        ("Brussels#pm25", "2026-11-02T12:10:00Z"),
        ("Gent#pm25", "2026-11-02T12:05:00Z"),
    }
    assert items["Brussels#no2", "2026-11-02T12:05:00Z"] == {
        "city_parameter": {"S": "Brussels#no2"},
        "city": {"S": "Brussels"},
        "parameter": {"S": "no2"},
        "window_start": {"S": "2026-11-02T09:05:00Z"},
        "window_end": {"S": "2026-11-02T12:05:00Z"},
        "avg_value": {"N": "31.25"},
        "min_value": {"N": "3.1"},
        "max_value": {"N": "20.4"},
        "measurements": {"N": "214"},
    }
    # the latest 3 hours of Brussels' pm25: one Query, newest window first
    latest = table.query(
        TableName=TABLE,
        KeyConditionExpression="city_parameter = :k",
        ExpressionAttributeValues={":k": {"S": "Brussels#pm25"}},
        ScanIndexForward=False,
        Limit=1,
    )["Items"]
    assert [(i["window_end"]["S"], i["avg_value"]["N"]) for i in latest] == [
        ("2026-11-02T12:10:00Z", "12.0")
    ]


def test_numbers_are_stored_with_the_digits_of_the_json(table):
    lambda_handler(kinesis_event([row(avg=12.433333333333334)]), None)
    (item,) = scan(table).values()
    assert item["avg_value"] == {"N": "12.433333333333334"}


def test_batches_over_25_are_written_in_chunks_of_25(table, monkeypatch):
    sizes = []
    original = handler_module.batch_write

    def spy(client, table_name, requests):
        sizes.append(len(requests))
        return original(client, table_name, requests)

    monkeypatch.setattr(handler_module, "batch_write", spy)
    ends = [f"2026-11-02T{h:02d}:{m:02d}:00Z" for h in (12, 13) for m in range(0, 60, 5)]
    rows = [row(city=c, end=e) for e in ends[:20] for c in ("Brussels", "Gent", "Antwerpen")]
    assert lambda_handler(kinesis_event(rows), None)["items"] == 60
    assert sizes == [25, 25, 10]
    assert len(scan(table)) == 60


def test_a_key_twice_in_one_batch_is_written_once_with_the_later_row(table, monkeypatch):
    """DynamoDB refuses a BatchWriteItem that names one key twice; moto does not check it, so
    the test looks at the requests the function sent."""
    sent = []
    original = handler_module.batch_write

    def spy(client, table_name, requests):
        sent.append(requests)
        return original(client, table_name, requests)

    monkeypatch.setattr(handler_module, "batch_write", spy)
    event = kinesis_event([row(avg=1.0), row(parameter="o3"), row(avg=2.0)])
    assert lambda_handler(event, None) == {"records": 3, "items": 2, "batchItemFailures": []}
    [requests] = sent
    keys = [
        (r["PutRequest"]["Item"]["city_parameter"]["S"], r["PutRequest"]["Item"]["window_end"]["S"])
        for r in requests
    ]
    assert len(keys) == len(set(keys)) == 2
    assert scan(table)["Brussels#pm25", "2026-11-02T12:05:00Z"]["avg_value"] == {"N": "2.0"}


def test_replaying_a_batch_leaves_the_same_items(table):
    event = kinesis_event([row(), row(city="Liège")])
    lambda_handler(event, None)
    before = scan(table)
    lambda_handler(event, None)  # the mapping retries a failed batch from its first record
    assert scan(table) == before and len(before) == 2
    assert ("Liège#pm25", "2026-11-02T12:05:00Z") in before


class Unprocessing:
    """A DynamoDB client that leaves the last request unprocessed ``times`` times."""

    def __init__(self, times: int):
        self.times = times
        self.calls: list[list] = []

    def batch_write_item(self, RequestItems):
        requests = RequestItems[TABLE]
        self.calls.append(requests)
        if len(self.calls) <= self.times:
            return {"UnprocessedItems": {TABLE: requests[-1:]}}
        return {"UnprocessedItems": {}}


def test_unprocessed_items_are_written_again_with_backoff(monkeypatch):
    sleeps: list[float] = []
    monkeypatch.setattr(handler_module.time, "sleep", sleeps.append)
    requests = handler_module.build_put_requests(
        kinesis_event([row(), row(parameter="so2")])["Records"]
    )
    client = Unprocessing(times=2)
    handler_module.batch_write(client, TABLE, requests)
    assert [len(c) for c in client.calls] == [2, 1, 1]
    assert client.calls[1] == client.calls[2] == requests[-1:]
    assert sleeps == [0.1, 0.2]  # 50 ms × 2^attempt


def test_items_still_unprocessed_after_every_attempt_fail_the_batch(monkeypatch):
    sleeps: list[float] = []
    monkeypatch.setattr(handler_module.time, "sleep", sleeps.append)
    requests = handler_module.build_put_requests(kinesis_event([row()])["Records"])
    client = Unprocessing(times=100)
    with pytest.raises(ItemsUnprocessed, match="left 1 of 1 items unprocessed .* after 6"):
        handler_module.batch_write(client, TABLE, requests)
    assert len(client.calls) == handler_module.MAX_ATTEMPTS == 6
    assert sleeps == [0.1, 0.2, 0.4, 0.8, 1.0]  # capped at 1 s
    assert sum(sleeps) < 3


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"avg_value": NaN}', "not JSON"),
        ({k: v for k, v in row().items() if k != "city"}, "field 'city' is missing"),
        ({**row(), "window_end": None}, "field 'window_end' is missing"),
        ({**row(), "avg_value": "11.8"}, "field 'avg_value': expected a number, found '11.8'"),
        ({**row(), "max_value": True}, "field 'max_value': expected a number"),
        ({**row(), "measurements": 0}, "field 'measurements': expected a count of at least 1"),
        ({**row(), "measurements": 2.5}, "field 'measurements': expected a count"),
        ({**row(), "parameter": ""}, "field 'parameter': expected a non-empty string"),
        (
            {**row(), "window_end": "2026-11-02 12:05:00.000"},
            "field 'window_end': expected an ISO 8601 UTC time such as 2026-11-02T12:05:00Z",
        ),
    ],
)
def test_a_malformed_record_fails_the_batch_and_writes_nothing(table, payload, message):
    event = kinesis_event([row(), payload])
    bad_id = event["Records"][1]["eventID"]
    with pytest.raises(MalformedRecord, match=message) as raised:
        lambda_handler(event, None)
    assert f"record 1 (eventID {bad_id})" in str(raised.value)
    assert scan(table) == {}


def test_data_that_is_not_base64_is_named(table):
    event = kinesis_event([row()])
    event["Records"][0]["kinesis"]["data"] = "***"
    with pytest.raises(MalformedRecord, match="record 0 .*not base64"):
        lambda_handler(event, None)


def test_the_table_name_comes_from_the_database_variable(table, monkeypatch):
    monkeypatch.delenv("database")
    with pytest.raises(DatabaseNotConfigured, match="'database' is not set"):
        lambda_handler(kinesis_event([row()]), None)
    monkeypatch.setenv("database", "")
    with pytest.raises(DatabaseNotConfigured):
        lambda_handler(kinesis_event([row()]), None)


def test_a_missing_table_fails_the_invocation(env):
    with pytest.raises(ClientError) as raised:
        lambda_handler(kinesis_event([row()]), None)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_an_empty_batch_writes_nothing(table):
    assert lambda_handler({"Records": []}, None) == {
        "records": 0,
        "items": 0,
        "batchItemFailures": [],
    }


def test_deployed_in_the_lambda_runtime(table, env):
    runtime = LambdaRuntime(now=lambda: env.clock.now, region=env.region)
    try:
        runtime.create_function(
            FunctionConfig(
                name="lambda-kinesis-to-ddb",
                handler="consumers.kinesis_to_dynamodb.lambda_handler",
                timeout=10,
                env={"database": TABLE},
            )
        )
        result = runtime.invoke(
            "lambda-kinesis-to-ddb",
            kinesis_event([row(), row(city="Charleroi")]),
            source="kinesis:openaq-aggregates",
        )
        failed = runtime.invoke(
            "lambda-kinesis-to-ddb",
            kinesis_event([b"\xff not utf-8"]),
            source="kinesis:openaq-aggregates",
        )
    finally:
        runtime.close()
    assert result.function_error is None, result.payload
    assert result.payload == {"records": 2, "items": 2, "batchItemFailures": []}
    assert set(scan(table)) == {
        ("Brussels#pm25", "2026-11-02T12:05:00Z"),
        ("Charleroi#pm25", "2026-11-02T12:05:00Z"),
    }
    assert failed.function_error == "Unhandled"
    assert failed.payload["errorType"] == "MalformedRecord"


def test_handler_is_cloud_code():
    """Only the standard library and boto3: it deploys to Lambda as is, and never imports sim."""
    imported = top_level_imports(handler_module)
    assert imported <= {
        "base64",
        "binascii",
        "json",
        "logging",
        "math",
        "os",
        "re",
        "time",
        "decimal",
        "boto3",
    }
