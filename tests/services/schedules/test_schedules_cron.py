"""cron() fire times: AWS's documented examples, L, W, #, LW, year limits, wrapping ranges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sim.services.schedules import RuleSchedule, SchedulerSchedule


def at(text: str) -> float:
    """Epoch seconds of a UTC time written as 2024-01-05 18:00."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp()


def show(instant: float) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime("%a %Y-%m-%d %H:%M")


def fires(expression: str, created: str, count: int) -> list[str]:
    rule = RuleSchedule(
        expression, name="r", created_at=at(created), region="us-east-1", account="123456789012"
    )
    out: list[str] = []
    fire = rule.first_fire(at(created))
    while fire is not None and len(out) < count:
        out.append(show(fire))
        fire = rule.next_fire(fire)
    return out


# -- the examples table of eb-scheduled-rule-pattern.html (2024-01-01 is a Monday) ------------
def test_0_10_every_day_at_ten():
    assert fires("cron(0 10 * * ? *)", "2024-01-01 10:00", 3) == [
        "Mon 2024-01-01 10:00",
        "Tue 2024-01-02 10:00",
        "Wed 2024-01-03 10:00",
    ]


def test_15_12_every_day_at_quarter_past_noon():
    assert fires("cron(15 12 * * ? *)", "2024-01-01 12:16", 2) == [
        "Tue 2024-01-02 12:15",
        "Wed 2024-01-03 12:15",
    ]


def test_18_monday_to_friday_skips_the_weekend():
    assert fires("cron(0 18 ? * MON-FRI *)", "2024-01-05 12:00", 3) == [
        "Fri 2024-01-05 18:00",
        "Mon 2024-01-08 18:00",
        "Tue 2024-01-09 18:00",
    ]


def test_8_on_the_first_of_every_month():
    assert fires("cron(0 8 1 * ? *)", "2024-01-01 09:00", 3) == [
        "Thu 2024-02-01 08:00",
        "Fri 2024-03-01 08:00",
        "Mon 2024-04-01 08:00",
    ]


def test_every_15_minutes():
    assert fires("cron(0/15 * * * ? *)", "2024-01-01 00:01", 5) == [
        "Mon 2024-01-01 00:15",
        "Mon 2024-01-01 00:30",
        "Mon 2024-01-01 00:45",
        "Mon 2024-01-01 01:00",
        "Mon 2024-01-01 01:15",
    ]


def test_every_10_minutes_monday_to_friday():
    assert fires("cron(0/10 * ? * MON-FRI *)", "2024-01-05 23:41", 3) == [
        "Fri 2024-01-05 23:50",
        "Mon 2024-01-08 00:00",
        "Mon 2024-01-08 00:10",
    ]


def test_every_5_minutes_8_to_5_55_on_weekdays():
    rule = RuleSchedule(
        "cron(0/5 8-17 ? * MON-FRI *)",
        name="r",
        created_at=at("2024-01-05 00:00"),
        region="us-east-1",
        account="123456789012",
    )
    friday = [show(t) for t in rule.fire_times(at("2024-01-05 00:00"), at("2024-01-06 00:00"))]
    assert len(friday) == 10 * 12
    assert friday[0] == "Fri 2024-01-05 08:00" and friday[-1] == "Fri 2024-01-05 17:55"
    assert rule.next_fire(at("2024-01-05 17:55")) == at("2024-01-08 08:00")


def test_9_on_the_first_monday_of_each_month():
    assert fires("cron(0 9 ? * 2#1 *)", "2024-01-01 00:00", 4) == [
        "Mon 2024-01-01 09:00",
        "Mon 2024-02-05 09:00",
        "Mon 2024-03-04 09:00",
        "Mon 2024-04-01 09:00",
    ]


