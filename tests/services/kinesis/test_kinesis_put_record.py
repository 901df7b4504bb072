"""PutRecord: shape, routing, ordering numbers, request limits, AWS's errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from sim.services.kinesis.sequence import parse_sequence

ACCOUNT = "123456789012"


def test_put_record_response(kinesis, stream):
    put = kinesis.put_record(StreamName=stream, PartitionKey="a", Data=b"hello")
    assert set(put) == {"ShardId", "SequenceNumber", "ResponseMetadata"}
    assert put["ShardId"].startswith("shardId-")
    assert put["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]


def test_missing_stream(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(StreamName="nope", PartitionKey="a", Data=b"")
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Stream nope under account {ACCOUNT} not found.",
    )


def test_validation_messages(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(
            StreamName="",
            PartitionKey="",
            Data=b"",
            ExplicitHashKey="",
            SequenceNumberForOrdering="",
        )
    # the order AWS lists them in (kinesalite test/putRecord.js)
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value '' at 'sequenceNumberForOrdering' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})",
            "Value '' at 'partitionKey' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
            "Value '' at 'explicitHashKey' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
        ),
    )


def test_missing_members(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(StreamName="s")
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value null at 'partitionKey' failed to satisfy constraint: Member must not be null",
            "Value null at 'data' failed to satisfy constraint: Member must not be null",
        ),
    )


def test_partition_key_too_long(kinesis, stream, helpers):
    key = "k" * 257
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(StreamName=stream, PartitionKey=key, Data=b"")
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            f"Value '{key}' at 'partitionKey' failed to satisfy constraint: "
            "Member must have length less than or equal to 256"
        ),
    )


def test_record_over_the_default_1_mib(kinesis, stream, helpers):
    data = b"x" * (1024 * 1024 + 1)
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(StreamName=stream, PartitionKey="a", Data=data)
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'data' failed "
            "to satisfy constraint: Member must have length less than or equal to 1048576"
        ),
    )


def test_partition_key_counts_towards_the_record_size(kinesis, stream, helpers):
    data = b"x" * (1024 * 1024)
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(StreamName=stream, PartitionKey="ab", Data=data)
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        "Record size of 1048578 bytes (data plus partition key) exceeds the stream's maximum "
        "record size of 1048576 bytes.",
    )
    assert kinesis.put_record(StreamName=stream, PartitionKey="a", Data=data[:-1])["ShardId"]


def test_update_max_record_size_allows_large_records(kinesis, stream, helpers):
    arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{stream}"
    kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=10240)
    big = b"y" * (5 * 1024 * 1024)
    put = kinesis.put_record(StreamName=stream, PartitionKey="a", Data=big)
    records = kinesis.get_records(ShardIterator=helpers.iterator(kinesis, stream, put["ShardId"]))[
        "Records"
    ]
    assert records[0]["Data"] == big
    with pytest.raises(ClientError) as excinfo:
        kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=10241)
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: "
            "Member must have value less than or equal to 10240"
        ),
    )


def test_sequence_number_for_ordering(kinesis, stream, clock, helpers):
    first = kinesis.put_record(StreamName=stream, PartitionKey="a", Data=b"1")
    second = kinesis.put_record(
        StreamName=stream,
        PartitionKey="a",
        Data=b"2",
        SequenceNumberForOrdering=first["SequenceNumber"],
    )
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    future = str(int("2" + "0" * 28 + f"{int(clock.now) + 3600:09x}" + "0" * 8 + "2", 16))
    assert parse_sequence(future).put_time > clock.now
    for bad in [future, str(int("20000000000000000000000000000000000000000000004", 16))]:
        with pytest.raises(ClientError) as excinfo:
            kinesis.put_record(
                StreamName=stream, PartitionKey="a", Data=b"3", SequenceNumberForOrdering=bad
            )
        assert helpers.error_of(excinfo) == (
            "InvalidArgumentException",
            f"ExclusiveMinimumSequenceNumber {bad} used in PutRecord on stream {stream} under "
            f"account {ACCOUNT} is invalid.",
        )


def test_bad_base64_is_a_serialization_exception(service):
    import json

    body = json.dumps({"StreamName": "s", "PartitionKey": "a", "Data": "abc"}).encode()
    status, _, payload = service.handle(
        "Kinesis_20131202.PutRecord", "application/x-amz-json-1.1", body
    )
    assert status == 400
    assert json.loads(payload) == {
        "__type": "SerializationException",
        "Message": "'abc' can not be converted to a Blob: Base64 encoded length is expected a "
        "multiple of 4 bytes but found: 3",
    }
