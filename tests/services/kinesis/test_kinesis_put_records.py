"""PutRecords: per-record results, request limits, AWS's validation texts."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ENTRY = "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310"


def test_results_in_request_order(kinesis, stream):
    records = [{"Data": f"{i}".encode(), "PartitionKey": f"k{i}"} for i in range(20)]
    out = kinesis.put_records(StreamName=stream, Records=records)
    assert out["FailedRecordCount"] == 0
    assert len(out["Records"]) == 20
    assert all(set(r) == {"SequenceNumber", "ShardId"} for r in out["Records"])
    by_shard: dict[str, list[int]] = {}
    for r in out["Records"]:
        by_shard.setdefault(r["ShardId"], []).append(int(r["SequenceNumber"]))
    assert all(numbers == sorted(numbers) for numbers in by_shard.values())


def test_more_than_500_records(kinesis, stream, helpers):
    records = [{"Data": b"", "PartitionKey": ""} for _ in range(501)]
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_records(StreamName="", Records=records)
    expected = [
        f"Value '[{', '.join([ENTRY] * 501)}]' at 'records' failed to satisfy constraint: "
        "Member must have length less than or equal to 500"
    ] + [
        f"Value '' at 'records.{i}.member.partitionKey' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
        for i in range(1, 10)
    ]
    assert helpers.error_of(excinfo) == ("ValidationException", helpers.validation(*expected))


def test_empty_request(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_records(StreamName="", Records=[])
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value '[]' at 'records' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            "Value '' at 'streamName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
        ),
    )


def test_member_errors_name_the_record(kinesis, helpers):
    key = "k" * 257
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_records(
            StreamName="a" * 129,
            Records=[{"PartitionKey": key, "Data": b"x" * (10 * 1024 * 1024 + 1),
                      "ExplicitHashKey": ""}],
        )  # fmt: skip
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            f"Value '{key}' at 'records.1.member.partitionKey' failed to satisfy constraint: "
            "Member must have length less than or equal to 256",
            "Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})",
            "Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]' at "
            "'records.1.member.data' failed to satisfy constraint: "
            "Member must have length less than or equal to 10485760",
            f"Value '{'a' * 129}' at 'streamName' failed to satisfy constraint: "
            "Member must have length less than or equal to 128",
        ),
    )


def test_record_over_stream_limit_names_its_position(kinesis, stream, helpers):
    records = [
        {"PartitionKey": "a", "Data": b"ok"},
        {"PartitionKey": "a", "Data": b"x" * (1024 * 1024 + 1)},
    ]
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_records(StreamName=stream, Records=records)
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at "
            "'records.2.member.data' failed to satisfy constraint: "
            "Member must have length less than or equal to 1048576"
        ),
    )


def test_request_over_5_mib(kinesis, stream, helpers):
    chunk = b"z" * (1024 * 1024 - 1)
    records = [{"PartitionKey": f"{i}", "Data": chunk} for i in range(6)]
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_records(StreamName=stream, Records=records)
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        "Records size exceeds 5 MB limit",
    )
    # exactly 5 MiB including partition keys is accepted; one shard then takes 1 MiB a second
    exact = [{"PartitionKey": "k", "Data": b"z" * (1024 * 1024 - 1)} for _ in range(5)]
    out = kinesis.put_records(StreamName=stream, Records=exact)
    assert out["FailedRecordCount"] == 4
    assert "SequenceNumber" in out["Records"][0]


def test_explicit_hash_key_out_of_range_fails_the_request(kinesis, stream, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_records(
            StreamName=stream,
            Records=[
                {"PartitionKey": "a", "Data": b"", "ExplicitHashKey": str(2**128)},
                {"PartitionKey": "a", "Data": b""},
            ],
        )
    assert helpers.error_of(excinfo)[0] == "InvalidArgumentException"
    assert kinesis.describe_stream(StreamName=stream)  # nothing was written
    for shard in ("shardId-000000000000", "shardId-000000000001"):
        assert (
            kinesis.get_records(ShardIterator=helpers.iterator(kinesis, stream, shard))["Records"]
            == []
        )


def test_missing_stream(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_records(StreamName="nope", Records=[{"PartitionKey": "a", "Data": b""}])
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        "Stream nope under account 123456789012 not found.",
    )
