"""When schedules first fire, time zones across daylight saving, StartDate/EndDate, flexible
windows."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sim.services.schedules import RuleSchedule, SchedulerSchedule


def utc(text: str) -> float:
    """Epoch seconds of ``2024-03-10 07:30:00`` (UTC)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()


def show(instant: float) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%d %H:%M:%S")


def rule(expression: str, created: str, **kwargs) -> RuleSchedule:
    return RuleSchedule(
        expression,
        name="tick",
        created_at=utc(created),
        region="us-east-1",
        account="123456789012",
        **kwargs,
    )


def schedule(expression: str, created: str, **kwargs) -> SchedulerSchedule:
    return SchedulerSchedule(
        expression,
        name="job",
        created_at=utc(created),
        region="us-east-1",
        account="123456789012",
        **kwargs,
    )


def listed(s, start: str, end: str) -> list[str]:
    return [show(t) for t in s.fire_times(utc(start), utc(end))]


# -- first fires ------------------------------------------------------------------------------
def test_a_rate_rule_counts_from_its_creation_minute_and_fires_one_period_later():
    tick = rule("rate(5 minutes)", "2024-01-01 10:02:37")
    assert listed(tick, "2024-01-01 10:00:00", "2024-01-01 10:20:00") == [
        "2024-01-01 10:07:00",
        "2024-01-01 10:12:00",
        "2024-01-01 10:17:00",
    ]
    assert show(tick.next_fire(utc("2024-01-01 10:07:00"))) == "2024-01-01 10:12:00"
    daily = rule("rate(1 day)", "2024-01-01 10:02:37")
    assert show(daily.first_fire(0.0)) == "2024-01-02 10:02:00"


def test_a_cron_rule_fires_from_its_creation_on():
    every_minute = rule("cron(* * * * ? *)", "2024-01-01 10:02:37")
    assert show(every_minute.first_fire(0.0)) == "2024-01-01 10:03:00"
    on_the_minute = rule("cron(* * * * ? *)", "2024-01-01 10:02:00")
    assert show(on_the_minute.first_fire(0.0)) == "2024-01-01 10:02:00"


def test_a_scheduler_rate_without_start_date_fires_at_creation_then_every_period():
    job = schedule("rate(10 minutes)", "2024-01-01 10:02:37")
    assert listed(job, "2024-01-01 00:00:00", "2024-01-01 10:30:00") == [
        "2024-01-01 10:02:37",
        "2024-01-01 10:12:37",
        "2024-01-01 10:22:37",
    ]


def test_a_scheduler_rate_with_start_date_fires_first_at_the_start_date():
    job = schedule("rate(1 hour)", "2024-01-01 10:02:37", start_date=utc("2024-01-01 12:00:00"))
    assert listed(job, "2024-01-01 00:00:00", "2024-01-01 15:00:00") == [
        "2024-01-01 12:00:00",
        "2024-01-01 13:00:00",
        "2024-01-01 14:00:00",
    ]
    # a start date a few minutes back: the grid it sets, from creation on
    late = schedule("rate(2 minutes)", "2024-01-01 10:02:37", start_date=utc("2024-01-01 09:59:00"))
    assert show(late.first_fire(0.0)) == "2024-01-01 10:03:00"


def test_end_date_is_exclusive():
    job = schedule(
        "cron(0/15 * * * ? *)",
        "2024-01-01 10:00:00",
        end_date=datetime(2024, 1, 1, 11, 0, tzinfo=UTC),
    )
    assert listed(job, "2024-01-01 10:00:00", "2024-01-02 00:00:00") == [
        "2024-01-01 10:00:00",
        "2024-01-01 10:15:00",
        "2024-01-01 10:30:00",
        "2024-01-01 10:45:00",
    ]
    assert job.next_fire(utc("2024-01-01 10:45:00")) is None


def test_a_cron_schedule_starts_at_the_later_of_creation_and_start_date():
    job = schedule(
        "cron(0 * * * ? *)", "2024-01-01 10:30:00", start_date=utc("2024-01-01 13:00:00")
    )
    assert show(job.first_fire(0.0)) == "2024-01-01 13:00:00"


def test_at_fires_once_and_not_if_created_after_it():
    once = schedule("at(2024-01-02T08:30:15)", "2024-01-01 10:00:00")
    assert listed(once, "2024-01-01 00:00:00", "2025-01-01 00:00:00") == ["2024-01-02 08:30:15"]
    assert once.next_fire(utc("2024-01-02 08:30:15")) is None
    past = schedule("at(2024-01-01T08:00:00)", "2024-01-01 10:00:00")
    assert past.first_fire(0.0) is None


