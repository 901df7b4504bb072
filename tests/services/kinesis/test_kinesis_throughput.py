"""Per-shard write limits in 1-second windows, fault-injected throttling, on-demand splits."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from sim.services.kinesis import limits

ACCOUNT = "123456789012"


@pytest.fixture
def one(kinesis):
    kinesis.create_stream(StreamName="one", ShardCount=1)
    return "one"


def rate_message(stream="one", shard="shardId-000000000000"):
    return f"Rate exceeded for shard {shard} in stream {stream} under account {ACCOUNT}."


def test_put_record_over_1000_records_per_second_raises(kinesis, one, clock, helpers):
    for _ in range(1000):
        kinesis.put_record(StreamName=one, PartitionKey="k", Data=b"")
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(StreamName=one, PartitionKey="k", Data=b"")
    assert helpers.error_of(excinfo) == ("ProvisionedThroughputExceededException", rate_message())
    clock.advance(1)  # a new window
    kinesis.put_record(StreamName=one, PartitionKey="k", Data=b"")


def test_put_records_partial_failure_over_1_mib_per_second(kinesis, one):
    # 300 KiB each including the 1-byte key: three fit in 1 MiB, the fourth does not
    data = b"x" * (300 * 1024 - 1)
    out = kinesis.put_records(
        StreamName=one, Records=[{"PartitionKey": "k", "Data": data} for _ in range(5)]
    )
    assert out["FailedRecordCount"] == 2
    assert ["SequenceNumber" in r for r in out["Records"]] == [True, True, True, False, False]
    assert out["Records"][3] == {
        "ErrorCode": "ProvisionedThroughputExceededException",
        "ErrorMessage": rate_message(),
    }


def test_partition_keys_count_towards_the_byte_limit(kinesis, one):
    key = "k" * 256
    data = b"x" * (1024 * 1024 // 2 - 256)  # exactly half a MiB with the key
    out = kinesis.put_records(
        StreamName=one, Records=[{"PartitionKey": key, "Data": data} for _ in range(3)]
    )
    assert out["FailedRecordCount"] == 1


def test_limits_are_per_shard(kinesis):
    kinesis.create_stream(StreamName="two", ShardCount=2)
    top = str(2**128 - 1)
    records = [{"PartitionKey": "a", "Data": b"", "ExplicitHashKey": "0"} for _ in range(1000)]
    records_high = [{"PartitionKey": "a", "Data": b"", "ExplicitHashKey": top} for _ in range(500)]
    assert kinesis.put_records(StreamName="two", Records=records[:500])["FailedRecordCount"] == 0
    assert kinesis.put_records(StreamName="two", Records=records[500:])["FailedRecordCount"] == 0
    assert kinesis.put_records(StreamName="two", Records=records_high)["FailedRecordCount"] == 0
    again = kinesis.put_records(StreamName="two", Records=records[:10])
    assert again["FailedRecordCount"] == 10
    assert again["Records"][0]["ErrorMessage"] == rate_message("two")


def test_a_large_record_passes_on_an_idle_shard(kinesis, one, clock):
    arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/one"
    kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=10240)
    kinesis.put_record(StreamName=one, PartitionKey="k", Data=b"x" * (3 * 1024 * 1024))
    with pytest.raises(ClientError):
        kinesis.put_record(StreamName=one, PartitionKey="k", Data=b"y")
    clock.advance(1)
    kinesis.put_record(StreamName=one, PartitionKey="k", Data=b"y")


def test_throttle_fault_injection(kinesis, one, backend, clock, helpers):
    backend.throttle("one", until=clock.now + 10)
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(StreamName=one, PartitionKey="k", Data=b"")
    assert helpers.error_of(excinfo) == ("ProvisionedThroughputExceededException", rate_message())
    out = kinesis.put_records(StreamName=one, Records=[{"PartitionKey": "k", "Data": b""}] * 3)
    assert out["FailedRecordCount"] == 3
    clock.advance(10)
    kinesis.put_record(StreamName=one, PartitionKey="k", Data=b"")


def test_on_demand_mode_enforces_per_shard_limits_too(kinesis, clock):
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    records = [{"PartitionKey": "same", "Data": b""} for _ in range(500)]
    assert kinesis.put_records(StreamName="od", Records=records)["FailedRecordCount"] == 0
    assert kinesis.put_records(StreamName="od", Records=records)["FailedRecordCount"] == 0
    assert kinesis.put_records(StreamName="od", Records=records)["FailedRecordCount"] == 500


def test_on_demand_splits_a_hot_shard(kinesis, clock):
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    period = limits.ON_DEMAND_MEASURE_SECONDS
    clock.now = (int(clock.now // period) + 1) * period  # start of a measuring period
    hot = [{"PartitionKey": "hot", "Data": b"h" * 800 * 1024}]
    for _ in range(period):
        assert kinesis.put_records(StreamName="od", Records=hot)["FailedRecordCount"] == 0
        clock.advance(1)
    # the period averaged 800 KiB/s > 500 KiB/s: a split is due after the delay
    assert (
        kinesis.describe_stream_summary(StreamName="od")["StreamDescriptionSummary"][
            "OpenShardCount"
        ]
        == 4
    )
    clock.advance(limits.ON_DEMAND_SPLIT_DELAY_SECONDS)
    shards = kinesis.list_shards(StreamName="od")["Shards"]
    assert len([s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]) == 5
    parent = next(s for s in shards if "EndingSequenceNumber" in s["SequenceNumberRange"])
    children = [s for s in shards if s.get("ParentShardId") == parent["ShardId"]]
    assert len(children) == 2
    assert limits.ON_DEMAND_MEASURE_SECONDS + limits.ON_DEMAND_SPLIT_DELAY_SECONDS <= (
        limits.ON_DEMAND_SPLIT_WITHIN_SECONDS
    )
