"""Refused schedules: AWS's exact answer, and the precise reason beside it."""

from __future__ import annotations

import pytest

from sim.errors import ValidationException
from sim.services.schedules import (
    FlexibleTimeWindow,
    RuleSchedule,
    SchedulerSchedule,
    ScheduleValidationException,
    parse_rule_expression,
    parse_scheduler_expression,
)

PUT_RULE = "Parameter ScheduleExpression is not valid."
CREATED = 1_700_000_000.0


def rule_reason(expression: object) -> str:
    with pytest.raises(ScheduleValidationException) as caught:
        parse_rule_expression(expression)
    error = caught.value
    assert error.message == PUT_RULE
    assert error.code == "ValidationException" and error.status == 400
    assert error.parameter == "ScheduleExpression" and error.value == expression
    return error.reason


def scheduler_reason(expression: str) -> str:
    with pytest.raises(ScheduleValidationException) as caught:
        parse_scheduler_expression(expression)
    assert caught.value.message == f"Invalid Schedule Expression {expression}."
    return caught.value.reason


def test_the_error_is_a_validation_exception_and_says_both_things():
    with pytest.raises(ValidationException) as caught:
        parse_rule_expression("rate(1 hours)")
    assert str(caught.value) == (
        "ValidationException: Parameter ScheduleExpression is not valid. (ScheduleExpression: "
        "the unit must be singular when the value is 1: write rate(1 hour))"
    )
    assert caught.value.to_dict() == {"__type": "ValidationException", "message": PUT_RULE}


