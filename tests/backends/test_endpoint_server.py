"""The HTTP endpoint (EndpointServer on a free loopback port, in a thread of this process):
Kinesis from streamlab's store in JSON and CBOR, every other service through moto's WSGI app,
LocalStack's health route, keep-alive, errors, and one state shared with in-process clients."""

from __future__ import annotations

import http.client
import io
import json
import socket
import statistics
import time
from collections.abc import Iterator
from typing import Any

import boto3
import cbor2
import pytest
from backend_support import ACCOUNT, REGION, free_port
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from sim import __version__
from sim.backends.embedded import EmbeddedBackend
from sim.backends.embedded.server import EndpointServer

CBOR = "application/x-amz-cbor-1.1"


def _control(method: str, path: str, body: bytes, send: Any) -> None:
    """A control handler with a bug on one route, to see what the server does with it."""
    if path.startswith("/_streamlab/boom"):
        raise RuntimeError("boom in a control handler")
    send(404, {"Content-Type": "application/json"}, [b"{}"])


@pytest.fixture(scope="module")
def endpoint() -> Iterator[EndpointServer]:
    backend = EmbeddedBackend()
    backend.start()
    server = EndpointServer(backend, port=free_port(), control=_control).start()
    try:
        yield server
    finally:
        server.stop()
        backend.stop()


@pytest.fixture
def client(endpoint: EndpointServer) -> Any:
    def make(service: str, **config: Any) -> Any:
        return boto3.client(
            service,
            endpoint_url=endpoint.url,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1}, **config),
        )

    return make


def connect(endpoint: EndpointServer) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)


def kinesis_cbor(
    connection: http.client.HTTPConnection, operation: str, body: dict[str, Any]
) -> tuple[int, str, Any]:
    connection.request(
        "POST",
        "/",
        body=cbor2.dumps(body),
        headers={"Content-Type": CBOR, "X-Amz-Target": f"Kinesis_20131202.{operation}"},
    )
    response = connection.getresponse()
    payload = response.read()
    # Kinesis's CBOR timestamps are tag 1 holding epoch *milliseconds* (as the AWS SDKs expect).
    semantics = {1: lambda value, immutable=False: ("epoch-ms", value)}
    decoded = cbor2.loads(payload, semantic_decoders=semantics) if payload else None
    return response.status, response.getheader("Content-Type"), decoded


# -- Kinesis ------------------------------------------------------------------------------------
def test_kinesis_json_over_http(endpoint: EndpointServer, client: Any) -> None:
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="http-json", ShardCount=1)
    put = kinesis.put_records(
        StreamName="http-json",
        Records=[{"PartitionKey": "p", "Data": f"{i}".encode()} for i in range(3)],
    )
    assert put["FailedRecordCount"] == 0
    assert all(len(r["SequenceNumber"]) == 56 for r in put["Records"])
    iterator = kinesis.get_shard_iterator(
        StreamName="http-json", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]] == [
        b"0",
        b"1",
        b"2",
    ]
    # Served by streamlab's store, not by moto's Kinesis.
    assert endpoint.backend.kinesis_store().get_stream("http-json") is not None


def test_kinesis_cbor_over_http(endpoint: EndpointServer) -> None:
    connection = connect(endpoint)
    status, content_type, _ = kinesis_cbor(
        connection, "CreateStream", {"StreamName": "http-cbor", "ShardCount": 1}
    )
    assert (status, content_type) == (200, CBOR)
    status, _, put = kinesis_cbor(
        connection,
        "PutRecord",
        {"StreamName": "http-cbor", "PartitionKey": "k", "Data": b"\x00\x01binary"},
    )
    assert status == 200
    assert len(put["SequenceNumber"]) == 56
    _, _, iterator = kinesis_cbor(
        connection,
        "GetShardIterator",
        {"StreamName": "http-cbor", "ShardId": put["ShardId"], "ShardIteratorType": "TRIM_HORIZON"},
    )
    status, _, records = kinesis_cbor(
        connection, "GetRecords", {"ShardIterator": iterator["ShardIterator"]}
    )
    record = records["Records"][0]
    assert record["Data"] == b"\x00\x01binary"  # a CBOR byte string, not base64
    assert record["SequenceNumber"] == put["SequenceNumber"]
    kind, millis = record["ApproximateArrivalTimestamp"]
    assert kind == "epoch-ms" and isinstance(millis, int)
    assert millis / 1000 == pytest.approx(time.time(), abs=60)
    # Errors come back in CBOR too.
    status, _, error = kinesis_cbor(connection, "DescribeStream", {"StreamName": "missing"})
    assert status == 400
    assert error["__type"] == "ResourceNotFoundException"
    connection.close()


