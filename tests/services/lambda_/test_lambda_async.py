"""The asynchronous invocation queue on a simulated clock: retries at AWS's delays, event age,
destinations (SQS, SNS, Lambda, EventBridge) with AWS's invocation record, the dead-letter queue,
reserved concurrency and throttles; and the same path through Lambda's API."""

from __future__ import annotations

import json
from collections.abc import Iterator

import lambda_async_store as probe
import pytest

from sim.backends.embedded import EmbeddedBackend
from sim.clock import Clock
from sim.ids import derive_rng
from sim.services.firehose.scheduling import ClockScheduler
from sim.services.lambda_ import FunctionConfig, LambdaRuntime, TooManyRequestsException
from sim.services.lambda_.asynchronous import AsyncInvoker, EventInvokeConfig
from sim.services.lambda_.destinations import Destinations

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
REGION = "us-east-1"
ACCOUNT = "123456789012"


@pytest.fixture
def backend() -> Iterator[EmbeddedBackend]:
    backend = EmbeddedBackend(region=REGION)
    backend.start()
    probe.RECEIVED.clear()
    yield backend
    backend.stop()


@pytest.fixture
def lab(backend: EmbeddedBackend) -> Iterator[tuple[Clock, LambdaRuntime, AsyncInvoker]]:
    clock = Clock(START)
    runtime = LambdaRuntime(
        rng=derive_rng(7, "lambda"),
        now=lambda: clock.now,
        region=REGION,
        account_id=ACCOUNT,
        credentials=backend.handler_environment(),
    )
    invoker = AsyncInvoker(
        runtime,
        ClockScheduler(clock),
        deliver=Destinations(runtime.destination_client),
        rng=derive_rng(7, "async"),
    )
    runtime.use_async_invoker(invoker)
    backend.attach_runtime(runtime)
    for name, handler in (("broken", "fail"), ("fine", "succeed"), ("sink", "record")):
        runtime.create_function(
            FunctionConfig(name=name, handler=f"lambda_async_probe:{handler}", timeout=3)
        )
    yield clock, runtime, invoker
    runtime.close()


def _queue(backend: EmbeddedBackend, name: str) -> tuple[str, str]:
    sqs = backend.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def _messages(backend: EmbeddedBackend, url: str) -> list[dict]:
    sqs = backend.client("sqs")
    out = []
    while True:
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not got:
            return out
        out.extend(got)
        for message in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _attempt_times(runtime: LambdaRuntime, name: str) -> list[float]:
    return [r.started_at - START for r in runtime.invocations if r.function_name == name]


def test_a_failing_event_is_tried_three_times_then_its_record_goes_to_the_failure_queue(
    backend, lab
):
    clock, runtime, invoker = lab
    url, arn = _queue(backend, "failures")
    invoker.configure("broken", EventInvokeConfig(on_failure=arn))
    request_id = runtime.invoke_async("broken", {"n": 1})
    clock.run(until=START + 600)
    assert _attempt_times(runtime, "broken") == [0.0, 60.0, 180.0]
    assert {r["request_id"] for r in probe.RECEIVED} == {request_id}
    (message,) = _messages(backend, url)
    record = json.loads(message["Body"])
    assert record["version"] == "1.0"
    assert record["timestamp"] == "2026-01-01T00:03:00.000Z"
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:broken:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 3,
    }
    assert record["requestPayload"] == {"n": 1}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorMessage"] == "broken: 1"
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    stats = invoker.stats["broken"]
    assert (stats.attempts, stats.retries, stats.failed["RetriesExhausted"]) == (3, 2, 1)
    assert stats.to_destination[arn] == 1 and not stats.dropped
    assert invoker.queued() == 0


def test_no_retries_and_no_destination_drops_the_event_with_its_reason(backend, lab):
    clock, runtime, invoker = lab
    invoker.configure("broken", EventInvokeConfig(maximum_retry_attempts=0))
    runtime.invoke_async("broken", {"n": 2})
    clock.run(until=START + 600)
    assert _attempt_times(runtime, "broken") == [0.0]
    assert invoker.stats["broken"].dropped == {"RetriesExhausted": 1}