def test_the_documented_rate_examples_are_valid():
    for expression, seconds in [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(1 hour)", 3600),
        ("rate(1 day)", 86400),
        ("rate(2 days)", 172800),
    ]:
        assert parse_rule_expression(expression).seconds == seconds


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("rate(1 hours)", "the unit must be singular when the value is 1: write rate(1 hour)"),
        ("rate(1 minutes)", "the unit must be singular when the value is 1: write rate(1 minute)"),
        ("rate(1 days)", "the unit must be singular when the value is 1: write rate(1 day)"),
        (
            "rate(5 hour)",
            "the unit must be plural when the value is greater than 1: write rate(5 hours)",
        ),
        (
            "rate(10 minute)",
            "the unit must be plural when the value is greater than 1: write rate(10 minutes)",
        ),
        (
            "rate(10 day)",
            "the unit must be plural when the value is greater than 1: write rate(10 days)",
        ),
        (
            "rate(10 seconds)",
            "the unit must be one of minute, minutes, hour, hours, day, days, found 'seconds'",
        ),
        (
            "rate(10 years)",
            "the unit must be one of minute, minutes, hour, hours, day, days, found 'years'",
        ),
        (
            "rate(10 minutess)",
            "the unit must be one of minute, minutes, hour, hours, day, days, found 'minutess'",
        ),
        (
            "rate(10 MINUTES)",
            "the unit must be one of minute, minutes, hour, hours, day, days, found 'MINUTES' "
            "(units are lower case)",
        ),
        ("rate(0 minutes)", "the value must be a positive whole number, found '0'"),
        ("rate(-10 minutes)", "the value must be a positive whole number, found '-10'"),
        ("rate(foo minutes)", "the value must be a positive whole number, found 'foo'"),
        ("rate(1.5 hours)", "the value must be a positive whole number, found '1.5'"),
        (
            "rate(10)",
            "rate() takes a value and a unit (minute, minutes, hour, hours, day, days), "
            "found '10': rate(5 minutes)",
        ),
        (
            "rate()",
            "rate() takes a value and a unit (minute, minutes, hour, hours, day, days), "
            "found '': rate(5 minutes)",
        ),
        (
            "rate( 10 minutes )",
            "rate() takes a value and a unit separated by one space, with no other spaces: "
            "rate(5 minutes)",
        ),
        (
            " rate(10 minutes)",
            "remove the spaces before or after the expression: 'rate(10 minutes)'",
        ),
        (
            "RATE(10 minutes)",
            "rate, cron and at are written in lower case, found 'RATE(10 minutes)'",
        ),
        (
            "every 5 minutes",
            "expected rate(value unit) or cron(minutes hours day-of-month month day-of-week "
            "year), found 'every 5 minutes'",
        ),
        (
            "at(2030-01-01T00:00:00)",
            "at() is an EventBridge Scheduler expression (one-time schedules); a rule takes "
            "rate(value unit) or cron(minutes hours day-of-month month day-of-week year)",
        ),
    ],
)
def test_bad_rates_and_forms_for_a_rule(expression, reason):
    assert rule_reason(expression) == reason


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        # AWS refused these in LocalStack's validated tests
        (
            "cron(0 1 * * * *)",
            "day-of-month and day-of-week cannot both be set: one of them must be ? "
            "(found '*' in day-of-month and '*' in day-of-week)",
        ),
        (
            "cron(7 20 * * NOT *)",
            "day-of-week: 'NOT' is not a value: the field takes 1-7 or SUN-SAT",
        ),
        (
            "cron(INVALID)",
            "cron() takes six fields (minutes hours day-of-month month day-of-week year), "
            "found 1: 'INVALID'",
        ),
        ("cron(0 dummy ? * MON-FRI *)", "hours: 'dummy' is not a value: the field takes 0-23"),
        ("cron(71 8 1 * ? *)", "minutes: 71 is out of range, the field takes 0-59"),
        # the documented rules
        (
            "cron(0 10 * * *)",
            "cron() takes six fields (minutes hours day-of-month month day-of-week year), "
            "found 5: '0 10 * * *'",
        ),
        (
            "cron(0 10 ? * ? *)",
            "day-of-month and day-of-week cannot both be ?: set one of them (* for every day) "
            "and write ? in the other",
        ),
        (
            "cron(0 10 1 * MON *)",
            "day-of-month and day-of-week cannot both be set: one of them must be ? "
            "(found '1' in day-of-month and 'MON' in day-of-week)",
        ),
        (
            "cron(0 9 ? * 3#1,6#3 *)",
            "day-of-week: with '#' the field holds one expression only ('3#1,6#3' is not "
            "valid), found '3#1,6#3'",
        ),
        ("cron(0 0 1 1 ? 1969)", "year: 1969 is out of range, the field takes 1970-2199"),
        ("cron(0 0 1 1 ? 2200)", "year: 2200 is out of range, the field takes 1970-2199"),
        ("cron(0 24 * * ? *)", "hours: 24 is out of range, the field takes 0-23"),
        ("cron(0 0 32 * ? *)", "day-of-month: 32 is out of range, the field takes 1-31"),
        ("cron(0 0 ? * 0 *)", "day-of-week: 0 is out of range, the field takes 1-7 or SUN-SAT"),
        ("cron(0 0 1 13 ? *)", "month: 13 is out of range, the field takes 1-12 or JAN-DEC"),
        ("cron(0 0 1 FOO ? *)", "month: 'FOO' is not a value: the field takes 1-12 or JAN-DEC"),
        ("cron(0 ? * * ? *)", "hours: '?' is only allowed in day-of-month or day-of-week"),
        (
            "cron(0 0 ?,1 * ? *)",
            "day-of-month: '?' stands alone (it means: the other day field chooses the days)",
        ),
        (
            "cron(0 0 1 L ? *)",
            "month: 'L' is only allowed in day-of-month or day-of-week, found 'L'",
        ),
        ("cron(0 0 ? * 2W *)", "day-of-week: 'W' belongs in day-of-month, found '2W'"),
        (
            "cron(0 0 1#2 * ? *)",
            "day-of-month: '#' belongs in day-of-week (d#k, e.g. 2#1), found '1#2'",
        ),
        (
            "cron(0 0 ? * 2#6 *)",
            "day-of-week: after '#' comes which instance of the weekday in the month, 1-5, "
            "found '2#6'",
        ),
        (
            "cron(0 0 1W,15 * ? *)",
            "day-of-month: L, LW and nW (e.g. 15W) stand alone, without lists, ranges or "
            "steps, found '1W,15'",
        ),
        (
            "cron(0 0 ? * 6L,2 *)",
            "day-of-week: L and nL (e.g. 6L, the last Friday) stand alone, without lists, "
            "ranges or steps, found '6L,2'",
        ),
        (
            "cron(0 0 L-3 * ? *)",
            "day-of-month: 'L-n' offsets are not part of AWS's cron, found 'L-3'",
        ),
        (
            "cron(0/0 * * * ? *)",
            "minutes: the increment after '/' must be a whole number of at least 1, found '0/0'",
        ),
        ("cron(0,,5 * * * ? *)", "minutes: empty item in the list '0,,5'"),
        ("cron(0 0 1 1 ? 2030-2025)", "year: a range runs from low to high, found '2030-2025'"),
        (
            "cron( 0 10 * * ? * )",
            "cron() takes six fields separated by spaces, with no space after 'cron(' or "
            "before ')': cron(minutes hours day-of-month month day-of-week year)",
        ),
        (
            "cron()",
            "cron() takes six fields separated by spaces, with no space after 'cron(' or "
            "before ')': cron(minutes hours day-of-month month day-of-week year)",
        ),
        (
            "cron(0\t10 * * ? *)",
            "cron() fields are separated by spaces, not tabs or newlines",
        ),
    ],
)
def test_bad_crons(expression, reason):
    assert rule_reason(expression) == reason
    assert scheduler_reason(expression) == reason