# -- time zones and daylight saving (America/New_York: 2024-03-10 02:00 EST -> 03:00 EDT,
#    2024-11-03 02:00 EDT -> 01:00 EST) ---------------------------------------------------------
def test_at_in_a_time_zone_across_the_spring_change():
    def fire(local: str) -> float | None:
        return schedule(
            f"at({local})", "2024-01-01 00:00:00", timezone="America/New_York"
        ).first_fire(0.0)

    assert show(fire("2024-03-09T03:30:00")) == "2024-03-09 08:30:00"  # EST, UTC-5
    assert show(fire("2024-03-10T03:30:00")) == "2024-03-10 07:30:00"  # EDT, UTC-4
    assert fire("2024-03-10T02:30:00") is None  # the clocks skip 02:30: never fires


def test_at_in_the_repeated_autumn_hour_fires_once_at_the_first():
    once = schedule("at(2024-11-03T01:30:00)", "2024-01-01 00:00:00", timezone="America/New_York")
    assert listed(once, "2024-11-01 00:00:00", "2024-11-05 00:00:00") == ["2024-11-03 05:30:00"]


def test_a_daily_cron_in_the_skipped_hour_is_skipped_that_day():
    job = schedule("cron(30 2 * * ? *)", "2024-03-08 00:00:00", timezone="America/New_York")
    assert listed(job, "2024-03-08 00:00:00", "2024-03-12 00:00:00") == [
        "2024-03-08 07:30:00",
        "2024-03-09 07:30:00",
        "2024-03-11 06:30:00",
    ]


def test_a_cron_in_the_repeated_hour_runs_only_once():
    daily = schedule("cron(30 1 * * ? *)", "2024-11-01 00:00:00", timezone="America/New_York")
    assert listed(daily, "2024-11-02 00:00:00", "2024-11-05 00:00:00") == [
        "2024-11-02 05:30:00",
        "2024-11-03 05:30:00",
        "2024-11-04 06:30:00",
    ]
    quarterly = schedule("cron(0/15 * * * ? *)", "2024-11-01 00:00:00", timezone="America/New_York")
    assert listed(quarterly, "2024-11-03 05:00:00", "2024-11-03 07:20:00") == [
        "2024-11-03 05:00:00",  # 01:00 EDT
        "2024-11-03 05:15:00",
        "2024-11-03 05:30:00",
        "2024-11-03 05:45:00",  # 01:45 EDT; 01:00-01:45 EST are not repeated
        "2024-11-03 07:00:00",  # 02:00 EST
        "2024-11-03 07:15:00",
    ]
    # asked from inside the repeated hour (01:30 EST), the next fire is 02:00 EST
    assert show(quarterly.next_fire(utc("2024-11-03 06:30:00"))) == "2024-11-03 07:00:00"


def test_cron_in_a_zone_follows_its_offset_through_the_year():
    job = schedule("cron(0 9 ? * MON-FRI *)", "2024-01-01 00:00:00", timezone="Europe/London")
    assert show(job.first_fire(utc("2024-03-28 12:00:00"))) == "2024-03-29 09:00:00"  # GMT
    assert show(job.first_fire(utc("2024-03-30 00:00:00"))) == "2024-04-01 08:00:00"  # BST


def test_a_rate_of_days_is_24_hours_whatever_daylight_saving_does():
    job = schedule(
        "rate(1 day)",
        "2024-03-09 00:00:00",
        start_date=utc("2024-03-09 12:00:00"),
        timezone="America/New_York",
    )
    got = list(job.fire_times(utc("2024-03-09 00:00:00"), utc("2024-03-12 00:00:00")))
    assert [b - a for a, b in zip(got, got[1:], strict=False)] == [86400.0, 86400.0]


def test_rules_are_utc():
    tick = rule("cron(0 12 * * ? *)", "2024-07-01 00:00:00")
    assert show(tick.first_fire(0.0)) == "2024-07-01 12:00:00"


# -- flexible windows -------------------------------------------------------------------------
def flexible(minutes: int) -> SchedulerSchedule:
    return schedule(
        "rate(1 hour)",
        "2024-01-01 00:00:00",
        flexible_time_window={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": minutes},
    )


def test_flexible_invocations_fall_in_the_window_and_repeat_for_a_seed():
    job = flexible(15)
    fires = list(job.fire_times(utc("2024-01-01 00:00:00"), utc("2024-01-11 00:00:00")))
    assert len(fires) == 240

    def invocations(seed: int) -> list[float]:
        rng = random.Random(seed)
        return [job.invocation_time(fire, rng) for fire in fires]

    first = invocations(3)
    assert first == invocations(3)
    assert first != invocations(4)
    offsets = [invoked - fire for invoked, fire in zip(first, fires, strict=True)]
    assert all(0.0 <= offset < 900.0 for offset in offsets)
    assert max(offsets) > 800.0 and min(offsets) < 100.0  # spread over the window


def test_off_invokes_at_the_scheduled_time_without_drawing():
    job = schedule("rate(1 hour)", "2024-01-01 00:00:00", flexible_time_window={"Mode": "OFF"})
    rng = random.Random(1)
    state = rng.getstate()
    assert job.invocation_time(1234.0, rng) == 1234.0
    assert rng.getstate() == state
    tick = rule("rate(1 hour)", "2024-01-01 00:00:00")
    assert tick.invocation_time(1234.0, rng) == 1234.0
