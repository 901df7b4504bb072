"""The two front ends: PutRule's ScheduleExpression and CreateSchedule's.

Both turn any syntax error into AWS's one-line answer for that API
(:mod:`.errors`) and keep the precise reason beside it.
"""

from __future__ import annotations

import re
from typing import cast

from sim.services.schedules.at import AtExpression, parse_at
from sim.services.schedules.cron import FIELD_ORDER, CronExpression, parse_cron
from sim.services.schedules.errors import (
    PUT_RULE_INVALID_EXPRESSION,
    ExpressionSyntaxError,
    ScheduleValidationException,
    constraint_message,
    create_schedule_invalid_expression,
)
from sim.services.schedules.limits import SCHEDULE_EXPRESSION_MAX_LENGTH
from sim.services.schedules.rate import RateExpression, parse_rate

Expression = AtExpression | RateExpression | CronExpression

_FORM = re.compile(r"^(rate|cron|at)\((.*)\)$", re.DOTALL)
_RULE_FORMS = f"rate(value unit) or cron({FIELD_ORDER})"
_SCHEDULER_FORMS = f"at(yyyy-mm-ddThh:mm:ss), {_RULE_FORMS}"


def parse_rule_expression(text: object) -> RateExpression | CronExpression:
    """An EventBridge rule's ScheduleExpression (PutRule): ``rate()`` or ``cron()``, in UTC."""
    _check_length(text, "scheduleExpression")
    try:
        expression = _parse(text, forms=_RULE_FORMS, scheduler=False)
    except ExpressionSyntaxError as error:
        raise ScheduleValidationException(
            PUT_RULE_INVALID_EXPRESSION,
            reason=error.reason,
            parameter="ScheduleExpression",
            value=text,
        ) from None
    return cast(RateExpression | CronExpression, expression)  # rules never parse at()


def parse_scheduler_expression(text: object) -> Expression:
    """An EventBridge Scheduler ScheduleExpression (CreateSchedule): ``at()``, ``rate()`` or
    ``cron()``."""
    _check_length(text, "scheduleExpression")
    try:
        return _parse(text, forms=_SCHEDULER_FORMS, scheduler=True)
    except ExpressionSyntaxError as error:
        raise ScheduleValidationException(
            create_schedule_invalid_expression(str(text)),
            reason=error.reason,
            parameter="ScheduleExpression",
            value=text,
        ) from None


def _check_length(text: object, path: str) -> None:
    if isinstance(text, str) and len(text) > SCHEDULE_EXPRESSION_MAX_LENGTH:
        raise ScheduleValidationException(
            constraint_message(
                text,
                path,
                f"Member must have length less than or equal to {SCHEDULE_EXPRESSION_MAX_LENGTH}",
            ),
            reason=f"a schedule expression has at most {SCHEDULE_EXPRESSION_MAX_LENGTH} "
            f"characters, found {len(text)}",
            parameter="ScheduleExpression",
            value=text,
        )


def _parse(text: object, *, forms: str, scheduler: bool) -> Expression:
    if not isinstance(text, str):
        raise ExpressionSyntaxError(f"expected a string such as {forms}, found {text!r}")
    match = _FORM.match(text)
    if not match:
        if _FORM.match(text.strip()):
            raise ExpressionSyntaxError(
                f"remove the spaces before or after the expression: '{text.strip()}'"
            )
        if _FORM.match(text.strip().lower()):
            raise ExpressionSyntaxError(
                f"rate, cron and at are written in lower case, found '{text}'"
            )
        raise ExpressionSyntaxError(f"expected {forms}, found '{text}'")
    kind, body = match.groups()
    if kind == "rate":
        return parse_rate(text, body, agreement=not scheduler)
    if kind == "cron":
        return parse_cron(text, body)
    if not scheduler:
        raise ExpressionSyntaxError(
            "at() is an EventBridge Scheduler expression (one-time schedules); a rule takes "
            f"{_RULE_FORMS}"
        )
    return parse_at(text, body)
