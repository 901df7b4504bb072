"""GetRecords: limits, MillisBehindLatest, iterator expiry, invalid and stale iterators."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"


@pytest.fixture
def one(kinesis):
    kinesis.create_stream(StreamName="one", ShardCount=1)
    return "one"


def trim_horizon(kinesis, stream="one"):
    return kinesis.get_shard_iterator(
        StreamName=stream, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]


def fill(kinesis, clock, count, size=10, stream="one"):
    for start in range(0, count, 500):
        clock.advance(1)
        batch = [{"PartitionKey": "k", "Data": b"d" * size} for _ in range(min(500, count - start))]
        assert kinesis.put_records(StreamName=stream, Records=batch)["FailedRecordCount"] == 0


def test_record_shape(kinesis, one, clock):
    clock.advance(0.123)
    kinesis.put_record(StreamName="one", PartitionKey="pk", Data=b"\x00\xffbytes")
    out = kinesis.get_records(ShardIterator=trim_horizon(kinesis))
    (record,) = out["Records"]
    assert record["Data"] == b"\x00\xffbytes"
    assert record["PartitionKey"] == "pk"
    assert record["ApproximateArrivalTimestamp"] == dt.datetime.fromtimestamp(
        round(clock.now, 3), dt.UTC
    )
    assert "EncryptionType" not in record
    assert out["MillisBehindLatest"] == 0
    assert out["NextShardIterator"]


def test_limit_and_default_of_10000(kinesis, one, clock):
    fill(kinesis, clock, 12_000, size=1)
    first = kinesis.get_records(ShardIterator=trim_horizon(kinesis))
    assert len(first["Records"]) == 10_000
    rest = kinesis.get_records(ShardIterator=first["NextShardIterator"], Limit=5000)
    assert len(rest["Records"]) == 2000
    small = kinesis.get_records(ShardIterator=trim_horizon(kinesis), Limit=3)
    assert len(small["Records"]) == 3


def test_at_most_10_mib_per_call(service, one, kinesis, clock):
    record = b"m" * (1024 * 1024 - 1)  # 1 MiB with its partition key
    for _ in range(12):
        clock.advance(1)
        kinesis.put_record(StreamName="one", PartitionKey="k", Data=record)
    out = kinesis.get_records(ShardIterator=trim_horizon(kinesis))
    assert len(out["Records"]) == 10
    assert len(kinesis.get_records(ShardIterator=out["NextShardIterator"])["Records"]) == 2


def test_limit_validation(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_records(ShardIterator="", Limit=0)
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value '0' at 'limit' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1",
            "Value '' at 'shardIterator' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
        ),
    )
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_records(ShardIterator="a" * 513, Limit=100000)
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value '100000' at 'limit' failed to satisfy constraint: "
            "Member must have value less than or equal to 10000",
            f"Value '{'a' * 513}' at 'shardIterator' failed to satisfy constraint: "
            "Member must have length less than or equal to 512",
        ),
    )


def test_millis_behind_latest(kinesis, one, clock):
    fill(kinesis, clock, 3, size=1)
    clock.advance(2.5)
    out = kinesis.get_records(ShardIterator=trim_horizon(kinesis), Limit=1)
    assert out["MillisBehindLatest"] == 2500  # the next unread record is 2.5 s old
    out = kinesis.get_records(ShardIterator=out["NextShardIterator"])
    assert len(out["Records"]) == 2 and out["MillisBehindLatest"] == 0


def test_iterator_expires_after_five_simulated_minutes(kinesis, one, clock, helpers):
    issued = clock.now
    iterator = trim_horizon(kinesis)
    clock.advance(300)
    kinesis.get_records(ShardIterator=iterator)  # exactly 5 minutes: still valid
    clock.advance(0.001)
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_records(ShardIterator=iterator)
    assert helpers.error_of(excinfo) == (
        "ExpiredIteratorException",
        "Iterator expired. The iterator was created at time Tue Nov 14 22:13:20 UTC 2023 "
        "while right now it is Tue Nov 14 22:18:20 UTC 2023 which is further in the future "
        "than the tolerated delay of 300000 milliseconds.",
    )
    assert issued == 1_700_000_000.0


def test_next_iterator_is_fresh(kinesis, one, clock):
    iterator = trim_horizon(kinesis)
    for _ in range(5):
        clock.advance(200)
        iterator = kinesis.get_records(ShardIterator=iterator)["NextShardIterator"]


@pytest.mark.parametrize("iterator", ["not-an-iterator", "AAAAAAAAAAEAAAAAAAAAAAAAAAA="])
def test_invalid_iterator(kinesis, helpers, iterator):
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_records(ShardIterator=iterator)
    assert helpers.error_of(excinfo) == ("InvalidArgumentException", "Invalid ShardIterator.")


def test_iterator_of_a_deleted_stream(kinesis, clock, helpers):
    kinesis.create_stream(StreamName="gone", ShardCount=2)
    iterator = kinesis.get_shard_iterator(
        StreamName="gone", ShardId="shardId-000000000001", ShardIteratorType="LATEST"
    )["ShardIterator"]
    kinesis.delete_stream(StreamName="gone")
    kinesis.create_stream(StreamName="gone", ShardCount=2)  # same name again
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_records(ShardIterator=iterator)
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Shard shardId-000000000001 in stream gone under account {ACCOUNT} does not exist",
    )


def test_dry_run(kinesis, one, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_records(ShardIterator=trim_horizon(kinesis), DryRun=True)
    assert helpers.error_of(excinfo)[0] == "DryRunOperationException"
