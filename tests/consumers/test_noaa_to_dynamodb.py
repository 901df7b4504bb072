"""The NOAA lab's Lambda handler, run as deployed against moto's DynamoDB with AWS-shaped events."""

from __future__ import annotations

import base64
import json
import logging
import random
from decimal import Decimal

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

import consumers.noaa_to_dynamodb as handler_module
from consumers.noaa_to_dynamodb import lambda_handler
from producers.noaa import NoaaProducer
from tests.cloud_code import top_level_imports

REGION = "us-east-1"
STREAM_ARN = f"arn:aws:kinesis:{REGION}:123456789012:stream/input-stream"


@pytest.fixture
def aws(monkeypatch):
    for name in (
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("PRECIPITATION_TABLE", raising=False)
    monkeypatch.delenv("TEMPERATURE_TABLE", raising=False)
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


def create_table(client, name):
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "date", "KeyType": "HASH"},
            {"AttributeName": "station", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "date", "AttributeType": "S"},
            {"AttributeName": "station", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture
def tables(aws):
    create_table(aws, "Precipitation")
    create_table(aws, "Temperature")
    return aws


_sequence = [49590338271490256608559692538361571095921575989136588898]


def kinesis_event(payloads: list[bytes | str | dict], partition_key: str = "2021-10-01") -> dict:
    """An event as Lambda delivers Kinesis records (aws-semantics.md §1)."""
    records = []
    for payload in payloads:
        if isinstance(payload, dict):
            payload = json.dumps(payload).encode()
        data = payload if isinstance(payload, str) else base64.b64encode(payload).decode()
        _sequence[0] += 1
        sequence = str(_sequence[0])
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": partition_key,
                    "sequenceNumber": sequence,
                    "data": data,
                    "approximateArrivalTimestamp": 1545084650.987,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{sequence}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/KinesisLambdaConsumerRole",
                "awsRegion": REGION,
                "eventSourceARN": STREAM_ARN,
            }
        )
    return {"Records": records}


def scan(client, table) -> dict[tuple[str, str], dict]:
    items = {}
    for page in client.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            plain = {k: (v["S"] if "S" in v else Decimal(v["N"])) for k, v in item.items()}
            items[(plain["date"], plain["station"])] = plain
    return items


def expected_tables(results) -> dict[str, dict[tuple[str, str], dict]]:
    """What the tables should hold after every result was consumed once or more."""
    tables: dict[str, dict[tuple[str, str], dict]] = {"Precipitation": {}, "Temperature": {}}
    for r in results:
        table = "Precipitation" if r["datatype"] in ("PRCP", "SNOW") else "Temperature"
        key = (r["date"][:10], r["station"])
        item = tables[table].setdefault(key, {"date": key[0], "station": key[1]})
        item[r["datatype"]] = Decimal(str(r["value"]))
        item[r["datatype"] + "_attributes"] = r["attributes"]
    return tables


def result(datatype, value, station="GHCND:USW00093721", day="2021-10-01", attributes=",,W,2400"):
    return {
        "date": f"{day}T00:00:00",
        "datatype": datatype,
        "station": station,
        "attributes": attributes,
        "value": value,
    }


# --- the data set end to end --------------------------------------------------------------------


def test_whole_month_in_batches_of_100(tables):
    producer = NoaaProducer(random.Random(42))
    records = producer.records()
    written = {"precipitation_items": 0, "temperature_items": 0, "skipped": 0}
    for start in range(0, len(records), 100):
        batch = records[start : start + 100]
        summary = lambda_handler(kinesis_event([r.data for r in batch]), None)
        assert summary["records"] == len(batch)
        assert summary["batchItemFailures"] == []
        for key in written:
            written[key] += summary[key]
    expected = expected_tables(producer.results())
    assert scan(tables, "Precipitation") == expected["Precipitation"]
    assert scan(tables, "Temperature") == expected["Temperature"]
    assert len(expected["Precipitation"]) == 248 and len(expected["Temperature"]) == 155
    assert written["skipped"] == 0
    # a station-day split across two batches is written once per batch, never more
    assert 248 <= written["precipitation_items"] <= 248 + 8
    assert 155 <= written["temperature_items"] <= 155 + 8