def test_an_event_older_than_its_maximum_age_is_given_up(backend, lab):
    clock, runtime, invoker = lab
    url, arn = _queue(backend, "aged")
    invoker.configure("broken", EventInvokeConfig(maximum_event_age=60, on_failure=arn))
    runtime.invoke_async("broken", {"n": 3})
    clock.run(until=START + 600)
    # the second attempt (at 60 s) is within 60 s of age; a third (at 180 s) would not be
    assert _attempt_times(runtime, "broken") == [0.0, 60.0]
    record = json.loads(_messages(backend, url)[0]["Body"])
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 2


def test_success_goes_to_the_success_destination_function(backend, lab):
    clock, runtime, invoker = lab
    sink = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sink"
    invoker.configure("fine", EventInvokeConfig(on_success=sink))
    request_id = runtime.invoke_async("fine", {"n": 4})
    clock.run(until=START + 10)
    assert [r.function_name for r in runtime.invocations] == ["fine", "sink"]
    record = probe.RECEIVED[1]["event"]
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["requestId"] == request_id
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"ok": 4}
    assert runtime.invocations[1].source == "api:Event"  # delivered through Lambda's Invoke


def test_sns_and_eventbridge_destinations_get_the_record(backend, lab):
    clock, runtime, invoker = lab
    sns = backend.client("sns")
    topic = sns.create_topic(Name="results")["TopicArn"]
    topic_url, topic_queue = _queue(backend, "from-topic")
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=topic_queue,
        Attributes={"RawMessageDelivery": "true"},
    )
    events = backend.client("events")
    bus_url, bus_queue = _queue(backend, "from-bus")
    events.put_rule(Name="lambda-results", EventPattern=json.dumps({"source": ["lambda"]}))
    events.put_targets(Rule="lambda-results", Targets=[{"Id": "q", "Arn": bus_queue}])
    bus = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
    invoker.configure("fine", EventInvokeConfig(on_success=topic, on_failure=bus))
    invoker.configure("broken", EventInvokeConfig(maximum_retry_attempts=0, on_failure=bus))
    runtime.invoke_async("fine", {"n": 5})
    runtime.invoke_async("broken", {"n": 6})
    clock.run(until=START + 10)
    (from_topic,) = _messages(backend, topic_url)
    assert json.loads(from_topic["Body"])["responsePayload"] == {"ok": 5}
    (from_bus,) = _messages(backend, bus_url)
    envelope = json.loads(from_bus["Body"])
    assert envelope["source"] == "lambda"
    assert envelope["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert envelope["resources"] == [
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:broken",
        bus,
    ]
    assert envelope["detail"]["requestPayload"] == {"n": 6}


def test_the_dead_letter_queue_gets_the_event_and_aws_attributes(backend, lab):
    clock, runtime, invoker = lab
    url, arn = _queue(backend, "dlq")
    runtime.update_function("broken", dead_letter_target=arn)
    request_id = runtime.invoke_async("broken", {"n": 7})
    clock.run(until=START + 600)
    (message,) = _messages(backend, url)
    assert json.loads(message["Body"]) == {"n": 7}
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes == {"RequestID": request_id, "ErrorCode": "200", "ErrorMessage": "broken: 7"}
    assert invoker.stats["broken"].to_dead_letter == 1


def test_reserved_concurrency_zero_sends_events_straight_to_the_failure_destination(backend, lab):
    clock, runtime, invoker = lab
    url, arn = _queue(backend, "zero")
    invoker.configure("fine", EventInvokeConfig(on_failure=arn))
    runtime.set_concurrency("fine", 0)
    with pytest.raises(TooManyRequestsException):
        runtime.invoke("fine", {"n": 8})
    runtime.invoke_async("fine", {"n": 8})
    clock.run(until=START + 600)
    assert runtime.invocations == []
    record = json.loads(_messages(backend, url)[0]["Body"])
    assert record["requestContext"]["condition"] == "ZeroReservedConcurrency"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in record and "responsePayload" not in record