def test_the_guides_put_rule_examples():
    assert fires("cron(0 12 * * ? *)", "2024-01-01 12:00", 1) == ["Mon 2024-01-01 12:00"]
    assert fires("cron(5,35 14 * * ? *)", "2024-01-01 14:06", 3) == [
        "Mon 2024-01-01 14:35",
        "Tue 2024-01-02 14:05",
        "Tue 2024-01-02 14:35",
    ]
    # "at 10:15am UTC+0 on the last Friday of each month during the years 2019 to 2022"
    last_fridays = fires("cron(15 10 ? * 6L 2019-2022)", "2019-01-01 00:00", 100)
    assert last_fridays[:2] == ["Fri 2019-01-25 10:15", "Fri 2019-02-22 10:15"]
    assert last_fridays[-1] == "Fri 2022-12-30 10:15" and len(last_fridays) == 48


def test_the_older_guides_wrapping_hours_example():
    """``0/30 20-2 ? * MON-FRI *``: hours 20..23 and 0..2 (so 02:30 too, as minutes 0/30 in
    hour 2), the weekday read on each fire's own day: nothing on Saturday morning."""
    got = fires("cron(0/30 20-2 ? * MON-FRI *)", "2024-01-05 19:00", 15)
    assert got[:8] == [f"Fri 2024-01-05 {h}" for h in ("20:00", "20:30", "21:00", "21:30")] + [
        f"Fri 2024-01-05 {h}" for h in ("22:00", "22:30", "23:00", "23:30")
    ]
    assert got[8:] == [
        f"Mon 2024-01-08 {h}"
        for h in ("00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "20:00")
    ]


# -- L, W, #, LW ------------------------------------------------------------------------------
def test_l_in_day_of_month_is_the_last_day_leap_years_included():
    assert fires("cron(0 0 L * ? *)", "2024-01-01 00:00", 4) == [
        "Wed 2024-01-31 00:00",
        "Thu 2024-02-29 00:00",
        "Sun 2024-03-31 00:00",
        "Tue 2024-04-30 00:00",
    ]
    assert fires("cron(0 0 L 2 ? *)", "2023-01-01 00:00", 2) == [
        "Tue 2023-02-28 00:00",
        "Thu 2024-02-29 00:00",
    ]


def test_l_alone_in_day_of_week_is_saturday():
    assert fires("cron(0 0 ? * L *)", "2024-01-01 00:00", 2) == [
        "Sat 2024-01-06 00:00",
        "Sat 2024-01-13 00:00",
    ]


def test_w_is_the_nearest_weekday_within_the_month():
    # 2024-06-15 is a Saturday (-> Friday 14th); 2024-09-15 a Sunday (-> Monday 16th)
    got = fires("cron(0 12 15W * ? *)", "2024-06-01 00:00", 4)
    assert got == [
        "Fri 2024-06-14 12:00",
        "Mon 2024-07-15 12:00",
        "Thu 2024-08-15 12:00",
        "Mon 2024-09-16 12:00",
    ]
    # 1W on Saturday 2024-06-01 does not go back into May: Monday the 3rd
    assert fires("cron(0 12 1W * ? *)", "2024-05-02 00:00", 1) == ["Mon 2024-06-03 12:00"]
    # 31W: Sunday 2024-03-31 -> Friday 29th; April has no 31st, so no fire in April
    assert fires("cron(0 12 31W * ? *)", "2024-03-01 00:00", 2) == [
        "Fri 2024-03-29 12:00",
        "Fri 2024-05-31 12:00",
    ]


def test_lw_is_the_last_weekday_of_the_month():
    assert fires("cron(0 12 LW * ? *)", "2024-02-01 00:00", 3) == [
        "Thu 2024-02-29 12:00",
        "Fri 2024-03-29 12:00",  # the 31st is a Sunday
        "Tue 2024-04-30 12:00",
    ]
    assert fires("cron(0 12 LW 8 ? *)", "2024-01-01 00:00", 1) == ["Fri 2024-08-30 12:00"]


def test_hash_is_the_nth_weekday_and_a_missing_fifth_is_skipped():
    # the fifth Friday: January and February 2024 have four
    assert fires("cron(0 0 ? * 6#5 *)", "2024-01-01 00:00", 3) == [
        "Fri 2024-03-29 00:00",
        "Fri 2024-05-31 00:00",
        "Fri 2024-08-30 00:00",
    ]
    assert fires("cron(0 2 ? * SAT#3 *)", "2024-01-01 00:00", 1) == ["Sat 2024-01-20 02:00"]


def test_day_of_week_numbers_start_at_sunday_and_names_read_in_any_case():
    assert fires("cron(0 0 ? * 1 *)", "2024-01-01 00:00", 1) == ["Sun 2024-01-07 00:00"]
    assert fires("cron(0 0 ? * 7 *)", "2024-01-01 00:00", 1) == ["Sat 2024-01-06 00:00"]
    assert fires("cron(0 0 ? jan mon-fri *)", "2024-01-05 12:00", 2) == [
        "Mon 2024-01-08 00:00",
        "Tue 2024-01-09 00:00",
    ]
    assert fires("cron(0 0 ? * FRI-MON *)", "2024-01-02 12:00", 4) == [
        "Fri 2024-01-05 00:00",
        "Sat 2024-01-06 00:00",
        "Sun 2024-01-07 00:00",
        "Mon 2024-01-08 00:00",
    ]


def test_ranges_with_steps_lists_and_month_names():
    assert fires("cron(1-31/30 1-1 ? * 1,7 *)", "2024-01-01 00:00", 3) == [
        "Sat 2024-01-06 01:01",
        "Sat 2024-01-06 01:31",
        "Sun 2024-01-07 01:01",
    ]
    assert fires("cron(0 0 1 JAN,JUL ? *)", "2024-01-02 00:00", 2) == [
        "Mon 2024-07-01 00:00",
        "Wed 2025-01-01 00:00",
    ]


# -- the year field ---------------------------------------------------------------------------
def test_year_limits_1970_and_2199_and_nothing_after_the_last_year():
    assert fires("cron(0 0 1 1 ? 1970)", "1969-12-31 00:00", 1) == ["Thu 1970-01-01 00:00"]
    assert fires("cron(0 0 31 12 ? 2199)", "2199-01-01 00:00", 2) == ["Tue 2199-12-31 00:00"]
    rule = RuleSchedule(
        "cron(0 0 1 1 ? 2023)",
        name="r",
        created_at=at("2024-01-01 00:00"),
        region="us-east-1",
        account="123456789012",
    )
    assert rule.first_fire(at("2024-01-01 00:00")) is None
    assert rule.next_fire(at("2020-01-01 00:00")) is None  # created after its last fire


def test_next_fire_is_strictly_after_and_first_fire_is_inclusive():
    rule = RuleSchedule(
        "cron(0/15 * * * ? *)",
        name="r",
        created_at=at("2024-01-01 00:00"),
        region="us-east-1",
        account="123456789012",
    )
    assert rule.first_fire(at("2024-01-01 00:15")) == at("2024-01-01 00:15")
    assert rule.next_fire(at("2024-01-01 00:15")) == at("2024-01-01 00:30")
    assert rule.next_fire(at("2024-01-01 00:15") - 0.5) == at("2024-01-01 00:15")
    assert rule.next_fire(at("2023-06-01 00:00")) == at("2024-01-01 00:00")  # not before creation


@pytest.mark.parametrize(
    "expression",
    [
        # accepted by AWS in LocalStack's validated tests (rules and Scheduler)
        "cron(0 2 ? * SAT *)",
        "cron(* * ? * SAT#3 *)",
        "cron(0/5 5 ? JAN 1-5 2022)",
        "cron(0/30 20-23 ? * MON-FRI *)",
        "cron(0/30 0-2 ? * MON-FRI *)",
        "cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)",
        "cron(30-30 13-13 ? * 2,4,6 *)",
        "cron(*/15 * * * ? *)",
        "cron(0-59/10 0-23/2 ? * * *)",
    ],
)
def test_expressions_aws_accepted_parse_for_rules_and_scheduler(expression):
    rule = RuleSchedule(
        expression, name="r", created_at=0.0, region="us-east-1", account="123456789012"
    )
    schedule = SchedulerSchedule(
        expression, name="s", created_at=0.0, region="us-east-1", account="123456789012"
    )
    assert rule.expression == schedule.expression
    assert rule.first_fire(0.0) is not None
