"""SNS delivery over HTTP: boto3 clients of the endpoint (`sim up`'s server, in a thread here),
the confirmation link opened without credentials, `GET /_streamlab/outbox`, and `sim outbox`
with no SOURCE reading the running endpoint."""

from __future__ import annotations

import json
import os
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from sns_support import ACCOUNT, HANDLERS, REGION, receive_all

from sim.backends.embedded import EmbeddedBackend
from sim.backends.embedded.server import EndpointServer
from sim.cli import main
from sim.daemon import STATE_DIR, STATE_FILE, free_port
from sim.endpoint_control import EndpointHost
from sim.services.lambda_ import FunctionConfig

ADDRESS = "ops@example.com"


@pytest.fixture(scope="module")
def server() -> Iterator[EndpointServer]:
    backend = EmbeddedBackend(seed=5)
    backend.start()
    host = EndpointHost(backend)
    server = EndpointServer(backend, port=free_port(), control=host).start()
    try:
        yield server
    finally:
        server.stop()
        host.close()
        backend.stop()


@pytest.fixture
def remote(server: EndpointServer) -> Any:
    server.backend.reset(seed=5)

    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=server.url,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"total_max_attempts": 1}),
        )

    return client


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def test_email_confirmation_and_delivery_over_http(server: EndpointServer, remote: Any) -> None:
    sns, sqs = remote("sns"), remote("sqs")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=ADDRESS)["SubscriptionArn"] == (
        "pending confirmation"
    )
    queue = sqs.create_queue(QueueName="q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    sns.publish(TopicArn=topic, Message="while pending")

    outbox = get_json(server.url + "/_streamlab/outbox")
    assert [email["kind"] for email in outbox["emails"]] == ["confirmation"]
    [pending] = outbox["pending"]
    assert (pending["endpoint"], pending["protocol"], pending["topic_arn"]) == (
        ADDRESS,
        "email",
        topic,
    )

    # the link of the email, opened against the endpoint without credentials
    token = re.search(r"&Token=([0-9a-f]+)&", outbox["emails"][0]["body"]).group(1)
    query = f"/?Action=ConfirmSubscription&TopicArn={topic}&Token={token}"
    with urllib.request.urlopen(server.url + query, timeout=10) as answer:
        assert answer.status == 200
        confirmed = re.search(r"<SubscriptionArn>(.+)</SubscriptionArn>", answer.read().decode())
    assert confirmed.group(1) == pending["subscription_arn"]

    sns.publish(TopicArn=topic, Message="after confirming", Subject="Hi")
    outbox = get_json(server.url + "/_streamlab/outbox")
    assert [(e["kind"], e["subject"]) for e in outbox["emails"]] == [
        ("confirmation", "AWS Notification - Subscription Confirmation"),
        ("notification", "Hi"),
    ]
    assert outbox["pending"] == []
    bodies = [json.loads(m["Body"])["Message"] for m in receive_all(sqs, queue)]
    assert bodies == ["while pending", "after confirming"]


def test_lambda_and_raw_sqs_over_http(server: EndpointServer, remote: Any) -> None:
    runtime = server.backend.lambda_runtime()
    runtime.create_function(
        FunctionConfig(name="subscriber", handler="sns_echo:handler", code_dir=HANDLERS)
    )
    sns, sqs = remote("sns"), remote("sqs")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:subscriber"
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn)
    queue = sqs.create_queue(QueueName="raw")["QueueUrl"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:raw",
        Attributes={"RawMessageDelivery": "true"},
    )
    message_id = sns.publish(TopicArn=topic, Message="over http")["MessageId"]
    assert runtime.wait_async(timeout=60)
    [record] = [r for r in runtime.invocations if r.function_name == "subscriber"]
    sns_part = record.payload["Records"][0]["Sns"]
    assert (sns_part["MessageId"], sns_part["Message"]) == (message_id, "over http")
    assert [m["Body"] for m in receive_all(sqs, queue)] == ["over http"]


def test_errors_over_http(remote: Any) -> None:
    sns = remote("sns")
    with pytest.raises(sns.exceptions.NotFoundException) as excinfo:
        sns.publish(TopicArn=f"arn:aws:sns:{REGION}:123456789012:nope", Message="m")
    assert excinfo.value.response["Error"]["Message"] == "Topic does not exist"
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as excinfo:
        sns.publish(TopicArn=topic, Message="a" * 262_145)
    assert excinfo.value.response["Error"]["Message"] == "Invalid parameter: Message too long"


def test_sim_outbox_reads_the_running_endpoint(
    server: EndpointServer,
    remote: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["outbox"]) == 2
    assert "no streamlab endpoint is running here" in capsys.readouterr().err

    state = tmp_path / STATE_DIR / STATE_FILE
    state.parent.mkdir()
    state.write_text(json.dumps({"pid": os.getpid(), "url": server.url, "log": "-"}))
    assert main(["outbox"]) == 0
    assert (
        capsys.readouterr().out
        == "no emails in the outbox (no email subscription was pending confirmation)\n"
    )

    sns = remote("sns")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=ADDRESS)
    assert main(["outbox"]) == 0
    out = capsys.readouterr().out
    assert "AWS Notification - Subscription Confirmation" in out
    assert "You have chosen to subscribe to the topic:" in out
    assert main(["outbox", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["to"], listed["kind"]) == (ADDRESS, "confirmation")
    assert main(["outbox", "--to", "other@example.com"]) == 0
    assert capsys.readouterr().out == (
        "no emails to other@example.com in the outbox (no email subscription was pending "
        "confirmation)\n"
    )
