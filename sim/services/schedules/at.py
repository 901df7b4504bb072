"""``at(yyyy-mm-ddThh:mm:ss)``: EventBridge Scheduler's one-time schedule.

"You can use at expressions to create one-time schedules that invoke a target once, at the time
and in the time zone, that you specify" (CreateSchedule ScheduleExpression,
https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html). The time is
local to ScheduleExpressionTimezone; a zone suffix is refused (``at(2021-12-31T23:59:59Z)``
and ``at(2021-12-31)`` were refused by AWS in LocalStack's validated
``tests_create_schedule_with_invalid_schedule_expression``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sim.services.schedules.errors import ExpressionSyntaxError

_AT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class AtExpression:
    """A parsed ``at(...)``: ``local`` is the wall-clock time (naive) in the schedule's zone."""

    text: str
    local: datetime


def parse_at(text: str, body: str) -> AtExpression:
    """Parse the part between ``at(`` and ``)``."""
    match = _AT.match(body)
    if not match:
        raise ExpressionSyntaxError(
            "at() takes a local date and time as yyyy-mm-ddThh:mm:ss, with no time zone "
            f"suffix (the zone is ScheduleExpressionTimezone), found '{body}'"
        )
    try:
        local = datetime(*(int(part) for part in match.groups()))
    except ValueError as error:
        raise ExpressionSyntaxError(f"at(): '{body}' is not a date and time: {error}") from None
    return AtExpression(text=text, local=local)
