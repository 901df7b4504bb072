"""WildRydesStreamProcessor, run as deployed against the embedded backend (the ``cloud``
fixture) with AWS-shaped Kinesis events of per-minute summaries."""

from __future__ import annotations

import base64
import json
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

import consumers.wildrydes_processor as handler_module
from consumers.wildrydes_processor import lambda_handler
from producers.unicorns import UnicornProducer
from sim.services.lambda_ import FunctionConfig, LambdaRuntime
from tests.cloud_code import top_level_imports
from tests.module_cloud import fresh

TABLE = "UnicornSensorData"
STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/wildrydes-summary"


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
    monkeypatch.setenv("TABLE_NAME", TABLE)
    return cloud


@pytest.fixture
def table(env):
    """UnicornSensorData as the lab creates it: Name (S) partition key, StatusTime (S) sort key."""
    client = env.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "Name", "KeyType": "HASH"},
            {"AttributeName": "StatusTime", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "Name", "AttributeType": "S"},
            {"AttributeName": "StatusTime", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


_sequence = [49590338271490256608559692538361571095921575989136588898]


def kinesis_event(payloads: list[dict | bytes]) -> dict:
    """An event as Lambda delivers Kinesis records."""
    records = []
    for payload in payloads:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        key = payload["Name"] if isinstance(payload, dict) else "x"
        _sequence[0] += 1
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": key,
                    "sequenceNumber": str(_sequence[0]),
                    "data": base64.b64encode(data).decode(),
                    "approximateArrivalTimestamp": 1635757260.123,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{_sequence[0]}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/WildRydesStreamProcessorRole",
                "awsRegion": "us-east-1",
                "eventSourceARN": STREAM_ARN,
            }
        )
    return {"Records": records}


def summary(name="Shadowfax", minute="2018-03-18 03:20:00.000", distance=362, magic=(170, 172)):
    return {
        "Name": name,
        "StatusTime": minute,
        "Distance": distance,
        "MinMagicPoints": magic[0],
        "MaxMagicPoints": magic[1],
        "MinHealthPoints": 146,
        "MaxHealthPoints": 149,
    }


def scan(client) -> dict[tuple[str, str], dict]:
    items = {}
    for page in client.get_paginator("scan").paginate(TableName=TABLE):
        for item in page["Items"]:
            items[(item["Name"]["S"], item["StatusTime"]["S"])] = item
    return items


def plain(item: dict) -> dict:
    return {k: (v["S"] if "S" in v else Decimal(v["N"])) for k, v in item.items()}


def test_summaries_become_items_keyed_by_name_and_status_time(table):
    summaries = [
        summary(),
        summary("Bucephalus", distance=1773, magic=(140, 148)),
        summary(minute="2018-03-18 03:21:00.000", distance=1801, magic=(171, 173)),
    ]
    assert lambda_handler(kinesis_event(summaries), None) == "Delivered 3 records"
    items = scan(table)
    assert set(items) == {
        ("Shadowfax", "2018-03-18 03:20:00.000"),
        ("Bucephalus", "2018-03-18 03:20:00.000"),
        ("Shadowfax", "2018-03-18 03:21:00.000"),
    }
    assert items["Bucephalus", "2018-03-18 03:20:00.000"] == {
        "Name": {"S": "Bucephalus"},
        "StatusTime": {"S": "2018-03-18 03:20:00.000"},
        "Distance": {"N": "1773"},
        "MinMagicPoints": {"N": "140"},
        "MaxMagicPoints": {"N": "148"},
        "MinHealthPoints": {"N": "146"},
        "MaxHealthPoints": {"N": "149"},
    }
    # one unicorn's minutes, in order, with one Query (what the lab's console step shows)
    rows = table.query(
        TableName=TABLE,
        KeyConditionExpression="#n = :n",
        ExpressionAttributeNames={"#n": "Name"},
        ExpressionAttributeValues={":n": {"S": "Shadowfax"}},
    )["Items"]
    assert [(r["StatusTime"]["S"], r["Distance"]["N"]) for r in rows] == [
        ("2018-03-18 03:20:00.000", "362"),
        ("2018-03-18 03:21:00.000", "1801"),
    ]


def test_fractional_numbers_are_stored_exactly(table):
    lambda_handler(kinesis_event([summary(distance=1799.6253107)]), None)
    (item,) = scan(table).values()
    assert item["Distance"] == {"N": "1799.6253107"}


def test_batches_over_25_are_written_in_chunks_of_25(table, monkeypatch):
    sizes = []
    original = handler_module.batch_write

    def spy(client, table_name, request_items, attempt=0):
        sizes.append(len(request_items))
        return original(client, table_name, request_items, attempt)

    monkeypatch.setattr(handler_module, "batch_write", spy)
    minutes = [f"2021-11-01 09:{m:02d}:00.000" for m in range(20)]
    summaries = [summary(n, minute=t) for t in minutes for n in ("Shadowfax", "Rocinante", "Epona")]
    assert lambda_handler(kinesis_event(summaries), None) == "Delivered 60 records"
    assert sizes == [25, 25, 10]
    assert len(scan(table)) == 60


def test_replaying_a_batch_rewrites_the_same_items(table):
    event = kinesis_event([summary(), summary("Rocinante")])
    lambda_handler(event, None)
    before = scan(table)
    lambda_handler(event, None)  # the mapping retries a failed batch from its first record
    assert scan(table) == before and len(before) == 2


