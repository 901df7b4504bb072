"""The event the function receives is AWS's Kinesis event, field for field (aws-semantics §1).

Both ways the mapping can hand the event to ``invoke`` (encoded JSON bytes, the default, or a
dict) must give the handler the same event.
"""

from __future__ import annotations

import base64
import json

import pytest
from esm_lab import ACCOUNT, REGION, T0

ROLE = f"arn:aws:iam::{ACCOUNT}:role/consumer-role"  # the runtime's default execution role
STREAM_ARN = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/orders"


def expected_record(entry: dict, key: str, data: bytes, arrival: float) -> dict:
    seq = entry["SequenceNumber"]
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": key,
            "sequenceNumber": seq,
            "data": base64.b64encode(data).decode("ascii"),
            "approximateArrivalTimestamp": arrival,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{entry['ShardId']}:{seq}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": ROLE,
        "awsRegion": REGION,
        "eventSourceARN": STREAM_ARN,
    }


@pytest.mark.parametrize("encode_events", [True, False], ids=["bytes", "dict"])
def test_event_is_aws_kinesis_event(lab, encode_events):
    lab.create_stream("orders")
    lab.mapping(stream="orders", encode_events=encode_events)
    [first] = lab.put(b"Hello, this is a test.", stream="orders", key="1", at=0.25)
    [second] = lab.put(b"\x00\xff binary", stream="orders", key="2", at=0.98765)
    lab.run(1.5)

    assert lab.events() == [
        {
            "Records": [
                expected_record(first, "1", b"Hello, this is a test.", T0 + 0.25),
                # seconds with the milliseconds of the arrival time
                expected_record(second, "2", b"\x00\xff binary", 1_700_000_000.988),
            ]
        }
    ]
    [record] = lab.events()[0]["Records"][:1]
    assert record["kinesis"]["data"] == "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg=="  # AWS's own example
    assert first["SequenceNumber"].isdigit() and first["ShardId"] == "shardId-000000000000"
    # field order as in AWS's example
    assert list(record) == [
        "kinesis",
        "eventSource",
        "eventVersion",
        "eventID",
        "eventName",
        "invokeIdentityArn",
        "awsRegion",
        "eventSourceARN",
    ]
    assert list(record["kinesis"]) == [
        "kinesisSchemaVersion",
        "partitionKey",
        "sequenceNumber",
        "data",
        "approximateArrivalTimestamp",
    ]


@pytest.mark.parametrize("encode_events", [True, False], ids=["bytes", "dict"])
def test_partition_keys_and_data_survive_escaping(lab, encode_events):
    lab.create_stream("orders")
    lab.mapping(stream="orders", encode_events=encode_events)
    keys = ['quote"back\\slash', "clé-ü-😀", "tab\there\nnewline", "\u2028\x7f"]
    data = [bytes(range(256)), "😀 ünïcode".encode(), b"", b'{"json": true}']
    lab.put(*data, stream="orders", keys=keys, at=0.5)
    lab.run(1)

    [event] = lab.events()
    assert [r["kinesis"]["partitionKey"] for r in event["Records"]] == keys
    assert [base64.b64decode(r["kinesis"]["data"]) for r in event["Records"]] == data


def test_bytes_event_is_the_json_of_the_dict_event(lab):
    """Same records, both modes: the encoded event is exactly ``json.dumps`` of the dict one
    (so the 6 MB payload limit cuts both at the same record)."""
    lab.create_stream("orders")
    lab.put(*[f"record {i}" for i in range(5)], stream="orders", keys=["k", "ü", '"', "x", "y"])
    lab.run(0.123)
    lab.put(b"later", stream="orders", key="z")
    # two functions with one role (the role ARN is in the event), one mapping per mode
    as_bytes = lab.mapping("as-bytes", stream="orders", encode_events=True, role_arn=ROLE)
    as_dict = lab.mapping("as-dict", stream="orders", encode_events=False, role_arn=ROLE)
    lab.run(1)

    encoded, decoded = lab.captured
    assert as_bytes.batches[0].size == as_dict.batches[0].size == 6
    assert isinstance(encoded, bytes) and isinstance(decoded, dict)
    assert encoded == json.dumps(decoded).encode("ascii")
    assert lab.events("as-bytes") == lab.events("as-dict") == [decoded]


def test_every_record_of_a_batch_comes_from_one_shard(lab):
    lab.create_stream("orders", shards=3)
    lab.mapping(stream="orders")
    for i, shard in enumerate(lab.shard_ids("orders")):
        lab.put(*[f"{shard}/{n}" for n in range(4)], stream="orders", shard=shard, at=0.1 * i)
    lab.run(1)

    events = lab.events()
    assert len(events) == 3
    for event in events:
        shard_ids = {r["eventID"].split(":")[0] for r in event["Records"]}
        assert len(shard_ids) == 1
        [shard_id] = shard_ids
        assert [base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"]] == [
            f"{shard_id}/{n}" for n in range(4)
        ]
