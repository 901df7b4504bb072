"""The mapping reading a stream through boto3 (``RemoteKinesisStore``), as on LocalStack or AWS.

The stream here is streamlab's own Kinesis behind the embedded backend's boto3 clients, on the
test's clock: the mirror sees it only through ``GetShardIterator``/``GetRecords``/``ListShards``,
exactly as it sees LocalStack's. (tests/localstack/ runs the same path against LocalStack.)
"""

from __future__ import annotations

from collections.abc import Iterator

import esm_shared
import pytest
from esm_lab import ACCOUNT, REGION, T0, Lab, data_of

from sim.backends.embedded import EmbeddedBackend
from sim.clock import Clock
from sim.services.esm.kinesis_remote import RemoteKinesisStore
from sim.services.kinesis import KinesisService

SHARD0 = "shardId-000000000000"
HALF = str(2**127)


@pytest.fixture
def embedded(clock: Clock) -> Iterator[EmbeddedBackend]:
    backend = EmbeddedBackend(region=REGION, account_id=ACCOUNT, now=lambda: clock.now)
    backend.start()
    yield backend
    backend.stop()


@pytest.fixture
def kinesis(embedded: EmbeddedBackend) -> KinesisService:
    """The lab's Kinesis is the one the embedded backend's boto3 clients reach."""
    return embedded.kinesis(REGION)


class CountingClient:
    """The embedded backend's real boto3 client, counting the calls the mirror makes."""

    def __init__(self, client):
        self._client = client
        self.calls: dict[str, int] = {}

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if not callable(attribute) or name.startswith("get_paginator"):
            return attribute

        def call(*args, **kwargs):
            self.calls[name] = self.calls.get(name, 0) + 1
            return attribute(*args, **kwargs)

        return call


def remote(embedded: EmbeddedBackend, **config) -> RemoteKinesisStore:
    return RemoteKinesisStore(
        embedded.client("kinesis"),
        starting_position=config.get("starting_position", "TRIM_HORIZON"),
        starting_position_timestamp=config.get("starting_position_timestamp"),
    )


def test_every_record_is_delivered_once_in_order_per_shard(lab: Lab, embedded):
    lab.create_stream(shards=2)
    mapping = lab.mapping(store=remote(embedded), batch_size=100)
    keys = [f"key-{i % 7}" for i in range(250)]
    sent = lab.put(*[f"r{i}" for i in range(250)], keys=keys, at=0.5)
    lab.run(10)

    delivered = lab.delivered(mapping)
    events = {request_id: event for _, request_id, event in esm_shared.EVENTS}
    assert sorted(delivered) == sorted(f"r{i}".encode() for i in range(250))
    for shard in {entry["ShardId"] for entry in sent}:
        expected = [f"r{i}".encode() for i, e in enumerate(sent) if e["ShardId"] == shard]
        got = [
            record
            for batch in mapping.batches
            if batch.shard_id == shard and batch.outcome == "success"
            for record in data_of(events[batch.request_id])
        ]
        assert got == expected
    event = lab.events()[0]["Records"][0]
    stream_arn = embedded.client("kinesis").describe_stream_summary(StreamName="s")
    assert event["eventSourceARN"] == stream_arn["StreamDescriptionSummary"]["StreamARN"]
    assert event["kinesis"]["approximateArrivalTimestamp"] == T0 + 0.5
    assert lab.hop(mapping).delivered == 250


def test_latest_skips_what_the_stream_held_before_the_mapping(lab: Lab, embedded):
    lab.create_stream()
    lab.put("old-1", "old-2", at=0.2)
    mapping = lab.mapping(store=remote(embedded, starting_position="LATEST"),
                          starting_position="LATEST")  # fmt: skip
    lab.put("new-1", at=1.5)
    lab.run(5)
    assert lab.delivered(mapping) == [b"new-1"]
    assert lab.settle().hops[("stream s", "function consumer")].available == 1


def test_at_timestamp_starts_at_the_first_record_arriving_then(lab: Lab, embedded):
    lab.create_stream()
    lab.put("early", at=1)
    lab.put("on-time", at=3)
    lab.put("late", at=4)
    lab.run(4.5)
    config = {"starting_position": "AT_TIMESTAMP", "starting_position_timestamp": T0 + 3}
    mapping = lab.mapping(store=remote(embedded, **config), **config)
    lab.run(10)
    assert lab.delivered(mapping) == [b"on-time", b"late"]


def test_an_expired_iterator_is_renewed_after_the_last_record_read(lab: Lab, embedded):
    lab.create_stream()
    mapping = lab.mapping(store=remote(embedded))
    lab.put("a", "b", at=0.5)
    lab.run(3)
    mapping.disable()
    lab.put("c", at=10)
    lab.run(10 + 6 * 60)  # the shard iterator expires after five minutes unused
    lab.put("d", at=10 + 6 * 60 + 1)
    mapping.enable()
    lab.run(10 + 6 * 60 + 5)
    assert lab.delivered(mapping) == [b"a", b"b", b"c", b"d"]


def test_a_failing_batch_is_retried_from_the_mirror_without_reading_again(lab: Lab, embedded):
    lab.create_stream()
    client = CountingClient(embedded.client("kinesis"))
    store = RemoteKinesisStore(client, starting_position="TRIM_HORIZON")
    mapping = lab.mapping(
        "flaky", "esm_flaky:handler", env={"FAIL_TIMES": "2"}, store=store, batch_size=3
    )
    lab.put("x", "y", "z", at=0.5)
    lab.run(10)
    assert [b.outcome for b in mapping.batches] == ["error", "error", "success"]
    assert lab.batches("flaky") == [[b"x", b"y", b"z"]] * 3
    assert lab.hop(mapping).retried == 6
    # a full batch in the mirror needs no read: polls only while it holds too few records
    assert client.calls["get_records"] <= 2 + 10


def test_children_are_read_from_their_first_record_after_the_parent(lab: Lab, embedded):
    lab.create_stream()
    mapping = lab.mapping(store=remote(embedded))
    lab.put("p0", "p1", at=0.5)
    lab.reshard("SplitShard", ShardToSplit=SHARD0, NewStartingHashKey=HALF)
    left, right = lab.shard_ids()[1:]
    lab.put("left", shard=left, at=1.2)
    lab.put("right", shard=right, at=1.4)
    lab.run(10)
    order = [b.shard_id for b in mapping.batches]
    assert order[0] == SHARD0 and set(order[1:]) == {left, right}
    assert sorted(lab.delivered(mapping)) == [b"left", b"p0", b"p1", b"right"]


def test_settle_counts_records_never_polled_as_in_flight(lab: Lab, embedded):
    lab.create_stream(shards=2)
    mapping = lab.mapping(store=remote(embedded))
    lab.put(*[f"r{i}" for i in range(20)], keys=[str(i) for i in range(20)], at=0.1)
    mapping.disable()  # nothing is read during the run
    hop = lab.settle().hops[("stream s", "function consumer")]
    assert (hop.available, hop.delivered, hop.in_flight) == (20, 0, 20)