def test_a_later_summary_for_the_same_minute_replaces_the_item(table):
    lambda_handler(kinesis_event([summary(distance=100)]), None)
    lambda_handler(kinesis_event([summary(distance=362)]), None)
    (item,) = scan(table).values()
    assert item["Distance"] == {"N": "362"}


def test_unprocessed_items_are_retried_with_the_labs_backoff(monkeypatch):
    calls, sleeps = [], []

    class Throttled:
        def batch_write_item(self, RequestItems):
            calls.append(RequestItems)
            requests = RequestItems[TABLE]
            if len(calls) < 3:  # DynamoDB leaves the last request unprocessed, twice
                return {"UnprocessedItems": {TABLE: requests[-1:]}}
            return {"UnprocessedItems": {}}

    monkeypatch.setattr(handler_module.time, "sleep", sleeps.append)
    requests = handler_module.build_request_items(
        kinesis_event([summary(), summary("Epona")])["Records"]
    )
    handler_module.batch_write(Throttled(), TABLE, requests)
    assert [len(c[TABLE]) for c in calls] == [2, 1, 1]
    assert calls[1][TABLE] == calls[2][TABLE] == requests[-1:]
    assert sleeps == [0.1, 0.2]  # 50 × 2^attempt ms


def test_a_record_that_is_not_json_fails_the_invocation_and_writes_nothing(table):
    event = kinesis_event([summary(), b"not json"])
    with pytest.raises(json.JSONDecodeError):
        lambda_handler(event, None)
    assert scan(table) == {}


def test_an_item_without_its_keys_fails_the_invocation(table):
    with pytest.raises(ClientError) as raised:
        lambda_handler(kinesis_event([{"Name": "Shadowfax", "Distance": 1}]), None)
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_a_missing_table_fails_the_invocation(env):
    with pytest.raises(ClientError) as raised:
        lambda_handler(kinesis_event([summary()]), None)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_table_name_comes_from_the_environment(table, monkeypatch):
    monkeypatch.delenv("TABLE_NAME")
    with pytest.raises(RuntimeError, match="TABLE_NAME"):
        lambda_handler(kinesis_event([summary()]), None)


def test_an_empty_batch_delivers_nothing(table):
    assert lambda_handler({"Records": []}, None) == "Delivered 0 records"


def test_deployed_in_the_lambda_runtime(table, env):
    runtime = LambdaRuntime(now=lambda: env.clock.now, region=env.region)
    try:
        runtime.create_function(
            FunctionConfig(
                name="WildRydesStreamProcessor",
                handler="consumers.wildrydes_processor.lambda_handler",
                timeout=60,
                env={"TABLE_NAME": TABLE},
            )
        )
        result = runtime.invoke(
            "WildRydesStreamProcessor",
            kinesis_event([summary(), summary("Rocinante")]),
            source="kinesis:wildrydes-summary",
        )
    finally:
        runtime.close()
    assert result.function_error is None, result.payload
    assert result.payload == "Delivered 2 records"
    assert set(scan(table)) == {
        ("Shadowfax", "2018-03-18 03:20:00.000"),
        ("Rocinante", "2018-03-18 03:20:00.000"),
    }


def kda_summaries(statuses: list[dict]) -> list[dict]:
    """What the lab's KDA SQL emits, computed in Python: per unicorn and minute, SUM(Distance)
    (an integer: the destination stream declares SMALLINT), MIN/MAX of the points."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for s in statuses:
        groups[s["Name"], s["StatusTime"][:16] + ":00.000"].append(s)
    return [
        {
            "Name": name,
            "StatusTime": minute,
            "Distance": round(sum(s["Distance"] for s in rows)),
            "MinMagicPoints": min(s["MagicPoints"] for s in rows),
            "MaxMagicPoints": max(s["MagicPoints"] for s in rows),
            "MinHealthPoints": min(s["HealthPoints"] for s in rows),
            "MaxHealthPoints": max(s["HealthPoints"] for s in rows),
        }
        for (name, minute), rows in groups.items()
    ]


def test_the_fleets_minutes_end_up_in_the_table(table):
    producer = UnicornProducer(random.Random(42), count=3)
    t0 = datetime(2021, 11, 1, 9, 0, tzinfo=UTC)
    statuses = [
        json.loads(r.data) for s in range(180) for r in producer.emit(t0 + timedelta(seconds=s))
    ]
    summaries = kda_summaries(statuses)
    assert len(summaries) == 9
    event = kinesis_event(summaries)
    assert lambda_handler(event, None) == "Delivered 9 records"
    items = {key: plain(item) for key, item in scan(table).items()}
    assert items == {
        (s["Name"], s["StatusTime"]): {**s, "Distance": s["Distance"]} for s in summaries
    }
    for s in summaries:
        assert 60 * 29 <= s["Distance"] <= 60 * 31  # a minute at the lab's 29-31 m/s


def test_handler_is_cloud_code():
    """Only the standard library and boto3: it deploys to Lambda as is, and never imports sim."""
    imported = top_level_imports(handler_module)
    assert imported <= {"base64", "json", "os", "time", "decimal", "boto3"}


@pytest.mark.xfail(
    strict=True,
    reason="moto 5.2.5 accepts duplicate keys in one BatchWriteItem; AWS answers "
    "ValidationException 'Provided list of item keys contains duplicates'",
)
def test_two_summaries_of_one_minute_in_one_batch_fail_as_in_the_lab(table):
    """Kept from the lab: BatchWriteItem refuses duplicate keys in one request."""
    with pytest.raises(ClientError) as raised:
        lambda_handler(kinesis_event([summary(distance=1), summary(distance=2)]), None)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "duplicates" in raised.value.response["Error"]["Message"]