@pytest.mark.parametrize(
    "expression",
    [
        # every expression AWS's Scheduler refused in LocalStack's validated test (2025-01-26)
        "cron(0 1 * * * *)",
        "cron(7 20 * * NOT *)",
        "cron(INVALID)",
        "cron(0 dummy ? * MON-FRI *)",
        "cron(71 8 1 * ? *)",
        "cron()",
        "rate(10 seconds)",
        "rate(10 years)",
        "rate()",
        "rate(10)",
        "rate(10 minutess)",
        "rate(foo minutes)",
        "rate(-10 minutes)",
        "rate( 10 minutes )",
        " rate(10 minutes)",
        "at(2021-12-31T23:59:59Z)",
        "at(2021-12-31)",
    ],
)
def test_scheduler_refuses_what_aws_refused_with_its_message(expression):
    assert scheduler_reason(expression)


def test_scheduler_at_reasons_and_unit_agreement():
    assert scheduler_reason("at(2021-12-31T23:59:59Z)") == (
        "at() takes a local date and time as yyyy-mm-ddThh:mm:ss, with no time zone suffix "
        "(the zone is ScheduleExpressionTimezone), found '2021-12-31T23:59:59Z'"
    )
    assert scheduler_reason("at(2021-02-30T10:00:00)") == (
        "at(): '2021-02-30T10:00:00' is not a date and time: day is out of range for month"
    )
    # Scheduler does not require the unit to agree with the value (see rate.py)
    assert parse_scheduler_expression("rate(1 hours)").seconds == 3600
    assert parse_scheduler_expression("rate(1 hour)").seconds == 3600
    assert parse_scheduler_expression("at(2022-12-31T23:59:59)").local.second == 59


def test_expressions_longer_than_256_characters():
    long = "cron(" + ",".join(["1"] * 130) + " * * * ? *)"
    with pytest.raises(ScheduleValidationException) as caught:
        parse_rule_expression(long)
    assert caught.value.message.startswith(
        "1 validation error detected: Value 'cron(1,1,"
    ) and caught.value.message.endswith(
        "' at 'scheduleExpression' failed to satisfy constraint: Member must have length "
        "less than or equal to 256"
    )
    assert caught.value.reason == "a schedule expression has at most 256 characters, found 275"


def test_not_a_string():
    assert rule_reason(None) == (
        "expected a string such as rate(value unit) or cron(minutes hours day-of-month month "
        "day-of-week year), found None"
    )


# -- Scheduler's other members ----------------------------------------------------------------
def scheduler(**overrides):
    arguments = {
        "name": "s",
        "created_at": CREATED,
        "region": "us-east-1",
        "account": "123456789012",
    }
    expression = overrides.pop("expression", "rate(5 minutes)")
    return SchedulerSchedule(expression, **{**arguments, **overrides})


def test_unknown_time_zones_are_refused():
    for name in ("Mars/Olympus_Mons", "EST5EDT/x", "../etc/passwd", "", "x" * 51):
        with pytest.raises(ScheduleValidationException) as caught:
            scheduler(timezone=name)
        assert caught.value.parameter == "ScheduleExpressionTimezone"
    with pytest.raises(ScheduleValidationException) as caught:
        scheduler(timezone="Europe/Londn")
    assert caught.value.reason == (
        "'Europe/Londn' is not an IANA time zone name (such as 'Europe/London' or 'UTC')"
    )
    assert scheduler(timezone="America/Sao_Paulo").timezone == "America/Sao_Paulo"