def test_items_are_typed_as_designed(tables):
    lambda_handler(
        kinesis_event(
            [
                result("PRCP", 0.5),
                result("SNOW", 0),
                result("TMIN", 51),
                result("TMAX", 72),
                result("PRCP", 0.0, station="GHCND:US1MDAA0002", attributes="T,,N,0700"),
            ]
        ),
        None,
    )
    bwi = tables.get_item(
        TableName="Precipitation",
        Key={"date": {"S": "2021-10-01"}, "station": {"S": "GHCND:USW00093721"}},
    )["Item"]
    assert bwi == {
        "date": {"S": "2021-10-01"},
        "station": {"S": "GHCND:USW00093721"},
        "PRCP": {"N": "0.5"},
        "PRCP_attributes": {"S": ",,W,2400"},
        "SNOW": {"N": "0"},
        "SNOW_attributes": {"S": ",,W,2400"},
    }
    temperature = scan(tables, "Temperature")
    assert temperature == {
        ("2021-10-01", "GHCND:USW00093721"): {
            "date": "2021-10-01",
            "station": "GHCND:USW00093721",
            "TMIN": 51,
            "TMIN_attributes": ",,W,2400",
            "TMAX": 72,
            "TMAX_attributes": ",,W,2400",
        }
    }  # the CoCoRaHS station has no Temperature item
    trace = scan(tables, "Precipitation")[("2021-10-01", "GHCND:US1MDAA0002")]
    assert trace["PRCP"] == 0 and trace["PRCP_attributes"].startswith("T")


def test_replaying_a_batch_is_idempotent(tables):
    results = NoaaProducer(random.Random(5), end_date="2021-10-03").results()
    event = kinesis_event(results)
    lambda_handler(event, None)
    first = scan(tables, "Precipitation"), scan(tables, "Temperature")
    lambda_handler(event, None)  # the event source mapping retries the same batch
    lambda_handler(kinesis_event(results[:40]), None)  # and an overlapping one
    assert (scan(tables, "Precipitation"), scan(tables, "Temperature")) == first
    expected = expected_tables(results)
    assert first == (expected["Precipitation"], expected["Temperature"])


def test_out_of_order_records_across_batches(tables):
    results = NoaaProducer(random.Random(9), end_date="2021-10-04").results()
    shuffled = list(results)
    random.Random(1).shuffle(shuffled)
    for start in range(0, len(shuffled), 7):
        lambda_handler(kinesis_event(shuffled[start : start + 7]), None)
    expected = expected_tables(results)
    assert scan(tables, "Precipitation") == expected["Precipitation"]
    assert scan(tables, "Temperature") == expected["Temperature"]


def test_a_station_day_completed_by_a_later_batch_keeps_earlier_values(tables):
    lambda_handler(kinesis_event([result("TMAX", 70)]), None)
    lambda_handler(kinesis_event([result("TMIN", 48)]), None)
    item = scan(tables, "Temperature")[("2021-10-01", "GHCND:USW00093721")]
    assert (item["TMIN"], item["TMAX"]) == (48, 70)


def test_later_record_in_a_batch_wins(tables):
    lambda_handler(kinesis_event([result("PRCP", 1.0), result("PRCP", 2.5)]), None)
    item = scan(tables, "Precipitation")[("2021-10-01", "GHCND:USW00093721")]
    assert item["PRCP"] == Decimal("2.5")


def test_one_update_per_station_day_and_table(tables):
    calls = []

    def count(params, **kwargs):
        calls.append(params["TableName"])

    events = handler_module._dynamodb().meta.events
    events.register("provide-client-params.dynamodb.*", count)
    try:
        day = [result(dt, v) for dt, v in (("PRCP", 1.3), ("SNOW", 0), ("TMAX", 66), ("TMIN", 45))]
        other = [result("PRCP", 0.0, station="GHCND:US1MDMG0003")]
        summary = lambda_handler(kinesis_event(day + other + day), None)
    finally:
        events.unregister("provide-client-params.dynamodb.*", count)
    assert sorted(calls) == ["Precipitation", "Precipitation", "Temperature"]
    assert summary == {
        "records": 9,
        "skipped": 0,
        "precipitation_items": 2,
        "temperature_items": 1,
        "batchItemFailures": [],
    }


# --- bad input and failures --------------------------------------------------------------------


