"""A valid scenario parses into the expected objects, with defaults filled in."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_support import HEAD

from sim.clock.durations import to_epoch
from sim.scenario import (
    Expectation,
    KeyAttribute,
    KinesisTrigger,
    QueryCheck,
    Scenario,
    StreamSpec,
    load_scenario,
    parse_scenario,
)
from sim.scenario.example import EXAMPLE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def example() -> Scenario:
    return parse_scenario(EXAMPLE, "example.yaml")


def test_top_level(example):
    assert example.name == "noaa-weather"
    assert example.seed == 42
    assert (example.region, example.account_id) == ("us-east-1", "123456789012")
    assert example.clock.start == to_epoch("2021-11-01T00:00:00Z")
    assert example.clock.duration == 5400.0
    assert example.clock.speed is None


def test_streams(example):
    weather, audit = example.resources.streams
    assert weather == StreamSpec(
        name="weather", shards=2, retention_hours=48, tags={"team": "data"}
    )
    assert (audit.mode, audit.shards, audit.retention_hours) == ("ON_DEMAND", None, 24)


def test_provisioned_stream_defaults_to_one_shard():
    scenario = parse_scenario(HEAD + "resources:\n  streams:\n    - name: s\n")
    assert scenario.resources.streams[0].shards == 1


def test_tables_and_key_short_forms(example):
    observations, totals = example.resources.tables
    assert observations.partition_key == KeyAttribute(name="station", type="S")
    assert observations.sort_key == KeyAttribute(name="ts", type="N")
    index = observations.global_secondary_indexes[0]
    assert (index.name, index.projection) == ("by-date", "KEYS_ONLY")
    assert index.partition_key == KeyAttribute(name="date")
    assert index.sort_key == KeyAttribute(name="temp", type="N")
    # Timestamps and dates stay plain strings inside items.
    assert observations.items == [
        {"station": "USW00094728", "ts": 0, "temp": 11.5, "date": "2021-10-31"}
    ]
    assert (totals.billing_mode, totals.read_capacity, totals.write_capacity) == (
        "PROVISIONED",
        5,
        5,
    )
    assert totals.sort_key is None


def test_buckets_topics_queues(example):
    (bucket,) = example.resources.buckets
    assert bucket.policy["Statement"][0]["Principal"] == {"Service": "firehose.amazonaws.com"}
    (topic,) = example.resources.topics
    assert [(s.protocol, s.endpoint, s.auto_confirm) for s in topic.subscriptions] == [
        ("sqs", "alerts-dlq", False),
        ("email", "ops@example.com", True),
    ]
    dlq, ordered = example.resources.queues
    assert (dlq.fifo, dlq.visibility_timeout) == (False, 60)
    assert (ordered.fifo, ordered.visibility_timeout) == (True, 30)


def test_producer(example):
    (producer,) = example.producers
    assert (producer.name, producer.type) == ("stations", "noaa")
    assert producer.target.stream == "weather"
    assert (producer.target.kind, producer.target.name) == ("stream", "weather")
    assert producer.rate == 10.0
    assert (producer.start, producer.stop, producer.count) == (0.0, 3600.0, None)
    assert producer.batch == 100
    assert producer.params == {"stations": 25}


def test_functions_and_triggers(example):
    store, audit = example.functions
    assert store.handler == "consumers.weather:handler"
    assert (store.runtime, store.timeout, store.memory) == ("python3.11", 30, 256)
    assert store.env == {"TABLE": "observations"}
    assert store.role.name is None
    assert store.role.policies[0].document["Statement"][0]["Action"] == [
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ]
    (trigger,) = store.triggers
    assert trigger.kind == "kinesis"
    assert trigger.spec is trigger.kinesis
    assert trigger.kinesis == KinesisTrigger(
        stream="weather",
        batch_size=500,
        starting_position="TRIM_HORIZON",
        maximum_batching_window=5.0,
        maximum_retry_attempts=3,
        maximum_record_age=3600,
    )
    assert (audit.timeout, audit.memory, audit.role, audit.env) == (3, 128, None, {})
    mapping = audit.triggers[0].kinesis
    assert (mapping.batch_size, mapping.maximum_retry_attempts, mapping.enabled) == (100, -1, True)
    assert mapping.starting_position_timestamp == to_epoch("2021-10-31T23:30:00Z")


def test_faults(example):
    error, throttle = example.faults
    assert error.kind == "function_error"
    assert error.function_error.function == "store-observation"
    assert (error.spec.start, error.spec.end, error.spec.probability) == (600.0, 1200.0, 0.5)
    assert error.spec.message == "injected fault"
    assert throttle.kind == "stream_throttle"
    assert throttle.stream_throttle.stream == "weather"
    assert (throttle.spec.start, throttle.spec.end) == (2400.0, 2700.0)


def test_expectations(example):
    kinds = [(e.check_kind, e.comparison, e.target) for e in example.expect]
    assert kinds == [
        ("duplicates", "equals", 0),
        ("count", "at_least", 1000.0),
        ("ledger", "equals", 0),
        ("item", "between", (-50.0, 60.0)),
        ("query", "equals", "USW00094728"),
        ("stream", "at_most", 40000.0),
        ("invocations", "at_least", 1.0),
    ]
    assert example.expect[0].duplicates.by == ["station", "ts"]
    assert example.expect[2].ledger == "lost"
    assert example.expect[3].item.key == {"station": "USW00094728", "ts": 0}
    query = example.expect[4].query
    assert isinstance(query, QueryCheck)
    assert (query.index, query.key_condition, query.names, query.values) == (
        "by-date",
        "#d = :day",
        {"#d": "date"},
        {":day": "2021-11-01"},
    )
    assert (query.project, query.max_by, query.distinct, query.sort) == (
        "station",
        "temp",
        False,
        None,
    )
    assert example.expect[6].invocations.outcome == "error"
    assert example.expect[1].label == "count at least"
    assert isinstance(example.expect[0], Expectation)


def test_minimal_scenario_defaults():
    scenario = parse_scenario(HEAD)
    assert (scenario.description, scenario.seed, scenario.region) == ("", 0, "us-east-1")
    assert scenario.resources.streams == [] and scenario.functions == [] and scenario.expect == []


def test_duration_rate_and_time_forms():
    text = HEAD.replace("duration: 1h", "duration: 1h30m").replace(
        "2021-11-01T00:00:00Z", "2021-11-01T02:00:00+02:00"
    )
    scenario = parse_scenario(text)
    assert scenario.clock.duration == 5400.0
    assert scenario.clock.start == to_epoch("2021-11-01T00:00:00Z")
    assert parse_scenario(HEAD.replace("duration: 1h", "duration: 90")).clock.duration == 90.0
    naive = parse_scenario(HEAD.replace("2021-11-01T00:00:00Z", "2021-11-01 00:00:00"))
    assert naive.clock.start == to_epoch("2021-11-01T00:00:00Z")


def test_anchors_and_merge_keys():
    text = HEAD + (
        "resources:\n"
        "  streams:\n"
        "    - &base {name: a, shards: 2, retention_hours: 48}\n"
        "    - <<: *base\n"
        "      name: b\n"
    )
    a, b = parse_scenario(text).resources.streams
    assert (b.name, b.shards, b.retention_hours) == ("b", 2, 48)
    assert a.name == "a"


def test_account_id_given_as_a_number():
    scenario = parse_scenario(HEAD + "account_id: 210987654321\n")
    assert scenario.account_id == "210987654321"


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_committed_scenarios_load(path):
    assert load_scenario(path).name
