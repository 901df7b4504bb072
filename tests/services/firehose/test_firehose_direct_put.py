"""Direct PUT through boto3 on the embedded backend: limits, errors, the Kinesis-source refusal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from sim.backends.embedded import EmbeddedBackend
from sim.clock import Clock

ROLE = "arn:aws:iam::123456789012:role/firehose"
DESTINATION = {
    "RoleARN": ROLE,
    "BucketARN": "arn:aws:s3:::wildrydes-data",
    "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
}


@pytest.fixture
def backend() -> Iterator[EmbeddedBackend]:
    backend = EmbeddedBackend(seed=3)
    backend.start()
    backend.attach_clock(Clock(1_700_000_000.0))
    backend.client("s3").create_bucket(Bucket="wildrydes-data")
    backend.client("firehose").create_delivery_stream(
        DeliveryStreamName="direct", ExtendedS3DestinationConfiguration=DESTINATION
    )
    try:
        yield backend
    finally:
        backend.stop()


def error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_put_record_and_batch_answer_record_ids(backend: EmbeddedBackend) -> None:
    firehose = backend.client("firehose")
    put = firehose.put_record(DeliveryStreamName="direct", Record={"Data": b"one"})
    assert put["RecordId"] and put["Encrypted"] is False
    batch = firehose.put_record_batch(
        DeliveryStreamName="direct", Records=[{"Data": b"two"}, {"Data": b"three"}]
    )
    assert batch["FailedPutCount"] == 0
    assert [bool(r["RecordId"]) for r in batch["RequestResponses"]] == [True, True]
    assert backend.client("s3").list_objects_v2(Bucket="wildrydes-data")["KeyCount"] == 0
    [row] = backend.firehose().accounting()
    assert row["accepted"] == 3 and row["buffered"] == 3 and row["delivered"] == 0


def test_batch_of_501_records_is_a_validation_error(backend: EmbeddedBackend) -> None:
    with pytest.raises(ClientError) as caught:
        backend.client("firehose").put_record_batch(
            DeliveryStreamName="direct", Records=[{"Data": b"x"}] * 501
        )
    code, message = error(caught)
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: ")
    assert "at 'records' failed to satisfy constraint: Member must have length less than or " \
        "equal to 500" in message  # fmt: skip


def test_record_over_1000_kib_is_a_validation_error(backend: EmbeddedBackend) -> None:
    firehose = backend.client("firehose")
    with pytest.raises(ClientError) as caught:
        firehose.put_record(DeliveryStreamName="direct", Record={"Data": b"x" * 1_024_001})
    assert error(caught) == (
        "ValidationException",
        "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1024001 "
        "cap=1024001]' at 'record.data' failed to satisfy constraint: Member must have length "
        "less than or equal to 1024000",
    )
    with pytest.raises(ClientError) as caught:
        firehose.put_record_batch(
            DeliveryStreamName="direct", Records=[{"Data": b"ok"}, {"Data": b"x" * 1_024_001}]
        )
    assert "at 'records.2.member.data'" in error(caught)[1]
    firehose.put_record(DeliveryStreamName="direct", Record={"Data": b"x" * 1_024_000})


def test_batch_over_4_mib_is_invalid_argument(backend: EmbeddedBackend) -> None:
    with pytest.raises(ClientError) as caught:
        backend.client("firehose").put_record_batch(
            DeliveryStreamName="direct", Records=[{"Data": b"x" * 1_000_000}] * 5
        )
    assert error(caught) == ("InvalidArgumentException", "Records size exceeds 4 MB limit")


def test_unknown_stream_is_resource_not_found(backend: EmbeddedBackend) -> None:
    with pytest.raises(ClientError) as caught:
        backend.client("firehose").put_record(DeliveryStreamName="nope", Record={"Data": b"x"})
    assert error(caught) == (
        "ResourceNotFoundException",
        "Firehose nope under account 123456789012 not found.",
    )


def test_create_twice_is_resource_in_use(backend: EmbeddedBackend) -> None:
    with pytest.raises(ClientError) as caught:
        backend.client("firehose").create_delivery_stream(
            DeliveryStreamName="direct", ExtendedS3DestinationConfiguration=DESTINATION
        )
    assert error(caught)[0] == "ResourceInUseException"


def test_put_to_a_kinesis_sourced_stream_is_refused(backend: EmbeddedBackend) -> None:
    backend.client("kinesis").create_stream(StreamName="rides", ShardCount=1)
    firehose = backend.client("firehose")
    firehose.create_delivery_stream(
        DeliveryStreamName="from-kinesis",
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={
            "KinesisStreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/rides",
            "RoleARN": ROLE,
        },
        ExtendedS3DestinationConfiguration=DESTINATION,
    )
    for call in (
        lambda: firehose.put_record(DeliveryStreamName="from-kinesis", Record={"Data": b"x"}),
        lambda: firehose.put_record_batch(
            DeliveryStreamName="from-kinesis", Records=[{"Data": b"x"}]
        ),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert error(caught) == (
            "InvalidArgumentException",
            "This operation is not permitted on KinesisStreamAsSource delivery stream type.",
        )
    described = firehose.describe_delivery_stream(DeliveryStreamName="from-kinesis")
    source = described["DeliveryStreamDescription"]["Source"]["KinesisStreamSourceDescription"]
    assert source["KinesisStreamARN"].endswith(":stream/rides")
    names = firehose.list_delivery_streams()["DeliveryStreamNames"]
    assert names == ["direct", "from-kinesis"]
    firehose.delete_delivery_stream(DeliveryStreamName="from-kinesis")
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["direct"]


def test_tags(backend: EmbeddedBackend) -> None:
    firehose = backend.client("firehose")
    firehose.tag_delivery_stream(
        DeliveryStreamName="direct", Tags=[{"Key": "team", "Value": "rides"}]
    )
    tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName="direct")
    assert tags["Tags"] == [{"Key": "team", "Value": "rides"}] and not tags["HasMoreTags"]
