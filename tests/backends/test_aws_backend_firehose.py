"""Firehose delivery streams on ``--backend aws``: planned, priced, created (tagged, recorded,
waited for until ACTIVE, retried while a new role propagates), torn down, and never adopted,
against moto's server standing in for AWS behind a recorder (see aws_backend_support)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aws_backend_support import RecordingStandIn, sim, sim_env, write
from backend_support import isolate_aws_environment
from botocore.exceptions import ClientError

from sim.backends.aws import AwsBackend
from sim.backends.aws_state import (
    DELIVERY_STREAM_ACTIVE_SECONDS,
    DELIVERY_STREAM_POLL_SECONDS,
    FIREHOSE_ROLE_PROPAGATION_DELAYS,
    AwsCreateError,
)
from sim.provision import Provisioner
from sim.scenario import load_scenario

STATE = Path(".streamlab") / "aws"
TAG = {"Key": "streamlab:scenario", "Value": "hose"}
ACCOUNT = "123456789012"
ROLE_NOT_READY = (
    "InvalidArgumentException",
    f"Firehose is unable to assume role arn:aws:iam::{ACCOUNT}:role/firehose-hose-to-s3. "
    "Please check the role provided.",
)

HOSE = """\
name: hose
seed: 5
clock:
  start: 2021-11-01T09:00:00Z
  duration: 10s
