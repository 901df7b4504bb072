"""``sim run --backend aws`` and ``sim teardown`` as a user runs them, against moto's server
standing in for AWS behind a recorder that sees every request (see aws_backend_support).

Functions do not run on the stand-in (moto deploys them but cannot invoke them without Docker):
the tests check what was deployed, not what the functions would store.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aws_backend_support import (
    HANDLER_FILES,
    PIPELINE,
    RecordingStandIn,
    sim,
    sim_env,
    write,
    write_project,
)

REPO = Path(__file__).resolve().parents[2]
STATE = Path(".streamlab") / "aws"
TAG = {"Key": "streamlab:scenario", "Value": "pipeline"}

LIGHT = """\
name: light
clock:
  start: 2021-11-01T09:00:00Z
  duration: 5s
resources:
  streams:
    - name: light-stream
      mode: ON_DEMAND
  tables:
    - name: LightTable
      partition_key: id:S
"""


@pytest.fixture
def stand_in():
    with RecordingStandIn() as server:
        yield server


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_project(tmp_path)
    return tmp_path


def run(project: Path, stand_in: RecordingStandIn, *args: str, scenario: str = "pipeline.yaml"):
    """On AWS a run follows the wall clock: ``--speed 100`` compresses the schedule."""
    return sim(
        "run", scenario, "--backend", "aws", "--no-progress", "--speed", "100", *args,
        cwd=project, env=sim_env(project, stand_in.url),
    )  # fmt: skip


def teardown(project: Path, stand_in: RecordingStandIn, *args: str, scenario="pipeline.yaml"):
    return sim("teardown", scenario, *args, cwd=project, env=sim_env(project, stand_in.url))


def state(project: Path, name: str = "pipeline") -> dict:
    return json.loads((project / STATE / f"{name}-us-east-1.json").read_text())


def created_zip(stand_in: RecordingStandIn, function: str) -> zipfile.ZipFile:
    """The package as it reached the stand-in in the CreateFunction request."""
    bodies = [
        json.loads(c.body)
        for c in stand_in.calls
        if c.operation == "CreateFunction" and json.loads(c.body)["FunctionName"] == function
    ]
    assert len(bodies) == 1
    return zipfile.ZipFile(io.BytesIO(base64.b64decode(bodies[0]["Code"]["ZipFile"])))


def test_without_yes_the_plan_is_printed_and_nothing_reaches_the_stand_in(
    project: Path, stand_in: RecordingStandIn
) -> None:
    done = run(project, stand_in)
    assert done.returncode == 2, done.stdout + done.stderr
    plan = done.stderr
    assert "nothing was created on AWS: re-run with --yes to create" in plan
    for line in (
        "Kinesis stream events (2 shard(s)) in us-east-1: $0.0300/h, ",
        "DynamoDB table Sink (PAY_PER_REQUEST) in us-east-1",
        "S3 bucket pipeline-archive in us-east-1",
        "SQS queue pipeline-dlq in us-east-1",
        "SNS topic pipeline-alerts with 1 subscription(s) in us-east-1",
        "IAM role SinkRole (1 inline policy, 1 managed policy) (global)",
        "CloudWatch log group /aws/lambda/Sink in us-east-1",
        "Lambda function Sink (python3.12, 256 MB, timeout 20 s, handler "
        "pipeline.sink.lambda_handler, zip of pipeline) in us-east-1",
        "Event source mapping events → Sink (BatchSize 25, AT_TIMESTAMP, window 5 s, "
        "3 retries, max age 3600 s, disabled) in us-east-1",
        "producer noaa runs here and puts 10 record(s)",
        "run in AWS Lambda, deployed as zip packages",
        "estimated cost: $0.0300 per hour",
        "(an estimate, excluding the free tier)",
        "Lambda: invocations = records ÷ batch size",
    ):
        assert line in plan, line
    assert "Traceback" not in plan
    assert stand_in.calls == []  # not even a read
    assert not (project / STATE).exists()


def test_with_yes_everything_is_deployed_then_teardown_leaves_nothing(
    project: Path, stand_in: RecordingStandIn
) -> None:
    done = run(project, stand_in, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "creating on AWS (aws (profile default, region us-east-1)), confirmed with --yes" in (
        done.stderr
    )
    assert "backend aws" in done.stdout

    # Resources, tagged.
    kinesis = stand_in.client("kinesis")
    summary = kinesis.describe_stream_summary(StreamName="events")["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2
    # (moto drops CreateStream's Tags: what was sent is checked.)
    create_stream = next(
        json.loads(c.body) for c in stand_in.calls if c.operation == "CreateStream"
    )
    assert create_stream["Tags"]["streamlab:scenario"] == "pipeline"
    assert create_stream["Tags"]["streamlab:run"]
    dynamodb = stand_in.client("dynamodb")
    table_arn = dynamodb.describe_table(TableName="Sink")["Table"]["TableArn"]
    assert TAG in dynamodb.list_tags_of_resource(ResourceArn=table_arn)["Tags"]
    assert TAG in stand_in.client("s3").get_bucket_tagging(Bucket="pipeline-archive")["TagSet"]
    sqs = stand_in.client("sqs")
    queue_url = sqs.get_queue_url(QueueName="pipeline-dlq")["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=queue_url)["Tags"]["streamlab:scenario"] == "pipeline"
    sns = stand_in.client("sns")
    (topic,) = sns.list_topics()["Topics"]
    assert TAG in sns.list_tags_for_resource(ResourceArn=topic["TopicArn"])["Tags"]

    # The role, with its policies.
    iam = stand_in.client("iam")
    role = iam.get_role(RoleName="SinkRole")["Role"]
    assert TAG in role["Tags"]
    assert iam.list_role_policies(RoleName="SinkRole")["PolicyNames"] == ["WriteSink"]
    attached = iam.list_attached_role_policies(RoleName="SinkRole")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSLambdaKinesisExecutionRole"]

    # The function, from a zip of its package.
    lambda_ = stand_in.client("lambda")
    config = lambda_.get_function(FunctionName="Sink")["Configuration"]
    assert config["Runtime"] == "python3.12"
    assert config["Handler"] == "pipeline.sink.lambda_handler"
    assert config["Role"] == role["Arn"]
    assert (config["Timeout"], config["MemorySize"]) == (20, 256)
    assert config["Environment"]["Variables"] == {"TABLE": "Sink"}
    assert lambda_.list_tags(Resource=config["FunctionArn"])["Tags"]["streamlab:scenario"] == (
        "pipeline"
    )
    package = created_zip(stand_in, "Sink")
    assert package.namelist() == [
        "pipeline/__init__.py",
        "pipeline/helpers/__init__.py",
        "pipeline/sink.py",
    ]  # sorted, no __pycache__
    assert package.read("pipeline/sink.py").decode() == HANDLER_FILES["pipeline/sink.py"]
    assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    raw = base64.b64decode(
        next(json.loads(c.body) for c in stand_in.calls if c.operation == "CreateFunction")["Code"][
            "ZipFile"
        ]
    )
    assert config["CodeSha256"] == base64.b64encode(hashlib.sha256(raw).digest()).decode()
    groups = stand_in.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/Sink")
    assert [g["logGroupName"] for g in groups["logGroups"]] == ["/aws/lambda/Sink"]

    # The event source mapping, with every parameter of the trigger.
    (mapping,) = lambda_.list_event_source_mappings(FunctionName="Sink")["EventSourceMappings"]
    assert mapping["EventSourceArn"] == summary["StreamARN"]
    assert mapping["BatchSize"] == 25
    assert mapping["StartingPosition"] == "AT_TIMESTAMP"
    assert mapping["MaximumBatchingWindowInSeconds"] == 5
    assert mapping["MaximumRetryAttempts"] == 3
    assert mapping["MaximumRecordAgeInSeconds"] == 3600
    # moto keeps neither the timestamp nor Enabled: what was sent is checked.
    request = next(
        json.loads(c.body) for c in stand_in.calls if c.operation == "CreateEventSourceMapping"
    )
    assert request["StartingPositionTimestamp"] == datetime(2021, 11, 1, 8, tzinfo=UTC).timestamp()
    assert request["Enabled"] is False
    assert request["Tags"]["streamlab:scenario"] == "pipeline"

    # The producer ran here, onto the real stream.
    assert [c.operation for c in stand_in.calls].count("PutRecord") == 10

    # Everything recorded, in creation order, with this run's id.
    recorded = state(project)
    assert recorded["account"] == "123456789012"
    kinds = [(r["kind"], r["name"]) for r in recorded["resources"]]
    assert kinds == [
        ("stream", "events"),
        ("table", "Sink"),
        ("bucket", "pipeline-archive"),
        ("queue", "pipeline-dlq"),
        ("topic", "pipeline-alerts"),
        ("role", "SinkRole"),
        ("log-group", "/aws/lambda/Sink"),
        ("function", "Sink"),
        ("mapping", mapping["UUID"]),
    ]
    assert len({r["run"] for r in recorded["resources"]}) == 1

    # Teardown without --yes: the list, no deletion.
    stand_in.calls.clear()
    preview = teardown(project, stand_in)
    assert preview.returncode == 2, preview.stdout + preview.stderr
    assert "nothing was deleted on AWS: re-run with --yes to delete" in preview.stderr
    assert f"delete event source mapping {mapping['UUID']}" in preview.stderr
    assert "delete IAM role SinkRole (global)" in preview.stderr
    assert stand_in.writes() == []
    assert len(state(project)["resources"]) == 9

    # Teardown with --yes: everything gone.
    stand_in.calls.clear()
    done = teardown(project, stand_in, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nothing left" in done.stdout
    deleted = [c.operation for c in stand_in.writes()]
    for operation in (
        "DeleteEventSourceMapping", "DeleteFunction", "DeleteLogGroup", "Unsubscribe",
        "DeleteTopic", "DeleteQueue", "DeleteBucket", "DeleteTable", "DeleteStream",
        "DetachRolePolicy", "DeleteRolePolicy", "DeleteRole",
    ):  # fmt: skip
        assert operation in deleted, operation
    assert deleted.index("DeleteEventSourceMapping") < deleted.index("DeleteFunction")
    assert deleted.index("DetachRolePolicy") < deleted.index("DeleteRole")
    assert kinesis.list_streams()["StreamNames"] == []
    assert dynamodb.list_tables()["TableNames"] == []
    assert stand_in.client("s3").list_buckets()["Buckets"] == []
    assert sqs.list_queues().get("QueueUrls", []) == []
    assert sns.list_topics()["Topics"] == []
    assert "SinkRole" not in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    assert lambda_.list_functions()["Functions"] == []
    assert lambda_.list_event_source_mappings()["EventSourceMappings"] == []
    assert stand_in.client("logs").describe_log_groups()["logGroups"] == []
    tagged = stand_in.client("resourcegroupstaggingapi").get_resources()
    assert tagged["ResourceTagMappingList"] == []
    assert not (project / STATE / "pipeline-us-east-1.json").exists()


def test_what_existed_before_is_used_as_it_is_and_never_deleted(
    project: Path, stand_in: RecordingStandIn
) -> None:
    write(
        project / "pipeline.yaml",
        PIPELINE.replace(
            "      partition_key: id:S\n",
            "      partition_key: id:S\n      items:\n        - {id: seed, v: from-the-scenario}\n",
        ),
    )
    dynamodb = stand_in.client("dynamodb")
    dynamodb.create_table(
        TableName="Sink",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="Sink", Item={"id": {"S": "seed"}, "v": {"S": "precious"}})
    s3 = stand_in.client("s3")
    s3.create_bucket(Bucket="pipeline-archive")
    s3.put_object(Bucket="pipeline-archive", Key="keep.txt", Body=b"keep")
    stand_in.client("sqs").create_queue(QueueName="pipeline-dlq")
    stand_in.calls.clear()

    done = run(project, stand_in, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    for what in ("DynamoDB table Sink", "S3 bucket pipeline-archive", "SQS queue pipeline-dlq"):
        assert f"{what} already exists: used as it is" in done.stderr, what
    operations = [c.operation for c in stand_in.writes()]
    assert "CreateBucket" not in operations and "CreateQueue" not in operations
    assert "BatchWriteItem" not in operations and "PutBucketTagging" not in operations
    recorded = {(r["kind"], r["name"]) for r in state(project)["resources"]}
    assert ("table", "Sink") not in recorded
    assert ("bucket", "pipeline-archive") not in recorded
    assert ("queue", "pipeline-dlq") not in recorded
    assert ("stream", "events") in recorded and ("function", "Sink") in recorded

    done = teardown(project, stand_in, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    item = dynamodb.get_item(TableName="Sink", Key={"id": {"S": "seed"}})["Item"]
    assert item["v"] == {"S": "precious"}
    assert s3.get_object(Bucket="pipeline-archive", Key="keep.txt")["Body"].read() == b"keep"
    assert stand_in.client("sqs").get_queue_url(QueueName="pipeline-dlq")["QueueUrl"]
    assert stand_in.client("kinesis").list_streams()["StreamNames"] == []
    assert stand_in.client("lambda").list_functions()["Functions"] == []


def test_a_refused_deletion_and_an_unrecorded_tagged_resource_are_listed_as_left(
    tmp_path: Path, stand_in: RecordingStandIn
) -> None:
    write(tmp_path / "light.yaml", LIGHT)
    assert run(tmp_path, stand_in, "--yes", scenario="light.yaml").returncode == 0
    # Something tagged with the scenario that this checkout's state file does not know.
    iam = stand_in.client("iam")
    role = iam.create_role(RoleName="stray-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("stray.py", "def handler(event, context):\n    return 1\n")
    stray = stand_in.client("lambda").create_function(
        FunctionName="Stray", Runtime="python3.12", Role=role, Handler="stray.handler",
        Code={"ZipFile": package.getvalue()}, Tags={"streamlab:scenario": "light"},
    )["FunctionArn"]  # fmt: skip

    stand_in.deny = {"DeleteTable"}
    done = teardown(tmp_path, stand_in, "--yes", scenario="light.yaml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Left on AWS (2):" in done.stdout
    assert "DynamoDB table LightTable in us-east-1" in done.stdout
    assert f"Lambda function Stray [{stray}]" in done.stdout
    assert "not recorded in the state file: not deleted" in done.stdout
    assert stand_in.client("kinesis").list_streams()["StreamNames"] == []  # the rest went
    assert [(r["kind"], r["name"]) for r in state(tmp_path, "light")["resources"]] == [
        ("table", "LightTable")
    ]  # kept, so that teardown can be run again

    stand_in.deny = set()
    again = teardown(tmp_path, stand_in, "--yes", scenario="light.yaml")
    assert again.returncode == 1, again.stdout + again.stderr
    assert "deleted DynamoDB table LightTable" in again.stdout
    assert "Left on AWS (1):" in again.stdout and "Lambda function Stray" in again.stdout
    assert stand_in.client("lambda").get_function(FunctionName="Stray")  # never deleted
    assert not (tmp_path / STATE / "light-us-east-1.json").exists()

    stand_in.client("lambda").delete_function(FunctionName="Stray")
    finally_ = teardown(tmp_path, stand_in, scenario="light.yaml")
    assert finally_.returncode == 0, finally_.stdout + finally_.stderr
    assert "nothing to tear down" in finally_.stdout


def test_an_earlier_runs_resources_stop_a_new_run_before_it_creates_anything(
    tmp_path: Path, stand_in: RecordingStandIn
) -> None:
    write(tmp_path / "light.yaml", LIGHT)
    assert run(tmp_path, stand_in, "--yes", scenario="light.yaml").returncode == 0
    stand_in.calls.clear()
    again = run(tmp_path, stand_in, "--yes", scenario="light.yaml")
    assert again.returncode == 2, again.stdout + again.stderr
    assert "resources from an earlier run of light are still on AWS" in again.stderr
    assert "sim teardown" in again.stderr and "Kinesis stream light-stream" in again.stderr
    assert stand_in.writes() == []
    assert teardown(tmp_path, stand_in, "--yes", scenario="light.yaml").returncode == 0
    assert run(tmp_path, stand_in, "--yes", scenario="light.yaml").returncode == 0


def test_a_function_streamlab_did_not_create_is_never_overwritten(
    project: Path, stand_in: RecordingStandIn
) -> None:
    role = stand_in.client("iam").create_role(RoleName="theirs", AssumeRolePolicyDocument="{}")
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("theirs.py", "def handler(event, context):\n    return 1\n")
    stand_in.client("lambda").create_function(
        FunctionName="Sink", Runtime="python3.12", Role=role["Role"]["Arn"],
        Handler="theirs.handler", Code={"ZipFile": package.getvalue()},
    )  # fmt: skip
    stand_in.calls.clear()
    done = run(project, stand_in, "--yes")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Lambda function(s) Sink already exist" in done.stderr
    assert "nothing was created" in done.stderr
    assert stand_in.writes() == []
    assert not (project / STATE).exists()
    config = stand_in.client("lambda").get_function(FunctionName="Sink")["Configuration"]
    assert config["Handler"] == "theirs.handler"


def test_a_run_that_fails_half_way_can_still_be_torn_down(
    project: Path, stand_in: RecordingStandIn
) -> None:
    stand_in.deny = {"CreateFunction"}
    done = run(project, stand_in, "--yes")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "CreateFunction" in done.stderr and "Traceback" not in done.stderr
    recorded = [r["kind"] for r in state(project)["resources"]]
    assert recorded == ["stream", "table", "bucket", "queue", "topic", "role", "log-group"]
    stand_in.deny = set()
    down = teardown(project, stand_in, "--yes")
    assert down.returncode == 0, down.stdout + down.stderr
    assert stand_in.client("kinesis").list_streams()["StreamNames"] == []
    assert stand_in.client("iam").list_roles()["Roles"] == []


def test_teardown_on_the_embedded_backend_has_nothing_to_delete(tmp_path: Path) -> None:
    write(tmp_path / "light.yaml", LIGHT)
    done = sim(
        "teardown", "light.yaml", "--backend", "embedded",
        cwd=tmp_path, env=sim_env(tmp_path, "http://127.0.0.1:9"),
    )  # fmt: skip
    assert done.returncode == 2
    assert "the embedded backend starts from a clean state each run" in done.stderr


@pytest.mark.slow
def test_the_noaa_scenario_deploys_its_consumer_and_reports_honestly(
    tmp_path: Path, stand_in: RecordingStandIn
) -> None:
    """The stand-in cannot run the consumer: nothing is stored and the run fails, exit 1."""
    noaa = str(REPO / "scenarios" / "noaa-weather.yaml")
    done = run(tmp_path, stand_in, "--yes", scenario=noaa)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "noaa-weather  FAILED" in done.stdout
    assert "produced 744  accepted 744" in done.stdout
    package = created_zip(stand_in, "KinesisLambdaConsumer")
    assert "consumers/noaa_to_dynamodb.py" in package.namelist()
    assert not any("__pycache__" in name for name in package.namelist())
    lambda_ = stand_in.client("lambda")
    (mapping,) = lambda_.list_event_source_mappings()["EventSourceMappings"]
    assert (mapping["BatchSize"], mapping["StartingPosition"]) == (100, "TRIM_HORIZON")
    assert mapping["State"] == "Enabled"
    down = sim("teardown", noaa, "--yes", cwd=tmp_path, env=sim_env(tmp_path, stand_in.url))
    assert down.returncode == 0, down.stdout + down.stderr
    assert lambda_.list_functions()["Functions"] == []


def test_parts_streamlab_cannot_deploy_to_aws_are_refused_before_anything_is_created(
    tmp_path: Path, stand_in: RecordingStandIn
) -> None:
    """The Ticker lab's schedule, asynchronous settings and destinations are streamlab's own
    on the other backends; on AWS they are not deployed yet, so the run stops, naming them."""
    ticker = str(REPO / "scenarios" / "ticker.yaml")
    done = run(tmp_path, stand_in, "--yes", scenario=ticker)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "streamlab does not deploy these to AWS yet; nothing was created:" in done.stderr
    assert (
        "functions[0] (DEKYLMAP-streaming-lambda).triggers[0].schedule: an EventBridge "
        "schedule trigger" in done.stderr
    )
    assert "functions[0] (DEKYLMAP-streaming-lambda).asynchronous: an event invoke" in done.stderr
    assert "Traceback" not in done.stderr
    assert stand_in.calls == []
    assert not (tmp_path / STATE).exists()
