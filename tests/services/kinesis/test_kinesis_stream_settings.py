"""UpdateStreamMode, StartStreamEncryption / StopStreamEncryption."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
ARN = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"


def mode(kinesis):
    return kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"][
        "StreamModeDetails"
    ]["StreamMode"]


def test_switch_mode_twice_a_day(kinesis, stream, clock, helpers):
    kinesis.update_stream_mode(StreamARN=ARN, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert mode(kinesis) == "ON_DEMAND"
    kinesis.update_stream_mode(StreamARN=ARN, StreamModeDetails={"StreamMode": "PROVISIONED"})
    assert mode(kinesis) == "PROVISIONED"
    with pytest.raises(ClientError) as excinfo:
        kinesis.update_stream_mode(StreamARN=ARN, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert helpers.error_of(excinfo)[0] == "LimitExceededException"
    clock.advance(24 * 3600)
    kinesis.update_stream_mode(StreamARN=ARN, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert mode(kinesis) == "ON_DEMAND"


def test_update_stream_mode_needs_the_arn(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.update_stream_mode(StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert helpers.error_of(excinfo) == (
        "ValidationException",
        helpers.validation(
            "Value null at 'streamARN' failed to satisfy constraint: Member must not be null"
        ),
    )


def test_encryption(kinesis, stream, helpers):
    kinesis.start_stream_encryption(StreamName=stream, EncryptionType="KMS", KeyId="alias/k")
    summary = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    assert (summary["EncryptionType"], summary["KeyId"]) == ("KMS", "alias/k")
    put = kinesis.put_record(StreamName=stream, PartitionKey="a", Data=b"secret")
    assert put["EncryptionType"] == "KMS"
    iterator = helpers.iterator(kinesis, stream, put["ShardId"])
    (record,) = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert record["EncryptionType"] == "KMS" and record["Data"] == b"secret"
    kinesis.stop_stream_encryption(StreamName=stream, EncryptionType="KMS", KeyId="alias/k")
    put = kinesis.put_record(StreamName=stream, PartitionKey="a", Data=b"plain")
    assert "EncryptionType" not in put
