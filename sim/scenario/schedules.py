"""Schedule expressions in scenarios, checked with EventBridge's own rules
(:mod:`sim.services.schedules`) when the file is loaded: a bad expression fails validation with
the precise reason and the text AWS's API would answer."""

from __future__ import annotations

from sim.scenario.types import fail
from sim.services.schedules import errors as schedule_errors
from sim.services.schedules.expressions import parse_rule_expression, parse_scheduler_expression
from sim.services.schedules.zones import parse_timezone


def _reject(error: schedule_errors.ScheduleValidationException, value: str, key: str) -> None:
    fail(
        f"a valid schedule expression: {error.reason}",
        value,
        key=key,
        hint=f"AWS would answer ValidationException: {error.message}",
    )


def check_rule_expression(expression: str) -> str:
    """An EventBridge rule's ``rate(…)`` or ``cron(…)`` (PutRule)."""
    try:
        parse_rule_expression(expression)
    except schedule_errors.ScheduleValidationException as error:
        _reject(error, expression, "expression")
    return expression


def check_scheduler_expression(expression: str, timezone: str) -> None:
    """An EventBridge Scheduler ``at(…)``, ``rate(…)`` or ``cron(…)`` and its time zone."""
    try:
        parse_scheduler_expression(expression)
    except schedule_errors.ScheduleValidationException as error:
        _reject(error, expression, "expression")
    try:
        parse_timezone(timezone)
    except schedule_errors.ScheduleValidationException as error:
        _reject(error, timezone, "timezone")
