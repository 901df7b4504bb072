"""Real boto3 calls against host-mode LocalStack (the session's ``localstack`` fixture).

Each service streamlab uses answers from LocalStack's own engines: Kinesis from kinesis-mock
(node), DynamoDB from DynamoDB Local (Java), the rest in LocalStack's process. The instance is
shared with the other tests of the session, so each test deletes what it created.
"""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sim.localstack_host import SERVICES, LocalStackHost, localstack_version

CREATED: set[str] = set()  # every name the tests below made up


def unique(prefix: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    CREATED.add(name)
    return name


def wait_for(check: Any, timeout: float = 30.0, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.fixture
def cleanup() -> Iterator[Callable[..., None]]:
    """``cleanup(call, *args, **kwargs)``: run at teardown, last registered first."""
    calls: list[tuple[Callable[..., Any], tuple, dict]] = []
    yield lambda call, *args, **kwargs: calls.append((call, args, kwargs))
    errors = []
    for call, args, kwargs in reversed(calls):
        try:
            call(*args, **kwargs)
        except Exception as error:  # keep cleaning; report after
            errors.append(f"{getattr(call, '__name__', call)}: {error}")
    assert not errors, errors


def empty_bucket(s3: Any, bucket: str) -> None:
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=bucket)


def delete_function(client: Any, name: str) -> None:
    """LocalStack 4.9.2 answers DeleteFunction of a function it could not prepare (no Docker)
    with InternalError ("Unable to find version manager") but deletes it; boto3's retry then
    gets ResourceNotFoundException. Either way it must be gone."""
    try:
        client.delete_function(FunctionName=name)
    except (client.exceptions.ResourceNotFoundException, client.exceptions.ServiceException):
        pass
    except Exception as error:
        if "InternalError" not in str(error):
            raise
    assert name not in [f["FunctionName"] for f in client.list_functions()["Functions"]]


def test_health_reports_every_service_running(localstack: LocalStackHost) -> None:
    state = localstack.health()
    assert state is not None
    assert state["version"] == localstack_version()
    assert {name: state["services"].get(name) for name in SERVICES} == dict.fromkeys(
        SERVICES, "running"
    )
    assert localstack.started_seconds is not None


def test_engines_run_as_processes_of_their_own(localstack: LocalStackHost) -> None:
    commands = []
    for pid in localstack.processes():
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            commands.append(handle.read().replace(b"\0", b" ").decode())
    assert any("localstack.runtime.main" in c for c in commands), commands
    assert any("kinesis-local" in c and "main.js" in c for c in commands), commands
    assert any("DynamoDBLocal.jar" in c for c in commands), commands
    # DynamoDB Local as prepared at install time (FILESYSTEM_ROOT's static libs).
    assert any("/usr/lib/localstack/dynamodb-local/2/DynamoDBLocal.jar" in c for c in commands)


def test_kinesis_put_and_get_records(localstack: LocalStackHost, cleanup: Any) -> None:
    kinesis = localstack.client("kinesis")
    stream = unique("stream")
    kinesis.create_stream(StreamName=stream, ShardCount=2)
    cleanup(kinesis.delete_stream, StreamName=stream, EnforceConsumerDeletion=True)
    kinesis.get_waiter("stream_exists").wait(
        StreamName=stream, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150}
    )
    sent = [f"record {n}".encode() for n in range(20)]
    response = kinesis.put_records(
        StreamName=stream,
        Records=[{"Data": data, "PartitionKey": f"key-{n}"} for n, data in enumerate(sent)],
    )
    assert response["FailedRecordCount"] == 0
    kinesis.put_record(StreamName=stream, Data=b"one more", PartitionKey="key-x")
    received = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        received += [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]]
    assert sorted(received) == sorted([*sent, b"one more"])


