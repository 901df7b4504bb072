"""The wire codec: JSON 1.1 and CBOR, errors, request ids, unknown and unsimulated operations."""

from __future__ import annotations

import json
import random

import cbor2
import pytest
from botocore.exceptions import ClientError

from sim.services.kinesis import KinesisService

JSON = "application/x-amz-json-1.1"
CBOR = "application/x-amz-cbor-1.1"


def call(service, operation, body, content_type=JSON):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return service.handle(f"Kinesis_20131202.{operation}", content_type, raw)


def test_cbor_round_trip(service, clock):
    status, headers, _ = call(
        service, "CreateStream", cbor2.dumps({"StreamName": "c", "ShardCount": 1}), CBOR
    )
    assert status == 200 and headers["Content-Type"] == CBOR
    put = cbor2.dumps({"StreamName": "c", "PartitionKey": "k", "Data": b"\x00\x01binary"})
    status, headers, body = call(service, "PutRecord", put, CBOR)
    assert status == 200
    sequence = cbor2.loads(body)["SequenceNumber"]
    # AT_TIMESTAMP the way the AWS SDK for Java sends it: tag 1, epoch milliseconds
    request = cbor2.dumps(
        {
            "StreamName": "c",
            "ShardId": "shardId-000000000000",
            "ShardIteratorType": "AT_TIMESTAMP",
            "Timestamp": cbor2.CBORTag(1, int(clock.now * 1000)),
        }
    )
    status, _, body = call(service, "GetShardIterator", request, CBOR)
    assert status == 200
    iterator = cbor2.loads(body)["ShardIterator"]
    status, _, body = call(service, "GetRecords", cbor2.dumps({"ShardIterator": iterator}), CBOR)
    assert status == 200
    decoded = cbor2.loads(body, semantic_decoders={1: lambda value, _imm: ("tag1", value)})
    (record,) = decoded["Records"]
    assert record["Data"] == b"\x00\x01binary"  # a byte string, not base64
    assert record["SequenceNumber"] == sequence
    assert record["ApproximateArrivalTimestamp"] == ("tag1", int(clock.now * 1000))
    assert decoded["MillisBehindLatest"] == 0


def test_cbor_errors_are_cbor(service):
    status, headers, body = call(service, "DescribeStream", cbor2.dumps({"StreamName": "no"}), CBOR)
    assert status == 400 and headers["Content-Type"] == CBOR
    assert cbor2.loads(body) == {
        "__type": "ResourceNotFoundException",
        "message": "Stream no under account 123456789012 not found.",
    }


def test_malformed_json_is_a_serialization_exception_without_message(service):
    status, _, body = call(service, "ListStreams", b"{not json")
    assert status == 400
    assert json.loads(body) == {"__type": "SerializationException"}
    status, _, body = call(service, "ListStreams", b"[1, 2]")
    assert json.loads(body) == {"__type": "SerializationException"}
    status, _, body = call(service, "ListStreams", b"")
    assert json.loads(body) == {"__type": "SerializationException"}


def test_unknown_operation(service):
    status, _, body = call(service, "FlyToTheMoon", {})
    assert status == 400 and json.loads(body) == {"__type": "UnknownOperationException"}
    status, _, body = service.handle("Kinesis_20990101.ListStreams", JSON, b"{}")
    assert json.loads(body) == {"__type": "UnknownOperationException"}


def test_an_unsimulated_operation_says_so(kinesis, helpers):
    with pytest.raises(ClientError) as excinfo:
        kinesis.register_stream_consumer(
            StreamARN="arn:aws:kinesis:us-east-1:123456789012:stream/s", ConsumerName="c"
        )
    code, message = helpers.error_of(excinfo)
    assert code == "NotImplementedException"
    assert message.startswith(
        "streamlab's Kinesis does not simulate RegisterStreamConsumer "
        "(Kinesis_20131202.RegisterStreamConsumer)"
    )


def test_serialization_exceptions_use_aws_texts(service):
    cases = {
        json.dumps({"StreamName": 5}): "class com.amazon.coral.value.json.numbers."
        "TruncatingBigNumber can not be converted to an String",
        json.dumps(
            {"StreamName": True}
        ): "class java.lang.Boolean can not be converted to an String",
        json.dumps({"StreamName": ["a"]}): "Start of list found where not expected",
        json.dumps({"StreamName": {"a": 1}}): "Start of structure or map found where not expected.",
        json.dumps({"StreamName": "s", "Limit": "1"}): "class java.lang.String can not be "
        "converted to an Integer",
    }
    for body, message in cases.items():
        status, _, payload = call(service, "DescribeStream", body.encode())
        assert status == 400
        assert json.loads(payload) == {"__type": "SerializationException", "Message": message}


def test_unknown_members_are_ignored(service):
    status, _, _ = call(service, "CreateStream", {"StreamName": "x", "ShardCount": 1, "Extra": 1})
    assert status == 200


def test_request_ids_are_deterministic(clock):
    def ids():
        service = KinesisService(now=clock, rng=random.Random(42))
        return [call(service, "ListStreams", {})[1]["x-amzn-RequestId"] for _ in range(3)]

    first, second = ids(), ids()
    assert first == second and len(set(first)) == 3


def test_timestamps_are_epoch_seconds_in_json(service, clock):
    clock.advance(0.5)
    call(service, "CreateStream", {"StreamName": "t", "ShardCount": 1})
    _, _, body = call(service, "DescribeStreamSummary", {"StreamName": "t"})
    assert json.loads(body)["StreamDescriptionSummary"]["StreamCreationTimestamp"] == int(clock.now)