@pytest.mark.parametrize(
    ("window", "message", "reason"),
    [
        (
            {"Mode": "FLEXIBLE"},
            "MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE.",
            "a FLEXIBLE window needs MaximumWindowInMinutes (1 to 1440)",
        ),
        (
            {"Mode": "OFF", "MaximumWindowInMinutes": 5},
            "MaximumWindowInMinutes is not allowed when FlexibleTimeWindow Mode is OFF.",
            "MaximumWindowInMinutes goes with Mode FLEXIBLE; with OFF leave it out",
        ),
        (
            {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 0},
            "1 validation error detected: Value '0' at 'flexibleTimeWindow."
            "maximumWindowInMinutes' failed to satisfy constraint: Member must have value "
            "greater than or equal to 1",
            "MaximumWindowInMinutes is 1 to 1440, found 0",
        ),
        (
            {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 1441},
            "1 validation error detected: Value '1441' at 'flexibleTimeWindow."
            "maximumWindowInMinutes' failed to satisfy constraint: Member must have value "
            "less than or equal to 1440",
            "MaximumWindowInMinutes is 1 to 1440, found 1441",
        ),
        (
            {"Mode": "SOMETIMES"},
            "1 validation error detected: Value 'SOMETIMES' at 'flexibleTimeWindow.mode' "
            "failed to satisfy constraint: Member must satisfy enum value set: [OFF, FLEXIBLE]",
            "Mode must be OFF or FLEXIBLE, found 'SOMETIMES'",
        ),
        (
            {"MaximumWindowInMinutes": 5},
            "1 validation error detected: Value 'None' at 'flexibleTimeWindow.mode' failed to "
            "satisfy constraint: Member must not be null",
            "FlexibleTimeWindow needs Mode (OFF or FLEXIBLE)",
        ),
    ],
)
def test_flexible_time_windows(window, message, reason):
    with pytest.raises(ScheduleValidationException) as caught:
        scheduler(flexible_time_window=window)
    assert (caught.value.message, caught.value.reason) == (message, reason)
    assert caught.value.parameter == "FlexibleTimeWindow"


def test_valid_flexible_windows_at_the_limits():
    assert scheduler(flexible_time_window={"Mode": "OFF"}).flexible_time_window == (
        FlexibleTimeWindow("OFF", None)
    )
    for minutes in (1, 1440):
        window = {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": minutes}
        assert scheduler(flexible_time_window=window).flexible_time_window.window_seconds == (
            60.0 * minutes
        )


def test_start_and_end_dates():
    with pytest.raises(ScheduleValidationException) as caught:
        scheduler(start_date=CREATED - 301)
    assert caught.value.message == (
        "The StartDate you specify cannot be earlier than 5 minutes ago."
    )
    assert caught.value.reason == (
        "StartDate 2023-11-14T22:08:19Z is more than 5 minutes before the schedule's creation "
        "at 2023-11-14T22:13:20Z"
    )
    assert scheduler(start_date=CREATED - 300).start_date == CREATED - 300
    with pytest.raises(ScheduleValidationException) as caught:
        scheduler(start_date=CREATED + 600, end_date=CREATED + 600)
    assert caught.value.parameter == "EndDate"
    # one-time schedules ignore both (CreateSchedule's documentation)
    once = scheduler(expression="at(2023-11-15T00:00:00)", start_date=CREATED - 86400)
    assert once.first_fire(CREATED) is not None


def test_inputs_must_be_json_for_a_lambda_target():
    with pytest.raises(ScheduleValidationException) as caught:
        scheduler(target_input="hello")
    assert caught.value.parameter == "Input"
    assert caught.value.reason.startswith("a Lambda target's Input must be well-formed JSON")
    # context attributes may stand where JSON values go
    assert scheduler(target_input='{"n": <aws.scheduler.attempt-number>}').target_input
    with pytest.raises(ScheduleValidationException) as caught:
        RuleSchedule(
            "rate(5 minutes)",
            name="r",
            created_at=CREATED,
            region="us-east-1",
            account="123456789012",
            target_input="{not json",
        )
    assert caught.value.reason.startswith("a target's Input is JSON text, and this is not:")
    with pytest.raises(ScheduleValidationException) as caught:
        RuleSchedule(
            "rate(5 minutes)",
            name="r",
            created_at=CREATED,
            region="us-east-1",
            account="123456789012",
            target_input='"' + "x" * 8191 + '"',
        )
    assert caught.value.reason == "a target's Input has at most 8192 characters, found 8193"