def test_throttled_events_back_off_exponentially_and_are_not_retry_attempts(backend, lab):
    clock, runtime, invoker = lab
    throttled_until = START + 10

    def throttle() -> object:
        return TooManyRequestsException() if clock.now < throttled_until else None

    runtime.add_fault("fine", throttle)
    invoker.configure("fine", EventInvokeConfig(maximum_retry_attempts=0))
    runtime.invoke_async("fine", {"n": 9})
    clock.run(until=START + 60)
    # throttled at 0, 1, 3, 7 (backoff 1, 2, 4, 8 s); runs at 15 s
    assert _attempt_times(runtime, "fine") == [15.0]
    assert invoker.stats["fine"].throttled == 4
    assert invoker.stats["fine"].succeeded == 1
    assert runtime.throttles["fine"] == 4


def test_lambda_api_event_invocations_and_event_invoke_configs(backend, lab):
    clock, runtime, invoker = lab
    url, arn = _queue(backend, "api-failures")
    client = backend.client("lambda")
    answer = client.put_function_event_invoke_config(
        FunctionName="broken",
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": arn}},
    )
    assert answer["MaximumRetryAttempts"] == 1
    assert "MaximumEventAgeInSeconds" not in answer
    assert answer["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": arn}}
    answer = client.update_function_event_invoke_config(
        FunctionName="broken", MaximumEventAgeInSeconds=3600
    )
    assert (answer["MaximumRetryAttempts"], answer["MaximumEventAgeInSeconds"]) == (1, 3600)
    response = client.invoke(FunctionName="broken", InvocationType="Event", Payload=b'{"n": 10}')
    assert response["StatusCode"] == 202
    clock.run(until=START + 600)
    assert _attempt_times(runtime, "broken") == [0.0, 60.0]
    record = json.loads(_messages(backend, url)[0]["Body"])
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestContext"]["requestId"] == response["ResponseMetadata"]["RequestId"]
    client.delete_function_event_invoke_config(FunctionName="broken")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as missing:
        client.get_function_event_invoke_config(FunctionName="broken")
    assert missing.value.response["Error"]["Message"] == (
        f"The function arn:aws:lambda:{REGION}:{ACCOUNT}:function:broken:$LATEST "
        "doesn't have an EventInvokeConfig"
    )


def test_lambda_api_refuses_what_aws_refuses(backend, lab):
    client = backend.client("lambda")
    with pytest.raises(client.exceptions.InvalidParameterValueException) as empty:
        client.put_function_event_invoke_config(FunctionName="broken")
    assert "at least one of error handling or destination setting" in str(empty.value)
    with pytest.raises(client.exceptions.InvalidParameterValueException) as itself:
        client.put_function_event_invoke_config(
            FunctionName="broken",
            DestinationConfig={
                "OnFailure": {"Destination": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:broken"}
            },
        )
    assert "as a destination for itself" in str(itself.value)
    with pytest.raises(client.exceptions.InvalidParameterValueException) as fifo:
        client.put_function_event_invoke_config(
            FunctionName="broken",
            DestinationConfig={
                "OnFailure": {"Destination": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q.fifo"}
            },
        )
    assert "DestinationConfig(onSuccess=null, onFailure=OnFailure(" in str(fifo.value)
    with pytest.raises(client.exceptions.ClientError) as too_many:
        client.put_function_event_invoke_config(FunctionName="broken", MaximumRetryAttempts=3)
    assert "Member must have value less than or equal to 2" in str(too_many.value)


def test_lambda_api_reserved_concurrency(backend, lab):
    client = backend.client("lambda")
    assert (
        client.get_function_concurrency(FunctionName="fine").get("ReservedConcurrentExecutions")
        is None
    )
    client.put_function_concurrency(FunctionName="fine", ReservedConcurrentExecutions=0)
    assert client.get_function_concurrency(FunctionName="fine")["ReservedConcurrentExecutions"] == 0
    with pytest.raises(client.exceptions.TooManyRequestsException) as throttled:
        client.invoke(FunctionName="fine", Payload=b"{}")
    error = throttled.value.response
    assert error["Error"]["Message"] == "Rate Exceeded."
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    client.delete_function_concurrency(FunctionName="fine")
    assert client.invoke(FunctionName="fine", Payload=b'{"n": 1}')["StatusCode"] == 200
