"""When an expression fires, as epoch seconds: the arithmetic under :mod:`.schedule`.

Each function answers the first fire time at or after ``t`` (``inclusive``) or strictly after
it, ignoring the schedule's own bounds (creation, StartDate, EndDate), which
:class:`.schedule.Schedule` applies.
"""

from __future__ import annotations

import math
from datetime import timedelta, tzinfo

from sim.services.schedules.at import AtExpression
from sim.services.schedules.cron import CronExpression
from sim.services.schedules.zones import instant_to_local, local_to_instant

_MINUTE = timedelta(minutes=1)


def _after(candidate: float, t: float, inclusive: bool) -> bool:
    return candidate > t or (inclusive and candidate == t)


def rate_fire_from(anchor: float, period: float, t: float, *, inclusive: bool) -> float:
    """The grid ``anchor + k * period`` (k >= 0): its first point at/after ``t``."""
    if t < anchor:
        return anchor
    k = math.ceil((t - anchor) / period)
    while k > 0 and _after(anchor + (k - 1) * period, t, inclusive):
        k -= 1  # guard against float rounding in the division
    while not _after(anchor + k * period, t, inclusive):
        k += 1
    return anchor + k * period


def cron_fire_from(
    expression: CronExpression, zone: tzinfo, t: float, *, inclusive: bool
) -> float | None:
    """The first instant at/after ``t`` whose wall-clock minute in ``zone`` the expression
    names; wall-clock minutes the clocks skip never fire, repeated ones fire once (first)."""
    local = instant_to_local(t, zone)
    candidate = local.replace(second=0, microsecond=0)
    if candidate != local or not inclusive:
        candidate += _MINUTE
    while True:
        match = expression.next_local(candidate)
        if match is None:
            return None
        instant = local_to_instant(match, zone)
        if instant is not None and _after(instant, t, inclusive):
            return instant
        candidate = match + _MINUTE


def at_instant(expression: AtExpression, zone: tzinfo) -> float | None:
    """The one instant an ``at()`` names in ``zone`` (None if the clocks skip it)."""
    return local_to_instant(expression.local, zone)
