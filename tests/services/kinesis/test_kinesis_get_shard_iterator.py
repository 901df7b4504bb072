"""GetShardIterator: all five types and AWS's errors."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
MUST = (
    "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
    "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
)


@pytest.fixture
def filled(kinesis, clock):
    """One shard with records a0..a4, one second apart; returns their sequence numbers."""
    kinesis.create_stream(StreamName="one", ShardCount=1)
    numbers = []
    for i in range(5):
        clock.advance(1)
        numbers.append(
            kinesis.put_record(StreamName="one", PartitionKey="k", Data=f"a{i}".encode())[
                "SequenceNumber"
            ]
        )
    return numbers


def read(kinesis, iterator):
    return [r["Data"].decode() for r in kinesis.get_records(ShardIterator=iterator)["Records"]]


def it(kinesis, kind, **kw):
    return kinesis.get_shard_iterator(
        StreamName="one", ShardId="shardId-000000000000", ShardIteratorType=kind, **kw
    )["ShardIterator"]


def test_trim_horizon_and_latest(kinesis, filled):
    assert read(kinesis, it(kinesis, "TRIM_HORIZON")) == [f"a{i}" for i in range(5)]
    latest = it(kinesis, "LATEST")
    assert read(kinesis, latest) == []
    kinesis.put_record(StreamName="one", PartitionKey="k", Data=b"new")
    assert read(kinesis, latest) == ["new"]


def test_at_and_after_sequence_number(kinesis, filled):
    assert read(kinesis, it(kinesis, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=filled[2])) == [
        "a2",
        "a3",
        "a4",
    ]
    assert read(
        kinesis, it(kinesis, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=filled[2])
    ) == ["a3", "a4"]
    assert (
        read(kinesis, it(kinesis, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=filled[4])) == []
    )


def test_at_timestamp(kinesis, filled, clock):
    start = clock.now - 4  # the arrival of a0 was at now - 4
    at = dt.datetime.fromtimestamp(start + 2, dt.UTC)
    assert read(kinesis, it(kinesis, "AT_TIMESTAMP", Timestamp=at)) == ["a2", "a3", "a4"]
    assert read(kinesis, it(kinesis, "AT_TIMESTAMP", Timestamp=start + 2.5)) == ["a3", "a4"]
    assert read(kinesis, it(kinesis, "AT_TIMESTAMP", Timestamp=0)) == [f"a{i}" for i in range(5)]


def test_at_timestamp_errors(kinesis, filled, clock, helpers):
    with pytest.raises(ClientError) as excinfo:
        it(kinesis, "AT_TIMESTAMP")
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
        "Current request has no timestamp parameter.",
    )
    with pytest.raises(ClientError) as excinfo:
        it(kinesis, "AT_TIMESTAMP", Timestamp=clock.now + 10)
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
        f"timestampInMillis: {int((clock.now + 10) * 1000)}, "
        f"currentTimestampInMillis: {int(clock.now * 1000)}",
    )


@pytest.mark.parametrize(
    ("kind", "with_number", "message"),
    [
        ("AT_SEQUENCE_NUMBER", False, MUST + "Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."),
        ("AFTER_SEQUENCE_NUMBER", False, MUST + "Request specified AFTER_SEQUENCE_NUMBER and no StartingSequenceNumber."),
        ("LATEST", True, MUST + "Request specified LATEST and also a StartingSequenceNumber."),
        ("TRIM_HORIZON", True, MUST + "Request specified TRIM_HORIZON and also a StartingSequenceNumber."),
    ],
)  # fmt: skip
def test_type_and_number_must_agree(kinesis, filled, helpers, kind, with_number, message):
    extra = {"StartingSequenceNumber": filled[0]} if with_number else {}
    with pytest.raises(ClientError) as excinfo:
        it(kinesis, kind, **extra)
    assert helpers.error_of(excinfo) == ("InvalidArgumentException", message)


def test_sequence_number_of_another_shard(kinesis, helpers):
    kinesis.create_stream(StreamName="two", ShardCount=2)
    number = kinesis.put_record(
        StreamName="two", PartitionKey="a", Data=b"", ExplicitHashKey=str(2**128 - 1)
    )["SequenceNumber"]
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_shard_iterator(
            StreamName="two",
            ShardId="shardId-000000000000",
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            StartingSequenceNumber=number,
        )
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        "Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in "
        "a call to a shard with shardId-000000000000",
    )


def test_sequence_number_of_another_stream(kinesis, filled, clock, helpers):
    clock.advance(10)
    kinesis.create_stream(StreamName="other", ShardCount=1)
    number = kinesis.put_record(StreamName="other", PartitionKey="a", Data=b"")["SequenceNumber"]
    with pytest.raises(ClientError) as excinfo:
        it(kinesis, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=number)
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        f"StartingSequenceNumber {number} used in GetShardIterator on shard "
        f"shardId-000000000000 in stream one under account {ACCOUNT} is invalid because it "
        "did not come from this stream.",
    )


def test_malformed_sequence_number(kinesis, filled, helpers):
    number = "26227199374822427428162556223570313216"  # a date too large (kinesalite)
    with pytest.raises(ClientError) as excinfo:
        it(kinesis, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=number)
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        f"StartingSequenceNumber {number} used in GetShardIterator on shard "
        f"shardId-000000000000 in stream one under account {ACCOUNT} is invalid.",
    )


def test_sequence_number_pattern(kinesis, filled, helpers):
    with pytest.raises(ClientError) as excinfo:
        it(kinesis, "AT_SEQUENCE_NUMBER", StartingSequenceNumber="012")
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value '012' at 'startingSequenceNumber' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})"
        ),
    )


def test_unknown_shard_and_stream(kinesis, filled, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_shard_iterator(
            StreamName="one", ShardId="shardId-5", ShardIteratorType="LATEST"
        )
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Shard shardId-000000000005 in stream one under account {ACCOUNT} does not exist",
    )
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_shard_iterator(
            StreamName="nope", ShardId="shardId-0", ShardIteratorType="LATEST"
        )
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Shard shardId-000000000000 in stream nope under account {ACCOUNT} does not exist",
    )
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_shard_iterator(StreamName="one", ShardId="abc", ShardIteratorType="LATEST")
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Could not find shard abc in stream one under account {ACCOUNT}.",
    )


def test_lenient_shard_ids(kinesis, filled):
    for shard_id in ("shardId-0", "0", "anything-000"):
        assert len(read(kinesis, it_for(kinesis, shard_id))) == 5


def it_for(kinesis, shard_id):
    return kinesis.get_shard_iterator(
        StreamName="one", ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]


def test_iterator_type_enum(kinesis, filled, helpers):
    with pytest.raises(ClientError) as excinfo:
        it(kinesis, "OLDEST")
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member must "
            "satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, "
            "AT_SEQUENCE_NUMBER, TRIM_HORIZON]"
        ),
    )
