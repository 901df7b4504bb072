"""Event source mappings against LocalStack (the run follows the wall clock): an SQS trigger
polling LocalStack's queue through ReceiveMessage (a partial batch response, the queue's
visibility timeout and its redrive to the dead-letter queue are LocalStack's own), and a Kinesis
trigger whose poison record, isolated by bisect, reaches LocalStack's queue as AWS's failure
record. The ledger accounts for every record."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

from sim import Simulation
from sim.backends.endpoint import EndpointBackend
from sim.backends.endpoint_teardown import teardown_endpoint
from sim.scenario import load_scenario

HANDLER = """
import json


def handler(event, context):
    failed = [
        {"itemIdentifier": record["messageId"]}
        for record in event["Records"]
        if json.loads(record["body"])["n"] % 5 == 0
    ]
    return {"batchItemFailures": failed}
"""

PRODUCER = """
import json

from producers.base import Producer, Record


class Jobs(Producer):
    name = "jobs"
    default_rate = 4.0

    def __init__(self, rng, **params):
        super().__init__(rng, **params)
        self.n = 0

    def emit(self, now):
        self.n += 1
        return [Record(json.dumps({"n": self.n}).encode(), "k")]
"""

SCENARIO = """
name: ls-sqs
seed: 4
clock: {start: 2024-01-01T00:00:00Z, duration: 14s}
resources:
  queues:
    - {name: ls-jobs, visibility_timeout: 1, dead_letter: {queue: ls-jobs-dlq, max_receive_count: 2}}
    - {name: ls-jobs-dlq}
producers:
  - {name: jobs, type: "ls_sqs_producer:Jobs", target: {function: ls-sender}, stop: 5s}
functions:
  - name: ls-sender
    handler: ls_sqs_sender:handler
    env: {QUEUE: ls-jobs}
  - name: ls-worker
    handler: ls_sqs_handler:handler
    timeout: 1
    triggers:
      - sqs: {queue: ls-jobs, batch_size: 10, function_response_types: [ReportBatchItemFailures]}
"""

SENDER = """
import json
import os

import boto3


def handler(event, context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=os.environ["QUEUE"])["QueueUrl"]
    records = event if isinstance(event, list) else [event]
    for record in records:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record))
    return {"accepted": len(records), "rejected": []}
"""


def test_an_sqs_trigger_polls_localstacks_queue(localstack, tmp_path: Path, monkeypatch):
    (tmp_path / "ls_sqs_handler.py").write_text(HANDLER)
    (tmp_path / "ls_sqs_sender.py").write_text(SENDER)
    (tmp_path / "ls_sqs_producer.py").write_text(PRODUCER)
    path = tmp_path / "ls-sqs.yaml"
    path.write_text(textwrap.dedent(SCENARIO))
    monkeypatch.syspath_prepend(str(tmp_path))
    scenario = load_scenario(path)
    backend = EndpointBackend(
        localstack.url, region=scenario.region, account_id=scenario.account_id
    )
    try:
        with Simulation(scenario, path=path, backend=backend) as simulation:
            result = simulation.run()
            sqs = backend.client("sqs")
            url = sqs.get_queue_url(QueueName="ls-jobs-dlq")["QueueUrl"]
            held = []
            while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                "Messages", []
            ):
                held += [json.loads(m["Body"])["n"] for m in batch]
    finally:
        teardown_endpoint(backend, scenario, yes=True, out=io.StringIO(), err=io.StringIO())
    assert result.passed, result.report()
    sent = result.ledger.accepted["jobs"]
    assert sent >= 15
    # every fifth job fails each time: after two receives LocalStack moves it to the DLQ
    assert sorted(held) == [n for n in range(1, sent + 1) if n % 5 == 0]
    hop = result.ledger.hops[("queue ls-jobs", "function ls-worker")]
    assert hop.delivered == sent - len(held)
    assert hop.to_destination == {"queue ls-jobs-dlq": len(held)}
    assert hop.in_flight == 0 and hop.dropped == {}


KINESIS_HANDLER = """
import base64


def handler(event, context):
    for record in event["Records"]:
        if base64.b64decode(record["kinesis"]["data"]) == b"poison":
            raise ValueError("poison")
"""

KINESIS_SCENARIO = """
name: ls-kinesis-failures
seed: 5
clock: {start: 2024-01-01T00:00:00Z, duration: 12s}
resources:
  streams: [{name: ls-clicks, shards: 1}]
  queues: [{name: ls-click-failures}]
producers:
  - {name: clicks, type: "ls_poison_producer:Clicks", target: {stream: ls-clicks}, stop: 3s}
functions:
  - name: ls-clicks-reader
    handler: ls_kinesis_handler:handler
    triggers:
      - kinesis:
          stream: ls-clicks
          starting_position: TRIM_HORIZON
          batch_size: 10
          maximum_batching_window: 2s
          bisect_batch_on_function_error: true
          maximum_retry_attempts: 1
          on_failure: {queue: ls-click-failures}
"""

POISON_PRODUCER = """
from producers.base import Producer, Record


class Clicks(Producer):
    name = "clicks"
    default_rate = 2.0

    def __init__(self, rng, **params):
        super().__init__(rng, **params)
        self.n = 0

    def emit(self, now):
        self.n += 1
        data = b"poison" if self.n == 3 else f"click-{self.n}".encode()
        return [Record(data, "k")]
"""


def test_a_kinesis_poison_record_reaches_localstacks_queue_alone(
    localstack, tmp_path: Path, monkeypatch
):
    (tmp_path / "ls_kinesis_handler.py").write_text(KINESIS_HANDLER)
    (tmp_path / "ls_poison_producer.py").write_text(POISON_PRODUCER)
    path = tmp_path / "ls-kinesis-failures.yaml"
    path.write_text(textwrap.dedent(KINESIS_SCENARIO))
    monkeypatch.syspath_prepend(str(tmp_path))
    scenario = load_scenario(path)
    backend = EndpointBackend(
        localstack.url, region=scenario.region, account_id=scenario.account_id
    )
    try:
        with Simulation(scenario, path=path, backend=backend) as simulation:
            result = simulation.run()
            sqs = backend.client("sqs")
            url = sqs.get_queue_url(QueueName="ls-click-failures")["QueueUrl"]
            bodies = [
                json.loads(m["Body"])
                for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                    "Messages", []
                )
            ]
    finally:
        teardown_endpoint(backend, scenario, yes=True, out=io.StringIO(), err=io.StringIO())
    assert result.passed, result.report()
    [record] = bodies
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    info = record["KinesisBatchInfo"]
    assert info["batchSize"] == 1
    assert info["streamArn"].endswith(":stream/ls-clicks")
    hop = result.ledger.hops[("stream ls-clicks", "function ls-clicks-reader")]
    assert hop.to_destination == {"queue ls-click-failures": 1}
    assert hop.delivered == hop.available - 1 and hop.available == result.ledger.accepted["clicks"]
