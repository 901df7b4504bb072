"""Time zones: ScheduleExpressionTimezone, and wall-clock minutes as instants.

EventBridge Scheduler evaluates cron and at expressions in the schedule's IANA time zone
(default UTC); rules always use UTC. On daylight saving
(https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst, AWS official, and the
"Daylight saving time" section of
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html): "When the time
shifts forward in Spring, your schedule invocation gets skipped if the cron expression falls on
a non-existent date and time. When the time shifts back in the Fall, your schedule runs only
once and doesn't repeat its invocation."

So a wall-clock time the clocks skip is no instant (:func:`local_to_instant` answers None) and a
wall-clock time the clocks repeat is one instant: the first (``fold=0``). AWS does not say which
of the two it picks: **streamlab choice**. streamlab applies the same two rules to ``at()``
(AWS states them for cron; **unverified** for at).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from sim.services.schedules.errors import (
    INVALID_TIMEZONE,
    ScheduleValidationException,
    constraint_message,
)
from sim.services.schedules.limits import TIMEZONE_MAX_LENGTH


def parse_timezone(name: object) -> tzinfo:
    """The zone a ScheduleExpressionTimezone names (an IANA name such as Europe/London)."""
    if not isinstance(name, str) or not name:
        raise ScheduleValidationException(
            INVALID_TIMEZONE.format(timezone=name),
            reason=f"expected an IANA time zone name such as 'Europe/London', found {name!r}",
            parameter="ScheduleExpressionTimezone",
            value=name,
        )
    if len(name) > TIMEZONE_MAX_LENGTH:
        raise ScheduleValidationException(
            constraint_message(
                name,
                "scheduleExpressionTimezone",
                f"Member must have length less than or equal to {TIMEZONE_MAX_LENGTH}",
            ),
            reason=f"a time zone name has at most {TIMEZONE_MAX_LENGTH} characters",
            parameter="ScheduleExpressionTimezone",
            value=name,
        )
    if name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, LookupError):  # ZoneInfoNotFoundError is a KeyError
        raise ScheduleValidationException(
            INVALID_TIMEZONE.format(timezone=name),
            reason=f"'{name}' is not an IANA time zone name (such as 'Europe/London' or 'UTC')",
            parameter="ScheduleExpressionTimezone",
            value=name,
        ) from None


def instant_to_local(instant: float, zone: tzinfo) -> datetime:
    """The wall-clock reading (naive) of epoch seconds ``instant`` in ``zone``."""
    return datetime.fromtimestamp(instant, zone).replace(tzinfo=None)


def local_to_instant(local: datetime, zone: tzinfo) -> float | None:
    """Epoch seconds of wall-clock ``local`` in ``zone``: None if the clocks skip it, the
    first of the two instants if they repeat it."""
    aware = local.replace(tzinfo=zone, fold=0)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        return None
    return aware.timestamp()