resources:
  streams:
    - name: hose-events
      mode: ON_DEMAND
  buckets:
    - name: hose-archive
  delivery_streams:
    - name: hose-to-s3
      source: {stream: hose-events}
      bucket: hose-archive
      buffering: {size_mb: 1, interval: 60}
      compression: GZIP
      prefix: events/
    - name: hose-direct
      source: {direct_put: true}
      bucket: hose-archive
      append_delimiter: true
      role:
        name: HoseDirectRole
        policies:
          - name: WriteArchive
            document:
              Version: "2012-10-17"
              Statement:
                - Effect: Allow
                  Action: [s3:PutObject, s3:GetBucketLocation, s3:ListBucket]
                  Resource: [arn:aws:s3:::hose-archive, arn:aws:s3:::hose-archive/*]
producers:
  - name: noaa
    type: noaa
    target: {stream: hose-events}
    rate: 2/s
    count: 10
    params:
      stations: 1
"""

TO_S3_LINE = (
    "Firehose delivery stream hose-to-s3 (Kinesis stream hose-events → S3 bucket hose-archive, "
    "buffering 1 MiB or 60 s, GZIP) in us-east-1: $"
)


@pytest.fixture
def stand_in():
    with RecordingStandIn() as server:
        yield server


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "hose.yaml", HOSE)
    return tmp_path


def run(project: Path, stand_in: RecordingStandIn, *args: str):
    return sim(
        "run", "hose.yaml", "--backend", "aws", "--no-progress", "--speed", "100", *args,
        cwd=project, env=sim_env(project, stand_in.url),
    )  # fmt: skip


def teardown(project: Path, stand_in: RecordingStandIn, *args: str):
    return sim("teardown", "hose.yaml", *args, cwd=project, env=sim_env(project, stand_in.url))


def state(project: Path) -> dict:
    return json.loads((project / STATE / "hose-us-east-1.json").read_text())


def requests(stand_in: RecordingStandIn, operation: str) -> list[dict]:
    return [json.loads(c.body) for c in stand_in.calls if c.operation == operation]


# -- sim run / sim teardown ------------------------------------------------------------------------
def test_without_yes_the_plan_lists_and_prices_delivery_streams_and_nothing_is_sent(
    project: Path, stand_in: RecordingStandIn
) -> None:
    done = run(project, stand_in)
    assert done.returncode == 2, done.stdout + done.stderr
    plan = done.stderr
    for line in (
        "nothing was created on AWS: re-run with --yes to create",
        "IAM role firehose-hose-to-s3 for Firehose delivery stream hose-to-s3 (the Firehose "
        "console's policy: writing to S3 bucket hose-archive and reading Kinesis stream "
        "hose-events) (global): $0",
        TO_S3_LINE,
        "10 records from Kinesis stream hose-events = 50 KB ingested (5 KB units) at $0.029/GB "
        "+ about 1 S3 object(s) (one per flush of 1 MiB or 60 s) at $0.005/1,000 PUTs",
        "IAM role HoseDirectRole for Firehose delivery stream hose-direct (1 inline policy, "
        "0 managed policies) (global): $0",
        "Firehose delivery stream hose-direct (Direct PUT → S3 bucket hose-archive, buffering "
        "5 MiB or 300 s) in us-east-1: $0",
        "Direct PUT: no producer of the scenario puts to it",
        "read by 0 mapping(s) and 1 delivery stream(s)",
        "the 2 delivery stream(s) run in Amazon Data Firehose",
        "Firehose: a delivery stream ingests what the producers put on its source stream",
    ):
        assert line in plan, line
    assert "not yet deployed" not in plan and "Traceback" not in plan
    assert stand_in.calls == []  # not even a read
    assert not (project / STATE).exists()


def test_with_yes_delivery_streams_are_created_tagged_recorded_then_torn_down(
    project: Path, stand_in: RecordingStandIn
) -> None:
    done = run(project, stand_in, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert TO_S3_LINE in done.stderr  # the plan, printed again before creating
    arn = f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/hose-to-s3"
    assert f"created Firehose delivery stream hose-to-s3 in us-east-1 [{arn}]" in done.stderr

    firehose = stand_in.client("firehose")
    iam = stand_in.client("iam")
    to_s3 = firehose.describe_delivery_stream(DeliveryStreamName="hose-to-s3")[
        "DeliveryStreamDescription"
    ]
    assert to_s3["DeliveryStreamStatus"] == "ACTIVE"
    assert to_s3["DeliveryStreamType"] == "KinesisStreamAsSource"
    role = iam.get_role(RoleName="firehose-hose-to-s3")["Role"]
    assert TAG in role["Tags"]
    # (moto keeps neither the source nor every destination field: what was sent is checked.)
    request = next(r for r in requests(stand_in, "CreateDeliveryStream") if "Kinesis" in str(r))
    assert request["KinesisStreamSourceConfiguration"] == {
        "KinesisStreamARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/hose-events",
        "RoleARN": role["Arn"],
    }
    destination = request["ExtendedS3DestinationConfiguration"]
    assert destination["BucketARN"] == "arn:aws:s3:::hose-archive"
    assert destination["RoleARN"] == role["Arn"]
    assert destination["BufferingHints"] == {"SizeInMBs": 1, "IntervalInSeconds": 60}
    assert (destination["CompressionFormat"], destination["Prefix"]) == ("GZIP", "events/")
    for name in ("hose-to-s3", "hose-direct"):
        tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"]
        assert TAG in tags, name
        assert any(t["Key"] == "streamlab:run" and t["Value"] for t in tags)
    direct = firehose.describe_delivery_stream(DeliveryStreamName="hose-direct")[
        "DeliveryStreamDescription"
    ]
    assert direct["DeliveryStreamType"] == "DirectPut"
    assert iam.list_role_policies(RoleName="HoseDirectRole")["PolicyNames"] == ["WriteArchive"]
    # Each new delivery stream was waited for: described after it was created.
    operations = stand_in.operations()
    created = [i for i, op in enumerate(operations) if op == "CreateDeliveryStream"]
    assert len(created) == 2
    for index in created:
        assert "DescribeDeliveryStream" in operations[index + 1 :]

    # Recorded in creation order, roles before the delivery streams that use them.
    recorded = [(r["kind"], r["name"]) for r in state(project)["resources"]]
    assert recorded == [
        ("stream", "hose-events"),
        ("bucket", "hose-archive"),
        ("role", "firehose-hose-to-s3"),
        ("delivery-stream", "hose-to-s3"),
        ("role", "HoseDirectRole"),
        ("delivery-stream", "hose-direct"),
    ]
    entry = next(r for r in state(project)["resources"] if r["name"] == "hose-to-s3")
    assert (entry["arn"], entry["region"]) == (arn, "us-east-1")

    stand_in.calls.clear()
    preview = teardown(project, stand_in)
    assert preview.returncode == 2, preview.stdout + preview.stderr
    assert f"delete Firehose delivery stream hose-to-s3 in us-east-1 [{arn}]" in preview.stderr
    assert stand_in.writes() == []

    stand_in.calls.clear()
    down = teardown(project, stand_in, "--yes")
    assert down.returncode == 0, down.stdout + down.stderr
    assert "nothing left" in down.stdout
    deleted = [c.operation for c in stand_in.writes()]
    assert deleted.count("DeleteDeliveryStream") == 2
    last = max(i for i, op in enumerate(deleted) if op == "DeleteDeliveryStream")
    for later in ("DeleteBucket", "DeleteStream", "DeleteRole"):  # what the streams use
        assert deleted.index(later) > last, later
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == []
    assert stand_in.client("s3").list_buckets()["Buckets"] == []
    assert stand_in.client("kinesis").list_streams()["StreamNames"] == []
    tagged = stand_in.client("resourcegroupstaggingapi").get_resources()
    assert tagged["ResourceTagMappingList"] == []
    assert not (project / STATE / "hose-us-east-1.json").exists()


def test_an_existing_delivery_stream_is_used_as_it_is_and_a_tagged_stray_is_only_listed(
    project: Path, stand_in: RecordingStandIn
) -> None:
    firehose = stand_in.client("firehose")
    theirs = {
        "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/theirs",
        "BucketARN": "arn:aws:s3:::their-bucket",
    }
    firehose.create_delivery_stream(
        DeliveryStreamName="hose-to-s3", ExtendedS3DestinationConfiguration=theirs
    )
    stand_in.calls.clear()

    done = run(project, stand_in, "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Firehose delivery stream hose-to-s3 already exists: used as it is" in done.stderr
    created = requests(stand_in, "CreateDeliveryStream")
    assert [r["DeliveryStreamName"] for r in created] == ["hose-direct"]
    assert "TagDeliveryStream" not in stand_in.operations()
    iam_roles = [r["RoleName"] for r in stand_in.client("iam").list_roles()["Roles"]]
    assert "firehose-hose-to-s3" not in iam_roles  # no role for a stream it does not create
    recorded = {(r["kind"], r["name"]) for r in state(project)["resources"]}
    assert ("delivery-stream", "hose-to-s3") not in recorded
    assert ("delivery-stream", "hose-direct") in recorded

    down = teardown(project, stand_in, "--yes")
    assert down.returncode == 0, down.stdout + down.stderr
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["hose-to-s3"]
    kept = firehose.describe_delivery_stream(DeliveryStreamName="hose-to-s3")
    description = kept["DeliveryStreamDescription"]["Destinations"][0]
    assert description["ExtendedS3DestinationDescription"]["BucketARN"] == theirs["BucketARN"]
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName="hose-to-s3")["Tags"] == []

    # A delivery stream tagged with the scenario that no state file records: listed, kept.
    stray = firehose.create_delivery_stream(
        DeliveryStreamName="hose-stray",
        ExtendedS3DestinationConfiguration=theirs,
        Tags=[{"Key": "streamlab:scenario", "Value": "hose"}],
    )["DeliveryStreamARN"]
    left = teardown(project, stand_in, "--yes")
    assert left.returncode == 1, left.stdout + left.stderr
    assert "Left on AWS (1):" in left.stdout
    assert f"Firehose delivery stream hose-stray [{stray}]" in left.stdout
    assert "not recorded in the state file: not deleted" in left.stdout
    assert "hose-stray" in firehose.list_delivery_streams()["DeliveryStreamNames"]


# -- in-process: the provisioner and the tracker ----------------------------------------------
@pytest.fixture
def local_stand_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    isolate_aws_environment(monkeypatch, tmp_path)
    with RecordingStandIn() as server:
        yield server


def _scenario(tmp_path: Path) -> Any:
    return load_scenario(write(tmp_path / "hose.yaml", HOSE))


def _provisioner(stand_in: RecordingStandIn, tmp_path: Path) -> tuple[Provisioner, list[float]]:
    backend = AwsBackend(
        region="us-east-1",
        account_id=ACCOUNT,
        confirmed=True,
        endpoint_url=stand_in.url,
        state_root=tmp_path,
        out=io.StringIO(),
    )
    provisioner = Provisioner(backend, _scenario(tmp_path))
    slept: list[float] = []
    provisioner.tracker.sleep = slept.append
    return provisioner, slept


def test_a_role_firehose_cannot_use_yet_is_retried(
    local_stand_in: RecordingStandIn, tmp_path: Path
) -> None:
    provisioner, slept = _provisioner(local_stand_in, tmp_path)
    local_stand_in.fail_next("CreateDeliveryStream", *ROLE_NOT_READY, times=2)
    provisioner.create_resources()
    assert slept == list(FIREHOSE_ROLE_PROPAGATION_DELAYS[:2])
    assert local_stand_in.operations().count("CreateDeliveryStream") == 4  # 3 + hose-direct
    firehose = local_stand_in.client("firehose")
    assert sorted(firehose.list_delivery_streams()["DeliveryStreamNames"]) == [
        "hose-direct",
        "hose-to-s3",
    ]
    out = provisioner.tracker.out.getvalue()
    assert "hose-to-s3: waiting for its new IAM role to reach Firehose" in out


def test_a_role_that_never_becomes_usable_gives_up_with_a_clear_error(
    local_stand_in: RecordingStandIn, tmp_path: Path
) -> None:
    provisioner, slept = _provisioner(local_stand_in, tmp_path)
    attempts = len(FIREHOSE_ROLE_PROPAGATION_DELAYS) + 1
    local_stand_in.fail_next("CreateDeliveryStream", *ROLE_NOT_READY, times=attempts)
    with pytest.raises(AwsCreateError) as raised:
        provisioner.create_resources()
    message = str(raised.value)
    assert "Firehose delivery stream hose-to-s3 was not created" in message
    assert f"after {attempts} attempts over {sum(FIREHOSE_ROLE_PROPAGATION_DELAYS)} s" in message
    assert "Firehose is unable to assume role" in message
    assert slept == list(FIREHOSE_ROLE_PROPAGATION_DELAYS)
    recorded = [(e.kind, e.name) for e in provisioner.tracker.state.entries]
    assert recorded[-1] == ("role", "firehose-hose-to-s3")  # so teardown removes it


def test_other_refusals_of_create_delivery_stream_are_not_retried(
    local_stand_in: RecordingStandIn, tmp_path: Path
) -> None:
    provisioner, slept = _provisioner(local_stand_in, tmp_path)
    local_stand_in.fail_next(
        "CreateDeliveryStream", "InvalidArgumentException", "BufferingHints are not valid"
    )
    with pytest.raises(ClientError, match="BufferingHints are not valid"):
        provisioner.create_resources()
    local_stand_in.deny = {"CreateDeliveryStream"}
    with pytest.raises(ClientError, match="AccessDenied"):
        provisioner.create_resources()
    assert slept == []


class _Firehose:
    """describe_delivery_stream answering the given statuses in turn (the last one repeated)."""

    def __init__(self, *statuses: str, failure: dict[str, str] | None = None):
        self.statuses = list(statuses)
        self.failure = failure

    def describe_delivery_stream(self, DeliveryStreamName: str) -> dict[str, Any]:  # noqa: N803
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        description: dict[str, Any] = {"DeliveryStreamStatus": status}
        if self.failure:
            description["FailureDescription"] = self.failure
        return {"DeliveryStreamDescription": description}


def test_a_new_delivery_stream_is_waited_for_until_active(
    local_stand_in: RecordingStandIn, tmp_path: Path
) -> None:
    provisioner, slept = _provisioner(local_stand_in, tmp_path)
    tracker = provisioner.tracker
    tracker.clients = SimpleNamespace(client=lambda service: firehose)

    firehose = _Firehose("CREATING", "CREATING", "ACTIVE")
    tracker.wait_for_delivery_stream("hose-to-s3")
    assert slept == [DELIVERY_STREAM_POLL_SECONDS] * 2

    slept.clear()
    firehose = _Firehose(
        "CREATING",
        "CREATING_FAILED",
        failure={"Type": "INVALID_KMS_KEY", "Details": "the key is disabled"},
    )
    with pytest.raises(AwsCreateError, match=r"is CREATING_FAILED \(INVALID_KMS_KEY: the key"):
        tracker.wait_for_delivery_stream("hose-to-s3")

    slept.clear()
    firehose = _Firehose("CREATING")
    with pytest.raises(
        AwsCreateError, match=f"still CREATING after {DELIVERY_STREAM_ACTIVE_SECONDS}"
    ):
        tracker.wait_for_delivery_stream("hose-to-s3")
    assert sum(slept) == DELIVERY_STREAM_ACTIVE_SECONDS


def test_without_a_tracker_the_calls_are_those_of_a_users_script(
    local_stand_in: RecordingStandIn, tmp_path: Path
) -> None:
    """Embedded, LocalStack, endpoints: no existence check, no tags, no waiting."""
    scenario = _scenario(tmp_path)
    provisioner = Provisioner(SimpleNamespace(client=local_stand_in.client), scenario)
    assert provisioner.tracker is None
    provisioner.create_delivery_stream(scenario.resources.delivery_streams[0])
    assert local_stand_in.operations() == ["CreateRole", "PutRolePolicy", "CreateDeliveryStream"]
    (request,) = requests(local_stand_in, "CreateDeliveryStream")
    assert "Tags" not in request


def test_the_plan_on_a_backend_says_an_existing_delivery_stream_is_used_as_it_is(
    local_stand_in: RecordingStandIn, tmp_path: Path
) -> None:
    scenario = _scenario(tmp_path)
    backend = AwsBackend(
        region="us-east-1", account_id=ACCOUNT, endpoint_url=local_stand_in.url,
        state_root=tmp_path, out=io.StringIO(),
    )  # fmt: skip
    local_stand_in.client("firehose").create_delivery_stream(
        DeliveryStreamName="hose-direct",
        ExtendedS3DestinationConfiguration={
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/theirs",
            "BucketARN": "arn:aws:s3:::their-bucket",
        },
    )
    local_stand_in.calls.clear()
    lines = backend.plan(scenario)
    at = next(
        i for i, x in enumerate(lines) if x.startswith("Firehose delivery stream hose-direct")
    )
    assert "! already exists: used as it is" in "\n".join(lines[at : at + 3])
    assert "\n".join(lines).count("! already exists") == 1
    assert local_stand_in.writes() == []
