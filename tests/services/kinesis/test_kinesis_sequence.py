"""Sequence numbers: AWS's 56-digit shape, strictly increasing per shard, decodable."""

from __future__ import annotations

import pytest

from sim.services.kinesis import format_sequence, parse_sequence
from sim.services.kinesis.sequence import MAX_COUNTER


def test_shape_is_56_decimal_digits_with_version_2_hex_layout(kinesis, stream, clock):
    number = kinesis.put_record(StreamName=stream, PartitionKey="a", Data=b"1")["SequenceNumber"]
    assert len(number) == 56 and number.isdigit()
    digits = f"{int(number):x}"
    assert len(digits) == 47 and digits[0] == "2" and digits[-1] == "2"


def test_numbers_increase_strictly_within_a_shard_even_at_one_instant(kinesis, stream):
    numbers = [
        kinesis.put_record(StreamName=stream, PartitionKey="same", Data=b"x")["SequenceNumber"]
        for _ in range(50)
    ]
    assert [int(n) for n in numbers] == sorted({int(n) for n in numbers})


def test_parse_round_trip(kinesis, stream, clock):
    clock.advance(42.7)
    put = kinesis.put_record(StreamName=stream, PartitionKey="a", Data=b"1")
    parts = parse_sequence(put["SequenceNumber"])
    shard = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["Shards"][
        int(put["ShardId"][-1])
    ]
    assert parts.version == 2
    assert parts.shard_index == int(put["ShardId"].split("-")[1])
    assert parts.put_time == int(clock.now)
    assert parts.counter == 1
    assert (
        parts.shard_created
        == parse_sequence(shard["SequenceNumberRange"]["StartingSequenceNumber"]).shard_created
    )
    again = format_sequence(parts.shard_created, parts.shard_index, parts.counter, parts.put_time)
    assert again == put["SequenceNumber"]


def test_starting_and_ending_sequence_numbers_bound_the_records(kinesis, stream):
    put = kinesis.put_record(StreamName=stream, PartitionKey="a", Data=b"1")
    kinesis.split_shard(
        StreamName=stream,
        ShardToSplit=put["ShardId"],
        NewStartingHashKey=str(2**126),
    )
    shard = next(
        s
        for s in kinesis.list_shards(StreamName=stream)["Shards"]
        if s["ShardId"] == put["ShardId"]
    )
    low = int(shard["SequenceNumberRange"]["StartingSequenceNumber"])
    high = int(shard["SequenceNumberRange"]["EndingSequenceNumber"])
    assert low < int(put["SequenceNumber"]) < high
    assert parse_sequence(str(high)).counter == MAX_COUNTER


@pytest.mark.parametrize(
    "hex_digits",
    [
        "20000000000000000000000000000000000000000000004",  # version 4
        "30000000000000000000000000000000000000000000001",  # leading 3
        "20000000000800000000000000000000000000000000002",  # counter's top bit set
    ],
)
def test_parse_rejects_what_aws_rejects(hex_digits):
    with pytest.raises(ValueError):
        parse_sequence(str(int(hex_digits, 16)))


def test_parse_reads_older_versions():
    assert (
        parse_sequence(str(int("20000000000000000000000000000000000000000000010", 16))).version == 0
    )
    assert parse_sequence("0").version == 0