# -- moto's services through the same port ------------------------------------------------------
def test_dynamodb_and_its_streams_over_http(client: Any) -> None:
    dynamodb = client("dynamodb")
    arn = dynamodb.create_table(
        TableName="http-table",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    dynamodb.put_item(TableName="http-table", Item={"k": {"S": "a"}, "n": {"N": "1"}})
    dynamodb.put_item(TableName="http-table", Item={"k": {"S": "b"}, "n": {"N": "2"}})
    item = dynamodb.get_item(TableName="http-table", Key={"k": {"S": "b"}})["Item"]
    assert item == {"k": {"S": "b"}, "n": {"N": "2"}}
    assert dynamodb.scan(TableName="http-table", Select="COUNT")["Count"] == 2

    streams = client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    assert [r["eventName"] for r in streams.get_records(ShardIterator=iterator)["Records"]] == [
        "INSERT",
        "INSERT",
    ]


def test_s3_put_get_list_head(client: Any) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket="http-bucket")
    s3.put_object(Bucket="http-bucket", Key="a/one.json", Body=b'{"n": 1}')
    s3.upload_fileobj(io.BytesIO(b"x" * 10_000), "http-bucket", "a/two.bin")
    assert s3.get_object(Bucket="http-bucket", Key="a/one.json")["Body"].read() == b'{"n": 1}'
    listed = s3.list_objects_v2(Bucket="http-bucket", Prefix="a/")["Contents"]
    assert [(o["Key"], o["Size"]) for o in listed] == [("a/one.json", 8), ("a/two.bin", 10_000)]
    # HEAD answers without a body but with the object's size.
    assert s3.head_object(Bucket="http-bucket", Key="a/two.bin")["ContentLength"] == 10_000


def test_s3_upload_with_chunked_transfer_encoding(endpoint: EndpointServer, client: Any) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket="chunked-bucket")
    url = f"{endpoint.url}/chunked-bucket/streamed.txt"
    request = AWSRequest(
        method="PUT",
        url=url,
        headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "Transfer-Encoding": "chunked"},
    )
    SigV4Auth(Credentials("test", "test"), "s3", REGION).add_auth(request)
    parts = [b"first part;", b"x" * 70_000, b";last part"]
    connection = connect(endpoint)
    connection.request(
        "PUT", "/chunked-bucket/streamed.txt", body=iter(parts), headers=dict(request.headers),
        encode_chunked=True,
    )  # fmt: skip
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    stored = s3.get_object(Bucket="chunked-bucket", Key="streamed.txt")["Body"].read()
    assert stored == b"".join(parts)
    # The connection is still usable after a chunked request.
    connection.request("GET", "/_localstack/health")
    assert connection.getresponse().status == 200
    connection.close()


