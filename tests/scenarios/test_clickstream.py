"""The clickstream scenario end to end (scenarios/clickstream.yaml): a poison record isolated by
bisect and sent alone to the on-failure queue, partial batch failures, heartbeats filtered, a
DynamoDB Streams consumer with TTL deletions filtered out, an SQS consumer whose held orders
reach the dead-letter queue, and a ledger with every record delivered, filtered or in a
failure destination. The expected counts are computed here from the producer itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from producers.clickstream import ClickstreamProducer
from sim import Simulation
from sim.ids import derive_rng
from tests.esm_fidelity import assert_stream_failure_record

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "clickstream.yaml"
START = datetime(2026, 3, 2, 12, tzinfo=UTC)
EVENTS = 6000  # 20 minutes at 5 a second
FRAUD_LIMIT = 1000


def _events() -> list[dict]:
    producer = ClickstreamProducer(derive_rng(12, "producer:shop"), users=40, poison_every=400)
    return [producer.event(START + timedelta(seconds=n / 5)) for n in range(EVENTS)]


def _drain(sqs, name: str) -> list[dict]:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    messages: list[dict] = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]
    ).get("Messages", []):
        messages += batch
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return messages


@pytest.fixture(scope="module")
def run():
    with Simulation.from_file(SCENARIO) as simulation:
        result = simulation.run()
        sqs = simulation.client("sqs")
        failures = [json.loads(m["Body"]) for m in _drain(sqs, "clicks-failures")]
        held = [json.loads(m["Body"]) for m in _drain(sqs, "orders-dlq")]
        kinesis = simulation.client("kinesis")
        poison_data = []
        for record in failures:
            info = record["KinesisBatchInfo"]
            iterator = kinesis.get_shard_iterator(
                StreamName="clicks",
                ShardId=info["shardId"],
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                StartingSequenceNumber=info["startSequenceNumber"],
            )["ShardIterator"]
            [first, *_] = kinesis.get_records(ShardIterator=iterator, Limit=1)["Records"]
            poison_data.append(json.loads(first["Data"]))
        orders = simulation.client("dynamodb").scan(TableName="orders")["Items"]
    return result, failures, poison_data, held, orders


def test_the_scenario_passes_with_every_record_accounted_for(run):
    result, *_ = run
    assert result.passed, result.report()
    totals = result.ledger.totals()
    assert totals["lost"] == 0 and totals["dropped"] == 0 and totals["in_flight"] == 0


def test_each_poison_record_reaches_the_failure_queue_alone(run):
    result, failures, poison_data, *_ = run
    poison = [e for e in _events() if e["user_id"] is None]
    assert len(failures) == len(poison) > 0
    for record in failures:
        assert_stream_failure_record(record, "kinesis")
        assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
        assert record["requestContext"]["approximateInvokeCount"] == 3  # 1 + 2 retries
        assert record["KinesisBatchInfo"]["batchSize"] == 1
    # the sequence numbers in the records lead back to exactly the poison events
    assert sorted(e["event_id"] for e in poison_data) == sorted(e["event_id"] for e in poison)
    [sessionizer] = [m for m in result.mappings if m["function"] == "sessionizer"]
    assert sessionizer["bisections"] > 0
    assert sessionizer["to_destination"] == len(poison)


def test_heartbeats_and_ttl_deletions_are_filtered(run):
    result, *_ = run
    events = _events()
    heartbeats = sum(e["action"] == "heartbeat" for e in events)
    users = {e["user_id"] for e in events if e["user_id"]}
    hops = {(h.source, h.consumer): h for h in result.ledger.hops.values()}
    assert hops[("stream clicks", "function sessionizer")].filtered == heartbeats
    # every shopper's item expired (TTL): one REMOVE record each, filtered out by the router
    assert hops[("table sessions stream", "function order-router")].filtered == len(users)


def test_held_orders_reach_the_dead_letter_queue_and_the_rest_are_stored(run):
    result, _, _, held, orders = run
    purchases = [e for e in _events() if e["action"] == "purchase" and e["user_id"]]
    above = sorted(e["order_id"] for e in purchases if e["price"] > FRAUD_LIMIT)
    below = sorted(e["order_id"] for e in purchases if e["price"] <= FRAUD_LIMIT)
    assert sorted(o["order_id"] for o in held) == above
    assert sorted(o["order_id"]["S"] for o in orders) == below
    # stored on the first receive: only the held orders came back
    assert {o["receive_count"]["N"] for o in orders} == {"1"}
    hop = next(h for h in result.ledger.hops.values() if h.source == "queue orders")
    assert hop.to_destination == {"queue orders-dlq": len(above)}
    assert hop.delivered == len(below)


def test_the_report_lists_each_mapping(run):
    result, *_ = run
    report = result.report()
    assert "Event source mappings" in report
    assert "stream clicks → function sessionizer (Enabled)" in report
    assert "table sessions stream → function order-router (Enabled)" in report
    assert "queue orders → function fulfillment (Enabled)" in report