def test_dynamodb_put_and_scan(localstack: LocalStackHost, cleanup: Any) -> None:
    dynamodb = localstack.client("dynamodb")
    table = unique("table")
    dynamodb.create_table(
        TableName=table,
        KeySchema=[
            {"AttributeName": "station", "KeyType": "HASH"},
            {"AttributeName": "date", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "station", "AttributeType": "S"},
            {"AttributeName": "date", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    cleanup(dynamodb.delete_table, TableName=table)
    dynamodb.get_waiter("table_exists").wait(TableName=table)
    for day in ("2021-10-01", "2021-10-02", "2021-10-03"):
        dynamodb.put_item(
            TableName=table,
            Item={"station": {"S": "USW00094728"}, "date": {"S": day}, "tmax": {"N": "21.5"}},
        )
    items = dynamodb.scan(TableName=table)["Items"]
    assert sorted(i["date"]["S"] for i in items) == ["2021-10-01", "2021-10-02", "2021-10-03"]
    query = dynamodb.query(
        TableName=table,
        KeyConditionExpression="station = :s AND #d > :d",
        ExpressionAttributeNames={"#d": "date"},
        ExpressionAttributeValues={":s": {"S": "USW00094728"}, ":d": {"S": "2021-10-01"}},
    )
    assert query["Count"] == 2
    # DynamoDB Streams (LocalStack over DynamoDB Local's stream) sees the writes.
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    streams = localstack.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    events: list[str] = []
    deadline = time.monotonic() + 30
    while len(events) < 3 and iterator and time.monotonic() < deadline:
        page = streams.get_records(ShardIterator=iterator)
        events += [r["eventName"] for r in page["Records"]]
        iterator = page.get("NextShardIterator")
    assert events == ["INSERT"] * 3


def test_s3_put_get_list(localstack: LocalStackHost, cleanup: Any) -> None:
    s3 = localstack.client("s3")
    bucket = unique("bucket")
    s3.create_bucket(Bucket=bucket)
    cleanup(empty_bucket, s3, bucket)
    s3.put_object(Bucket=bucket, Key="raw/2021/10/01.json", Body=b'{"tmax": 21.5}')
    assert s3.get_object(Bucket=bucket, Key="raw/2021/10/01.json")["Body"].read() == (
        b'{"tmax": 21.5}'
    )
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="raw/")["Contents"]]
    assert keys == ["raw/2021/10/01.json"]


def test_sqs_send_receive(localstack: LocalStackHost, cleanup: Any) -> None:
    sqs = localstack.client("sqs")
    url = sqs.create_queue(QueueName=unique("queue"))["QueueUrl"]
    cleanup(sqs.delete_queue, QueueUrl=url)
    # Queue URLs name the instance's own address (no DNS name needed).
    assert url.startswith(localstack.url + "/000000000000/")
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
    assert [m["Body"] for m in messages] == ["hello"]


def test_sns_fans_out_to_sqs(localstack: LocalStackHost, cleanup: Any) -> None:
    sns, sqs = localstack.client("sns"), localstack.client("sqs")
    topic = sns.create_topic(Name=unique("topic"))["TopicArn"]
    cleanup(sns.delete_topic, TopicArn=topic)
    url = sqs.create_queue(QueueName=unique("subscriber"))["QueueUrl"]
    cleanup(sqs.delete_queue, QueueUrl=url)
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    subscription = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )["SubscriptionArn"]
    cleanup(sns.unsubscribe, SubscriptionArn=subscription)
    sns.publish(TopicArn=topic, Message="alert: 30 mm")
    messages = wait_for(
        lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages")
    )
    assert [m["Body"] for m in messages] == ["alert: 30 mm"]


def test_firehose_delivers_to_s3(localstack: LocalStackHost, cleanup: Any) -> None:
    firehose, s3 = localstack.client("firehose"), localstack.client("s3")
    bucket = unique("delivery")
    s3.create_bucket(Bucket=bucket)
    cleanup(empty_bucket, s3, bucket)
    name = unique("firehose")
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "BucketARN": f"arn:aws:s3:::{bucket}",
            "RoleARN": "arn:aws:iam::000000000000:role/firehose",
            "Prefix": "out/",
            "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 1},
        },
    )
    cleanup(firehose.delete_delivery_stream, DeliveryStreamName=name)
    wait_for(
        lambda: (
            firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
                "DeliveryStreamStatus"
            ]
            == "ACTIVE"
        )
    )
    firehose.put_record_batch(
        DeliveryStreamName=name,
        Records=[{"Data": b'{"n": 1}\n'}, {"Data": b'{"n": 2}\n'}],
    )
    contents = wait_for(
        lambda: s3.list_objects_v2(Bucket=bucket, Prefix="out/").get("Contents"), timeout=90
    )
    assert contents, "Firehose wrote nothing to S3"
    body = b"".join(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in contents)
    assert body.count(b'{"n": ') == 2


