"""Retention: trimming on the simulated clock, Increase/DecreaseStreamRetentionPeriod."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
HOUR = 3600


def horizon(kinesis, stream="s", shard="shardId-000000000000"):
    iterator = kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return [r["Data"].decode() for r in kinesis.get_records(ShardIterator=iterator)["Records"]]


@pytest.fixture
def s(kinesis):
    kinesis.create_stream(StreamName="s", ShardCount=1)
    return "s"


def test_records_expire_after_24_hours(kinesis, s, clock):
    kinesis.put_record(StreamName=s, PartitionKey="k", Data=b"old")
    clock.advance(12 * HOUR)
    kinesis.put_record(StreamName=s, PartitionKey="k", Data=b"new")
    assert horizon(kinesis) == ["old", "new"]
    clock.advance(12 * HOUR + 1)
    assert horizon(kinesis) == ["new"]
    clock.advance(12 * HOUR)
    assert horizon(kinesis) == []


def test_increase_keeps_records_longer(kinesis, s, clock):
    kinesis.put_record(StreamName=s, PartitionKey="k", Data=b"a")
    kinesis.increase_stream_retention_period(StreamName=s, RetentionPeriodHours=48)
    clock.advance(47 * HOUR)
    assert horizon(kinesis) == ["a"]
    clock.advance(1 * HOUR + 1)
    assert horizon(kinesis) == []
    summary = kinesis.describe_stream_summary(StreamName=s)["StreamDescriptionSummary"]
    assert summary["RetentionPeriodHours"] == 48


def test_expired_records_do_not_come_back(kinesis, s, clock):
    kinesis.put_record(StreamName=s, PartitionKey="k", Data=b"a")
    clock.advance(25 * HOUR)  # expired, but nothing has looked at the shard yet
    kinesis.increase_stream_retention_period(StreamName=s, RetentionPeriodHours=72)
    assert horizon(kinesis) == []


def test_decrease_trims_at_once(kinesis, s, clock):
    kinesis.increase_stream_retention_period(StreamName=s, RetentionPeriodHours=100)
    kinesis.put_record(StreamName=s, PartitionKey="k", Data=b"a")
    clock.advance(30 * HOUR)
    assert horizon(kinesis) == ["a"]
    kinesis.decrease_stream_retention_period(StreamName=s, RetentionPeriodHours=24)
    assert horizon(kinesis) == []


@pytest.mark.parametrize(
    ("call", "hours", "message"),
    [
        ("increase", 23, "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short."),
        ("increase", 8761, "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long."),
        ("decrease", 23, "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short."),
        ("decrease", 25, "Requested retention period (25 hours) for stream s can not be longer than existing retention period (24 hours). Use IncreaseRetentionPeriod API."),
    ],
)  # fmt: skip
def test_bounds(kinesis, s, helpers, call, hours, message):
    method = getattr(kinesis, f"{call}_stream_retention_period")
    with pytest.raises(ClientError) as excinfo:
        method(StreamName=s, RetentionPeriodHours=hours)
    assert helpers.error_of(excinfo) == ("InvalidArgumentException", message)


def test_increase_cannot_shorten(kinesis, s, helpers):
    kinesis.increase_stream_retention_period(StreamName=s, RetentionPeriodHours=25)
    with pytest.raises(ClientError) as excinfo:
        kinesis.increase_stream_retention_period(StreamName=s, RetentionPeriodHours=24)
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        "Requested retention period (24 hours) for stream s can not be shorter than existing "
        "retention period (25 hours). Use DecreaseRetentionPeriod API.",
    )


def test_missing_stream(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.increase_stream_retention_period(StreamName="nope", RetentionPeriodHours=48)
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Stream nope under account {ACCOUNT} not found.",
    )
