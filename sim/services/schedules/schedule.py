"""A schedule: when it fires, when its target is invoked, and with what payload.

:class:`RuleSchedule` is an EventBridge scheduled rule (PutRule ``ScheduleExpression`` plus one
target's ``Input``); :class:`SchedulerSchedule` is an EventBridge Scheduler schedule
(CreateSchedule). Times are epoch seconds.

When each first fires (see docs/schedules.md for the sources):

* rule, ``rate()``: one period after the minute the rule was created, then every period. AWS:
  "A rate expression starts when you create the scheduled event rule, and then it runs on a
  defined schedule" (eb-rate-expressions.html) and "the minimum precision for a schedule is one
  minute" (eb-create-rule-schedule.md). That the first invocation comes one period after
  creation rather than at creation is **unverified** (AWS does not say).
* rule, ``cron()``: the first matching UTC minute at or after creation.
* Scheduler, ``rate()``: at StartDate, else at creation ("If you do not provide a StartDate for
  a rate-based schedule, your schedule starts invoking the target immediately", and StartDate
  "set[s] the first occurrence": schedule-types.html), then every period, seconds kept. Never
  before creation: with a StartDate in the past the first fire is the grid's first point after
  creation.
* Scheduler, ``cron()``: the first matching minute in ScheduleExpressionTimezone at or after the
  later of creation and StartDate.
* Scheduler, ``at()``: once, at that local time, if that is not before creation (a past
  ``at()`` never fires: **streamlab choice**); StartDate and EndDate are ignored ("EventBridge
  Scheduler ignores StartDate for one-time schedules", CreateSchedule).
* EndDate: "the date, in UTC, before which the schedule can invoke its target": fire times are
  strictly before it.

A target is invoked at the scheduled time, or with a FLEXIBLE window at a random offset in
``[0, window)`` after it (:mod:`.flexible`). AWS's own jitter within the minute ("it will invoke
the target API between 1:00:00 and 1:00:59", schedule-types.html; "there can be a delay of
several seconds", eb-create-rule-schedule.md) is not simulated.
"""

from __future__ import annotations

import json
import math
import random
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from sim.services.schedules import limits, payloads
from sim.services.schedules.at import AtExpression
from sim.services.schedules.errors import (
    END_BEFORE_START,
    INPUT_NOT_JSON,
    START_DATE_TOO_EARLY,
    ScheduleValidationException,
    constraint_message,
)
from sim.services.schedules.expressions import (
    Expression,
    parse_rule_expression,
    parse_scheduler_expression,
)
from sim.services.schedules.flexible import FlexibleTimeWindow
from sim.services.schedules.rate import RateExpression
from sim.services.schedules.timing import at_instant, cron_fire_from, rate_fire_from
from sim.services.schedules.zones import parse_timezone


class Schedule(ABC):
    """What :class:`.driver.ScheduleDriver` needs from a schedule."""

    expression: Expression
    arn: str
    created_at: float
    _earliest: float  # no fire before this (inclusive)
    _end: float | None  # no fire at or after this

    # -- firing times ---------------------------------------------------------------------------
    def next_fire(self, after: float) -> float | None:
        """The first fire time strictly after ``after``, or None when there is none."""
        if after < self._earliest:
            fire = self._fire_from(self._earliest, inclusive=True)
        else:
            fire = self._fire_from(after, inclusive=False)
        if fire is None or (self._end is not None and fire >= self._end):
            return None
        return fire

    def first_fire(self, at_or_after: float) -> float | None:
        """The first fire time at or after ``at_or_after``."""
        start = max(at_or_after, self._earliest)
        fire = self._fire_from(start, inclusive=True)
        if fire is None or (self._end is not None and fire >= self._end):
            return None
        return fire

    def fire_times(self, start: float, end: float) -> Iterator[float]:
        """Every fire time in ``[start, end)``, in order."""
        fire = self.first_fire(start)
        while fire is not None and fire < end:
            yield fire
            fire = self.next_fire(fire)

    @abstractmethod
    def _fire_from(self, t: float, *, inclusive: bool) -> float | None: ...

    # -- invocation -----------------------------------------------------------------------------
    def invocation_time(self, scheduled_time: float, rng: random.Random) -> float:
        """When the target is invoked for the fire at ``scheduled_time``."""
        return scheduled_time

    @abstractmethod
    def payload(self, scheduled_time: float, rng: random.Random) -> Any:
        """The event the target (a Lambda function) receives for this fire."""


