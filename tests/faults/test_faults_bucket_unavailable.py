"""bucket_unavailable: S3 requests to the bucket refused with 503 SlowDown, in S3's XML error
form; Firehose delivering to the bucket retries and delivers everything once it is back."""

from __future__ import annotations

import random

import pytest
from botocore.exceptions import ClientError
from faults_support import effect, project

from sim import Simulation
from sim.faults import schedule_faults
from sim.scenario import parse_scenario

SCENARIO = """
name: wire
clock: {start: 2021-11-01T00:00:00Z, duration: 10m}
resources:
  buckets: [{name: lake}, {name: other}]
faults:
  - FAULT
"""


def install(cloud, fault: str):
    for bucket in ("lake", "other"):
        cloud.client("s3").create_bucket(Bucket=bucket)
    scenario = parse_scenario(SCENARIO.replace("FAULT", fault))
    return schedule_faults(scenario, cloud.clock, cloud.backend, None, random.Random(1))


def refused(call) -> ClientError:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value


def test_requests_to_the_bucket_get_s3s_503_slow_down(cloud):
    effects = install(cloud, "bucket_unavailable: {bucket: lake}")
    s3 = cloud.client("s3")
    error = refused(lambda: s3.put_object(Bucket="lake", Key="a/b.json", Body=b"{}"))
    assert error.response["Error"]["Code"] == "SlowDown"
    assert error.response["Error"]["Message"] == "Please reduce your request rate."
    metadata = error.response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 503
    request_id = metadata["RequestId"]
    assert len(request_id) == 16 and int(request_id, 16) >= 0
    assert len(metadata["HostId"]) == 76  # x-amz-id-2
    listing = refused(lambda: s3.list_objects_v2(Bucket="lake"))
    assert listing.response["Error"]["Code"] == "SlowDown"
    head = refused(lambda: s3.head_object(Bucket="lake", Key="a/b.json"))  # no body: the status
    assert head.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    s3.put_object(Bucket="other", Key="k", Body=b"x")  # other buckets answer
    assert effects[0].counters == {"requests_refused": 3}


def test_a_count_refuses_that_many_requests_then_the_bucket_answers(cloud):
    effects = install(cloud, "bucket_unavailable: {bucket: lake, start: 5s, count: 2}")
    s3 = cloud.client("s3")
    s3.put_object(Bucket="lake", Key="early", Body=b"x")
    cloud.advance(5)
    for _ in range(2):
        refused(lambda: s3.get_object(Bucket="lake", Key="early"))
    assert s3.get_object(Bucket="lake", Key="early")["Body"].read() == b"x"
    assert effects[0].counters == {"requests_refused": 2}


RUN = """
    name: lake-down
    seed: 3
    clock: {start: 2022-01-01T00:00:00Z, duration: 5m}
    resources:
      streams: [{name: s, shards: 1}]
      buckets: [{name: lake}]
      delivery_streams:
        - name: to-lake
          source: {stream: s}
          bucket: lake
          buffering: {interval: 60}
          append_delimiter: true
    producers:
      - name: counter
        type: tests.producers_for_tests:CountingProducer
        target: {stream: s}
        rate: 1/s
        count: 90
    faults:
      - bucket_unavailable: {bucket: lake, start: 30s, end: 2m30s}
"""


def test_firehose_retries_and_delivers_everything_after_the_outage(tmp_path):
    with Simulation.from_file(project(tmp_path, RUN)) as simulation:
        result = simulation.run()
        s3 = simulation.client("s3")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake").get("Contents", [])]
        stored = b"".join(s3.get_object(Bucket="lake", Key=k)["Body"].read() for k in keys)
    stats = result.delivery_streams["to-lake"]
    refusals = effect(result)["requests_refused"]
    assert refusals > 0 and stats["failed_attempts"] == refusals  # every refusal retried
    assert "SlowDown" in stats["last_error"]
    assert stats["delivered"] == 90 and stats["buffered"] == 0
    assert len(stored.splitlines()) == 90  # nothing lost, nothing twice
    totals = result.ledger.totals()
    assert totals["produced"] == totals["delivered"] == 90
    assert (totals["lost"], totals["dropped"], totals["in_flight"]) == (0, 0, 0)
    assert (
        f"faults[0] bucket_unavailable on bucket lake, 30s → 2m30s: {refusals} requests "
        "refused (503 SlowDown)" in result.report()
    )
