"""A stream's life on the simulated clock: 24-hour retention, shard rollover, disabling and
re-enabling, deleting the table, and AWS's errors for stream settings."""

from __future__ import annotations

import pytest
from ddbstreams_lab import T0, error_of

from sim.services.dynamodbstreams import limits
from sim.services.dynamodbstreams.exceptions import ResourceNotFoundException

HOUR = 3600.0


def put(lab, key: str, table: str = "tab") -> None:
    lab.dynamodb.put_item(TableName=table, Item={"pk": {"S": key}})


def test_records_older_than_24_hours_are_trimmed(lab) -> None:
    lab.table()
    put(lab, "early")
    lab.advance(HOUR)
    put(lab, "later")
    stream = lab.store().get_stream("tab")
    [shard] = stream.shards
    assert shard.first_index == 0 and shard.end_index == 2
    lab.advance(23 * HOUR)  # "early" is exactly 24 h old: still there
    assert shard.first_index == 0
    lab.advance(1)  # 24 h and 1 s
    assert shard.first_index == 1
    records, next_index = shard.read(0, 10, 10**6)  # a trimmed position reads from the oldest
    assert [r.record["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["later"]
    assert next_index == 2
    lab.advance(HOUR)
    assert shard.first_index == shard.end_index == 2
    assert shard.read(0, 10, 10**6) == ([], 2)


def test_trimming_touches_only_the_trimmed_records(lab) -> None:
    """Trimming bisects the arrival times: a long shard trims a prefix without a scan."""
    lab.table()
    stream = lab.store().get_stream("tab")
    [shard] = stream.shards
    for i in range(5):
        put(lab, f"k{i}")
        lab.advance(10)
    lab.advance(24 * HOUR - 35)  # the first 2 (t=0, t=10) are past 24 h, t=20 is not yet
    assert shard.first_index == 2
    assert shard.index_at_timestamp(0) == 2
    assert shard.index_at_timestamp(T0 + 30) == 3


def test_the_open_shard_rolls_over_every_four_hours(lab) -> None:
    assert limits.SHARD_ROLLOVER_SECONDS == 4 * HOUR
    lab.table()
    put(lab, "first")
    lab.advance(4 * HOUR - 1)
    stream = lab.store().get_stream("tab")
    assert len(stream.shards) == 1
    lab.advance(1)
    parent, child = stream.shards
    assert parent.is_closed and not child.is_closed
    assert child.parent_shard_id == parent.shard_id and child.adjacent_parent_shard_id is None
    assert parent.shard_id < child.shard_id  # ids sort by creation
    put(lab, "second")
    assert parent.end_index == 1 and child.end_index == 1
    [second] = child.read(0, 10, 10**6)[0]
    assert int(second.sequence_number) > int(parent.read(0, 1, 10**6)[0][0].sequence_number)
    description = lab.streams.describe_stream(StreamArn=stream.arn)["StreamDescription"]
    closed, open_ = description["Shards"]
    assert closed["SequenceNumberRange"]["EndingSequenceNumber"] == (
        parent.read(0, 1, 10**6)[0][0].sequence_number
    )
    assert "EndingSequenceNumber" not in open_["SequenceNumberRange"]
    assert open_["ParentShardId"] == closed["ShardId"]
    # a day later the first shard has passed retention and is no longer listed
    lab.advance(24 * HOUR)
    shard_ids = [s.shard_id for s in stream.shards]
    assert parent.shard_id not in shard_ids and parent.expired
    assert len(shard_ids) == 7  # closed at 8, 12, ..., 28 h (retained), and the open one


def test_disabling_closes_the_shard_and_re_enabling_opens_a_new_stream(lab) -> None:
    first_arn = lab.table()
    put(lab, "a")
    lab.advance(90.5)
    answer = lab.dynamodb.update_table(
        TableName="tab", StreamSpecification={"StreamEnabled": False}
    )
    assert answer["TableDescription"]["LatestStreamArn"] == first_arn  # lingers, as on AWS
    assert "StreamSpecification" not in answer["TableDescription"]
    first = lab.store().get_stream_by_arn(first_arn)
    assert first.status == "DISABLED" and first.open_shard is None
    assert all(shard.is_closed for shard in first.shards)
    put(lab, "b")  # not streamed: no stream is enabled
    assert first.shards[0].end_index == 1

    lab.advance(10)
    answer = lab.dynamodb.update_table(
        TableName="tab", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )
    second_arn = answer["TableDescription"]["LatestStreamArn"]
    assert second_arn != first_arn
    assert second_arn.endswith("/stream/2024-03-01T12:01:40.500")
    put(lab, "c")
    [event] = lab.events()
    assert event["dynamodb"]["Keys"] == {"pk": {"S": "c"}}
    assert event["dynamodb"]["StreamViewType"] == "KEYS_ONLY"
    listed = lab.streams.list_streams(TableName="tab")["Streams"]
    assert [s["StreamArn"] for s in listed] == sorted([first_arn, second_arn])
    old = lab.streams.describe_stream(StreamArn=first_arn)["StreamDescription"]
    assert old["StreamStatus"] == "DISABLED"
    # the disabled stream stays readable for 24 hours, then it is gone
    lab.advance(24 * HOUR)
    assert [s["StreamArn"] for s in lab.streams.list_streams()["Streams"]] == [second_arn]
    with pytest.raises(lab.streams.exceptions.ResourceNotFoundException) as excinfo:
        lab.streams.describe_stream(StreamArn=first_arn)
    assert error_of(excinfo)[1] == f"Requested resource not found: Stream: {first_arn} not found"


def test_stream_settings_errors_are_aws_s(lab) -> None:
    lab.table()
    with pytest.raises(lab.dynamodb.exceptions.ClientError) as excinfo:
        lab.dynamodb.update_table(
            TableName="tab",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "Table already has an enabled stream: TableName: tab",
    )
    with pytest.raises(lab.dynamodb.exceptions.ClientError) as excinfo:
        lab.dynamodb.update_table(
            TableName="tab",
            StreamSpecification={"StreamEnabled": False, "StreamViewType": "NEW_IMAGE"},
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "One or more parameter values were invalid: If stream is being disabled, then "
        "UpdateViewType must not be specified",
    )
    lab.dynamodb.update_table(TableName="tab", StreamSpecification={"StreamEnabled": False})
    with pytest.raises(lab.dynamodb.exceptions.ClientError) as excinfo:
        lab.dynamodb.update_table(TableName="tab", StreamSpecification={"StreamEnabled": False})
    assert error_of(excinfo) == (
        "ValidationException",
        "Table has no stream to disable: TableName: tab",
    )


def test_deleting_the_table_closes_its_stream(lab) -> None:
    arn = lab.table()
    put(lab, "a")
    stream = lab.store().get_stream("tab")
    lab.advance(5)
    lab.dynamodb.delete_table(TableName="tab")
    assert stream.status == "DISABLED"
    [shard] = stream.shards
    assert shard.is_closed and shard.end_index == 1
    # a new table of the same name gets a new stream
    lab.advance(1)
    new_arn = lab.table()
    assert new_arn != arn
    put(lab, "b")
    assert [e["dynamodb"]["Keys"]["pk"]["S"] for e in lab.events()] == ["b"]
    assert [r.record["dynamodb"]["Keys"]["pk"]["S"] for r in shard.read(0, 10, 10**6)[0]] == ["a"]


def test_a_stream_is_asked_for_by_table_name_or_arn(lab) -> None:
    arn = lab.table(name="named")
    store = lab.store()
    assert store.get_stream("named") is store.get_stream(arn) is store.get_stream_by_arn(arn)
    with pytest.raises(ResourceNotFoundException, match="Table: missing has no stream"):
        store.get_stream("missing")
    with pytest.raises(ResourceNotFoundException) as excinfo:
        store.get_stream_by_arn(arn + "0")
    assert excinfo.value.message == f"Requested resource not found: Stream: {arn}0 not found"
