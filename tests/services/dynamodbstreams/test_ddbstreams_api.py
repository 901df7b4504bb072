"""The DynamoDB Streams API (ListStreams, DescribeStream, GetShardIterator, GetRecords) served
from streamlab's store to boto3 in-process, with AWS's errors and messages."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.config import Config
from ddbstreams_lab import T0, error_of


def put(lab, key: str, table: str = "tab", **extra) -> None:
    lab.dynamodb.put_item(TableName=table, Item={"pk": {"S": key}, **extra})


def first_shard(lab, arn: str) -> str:
    return lab.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]


def iterator(lab, arn: str, kind: str, **kwargs) -> str:
    return lab.streams.get_shard_iterator(
        StreamArn=arn, ShardId=first_shard(lab, arn), ShardIteratorType=kind, **kwargs
    )["ShardIterator"]


def keys_of(records: list[dict]) -> list[str]:
    return [r["dynamodb"]["Keys"]["pk"]["S"] for r in records]


def test_list_streams_filters_and_pages(lab) -> None:
    arns = sorted(lab.table(name=name) for name in ("alpha", "beta", "gamma"))
    listed = lab.streams.list_streams()["Streams"]
    assert [s["StreamArn"] for s in listed] == arns
    assert listed[0] == {
        "StreamArn": arns[0],
        "TableName": "alpha",
        "StreamLabel": "2024-03-01T12:00:00.000",
    }
    page = lab.streams.list_streams(Limit=2)
    assert [s["StreamArn"] for s in page["Streams"]] == arns[:2]
    assert page["LastEvaluatedStreamArn"] == arns[1]
    rest = lab.streams.list_streams(Limit=2, ExclusiveStartStreamArn=arns[1])
    assert [s["StreamArn"] for s in rest["Streams"]] == arns[2:]
    assert "LastEvaluatedStreamArn" not in rest
    assert [s["TableName"] for s in lab.streams.list_streams(TableName="beta")["Streams"]] == [
        "beta"
    ]
    lab.table(name="quiet", view=None)
    assert lab.streams.list_streams(TableName="quiet")["Streams"] == []
    with pytest.raises(lab.streams.exceptions.ResourceNotFoundException) as excinfo:
        lab.streams.list_streams(TableName="nowhere")
    assert error_of(excinfo)[1] == "Requested resource not found: Table: nowhere not found"


def test_describe_stream_describes_the_stream_and_its_shards(lab) -> None:
    lab.advance(0.25)
    arn = lab.table(name="described", sort="sk")
    put(lab, "a", table="described", sk={"S": "1"})
    description = lab.streams.describe_stream(StreamArn=arn)["StreamDescription"]
    shard = lab.store().get_stream(arn).shards[0]
    assert description == {
        "StreamArn": arn,
        "StreamLabel": "2024-03-01T12:00:00.250",
        "StreamStatus": "ENABLED",
        "StreamViewType": "NEW_AND_OLD_IMAGES",
        "CreationRequestDateTime": dt.datetime.fromtimestamp(T0 + 0.25, dt.UTC),
        "TableName": "described",
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "Shards": [
            {
                "ShardId": shard.shard_id,
                "SequenceNumberRange": {"StartingSequenceNumber": "000001000000000000001"},
            }
        ],
    }
    assert shard.shard_id.startswith("shardId-00000001709294400250-")
    assert len(shard.shard_id) == len("shardId-00000001414562045508-2bac9cd2")


def test_describe_stream_pages_and_filters_child_shards(lab) -> None:
    arn = lab.table()
    lab.advance(3 * 4 * 3600 + 1)  # three rollovers: four shards
    ids = [s.shard_id for s in lab.store().get_stream(arn).shards]
    assert len(ids) == 4
    page = lab.streams.describe_stream(StreamArn=arn, Limit=3)["StreamDescription"]
    assert [s["ShardId"] for s in page["Shards"]] == ids[:3]
    assert page["LastEvaluatedShardId"] == ids[2]
    rest = lab.streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=ids[2])
    assert [s["ShardId"] for s in rest["StreamDescription"]["Shards"]] == ids[3:]
    assert "LastEvaluatedShardId" not in rest["StreamDescription"]
    children = lab.streams.describe_stream(
        StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": ids[1]}
    )["StreamDescription"]["Shards"]
    assert [(s["ShardId"], s["ParentShardId"]) for s in children] == [(ids[2], ids[1])]


def test_iterators_of_every_type(lab) -> None:
    arn = lab.table()
    for key in ("a", "b", "c"):
        put(lab, key)
        lab.advance(1.5)
    put_at = [r.sequence_number for r in lab.records()]
    get = lab.streams.get_records
    assert keys_of(get(ShardIterator=iterator(lab, arn, "TRIM_HORIZON"))["Records"]) == [
        "a",
        "b",
        "c",
    ]
    latest = iterator(lab, arn, "LATEST")
    assert get(ShardIterator=latest)["Records"] == []
    put(lab, "d")
    assert keys_of(get(ShardIterator=latest)["Records"]) == ["d"]
    at = iterator(lab, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=put_at[1])
    assert keys_of(get(ShardIterator=at)["Records"]) == ["b", "c", "d"]
    after = iterator(lab, arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=put_at[1])
    assert keys_of(get(ShardIterator=after)["Records"]) == ["c", "d"]
    stamp = iterator(lab, arn, "AT_TIMESTAMP", Timestamp=dt.datetime.fromtimestamp(T0 + 1))
    assert keys_of(get(ShardIterator=stamp)["Records"]) == ["b", "c", "d"]


def test_get_records_limits_and_chains_iterators(lab) -> None:
    arn = lab.table()
    for i in range(5):
        put(lab, f"k{i}")
    answer = lab.streams.get_records(ShardIterator=iterator(lab, arn, "TRIM_HORIZON"), Limit=2)
    assert keys_of(answer["Records"]) == ["k0", "k1"]
    answer = lab.streams.get_records(ShardIterator=answer["NextShardIterator"], Limit=2)
    assert keys_of(answer["Records"]) == ["k2", "k3"]
    answer = lab.streams.get_records(ShardIterator=answer["NextShardIterator"])
    assert keys_of(answer["Records"]) == ["k4"]
    answer = lab.streams.get_records(ShardIterator=answer["NextShardIterator"])
    assert answer["Records"] == [] and answer["NextShardIterator"].startswith(arn + "|1|")
    record = lab.streams.get_records(ShardIterator=iterator(lab, arn, "TRIM_HORIZON"), Limit=1)[
        "Records"
    ][0]
    assert record["dynamodb"]["ApproximateCreationDateTime"] == dt.datetime.fromtimestamp(
        T0, dt.UTC
    )
    assert record["eventVersion"] == "1.1" and record["awsRegion"] == "us-east-1"


def test_get_records_stops_at_one_megabyte(lab) -> None:
    arn = lab.table(view="NEW_IMAGE")
    blob = "x" * 300_000
    for i in range(5):
        put(lab, f"k{i}", blob={"S": blob})
    answer = lab.streams.get_records(ShardIterator=iterator(lab, arn, "TRIM_HORIZON"))
    assert keys_of(answer["Records"]) == ["k0", "k1", "k2"]  # a fourth would pass 1 MB
    answer = lab.streams.get_records(ShardIterator=answer["NextShardIterator"])
    assert keys_of(answer["Records"]) == ["k3", "k4"]


def test_a_closed_shard_read_to_its_end_has_no_next_iterator(lab) -> None:
    arn = lab.table()
    put(lab, "a")
    start = iterator(lab, arn, "TRIM_HORIZON")
    lab.dynamodb.update_table(TableName="tab", StreamSpecification={"StreamEnabled": False})
    answer = lab.streams.get_records(ShardIterator=start)
    assert keys_of(answer["Records"]) == ["a"]
    assert "NextShardIterator" not in answer
    latest = iterator(lab, arn, "LATEST")
    assert "NextShardIterator" not in lab.streams.get_records(ShardIterator=latest)


def test_ttl_deletions_carry_the_identity_over_the_api(lab) -> None:
    arn = lab.table()
    lab.dynamodb.update_time_to_live(
        TableName="tab", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    put(lab, "gone", exp={"N": str(T0 + 1)})
    lab.advance(61)
    records = lab.streams.get_records(ShardIterator=iterator(lab, arn, "TRIM_HORIZON"))["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE"]
    assert "userIdentity" not in records[0]
    assert records[1]["userIdentity"] == {
        "PrincipalId": "dynamodb.amazonaws.com",
        "Type": "Service",
    }


# -- errors ---------------------------------------------------------------------------------
def test_an_iterator_expires_after_15_minutes(lab) -> None:
    arn = lab.table()
    start = iterator(lab, arn, "TRIM_HORIZON")
    lab.advance(15 * 60)
    lab.streams.get_records(ShardIterator=start)  # 15 minutes exactly: still valid
    lab.advance(1)
    with pytest.raises(lab.streams.exceptions.ExpiredIteratorException) as excinfo:
        lab.streams.get_records(ShardIterator=start)
    assert error_of(excinfo) == (
        "ExpiredIteratorException",
        "Iterator expired. The iterator was created at time Fri Mar 01 12:00:00 UTC 2024 while "
        "right now it is Fri Mar 01 12:15:01 UTC 2024 which is further in the future than the "
        "tolerated delay of 900000 milliseconds.",
    )


def test_reading_trimmed_data_is_refused(lab) -> None:
    arn = lab.table()
    put(lab, "a")
    sequence = lab.records()[0].sequence_number
    lab.advance(24 * 3600 - 60)
    start = iterator(lab, arn, "TRIM_HORIZON")  # at "a", still retained
    lab.advance(61)  # "a" is trimmed; the iterator is 61 s old
    for call in (
        lambda: lab.streams.get_records(ShardIterator=start),
        lambda: iterator(lab, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=sequence),
    ):
        with pytest.raises(lab.streams.exceptions.TrimmedDataAccessException) as excinfo:
            call()
        assert error_of(excinfo) == (
            "TrimmedDataAccessException",
            "The data you are trying to access has been trimmed",
        )
    # TRIM_HORIZON now starts after the trimmed record
    fresh = iterator(lab, arn, "TRIM_HORIZON")
    assert lab.streams.get_records(ShardIterator=fresh)["Records"] == []


def test_unknown_streams_and_shards(lab) -> None:
    arn = lab.table()
    missing = arn.replace("/tab/", "/other/")
    with pytest.raises(lab.streams.exceptions.ResourceNotFoundException) as excinfo:
        lab.streams.describe_stream(StreamArn=missing)
    assert error_of(excinfo)[1] == f"Requested resource not found: Stream: {missing} not found"
    with pytest.raises(lab.streams.exceptions.ResourceNotFoundException) as excinfo:
        lab.streams.get_shard_iterator(
            StreamArn=arn,
            ShardId="shardId-00000001414562045508-2bac9cd2",
            ShardIteratorType="LATEST",
        )
    assert error_of(excinfo)[1] == "Requested resource not found: Shard does not exist"


def test_validation_errors(lab) -> None:
    arn = lab.table()
    start = iterator(lab, arn, "TRIM_HORIZON")
    with pytest.raises(lab.streams.exceptions.ClientError) as excinfo:
        lab.streams.get_records(ShardIterator=start, Limit=1001)
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000",
    )
    unchecked = boto3.client(  # boto3 checks lengths itself: let AWS's checks answer
        "dynamodbstreams",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )
    with pytest.raises(lab.streams.exceptions.ClientError) as excinfo:
        unchecked.get_shard_iterator(StreamArn=arn, ShardId="short", ShardIteratorType="SOON")
    assert error_of(excinfo) == (
        "ValidationException",
        "2 validation errors detected: Value 'short' at 'shardId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 28; Value 'SOON' at "
        "'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: "
        "[TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP]",
    )
    with pytest.raises(lab.streams.exceptions.ClientError) as excinfo:
        lab.streams.describe_stream(StreamArn=arn, Limit=101)
    assert error_of(excinfo)[1].endswith("Member must have value less than or equal to 100")
    with pytest.raises(lab.streams.exceptions.ClientError) as excinfo:
        lab.streams.get_records(ShardIterator=start[:-6] + "AAAAAA")
    assert error_of(excinfo) == ("ValidationException", "Invalid ShardIterator")
    with pytest.raises(lab.streams.exceptions.ClientError) as excinfo:
        iterator(lab, arn, "AT_SEQUENCE_NUMBER")
    assert error_of(excinfo)[0] == "ValidationException"
    with pytest.raises(lab.streams.exceptions.ClientError) as excinfo:
        iterator(lab, arn, "AT_SEQUENCE_NUMBER", SequenceNumber="9" * 21)
    assert error_of(excinfo)[0] == "ValidationException"
    with pytest.raises(lab.streams.exceptions.ClientError) as excinfo:
        iterator(lab, arn, "AT_TIMESTAMP", Timestamp=dt.datetime.fromtimestamp(T0 + 60))
    assert error_of(excinfo)[0] == "ValidationException"  # in the future