class RuleSchedule(Schedule):
    """An EventBridge scheduled rule on the default bus, in UTC, and one target's ``Input``."""

    def __init__(
        self,
        expression: str,
        *,
        name: str,
        created_at: float,
        region: str,
        account: str,
        target_input: str | None = None,
        partition: str = "aws",
    ):
        self.expression = parse_rule_expression(expression)
        self.name = name
        self.region = region
        self.account = account
        self.arn = payloads.rule_arn(name, region=region, account=account, partition=partition)
        self.created_at = float(created_at)
        self.target_input = _check_rule_input(target_input)
        self._end = None
        if isinstance(self.expression, RateExpression):
            self._anchor = math.floor(self.created_at / 60) * 60.0
            self._earliest = self._anchor + self.expression.seconds
        else:
            self._earliest = self.created_at

    def _fire_from(self, t: float, *, inclusive: bool) -> float | None:
        if isinstance(self.expression, RateExpression):
            return rate_fire_from(self._anchor, self.expression.seconds, t, inclusive=inclusive)
        return cron_fire_from(self.expression, UTC, t, inclusive=inclusive)

    def event(self, scheduled_time: float, rng: random.Random) -> dict[str, Any]:
        """The rule's "Scheduled Event" for this fire (what a target without Input gets)."""
        return payloads.scheduled_event(
            resource_arn=self.arn,
            region=self.region,
            account=self.account,
            scheduled_time=scheduled_time,
            rng=rng,
        )

    def payload(self, scheduled_time: float, rng: random.Random) -> Any:
        """The event, or the target's constant ``Input`` in its place."""
        return payloads.rule_target_payload(self.event(scheduled_time, rng), self.target_input)


