"""CreateStream and DeleteStream."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"


def test_created_stream_is_active_at_once(kinesis, clock):
    assert (
        kinesis.create_stream(StreamName="s", ShardCount=3)["ResponseMetadata"]["HTTPStatusCode"]
        == 200
    )
    summary = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert summary["StreamStatus"] == "ACTIVE"
    assert summary["OpenShardCount"] == 3
    assert summary["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert summary["RetentionPeriodHours"] == 24
    assert summary["StreamARN"] == f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"
    assert summary["StreamCreationTimestamp"].timestamp() == int(clock.now)
    assert summary["MaxRecordSizeInKiB"] == 1024
    assert summary["EncryptionType"] == "NONE"
    kinesis.get_waiter("stream_exists").wait(StreamName="s", WaiterConfig={"Delay": 0})


def test_on_demand_starts_with_four_shards(kinesis):
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName="od")["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 4
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}


def test_tags_at_creation(kinesis):
    kinesis.create_stream(StreamName="t", ShardCount=1, Tags={"team": "data", "env": "dev"})
    assert kinesis.list_tags_for_stream(StreamName="t")["Tags"] == [
        {"Key": "env", "Value": "dev"},
        {"Key": "team", "Value": "data"},
    ]


def test_max_record_size_at_creation(kinesis):
    kinesis.create_stream(StreamName="big", ShardCount=1, MaxRecordSizeInKiB=4096)
    summary = kinesis.describe_stream_summary(StreamName="big")["StreamDescriptionSummary"]
    assert summary["MaxRecordSizeInKiB"] == 4096


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (
            {"StreamName": "s", "ShardCount": 0},
            [
                "Value '0' at 'shardCount' failed to satisfy constraint: "
                "Member must have value greater than or equal to 1"
            ],
        ),
        (
            {"StreamName": "", "ShardCount": 0},
            [
                "Value '0' at 'shardCount' failed to satisfy constraint: "
                "Member must have value greater than or equal to 1",
                "Value '' at 'streamName' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
                "Value '' at 'streamName' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1",
            ],
        ),
        (
            {"StreamName": "a" * 129, "ShardCount": 100001},
            [
                "Value '100001' at 'shardCount' failed to satisfy constraint: "
                "Member must have value less than or equal to 100000",
                f"Value '{'a' * 129}' at 'streamName' failed to satisfy constraint: "
                "Member must have length less than or equal to 128",
            ],
        ),
        (
            {"ShardCount": 1},
            ["Value null at 'streamName' failed to satisfy constraint: Member must not be null"],
        ),
        (
            {"StreamName": "s"},
            ["Value null at 'shardCount' failed to satisfy constraint: Member must not be null"],
        ),
        (
            {"StreamName": "s", "ShardCount": 1, "MaxRecordSizeInKiB": 1023},
            [
                "Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: "
                "Member must have value greater than or equal to 1024"
            ],
        ),
    ],
)
def test_validation_messages(kinesis, helpers, params, errors):
    with pytest.raises(ClientError) as excinfo:
        kinesis.create_stream(**params)
    assert helpers.error_of(excinfo) == ("ValidationException", helpers.validation(*errors))


def test_wrong_json_type_is_a_serialization_exception(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.create_stream(StreamName="s", ShardCount="3")
    assert helpers.error_of(excinfo) == (
        "SerializationException",
        "class java.lang.String can not be converted to an Integer",
    )


def test_existing_stream_is_in_use(kinesis, stream, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.create_stream(StreamName=stream, ShardCount=1)
    assert helpers.error_of(excinfo) == (
        "ResourceInUseException",
        f"Stream {stream} under account {ACCOUNT} already exists.",
    )


def test_shard_limit(service, helpers):
    from sim.services.kinesis import KinesisService

    small = KinesisService(account_id=ACCOUNT, region="us-east-1", now=service.backend.now,
                           shard_limit=5)  # fmt: skip
    client = helpers.make_client(small)
    client.create_stream(StreamName="a", ShardCount=3)
    with pytest.raises(ClientError) as excinfo:
        client.create_stream(StreamName="b", ShardCount=3)
    assert helpers.error_of(excinfo) == (
        "LimitExceededException",
        f"This request would exceed the shard limit for the account {ACCOUNT} in us-east-1. "
        "Current shard count for the account: 3. Limit: 5. Number of additional shards that "
        "would have resulted from this request: 3. Refer to the AWS Service Limits page "
        "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current "
        "limits and how to request higher limits.",
    )


def test_delete_stream(kinesis, stream, helpers):
    kinesis.delete_stream(StreamName=stream, EnforceConsumerDeletion=True)
    assert kinesis.list_streams()["StreamNames"] == []
    with pytest.raises(ClientError) as excinfo:
        kinesis.delete_stream(StreamName=stream)
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Stream {stream} under account {ACCOUNT} not found.",
    )


def test_stream_arn_is_accepted_wherever_aws_accepts_it(kinesis, stream, helpers):
    arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{stream}"
    assert kinesis.describe_stream(StreamARN=arn)["StreamDescription"]["StreamName"] == stream
    put = kinesis.put_record(StreamARN=arn, PartitionKey="a", Data=b"x")
    records = kinesis.get_records(
        ShardIterator=helpers.iterator(kinesis, stream, put["ShardId"]), StreamARN=arn
    )["Records"]
    assert [r["Data"] for r in records] == [b"x"]
    kinesis.delete_stream(StreamARN=arn)
    with pytest.raises(ClientError) as excinfo:
        kinesis.describe_stream_summary(StreamARN=arn)
    assert helpers.error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Stream {stream} under account {ACCOUNT} not found.",
    )


def test_neither_name_nor_arn(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.describe_stream_summary()
    assert helpers.error_of(excinfo) == (
        "InvalidArgumentException",
        "Either StreamName or StreamARN should be provided.",
    )


def test_describe_limits(kinesis, stream):
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    limits = kinesis.describe_limits()
    assert limits["ShardLimit"] == 20000
    assert limits["OpenShardCount"] == 6
    assert limits["OnDemandStreamCount"] == 1
    assert limits["OnDemandStreamCountLimit"] == 50
