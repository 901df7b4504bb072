"""Event source mapping triggers in scenario files: what CreateEventSourceMapping would refuse is
refused when the scenario loads, with the line and key."""

from __future__ import annotations

import pytest
from scenario_support import HEAD, one_error, scenario_errors

from sim.scenario import parse_scenario

RESOURCES = """\
resources:
  streams: [{name: clicks}]
  tables:
    - {name: sessions, partition_key: "id:S", stream_view_type: NEW_AND_OLD_IMAGES, ttl_attribute: exp}
    - {name: plain, partition_key: "id:S"}
  queues:
    - {name: orders, dead_letter: {queue: orders-dlq, max_receive_count: 3}}
    - {name: orders-dlq}
    - {name: jobs.fifo, fifo: true}
    - {name: failures}
"""


def scenario(trigger: str) -> str:
    return (
        HEAD
        + RESOURCES
        + "functions:\n  - name: f\n    handler: m:h\n    triggers:\n"
        + "".join(f"      {line}\n" for line in trigger.strip().splitlines())
    )


def test_every_kind_and_parameter_loads():
    text = scenario(
        """
- kinesis:
    stream: clicks
    starting_position: TRIM_HORIZON
    bisect_batch_on_function_error: true
    function_response_types: [ReportBatchItemFailures]
    parallelization_factor: 10
    tumbling_window: 15m
    on_failure: {queue: failures}
    filters: [{data: {action: [view]}}, '{"partitionKey": [{"prefix": "u"}]}']
    changes:
      - {at: 5m, enabled: false}
      - {at: 6m, enabled: true, batch_size: 50, parallelization_factor: 2}
      - {at: 50m, delete: true}
- dynamodb: {table: sessions, starting_position: LATEST, on_failure: {bucket: fail-bucket}}
- sqs: {queue: orders, batch_size: 100, maximum_batching_window: 5, maximum_concurrency: 2}
"""
    ).replace("  queues:", "  buckets: [{name: fail-bucket}]\n  queues:")
    spec = parse_scenario(text, "x.yaml")
    kinesis, dynamodb, sqs = (t.spec for t in spec.functions[0].triggers)
    assert kinesis.tumbling_window == 900 and kinesis.parallelization_factor == 10
    assert kinesis.on_failure.kind == "queue" and kinesis.on_failure.name == "failures"
    assert [c.changes() for c in kinesis.changes] == [
        {"enabled": False},
        {"enabled": True, "batch_size": 50, "parallelization_factor": 2},
        {},
    ]
    assert kinesis.changes[2].delete
    assert dynamodb.on_failure.kind == "bucket"
    assert sqs.maximum_concurrency == 2
    assert spec.resources.queues[0].dead_letter.max_receive_count == 3
    assert spec.resources.tables[0].ttl_attribute == "exp"


def test_an_invalid_filter_pattern_names_the_filter():
    text = scenario(
        """
- kinesis:
    stream: clicks
    starting_position: LATEST
    filters: [{data: {action: [view]}}, {data: {amount: [{numeric: [">", "x"]}]}}]
"""
    )
    [error] = scenario_errors(text)
    assert error.key == "functions[0].triggers[0].kinesis.filters[1]"
    assert "a filter pattern Lambda accepts" in error.expected
    assert "numeric" in error.found


def test_more_filters_than_lambdas_quota_are_refused():
    filters = ", ".join(f"{{data: {{a: [{n}]}}}}" for n in range(6))
    text = scenario(
        f"- kinesis: {{stream: clicks, starting_position: LATEST, filters: [{filters}]}}"
    )
    [error] = scenario_errors(text)
    assert "at most 5 filters" in error.expected


