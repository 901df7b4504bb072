"""check_faults: a fault the backend cannot inject is refused before anything is created, with
a message naming the fault and why; and the scenario checks of the faults list."""

from __future__ import annotations

import pytest

from sim.backends.aws import AwsBackend
from sim.backends.embedded import EmbeddedBackend
from sim.backends.endpoint import EndpointBackend
from sim.faults import UnsupportedFault, check_faults
from sim.scenario import parse_scenario
from sim.scenario.errors import ScenarioError

SCENARIO = """
name: checks
clock: {start: 2021-11-01T00:00:00Z, duration: 10m}
resources:
  streams: [{name: s}]
  tables: [{name: Tab, partition_key: {name: id, type: S}}]
  buckets: [{name: lake}]
functions:
  - {name: f, handler: mod:handler}
faults:
  - FAULT
"""
ACCOUNT = {"region": "us-east-1", "account_id": "123456789012"}


def scenario(fault: str):
    return parse_scenario(SCENARIO.replace("FAULT", fault))


@pytest.mark.parametrize("kind", ["function_error", "function_timeout", "function_throttle"])
def test_function_faults_are_refused_where_aws_lambda_runs_the_functions(kind):
    with pytest.raises(UnsupportedFault) as refused:
        check_faults(scenario(f"{kind}: {{function: f}}"), AwsBackend(**ACCOUNT))
    assert str(refused.value) == (
        f"faults[0]: {kind} needs the functions to run in streamlab; on the aws backend they "
        "run in AWS Lambda"
    )


def test_stream_throttle_needs_streamlabs_kinesis():
    backend = EndpointBackend("http://127.0.0.1:9", **ACCOUNT)
    with pytest.raises(UnsupportedFault, match=r"faults\[0\]: stream_throttle needs streamlab"):
        check_faults(scenario("stream_throttle: {stream: s}"), backend)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            "table_throttle: {table: Tab}",
            "faults[0]: table_throttle answers DynamoDB requests before they reach the store, "
            "which streamlab can do on the embedded backend only; the endpoint backend's "
            "tables answer for themselves",
        ),
        (
            "bucket_unavailable: {bucket: lake}",
            "faults[0]: bucket_unavailable answers S3 requests before they reach the store, "
            "which streamlab can do on the embedded backend only; the endpoint backend's "
            "buckets answer for themselves",
        ),
    ],
)
def test_table_and_bucket_faults_need_the_embedded_backend(fault, message):
    with pytest.raises(UnsupportedFault) as refused:
        check_faults(scenario(fault), EndpointBackend("http://127.0.0.1:9", **ACCOUNT))
    assert str(refused.value) == message


def test_the_embedded_backend_takes_every_kind():
    every = scenario(
        "function_timeout: {function: f}\n"
        "  - stream_throttle: {stream: s}\n"
        "  - table_throttle: {table: Tab}\n"
        "  - bucket_unavailable: {bucket: lake}"
    )
    check_faults(every, EmbeddedBackend(**ACCOUNT))  # refuses nothing


@pytest.mark.parametrize(
    ("fault", "where", "expected"),
    [
        (
            "function_error: {function: f, end: 1m, count: 3}",
            "faults[0].function_error.end",  # one line: the first of the two keys
            "either end or count, not both",
        ),
        (
            "stream_throttle: {stream: s, failure_rate: 0}",
            "faults[0].stream_throttle.failure_rate",
            "a number greater than 0 and at most 1",
        ),
        (
            "table_throttle: {table: Tab, operations: scan}",
            "faults[0].table_throttle.operations",
            "one of read, write, all",
        ),
        (
            "bucket_unavailable: {bucket: pond}",
            "faults[0].bucket_unavailable.bucket",
            "the name of a bucket in resources.buckets (lake)",
        ),
        (
            "function_throttle: {function: f, count: 0}",
            "faults[0].function_throttle.count",
            "an integer of at least 1",
        ),
    ],
)
def test_scenario_checks(fault, where, expected):
    with pytest.raises(ScenarioError) as raised:
        scenario(fault)
    text = str(raised.value)
    assert f"{where}: expected {expected}" in text