class SchedulerSchedule(Schedule):
    """An EventBridge Scheduler schedule with a Lambda target (CreateSchedule)."""

    def __init__(
        self,
        expression: str,
        *,
        name: str,
        created_at: float,
        region: str,
        account: str,
        group: str = "default",
        timezone: str = limits.DEFAULT_TIMEZONE,
        start_date: float | datetime | None = None,
        end_date: float | datetime | None = None,
        flexible_time_window: FlexibleTimeWindow | Mapping[str, Any] | None = None,
        target_input: str | None = None,
        partition: str = "aws",
    ):
        self.expression = parse_scheduler_expression(expression)
        self.zone: tzinfo = parse_timezone(timezone)
        self.timezone = timezone
        if isinstance(flexible_time_window, FlexibleTimeWindow):
            self.flexible_time_window = flexible_time_window
        else:
            self.flexible_time_window = FlexibleTimeWindow.from_api(flexible_time_window)
        self.name = name
        self.group = group
        self.region = region
        self.account = account
        self.arn = payloads.schedule_arn(
            name, region=region, account=account, group=group, partition=partition
        )
        self.created_at = float(created_at)
        self.start_date = _epoch(start_date, "StartDate")
        self.end_date = _epoch(end_date, "EndDate")
        self.target_input = _check_scheduler_input(target_input, self.arn)
        if isinstance(self.expression, AtExpression):
            self._at = at_instant(self.expression, self.zone)
            self._earliest, self._end = self.created_at, None
            return
        self._check_dates()
        self._earliest = max(self.created_at, self.start_date or self.created_at)
        self._end = self.end_date
        self._anchor = self.created_at if self.start_date is None else self.start_date

    def _check_dates(self) -> None:
        start, end = self.start_date, self.end_date
        if start is not None and start < self.created_at - limits.START_DATE_MAX_AGE_SECONDS:
            raise ScheduleValidationException(
                START_DATE_TOO_EARLY,
                reason=f"StartDate {payloads.event_time(start)} is more than 5 minutes before "
                f"the schedule's creation at {payloads.event_time(self.created_at)}",
                parameter="StartDate",
                value=start,
            )
        if start is not None and end is not None and end <= start:
            raise ScheduleValidationException(
                END_BEFORE_START,
                reason=f"EndDate {payloads.event_time(end)} is not after StartDate "
                f"{payloads.event_time(start)}",
                parameter="EndDate",
                value=end,
            )

    def _fire_from(self, t: float, *, inclusive: bool) -> float | None:
        expression = self.expression
        if isinstance(expression, AtExpression):
            at = self._at
            if at is None or at < self.created_at:
                return None
            return at if (at > t or (inclusive and at == t)) else None
        if isinstance(expression, RateExpression):
            return rate_fire_from(self._anchor, expression.seconds, t, inclusive=inclusive)
        return cron_fire_from(expression, self.zone, t, inclusive=inclusive)

    def invocation_time(self, scheduled_time: float, rng: random.Random) -> float:
        return scheduled_time + self.flexible_time_window.offset(rng)

    def payload(self, scheduled_time: float, rng: random.Random, attempt: int = 1) -> Any:
        if self.target_input is None:
            return payloads.scheduled_event(
                resource_arn=self.arn,
                region=self.region,
                account=self.account,
                scheduled_time=scheduled_time,
                rng=rng,
                source=payloads.SCHEDULER_EVENT_SOURCE,
                detail=payloads.SCHEDULER_DEFAULT_DETAIL,
            )
        context = payloads.scheduler_context(
            schedule_arn=self.arn,
            scheduled_time=scheduled_time,
            execution_id=payloads.execution_id(rng),
            attempt_number=attempt,
        )
        return json.loads(payloads.render_scheduler_input(self.target_input, context))


def _epoch(value: float | datetime | None, parameter: str) -> float | None:
    """StartDate/EndDate as epoch seconds (a programming error, not AWS input, if neither)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{parameter} must be an aware datetime (a UTC instant): {value}")
        return value.timestamp()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{parameter} must be epoch seconds or an aware datetime: {value!r}")
    return float(value)


def _check_rule_input(target_input: str | None) -> str | None:
    if target_input is None:
        return None
    if len(target_input) > limits.RULE_TARGET_INPUT_MAX_LENGTH:
        raise ScheduleValidationException(
            constraint_message(
                "...",
                "targets.1.member.input",
                "Member must have length less than or equal to "
                f"{limits.RULE_TARGET_INPUT_MAX_LENGTH}",
            ),
            reason=f"a target's Input has at most {limits.RULE_TARGET_INPUT_MAX_LENGTH} "
            f"characters, found {len(target_input)}",
            parameter="Input",
            value=target_input,
        )
    try:
        json.loads(target_input)
    except ValueError as error:
        raise ScheduleValidationException(
            INPUT_NOT_JSON,
            reason=f"a target's Input is JSON text, and this is not: {error}",
            parameter="Input",
            value=target_input,
        ) from None
    return target_input


def _check_scheduler_input(target_input: str | None, arn: str) -> str | None:
    if target_input is None:
        return None
    sample = payloads.scheduler_context(
        schedule_arn=arn, scheduled_time=0.0, execution_id="0" * 16, attempt_number=1
    )
    try:
        json.loads(payloads.render_scheduler_input(target_input, sample))
    except ValueError as error:
        raise ScheduleValidationException(
            INPUT_NOT_JSON,
            reason="a Lambda target's Input must be well-formed JSON (after the "
            f"<aws.scheduler.*> context attributes are filled in), and this is not: {error}",
            parameter="Input",
            value=target_input,
        ) from None
    return target_input
