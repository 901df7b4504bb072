"""What a Lambda function receives from a schedule.

EventBridge rule → Lambda (asynchronous invoke; awsdocs mirror
``aws-lambda-developer-guide/doc_source/services-cloudwatchevents.md``,
https://docs.aws.amazon.com/lambda/latest/dg/services-cloudwatchevents.html)::

    {"version": "0", "id": "cdc73f9d-aea9-11e3-9d5a-835b769c0d9c",
     "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
     "time": "2019-03-01T01:23:45Z", "region": "us-east-2",
     "resources": ["arn:aws:events:us-east-2:123456789012:rule/my-schedule"], "detail": {}}

A target's ``Input`` replaces it: "Valid JSON text passed to the target. In this case, nothing
from the event itself is passed to the target" (PutTargets Target.Input, botocore's events
model; LocalStack's AWS-validated ``tests_schedule_rate_custom_input_target_sqs`` shows the
target receiving exactly the Input). ``InputPath`` and ``InputTransformer`` are not simulated.

EventBridge Scheduler → Lambda: the target's ``Input``, after replacing the context attributes
``<aws.scheduler.schedule-arn>``, ``<aws.scheduler.scheduled-time>`` (e.g.
``2022-03-22T18:59:43Z``), ``<aws.scheduler.execution-id>`` (e.g. ``d32c5kddcf5bb8c3``) and
``<aws.scheduler.attempt-number>`` (e.g. ``1``)
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html).
Without an Input, "EventBridge Scheduler delivers a default notification to the target"
(API_Target.html); its shape, recorded from AWS in aws/aws-lambda-dotnet#1864,
aws/aws-lambda-java-libs#479, cloud-custodian/cloud-custodian#9566 and aws-powertools'
``tests/events/eventBridgeSchedulerEvent.json``, is the rule event with ``"source":
"aws.scheduler"``, the schedule's ARN in ``resources`` and ``"detail": "{}"`` (a string)::

    {"version": "0", "id": "49672d39-8c3a-4cc6-8de5-c57b0acf718f",
     "detail-type": "Scheduled Event", "source": "aws.scheduler", "account": "12345",
     "time": "2024-11-07T22:05:00Z", "region": "eu-central-1",
     "resources": ["arn:aws:scheduler:eu-central-1:12345:schedule/default/test-schedule"],
     "detail": "{}"}

``time`` is the scheduled time at second resolution (every recorded sample is a schedule's
minute; with a flexible window AWS's choice between scheduled and actual time is
**unverified**). The execution id's format follows the documented example (16 lower-case
letters and digits); ids and UUIDs come from the injected generator.
"""

from __future__ import annotations

import json
import math
import random
import string
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sim.ids import uuid4

SCHEDULED_EVENT_DETAIL_TYPE = "Scheduled Event"
RULE_EVENT_SOURCE = "aws.events"
SCHEDULER_EVENT_SOURCE = "aws.scheduler"
SCHEDULER_DEFAULT_DETAIL = "{}"
CONTEXT_ATTRIBUTES = (
    "schedule-arn",
    "scheduled-time",
    "execution-id",
    "attempt-number",
)
_EXECUTION_ID_ALPHABET = string.ascii_lowercase + string.digits
_EXECUTION_ID_LENGTH = 16


def event_time(instant: float) -> str:
    """``2019-03-01T01:23:45Z``: UTC, second resolution."""
    return datetime.fromtimestamp(math.floor(instant), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rule_arn(name: str, *, region: str, account: str, partition: str = "aws") -> str:
    """A rule on the default event bus (the only bus scheduled rules may use)."""
    return f"arn:{partition}:events:{region}:{account}:rule/{name}"


def schedule_arn(
    name: str, *, region: str, account: str, group: str = "default", partition: str = "aws"
) -> str:
    return f"arn:{partition}:scheduler:{region}:{account}:schedule/{group}/{name}"


def scheduled_event(
    *,
    resource_arn: str,
    region: str,
    account: str,
    scheduled_time: float,
    rng: random.Random,
    source: str = RULE_EVENT_SOURCE,
    detail: Any = None,
) -> dict[str, Any]:
    """The "Scheduled Event" a rule (``source`` aws.events, ``detail`` {}) or Scheduler's
    default notification (aws.scheduler, ``"{}"``) delivers, keys in AWS's order."""
    return {
        "version": "0",
        "id": uuid4(rng),
        "detail-type": SCHEDULED_EVENT_DETAIL_TYPE,
        "source": source,
        "account": account,
        "time": event_time(scheduled_time),
        "region": region,
        "resources": [resource_arn],
        "detail": {} if detail is None else detail,
    }


def rule_target_payload(event: dict[str, Any], target_input: str | None) -> Any:
    """What a rule target receives: the event, or its constant ``Input`` (JSON) instead."""
    if target_input is None:
        return event
    return json.loads(target_input)


def execution_id(rng: random.Random) -> str:
    return "".join(rng.choice(_EXECUTION_ID_ALPHABET) for _ in range(_EXECUTION_ID_LENGTH))


def scheduler_context(
    *, schedule_arn: str, scheduled_time: float, execution_id: str, attempt_number: int = 1
) -> dict[str, str]:
    """The values of Scheduler's context attributes for one attempt."""
    return {
        "schedule-arn": schedule_arn,
        "scheduled-time": event_time(scheduled_time),
        "execution-id": execution_id,
        "attempt-number": str(attempt_number),
    }


def render_scheduler_input(target_input: str, context: Mapping[str, str]) -> str:
    """``Input`` with every ``<aws.scheduler.NAME>`` replaced by its value (text replacement,
    as the documented examples place them inside JSON strings)."""
    for name in CONTEXT_ATTRIBUTES:
        target_input = target_input.replace(f"<aws.scheduler.{name}>", context[name])
    return target_input
