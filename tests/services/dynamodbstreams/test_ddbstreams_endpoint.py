"""DynamoDB Streams over the embedded backend's HTTP endpoint: a table created and written
through HTTP streams into the same store the in-process clients read, and the API answers
over HTTP as in-process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from ddbstreams_lab import error_of

from sim.backends.embedded import EmbeddedBackend
from sim.backends.embedded.server import EndpointServer
from sim.daemon import free_port


@pytest.fixture
def endpoint() -> Iterator[EndpointServer]:
    backend = EmbeddedBackend()
    backend.start()
    server = EndpointServer(backend, port=free_port()).start()
    try:
        yield server
    finally:
        server.stop()
        backend.stop()


def over_http(endpoint: EndpointServer, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
    )


def test_streams_over_http(endpoint: EndpointServer) -> None:
    dynamodb = over_http(endpoint, "dynamodb")
    streams = over_http(endpoint, "dynamodbstreams")
    arn = dynamodb.create_table(
        TableName="web",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    dynamodb.put_item(TableName="web", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    dynamodb.put_item(TableName="web", Item={"pk": {"S": "a"}, "v": {"N": "1"}})  # no change
    endpoint.backend.client("dynamodb").put_item(  # in-process: the same moto, the same store
        TableName="web", Item={"pk": {"S": "a"}, "v": {"N": "2"}}
    )
    store = endpoint.backend.dynamodb_streams_store()
    assert store.get_stream("web").arn == arn

    assert [s["StreamArn"] for s in streams.list_streams()["Streams"]] == [arn]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    answer = streams.get_records(ShardIterator=iterator)
    assert [r["eventName"] for r in answer["Records"]] == ["INSERT", "MODIFY"]
    assert answer["Records"][1]["dynamodb"]["OldImage"]["v"] == {"N": "1"}
    assert answer["NextShardIterator"].startswith(arn + "|1|")
    with pytest.raises(streams.exceptions.ResourceNotFoundException) as excinfo:
        streams.describe_stream(StreamArn=arn + "9")
    assert error_of(excinfo)[1] == f"Requested resource not found: Stream: {arn}9 not found"