@pytest.mark.parametrize(
    ("trigger", "key", "expected"),
    [
        (
            "- dynamodb: {table: plain, starting_position: LATEST}",
            "functions[0].triggers[0].dynamodb.table",
            "a table with a stream",
        ),
        (
            "- dynamodb: {table: sessions, starting_position: AT_TIMESTAMP}",
            "functions[0].triggers[0].dynamodb.starting_position",
            "TRIM_HORIZON",
        ),
        (
            "- sqs: {queue: jobs.fifo, batch_size: 20, maximum_batching_window: 1}",
            "functions[0].triggers[0].sqs.batch_size",
            "at most 10 for a FIFO queue",
        ),
        (
            "- sqs: {queue: orders, batch_size: 20}",
            "functions[0].triggers[0].sqs.maximum_batching_window",
            "at least 1 s with a batch_size above 10",
        ),
        (
            "- kinesis: {stream: clicks, starting_position: LATEST, parallelization_factor: 11}",
            "functions[0].triggers[0].kinesis.parallelization_factor",
            "from 1 to 10",
        ),
        (
            "- kinesis: {stream: clicks, starting_position: LATEST, tumbling_window: 16m}",
            "functions[0].triggers[0].kinesis.tumbling_window",
            "from 0 to 900",
        ),
        (
            "- kinesis: {stream: clicks, starting_position: LATEST, on_failure: {queue: jobs.fifo}}",
            "functions[0].triggers[0].kinesis.on_failure.queue",
            "a standard queue",
        ),
        (
            "- kinesis: {stream: clicks, starting_position: LATEST, on_failure: {queue: nope}}",
            "functions[0].triggers[0].kinesis.on_failure.queue",
            "the name of a queue",
        ),
        (
            "- kinesis: {stream: clicks, starting_position: LATEST, changes: [{at: 1m}]}",
            "functions[0].triggers[0].kinesis.changes[0].at",
            "a parameter to change, or delete: true",
        ),
        (
            "- kinesis: {stream: clicks, starting_position: LATEST, "
            "changes: [{at: 1m, delete: true, batch_size: 5}]}",
            "functions[0].triggers[0].kinesis.changes[0].delete",
            "delete: true alone",
        ),
        (
            "- sqs: {queue: orders, changes: [{at: 1m, parallelization_factor: 2}]}",
            "functions[0].triggers[0].sqs.changes[0].parallelization_factor",
            "one of the keys",
        ),
    ],
)
def test_what_lambda_refuses_is_refused_when_loading(trigger: str, key: str, expected: str):
    errors = scenario_errors(scenario(trigger))
    assert any(e.key == key and expected in e.expected for e in errors), "\n".join(
        str(e) for e in errors
    )


def test_one_mapping_per_source_and_function():
    text = scenario(
        """
- sqs: {queue: orders}
- sqs: {queue: orders, batch_size: 5}
"""
    )
    [error] = scenario_errors(text)
    assert error.key == "functions[0].triggers[1].sqs.queue"
    assert "ResourceConflictException" in error.expected


def test_a_dead_letter_queue_is_another_queue_of_the_same_type():
    error = one_error(
        """\
        resources:
          queues:
            - {name: a.fifo, fifo: true, dead_letter: {queue: b, max_receive_count: 2}}
            - {name: b}
        """
    )
    assert error.key == "resources.queues[0].dead_letter.queue"
    assert "a FIFO queue" in error.expected
    errors = scenario_errors(
        HEAD
        + "resources:\n  queues:\n    - {name: c, dead_letter: {queue: c, max_receive_count: 2}}\n"
    )
    assert [e.key for e in errors] == ["resources.queues[0].dead_letter.queue"]
    assert "its own dead-letter queue" in errors[0].expected


def test_a_function_timeout_above_the_queues_visibility_timeout_is_refused():
    text = scenario("- sqs: {queue: orders}").replace(
        "    handler: m:h\n", "    handler: m:h\n    timeout: 45\n"
    )
    [error] = scenario_errors(text)
    assert error.key == "functions[0].timeout"
    assert "visibility timeout of queue 'orders' (30 s)" in error.expected
