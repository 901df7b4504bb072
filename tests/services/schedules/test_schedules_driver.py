"""The driver on a real simulated clock: exact payloads at exact times, flexible windows,
end, cancel, long runs."""

from __future__ import annotations

import random
import time
import uuid

import pytest

from sim.clock import Clock
from sim.services.schedules import RuleSchedule, ScheduleDriver, SchedulerSchedule

START = 1_700_000_040.0  # 2023-11-14T22:14:00Z, a whole minute
ACCOUNT = "123456789012"


def ids(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]


class Recorder:
    """The fire callback: what arrived, when, and at what clock time."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.calls: list[tuple[float, float, object]] = []

    def __call__(self, scheduled: float, event: object) -> None:
        self.calls.append((self.clock.now, scheduled, event))


def test_a_rate_rule_fires_its_scheduled_events_over_30_minutes():
    clock = Clock(START)
    rule = RuleSchedule(
        "rate(5 minutes)",
        name="every-five",
        created_at=START + 37,  # counts from 22:14
        region="us-east-1",
        account=ACCOUNT,
    )
    record = Recorder(clock)
    driver = ScheduleDriver(clock, rule, record, start=START + 37, rng=random.Random(11))
    clock.run(until=START + 30 * 60 + 1)

    times = [START + 300 * k for k in range(1, 7)]
    assert [(now, scheduled) for now, scheduled, _ in record.calls] == [(t, t) for t in times]
    expected_ids = ids(11, 6)
    assert [event for _, _, event in record.calls] == [
        {
            "version": "0",
            "id": expected_ids[k],
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT,
            "time": stamp,
            "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/every-five"],
            "detail": {},
        }
        for k, stamp in enumerate(
            [
                "2023-11-14T22:19:00Z",
                "2023-11-14T22:24:00Z",
                "2023-11-14T22:29:00Z",
                "2023-11-14T22:34:00Z",
                "2023-11-14T22:39:00Z",
                "2023-11-14T22:44:00Z",
            ]
        )
    ]
    assert driver.invocations == 6
    assert driver.next_fire == START + 300 * 7


def test_a_cron_rule_with_input_on_the_clock():
    clock = Clock(START)
    rule = RuleSchedule(
        "cron(0/10 * * * ? *)",
        name="ten",
        created_at=START,
        region="us-east-1",
        account=ACCOUNT,
        target_input='{"job": "compact"}',
    )
    record = Recorder(clock)
    ScheduleDriver(clock, rule, record, start=START, rng=random.Random(1))
    clock.run(until=START + 30 * 60)
    # 22:20, 22:30, 22:40 (22:44 is the end)
    assert [(now, event) for now, _, event in record.calls] == [
        (START + 360, {"job": "compact"}),
        (START + 960, {"job": "compact"}),
        (START + 1560, {"job": "compact"}),
    ]


def test_a_flexible_scheduler_schedule_invokes_inside_its_window_deterministically():
    def run(seed: int) -> list[tuple[float, float, object]]:
        clock = Clock(START)
        job = SchedulerSchedule(
            "rate(5 minutes)",
            name="flex",
            created_at=START,
            region="us-east-1",
            account=ACCOUNT,
            flexible_time_window={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 3},
            target_input='{"at": "<aws.scheduler.scheduled-time>"}',
        )
        record = Recorder(clock)
        ScheduleDriver(clock, job, record, start=START, end=START + 1800, rng=random.Random(seed))
        clock.run()
        return record.calls

    calls = run(21)
    assert [scheduled for _, scheduled, _ in calls] == [START + 300 * k for k in range(6)]
    # draws in clock order: an offset at each scheduled time, an execution id at invocation
    rng = random.Random(21)
    expected_times = []
    for k in range(6):
        expected_times.append(START + 300 * k + rng.random() * 180)
        for _ in range(16):  # the execution id's characters, drawn at the invocation
            rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
    assert [now for now, _, _ in calls] == expected_times
    assert all(0 <= now - scheduled < 180 for now, scheduled, _ in calls)
    assert calls[0][2] == {"at": "2023-11-14T22:14:00Z"}
    assert calls[5][2] == {"at": "2023-11-14T22:39:00Z"}
    assert run(21) == calls
    assert [now for now, _, _ in run(22)] != [now for now, _, _ in calls]


def test_a_window_longer_than_the_period_keeps_every_invocation():
    clock = Clock(START)
    job = SchedulerSchedule(
        "rate(1 minute)",
        name="wide",
        created_at=START,
        region="us-east-1",
        account=ACCOUNT,
        flexible_time_window={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 60},
    )
    record = Recorder(clock)
    ScheduleDriver(clock, job, record, start=START, end=START + 600, rng=random.Random(4))
    clock.run()
    assert sorted(scheduled for _, scheduled, _ in record.calls) == [
        START + 60 * k for k in range(10)
    ]
    assert [now for now, _, _ in record.calls] == sorted(now for now, _, _ in record.calls)
    assert all(0 <= now - scheduled < 3600 for now, scheduled, _ in record.calls)
    assert max(now for now, _, _ in record.calls) > START + 600  # invoked after the end: kept


def test_an_at_schedule_fires_once():
    clock = Clock(START)
    job = SchedulerSchedule(
        "at(2023-11-14T23:30:00)",
        name="once",
        created_at=START,
        region="us-east-1",
        account=ACCOUNT,
        timezone="Europe/Paris",  # UTC+1 in November: 22:30Z
    )
    record = Recorder(clock)
    driver = ScheduleDriver(clock, job, record, start=START, rng=random.Random(1))
    clock.run(until=START + 86400)
    assert [(now, scheduled) for now, scheduled, _ in record.calls] == [
        (START + 16 * 60, START + 16 * 60)
    ]
    assert record.calls[0][2]["resources"] == [
        "arn:aws:scheduler:us-east-1:123456789012:schedule/default/once"
    ]
    assert driver.next_fire is None


def test_cancel_stops_pending_fires_and_invocations():
    clock = Clock(START)
    job = SchedulerSchedule(
        "rate(1 minute)",
        name="c",
        created_at=START,
        region="us-east-1",
        account=ACCOUNT,
        flexible_time_window={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 30},
    )
    record = Recorder(clock)
    driver = ScheduleDriver(clock, job, record, start=START, rng=random.Random(8))
    clock.run(until=START + 600)
    seen = len(record.calls)
    driver.cancel()
    clock.run(until=START + 7200)
    assert len(record.calls) == seen and driver.cancelled and driver.next_fire is None


def test_a_failing_callback_stops_the_run_but_not_the_schedule():
    clock = Clock(START)
    rule = RuleSchedule(
        "rate(1 minute)", name="f", created_at=START, region="us-east-1", account=ACCOUNT
    )
    calls = []

    def fire(scheduled, event):
        calls.append(scheduled)
        if len(calls) == 2:
            raise RuntimeError("handler bug")

    ScheduleDriver(clock, rule, fire, start=START, rng=random.Random(1))
    with pytest.raises(RuntimeError, match="handler bug"):
        clock.run(until=START + 600)
    clock.run(until=START + 301)
    assert calls == [START + 60 * k for k in range(1, 6)]


def test_start_and_end_are_checked():
    clock = Clock(START)
    rule = RuleSchedule(
        "rate(1 minute)", name="f", created_at=START, region="us-east-1", account=ACCOUNT
    )
    with pytest.raises(ValueError, match="before the clock's now"):
        ScheduleDriver(clock, rule, print, start=START - 1, rng=random.Random(1))
    with pytest.raises(ValueError, match="before start"):
        ScheduleDriver(clock, rule, print, start=START, end=START - 1, rng=random.Random(1))


def test_a_month_of_every_minute_is_cheap():
    clock = Clock(START)
    rule = RuleSchedule(
        "rate(1 minute)", name="m", created_at=START, region="us-east-1", account=ACCOUNT
    )
    count = 0

    def fire(scheduled, event):
        nonlocal count
        count += 1

    began = time.perf_counter()
    driver = ScheduleDriver(clock, rule, fire, start=START, rng=random.Random(1))
    clock.run(until=START + 30 * 86400 + 1)
    assert count == 30 * 1440 == driver.invocations
    assert time.perf_counter() - began < 10.0