def test_iam_and_sts(localstack: LocalStackHost, cleanup: Any) -> None:
    iam, sts = localstack.client("iam"), localstack.client("sts")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    name = unique("role")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    cleanup(iam.delete_role, RoleName=name)
    iam.put_role_policy(
        RoleName=name,
        PolicyName="write",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"}],
            }
        ),
    )
    cleanup(iam.delete_role_policy, RoleName=name, PolicyName="write")
    assert iam.get_role(RoleName=name)["Role"]["Arn"] == role["Arn"]
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["write"]
    assert sts.get_caller_identity()["Account"] == "000000000000"
    assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="test")
    assert assumed["Credentials"]["AccessKeyId"]


def test_events_and_logs(localstack: LocalStackHost, cleanup: Any) -> None:
    events, logs = localstack.client("events"), localstack.client("logs")
    rule = unique("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["streamlab"]}))
    cleanup(events.delete_rule, Name=rule)
    assert events.describe_rule(Name=rule)["Name"] == rule
    result = events.put_events(
        Entries=[{"Source": "streamlab", "DetailType": "test", "Detail": "{}"}]
    )
    assert result["FailedEntryCount"] == 0
    group = unique("/aws/lambda/fn")
    logs.create_log_group(logGroupName=group)
    cleanup(logs.delete_log_group, logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": int(time.time() * 1000), "message": "START"}],
    )
    got = logs.get_log_events(logGroupName=group, logStreamName="s")["events"]
    assert [e["message"] for e in got] == ["START"]


def test_lambda_stores_functions(localstack: LocalStackHost, cleanup: Any) -> None:
    """LocalStack keeps functions (the API works) but cannot run them without Docker."""
    client = localstack.client("lambda")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    name = unique("fn")
    client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role="arn:aws:iam::000000000000:role/lambda",
        Handler="handler.handler",
        Code={"ZipFile": archive.getvalue()},
        Environment={"Variables": {"TABLE": "Temperature"}},
    )
    cleanup(delete_function, client, name)
    # Without Docker it cannot prepare a runtime: Pending, then Failed.
    state = wait_for(
        lambda: (
            client.get_function(FunctionName=name)["Configuration"]["State"] != "Pending"
            and client.get_function(FunctionName=name)["Configuration"]["State"]
        )
    )
    assert state in ("Active", "Failed")
    configuration = client.get_function(FunctionName=name)["Configuration"]
    assert configuration["Handler"] == "handler.handler"
    assert configuration["Environment"]["Variables"] == {"TABLE": "Temperature"}
    assert name in [f["FunctionName"] for f in client.list_functions()["Functions"]]


def test_tests_leave_nothing_behind(localstack: LocalStackHost) -> None:
    """Runs after the tests above (same file, in order): the shared instance holds nothing
    they created (other test files use it too)."""
    queues = localstack.client("sqs").list_queues().get("QueueUrls", [])
    left = {
        "tables": localstack.client("dynamodb").list_tables()["TableNames"],
        "streams": localstack.client("kinesis").list_streams()["StreamNames"],
        "buckets": [b["Name"] for b in localstack.client("s3").list_buckets()["Buckets"]],
        "queues": [url.rsplit("/", 1)[-1] for url in queues],
        "functions": [
            f["FunctionName"] for f in localstack.client("lambda").list_functions()["Functions"]
        ],
    }
    assert CREATED
    assert {kind: [n for n in names if n in CREATED] for kind, names in left.items()} == {
        kind: [] for kind in left
    }