def test_malformed_records_are_logged_and_skipped(tables, caplog):
    good = result("TMAX", 61, day="2021-10-02")
    payloads = [
        "!!! not base64 !!!",
        b"\xff\xfe not utf-8",
        b"{not json",
        b"[1, 2]",
        {"datatype": "PRCP", "station": "GHCND:X", "value": 1},  # no date
        result("TAVG", 55),  # unknown datatype
        result("PRCP", "1.0"),  # value is a string
        result("PRCP", True),
        b'{"date": "2021-10-01T00:00:00", "datatype": "PRCP", "station": "S", "value": NaN}',
        result("PRCP", 1, day="soon"),
        result("PRCP", 1, station=""),
        result("PRCP", 1, attributes=7),
        good,
    ]
    event = kinesis_event(payloads)
    event["Records"].insert(0, {"eventSource": "aws:kinesis"})  # no kinesis block at all
    with caplog.at_level(logging.WARNING, logger=handler_module.__name__):
        summary = lambda_handler(event, None)
    assert summary["skipped"] == 13
    assert summary["temperature_items"] == 1 and summary["precipitation_items"] == 0
    assert scan(tables, "Precipitation") == {}
    assert list(scan(tables, "Temperature")) == [("2021-10-02", "GHCND:USW00093721")]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 13
    for record in event["Records"][1:-1]:
        assert any(record["kinesis"]["sequenceNumber"] in w for w in warnings)
    assert any("unknown datatype 'TAVG'" in w for w in warnings)


def test_missing_table_raises_so_the_batch_is_retried(aws):
    create_table(aws, "Precipitation")  # Temperature is missing
    with pytest.raises(ClientError) as raised:
        lambda_handler(kinesis_event([result("PRCP", 1.0), result("TMAX", 70)]), None)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_table_names_from_the_environment(aws, monkeypatch):
    monkeypatch.setenv("PRECIPITATION_TABLE", "lab-precipitation")
    monkeypatch.setenv("TEMPERATURE_TABLE", "lab-temperature")
    create_table(aws, "lab-precipitation")
    create_table(aws, "lab-temperature")
    lambda_handler(kinesis_event([result("PRCP", 1.0), result("TMAX", 70)]), None)
    assert len(scan(aws, "lab-precipitation")) == 1
    assert len(scan(aws, "lab-temperature")) == 1


def test_empty_event(tables):
    assert lambda_handler({"Records": []}, None) == {
        "records": 0,
        "skipped": 0,
        "precipitation_items": 0,
        "temperature_items": 0,
        "batchItemFailures": [],
    }


def test_handler_is_cloud_code():
    """Only the standard library and boto3: it deploys to Lambda as is, and never imports sim."""
    imported = top_level_imports(handler_module)
    assert imported <= {
        "base64",
        "binascii",
        "json",
        "logging",
        "os",
        "datetime",
        "decimal",
        "boto3",
    }


def scan_all(table, **kwargs):
    items = []
    while True:
        page = table.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_the_labs_queries_from_the_docs(tables):
    from boto3.dynamodb.conditions import Attr, Key

    producer = NoaaProducer(random.Random(42))
    records = producer.records()
    for start in range(0, len(records), 100):
        lambda_handler(kinesis_event([r.data for r in records[start : start + 100]]), None)
    results = producer.results()
    dynamodb = boto3.resource("dynamodb", region_name=REGION)

    # days with precipitation above 25 mm
    precipitation = dynamodb.Table("Precipitation")
    items = scan_all(
        precipitation,
        FilterExpression=Attr("PRCP").gt(Decimal("25")),
        ProjectionExpression="#d, station, PRCP",
        ExpressionAttributeNames={"#d": "date"},
    )
    wet_days = sorted({item["date"] for item in items})
    expected = sorted(
        {r["date"][:10] for r in results if r["datatype"] == "PRCP" and r["value"] > 25}
    )
    assert wet_days == expected == ["2021-10-15", "2021-10-22"]
    day = precipitation.query(
        KeyConditionExpression=Key("date").eq("2021-10-15"),
        FilterExpression=Attr("PRCP").gt(Decimal("25")),
    )["Items"]
    assert {i["station"] for i in day} == {
        r["station"]
        for r in results
        if r["date"].startswith("2021-10-15") and r["datatype"] == "PRCP" and r["value"] > 25
    }

    # the warmest day
    items = scan_all(
        dynamodb.Table("Temperature"),
        ProjectionExpression="#d, station, TMAX",
        ExpressionAttributeNames={"#d": "date"},
        FilterExpression=Attr("TMAX").exists(),
    )
    hottest = max(items, key=lambda item: item["TMAX"])
    assert (hottest["date"], hottest["station"], hottest["TMAX"]) == (
        "2021-10-03",
        "GHCND:USW00093720",
        75,
    )
    by_day: dict[str, list] = {}
    for item in items:
        by_day.setdefault(item["date"], []).append(item["TMAX"])
    assert max(by_day, key=lambda d: sum(by_day[d]) / len(by_day[d])) == "2021-10-03"
