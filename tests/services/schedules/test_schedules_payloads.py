"""What the Lambda function receives: the rule's Scheduled Event, a target's Input, Scheduler's
default notification and its context attributes."""

from __future__ import annotations

import json
import random
import uuid

from sim.services.schedules import RuleSchedule, SchedulerSchedule, render_scheduler_input

CREATED = 1_551_403_380.0  # 2019-03-01T01:23:00Z
SCHEDULED = 1_551_403_425.0  # 2019-03-01T01:23:45Z


def test_the_rule_event_has_aws_shape_keys_and_order():
    rule = RuleSchedule(
        "rate(1 minute)",
        name="my-schedule",
        created_at=CREATED,
        region="us-east-2",
        account="123456789012",
    )
    event = rule.payload(SCHEDULED, random.Random(5))
    expected_id = str(uuid.UUID(int=random.Random(5).getrandbits(128), version=4))
    assert event == {
        "version": "0",
        "id": expected_id,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2019-03-01T01:23:45Z",
        "region": "us-east-2",
        "resources": ["arn:aws:events:us-east-2:123456789012:rule/my-schedule"],
        "detail": {},
    }
    assert list(event) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert uuid.UUID(event["id"]).version == 4
    assert rule.payload(SCHEDULED, random.Random(5)) == event  # same seed, same id
    assert rule.payload(SCHEDULED, random.Random(6))["id"] != event["id"]


def test_time_is_the_scheduled_second_in_utc():
    rule = RuleSchedule(
        "rate(1 minute)",
        name="r",
        created_at=CREATED,
        region="us-east-1",
        account="123456789012",
    )
    assert rule.payload(SCHEDULED + 0.999, random.Random(1))["time"] == "2019-03-01T01:23:45Z"


def test_a_target_input_replaces_the_event():
    rule = RuleSchedule(
        "rate(1 minute)",
        name="r",
        created_at=CREATED,
        region="us-east-1",
        account="123456789012",
        target_input='{"custom-value": "somecustominput", "n": [1, 2]}',
    )
    assert rule.payload(SCHEDULED, random.Random(1)) == {
        "custom-value": "somecustominput",
        "n": [1, 2],
    }
    # the event is still made (one id drawn), so adding an Input does not shift other draws
    rng = random.Random(1)
    rule.payload(SCHEDULED, rng)
    expected = random.Random(1)
    expected.getrandbits(128)
    assert rng.getstate() == expected.getstate()


def scheduler(**kwargs) -> SchedulerSchedule:
    return SchedulerSchedule(
        "cron(5 22 * * ? *)",
        name="test-schedule",
        created_at=CREATED,
        region="eu-central-1",
        account="123456789012",
        **kwargs,
    )


def test_without_input_scheduler_sends_its_default_notification():
    event = scheduler().payload(SCHEDULED, random.Random(9))
    assert event == {
        "version": "0",
        "id": str(uuid.UUID(int=random.Random(9).getrandbits(128), version=4)),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": "123456789012",
        "time": "2019-03-01T01:23:45Z",
        "region": "eu-central-1",
        "resources": ["arn:aws:scheduler:eu-central-1:123456789012:schedule/default/test-schedule"],
        "detail": "{}",
    }
    assert isinstance(event["detail"], str)  # a string, as AWS sends it


def test_the_group_is_part_of_the_schedule_arn():
    job = scheduler(group="reports")
    assert job.arn == "arn:aws:scheduler:eu-central-1:123456789012:schedule/reports/test-schedule"


def test_input_with_context_attributes_filled_in():
    job = scheduler(
        target_input=json.dumps(
            {
                "arn": "<aws.scheduler.schedule-arn>",
                "at": "<aws.scheduler.scheduled-time>",
                "execution": "<aws.scheduler.execution-id>",
                "unknown": "<aws.scheduler.other>",
            }
        )[:-1]
        + ', "attempt": <aws.scheduler.attempt-number>}'
    )
    payload = job.payload(SCHEDULED, random.Random(2))
    assert payload["arn"] == job.arn
    assert payload["at"] == "2019-03-01T01:23:45Z"
    assert payload["attempt"] == 1
    assert payload["unknown"] == "<aws.scheduler.other>"  # only the four documented ones
    execution = payload["execution"]
    assert len(execution) == 16 and execution.isalnum() and execution == execution.lower()
    assert job.payload(SCHEDULED, random.Random(2))["execution"] == execution
    assert job.payload(SCHEDULED, random.Random(3))["execution"] != execution


def test_input_without_attributes_is_passed_as_is():
    assert scheduler(target_input='{"n": 1}').payload(SCHEDULED, random.Random(1)) == {"n": 1}
    assert scheduler(target_input='"text"').payload(SCHEDULED, random.Random(1)) == "text"


def test_render_replaces_every_occurrence():
    context = {
        "schedule-arn": "A",
        "scheduled-time": "T",
        "execution-id": "E",
        "attempt-number": "2",
    }
    assert (
        render_scheduler_input(
            "<aws.scheduler.scheduled-time>/<aws.scheduler.scheduled-time>/"
            "<aws.scheduler.attempt-number>",
            context,
        )
        == "T/T/2"
    )