def test_sqs_and_sns_over_http(client: Any) -> None:
    sqs, sns = client("sqs"), client("sns")
    queue_url = sqs.create_queue(QueueName="http-queue")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="direct")
    topic = sns.create_topic(Name="http-topic")["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    sns.publish(TopicArn=topic, Message="via sns")
    bodies = []
    for _ in range(5):
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        bodies += [m["Body"] for m in messages.get("Messages", [])]
        if len(bodies) >= 2:
            break
    assert sorted(bodies) == ["direct", "via sns"]


def test_iam_and_sts_over_http(client: Any) -> None:
    iam = client("iam")
    arn = iam.create_role(RoleName="http-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:role/http-role"
    assert iam.get_role(RoleName="http-role")["Role"]["Arn"] == arn
    assert client("sts").get_caller_identity()["Account"] == ACCOUNT


# -- the endpoint itself ----------------------------------------------------------------------
def test_health_answers_as_localstack_does(endpoint: EndpointServer) -> None:
    connection = connect(endpoint)
    connection.request("GET", "/_localstack/health")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    health = json.loads(response.read())
    assert health["edition"] == "streamlab"
    assert health["version"] == __version__
    for service in ("kinesis", "dynamodb", "s3", "sqs", "sns", "iam", "sts"):
        assert health["services"][service] == "running"
    connection.close()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_the_endpoint_binds_loopback_only(endpoint: EndpointServer, host: str) -> None:
    with pytest.raises(ValueError, match="loopback only"):
        EndpointServer(endpoint.backend, host=host, port=free_port())


def test_the_endpoint_can_bind_ipv6_loopback(endpoint: EndpointServer) -> None:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    server = EndpointServer(endpoint.backend, host="::1", port=0).start()
    try:
        assert server.url.startswith("http://[::1]:")
        connection = http.client.HTTPConnection("::1", server.port, timeout=10)
        connection.request("GET", "/_localstack/health")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        server.stop()


def test_keep_alive_answers_many_requests_on_one_connection_without_stalls(
    endpoint: EndpointServer,
) -> None:
    connection = connect(endpoint)
    connection.request("GET", "/_localstack/health")
    connection.getresponse().read()
    first_socket = connection.sock
    durations = []
    for i in range(20):
        started = time.perf_counter()
        if i % 2:
            connection.request("GET", "/_localstack/health")
        else:
            connection.request(
                "POST",
                "/",
                body=b"{}",
                headers={
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": "Kinesis_20131202.ListStreams",
                },
            )
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Connection") is None  # kept alive
        response.read()
        durations.append(time.perf_counter() - started)
        assert connection.sock is first_socket  # the same connection every time
    # Headers and body in one write, Nagle off: no ~40 ms delayed-ACK stall per request.
    assert statistics.median(durations) < 0.02, durations
    connection.close()


def test_an_internal_error_answers_500_and_the_server_keeps_serving(
    endpoint: EndpointServer,
) -> None:
    connection = connect(endpoint)
    connection.request("GET", "/_streamlab/boom")
    response = connection.getresponse()
    assert response.status == 500
    body = json.loads(response.read())
    assert body["__type"] == "InternalFailure"
    assert "boom in a control handler" in body["message"]
    connection.request("GET", "/_localstack/health")  # same connection
    assert connection.getresponse().status == 200
    connection.close()


def test_a_malformed_chunked_body_answers_400_and_the_server_keeps_serving(
    endpoint: EndpointServer,
) -> None:
    with socket.create_connection(("127.0.0.1", endpoint.port), timeout=10) as raw:
        raw.sendall(
            b"PUT /any-bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Transfer-Encoding: chunked\r\n\r\nnot-hex\r\nab\r\n0\r\n\r\n"
        )
        answer = b""
        while chunk := raw.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in answer
    connection = connect(endpoint)
    connection.request("GET", "/_localstack/health")
    assert connection.getresponse().status == 200
    connection.close()


def test_http_and_in_process_clients_share_one_state(
    endpoint: EndpointServer, client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from backend_support import isolate_aws_environment

    isolate_aws_environment(monkeypatch, tmp_path)
    http_kinesis, local_kinesis = client("kinesis"), boto3.client("kinesis")
    http_kinesis.create_stream(StreamName="shared", ShardCount=1)
    written = http_kinesis.put_record(StreamName="shared", PartitionKey="p", Data=b"over http")
    local_kinesis.put_record(StreamName="shared", PartitionKey="p", Data=b"in process")
    for kinesis in (http_kinesis, local_kinesis):
        iterator = kinesis.get_shard_iterator(
            StreamName="shared", ShardId=written["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = kinesis.get_records(ShardIterator=iterator)["Records"]
        assert [r["Data"] for r in records] == [b"over http", b"in process"]

    local_dynamodb, http_dynamodb = boto3.client("dynamodb"), client("dynamodb")
    local_dynamodb.create_table(
        TableName="shared-table",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    local_dynamodb.put_item(TableName="shared-table", Item={"k": {"S": "in process"}})
    http_dynamodb.put_item(TableName="shared-table", Item={"k": {"S": "over http"}})
    for dynamodb in (local_dynamodb, http_dynamodb):
        keys = sorted(i["k"]["S"] for i in dynamodb.scan(TableName="shared-table")["Items"])
        assert keys == ["in process", "over http"]

    client("s3").create_bucket(Bucket="shared-bucket")
    boto3.client("s3").put_object(Bucket="shared-bucket", Key="k", Body=b"local")
    assert client("s3").get_object(Bucket="shared-bucket", Key="k")["Body"].read() == b"local"
