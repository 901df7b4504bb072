"""In-process routing: boto3 clients made the way a Lambda handler makes them reach the embedded
backend; Kinesis is answered by streamlab's store, everything else by moto."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from backend_support import ACCOUNT, REGION, StandIn, isolate_aws_environment
from botocore.awsrequest import AWSResponse
from moto.kinesis.models import kinesis_backends

from sim.backends.embedded import EmbeddedBackend


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    isolate_aws_environment(monkeypatch, tmp_path)


@pytest.fixture
def backend(aws_env: None) -> Iterator[EmbeddedBackend]:
    backend = EmbeddedBackend()
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()


class _Body:
    def __init__(self, payload: bytes) -> None:
        self._payload = payload

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._payload


def with_fallback(client: Any, answer: dict[str, Any]) -> Any:
    """Register, after every built-in handler, a ``before-send`` handler that answers ``answer``.

    botocore keeps the first answer: the fallback's is used only when nothing before it (our
    router, moto's stubber) took the request, i.e. when the request would go to the network.
    """

    def fallback(request: Any, **_: Any) -> AWSResponse:
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(request.url, 200, headers, _Body(json.dumps(answer).encode()))

    client.meta.events.register_last("before-send", fallback)
    return client


def test_a_default_kinesis_client_reaches_streamlab_not_moto(backend: EmbeddedBackend) -> None:
    kinesis = boto3.client("kinesis")  # as a handler does: region and credentials from env
    kinesis.create_stream(StreamName="orders", ShardCount=2)
    put = kinesis.put_record(StreamName="orders", PartitionKey="a", Data=b"first")
    batch = kinesis.put_records(
        StreamName="orders",
        Records=[{"PartitionKey": str(i), "Data": f"r{i}".encode()} for i in range(5)],
    )

    sequence_numbers = [put["SequenceNumber"]] + [r["SequenceNumber"] for r in batch["Records"]]
    assert all(len(n) == 56 and n.isdigit() for n in sequence_numbers), sequence_numbers
    assert kinesis.list_streams()["StreamNames"] == ["orders"]
    stored = backend.kinesis_store().get_stream("orders")
    assert sum(s.end_index - s.first_index for s in stored.shards) == 6
    assert kinesis_backends[ACCOUNT][REGION].streams == {}  # moto's Kinesis never saw it

    iterator = kinesis.get_shard_iterator(
        StreamName="orders", ShardId=put["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=put["SequenceNumber"],
    )["ShardIterator"]  # fmt: skip
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert records[0]["Data"] == b"first"
    assert records[0]["SequenceNumber"] == put["SequenceNumber"]


def test_kinesis_in_another_region_goes_to_that_region_s_store(backend: EmbeddedBackend) -> None:
    boto3.client("kinesis", region_name="eu-west-1").create_stream(StreamName="eu", ShardCount=1)
    assert "eu-west-1" in backend.kinesis_regions()
    assert boto3.client("kinesis").list_streams()["StreamNames"] == []


def test_dynamodb_streams_calls_with_a_stream_arn_work(backend: EmbeddedBackend) -> None:
    assert os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] == "disabled"
    dynamodb = boto3.client("dynamodb")
    arn = dynamodb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    dynamodb.put_item(TableName="t", Item={"k": {"S": "1"}, "v": {"N": "1"}})
    dynamodb.put_item(TableName="t", Item={"k": {"S": "1"}, "v": {"N": "2"}})
    dynamodb.delete_item(TableName="t", Key={"k": {"S": "1"}})

    streams = boto3.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert records[1]["dynamodb"]["OldImage"]["v"] == {"N": "1"}
    assert records[1]["dynamodb"]["NewImage"]["v"] == {"N": "2"}


def test_a_client_with_an_explicit_endpoint_url_is_not_intercepted(
    backend: EmbeddedBackend,
) -> None:
    with StandIn() as stand_in:
        kinesis = boto3.client("kinesis", endpoint_url=stand_in.url)
        dynamodb = boto3.client("dynamodb", endpoint_url=stand_in.url)
        assert kinesis.list_streams()["StreamNames"] == ["from-stand-in"]
        assert dynamodb.list_tables()["TableNames"] == ["from-stand-in"]
        assert [target for _, _, target in stand_in.requests] == [
            "Kinesis_20131202.ListStreams",
            "DynamoDB_20120810.ListTables",
        ]
    boto3.client("kinesis").create_stream(StreamName="here", ShardCount=1)
    assert backend.kinesis_store().get_stream("here") is not None


def test_after_stop_nothing_is_intercepted(aws_env: None) -> None:
    backend = EmbeddedBackend()
    backend.start()
    try:
        boto3.client("kinesis").create_stream(StreamName="inside", ShardCount=1)
        # While active, our router answers before the fallback gets a say.
        kinesis = with_fallback(boto3.client("kinesis"), {"StreamNames": ["network"]})
        assert kinesis.list_streams()["StreamNames"] == ["inside"]
    finally:
        backend.stop()
    assert os.environ.get("AWS_ACCOUNT_ID_ENDPOINT_MODE") is None
    kinesis = with_fallback(boto3.client("kinesis"), {"StreamNames": ["network"]})
    dynamodb = with_fallback(boto3.client("dynamodb"), {"TableNames": ["network"]})
    assert kinesis.list_streams()["StreamNames"] == ["network"]
    assert dynamodb.list_tables()["TableNames"] == ["network"]


def test_a_second_embedded_backend_cannot_start_while_one_is_active(
    backend: EmbeddedBackend,
) -> None:
    boto3.client("kinesis").create_stream(StreamName="first", ShardCount=1)
    second = EmbeddedBackend(seed=1)
    with pytest.raises(RuntimeError, match="another embedded backend is already active"):
        second.start()
    assert not second.running
    # The first one is untouched and still answers.
    assert boto3.client("kinesis").list_streams()["StreamNames"] == ["first"]
    backend.stop()
    second.start()  # once the first is stopped, another may start
    try:
        assert boto3.client("kinesis").list_streams()["StreamNames"] == []
    finally:
        second.stop()
