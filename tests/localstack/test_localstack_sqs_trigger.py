"""An SQS trigger polling LocalStack's queue through ReceiveMessage (the run follows the wall
clock): a partial batch response, the queue's visibility timeout and its redrive to the
dead-letter queue are LocalStack's own, and the ledger accounts for every message."""

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
    backend = EndpointBackend(localstack.url, region=scenario.region, account_id=scenario.account_id)
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
