"""EventBridge scheduled rules and EventBridge Scheduler schedules, on the simulated clock.

What is simulated (details, sources and differences from AWS: docs/schedules.md):

* Expressions, validated as AWS validates them, with AWS's answer and a precise reason:
  rules (PutRule) take ``rate(value unit)`` (singular unit exactly when the value is 1) and
  ``cron(minutes hours day-of-month month day-of-week year)`` in UTC; Scheduler (CreateSchedule)
  also takes ``at(yyyy-mm-ddThh:mm:ss)``, evaluates cron and at in ``ScheduleExpressionTimezone``
  (IANA names; a wall-clock time skipped by daylight saving never fires, a repeated one fires
  once), and has ``StartDate``, ``EndDate`` and ``FlexibleTimeWindow``.
* Fire times: ``next_fire(after)``, ``first_fire(at_or_after)``, ``fire_times(start, end)``.
* Payloads: a rule's "Scheduled Event" (or the target's constant ``Input``); Scheduler's
  ``Input`` with its ``<aws.scheduler.*>`` context attributes filled in, or its default
  notification.
* :class:`ScheduleDriver` puts the firings on a clock (``sim.clock.Clock``) and calls
  ``fire(scheduled_time, event)`` at each invocation (flexible windows: a random offset in
  ``[0, window)`` from the injected generator).

Public API::

    from sim.services.schedules import (
        RuleSchedule, SchedulerSchedule, ScheduleDriver, FlexibleTimeWindow,
        ScheduleValidationException, parse_rule_expression, parse_scheduler_expression,
    )

    rule = RuleSchedule("rate(5 minutes)", name="tick", created_at=clock.now,
                        region="us-east-1", account="123456789012", target_input=None)
    schedule = SchedulerSchedule("cron(0 9 ? * MON-FRI *)", name="report",
                                 created_at=clock.now, region="us-east-1",
                                 account="123456789012", timezone="Europe/London",
                                 start_date=None, end_date=None,
                                 flexible_time_window={"Mode": "FLEXIBLE",
                                                       "MaximumWindowInMinutes": 15},
                                 target_input='{"at": "<aws.scheduler.scheduled-time>"}')
    rule.next_fire(after) -> float | None          # epoch seconds, strictly after `after`
    rule.first_fire(at_or_after) -> float | None
    rule.fire_times(start, end) -> Iterator[float]  # [start, end)
    schedule.invocation_time(scheduled, rng) -> float
    schedule.payload(scheduled, rng) -> Any         # what the Lambda function receives
    driver = ScheduleDriver(clock, rule, fire, start=clock.now, end=None, rng=rng)
    driver.cancel(); driver.invocations; driver.next_fire

    try:
        parse_rule_expression("rate(1 hours)")
    except ScheduleValidationException as error:
        error.message  # "Parameter ScheduleExpression is not valid."  (AWS's answer)
        error.reason   # "the unit must be singular when the value is 1: write rate(1 hour)"

Lower level: :mod:`.cron` (``CronExpression.next_local``), :mod:`.rate`, :mod:`.at`,
:mod:`.zones`, :mod:`.timing`, :mod:`.payloads` (``scheduled_event``, ``rule_arn``,
``schedule_arn``, ``rule_target_payload``, ``render_scheduler_input``, ``scheduler_context``;
a rule with several targets: ``rule.event(scheduled, rng)`` once, then ``rule_target_payload(
event, target_input)`` per target), :mod:`.limits`,
:mod:`.errors` (AWS's messages with their sources).
"""

from sim.services.schedules.at import AtExpression
from sim.services.schedules.cron import CronExpression
from sim.services.schedules.driver import ScheduleDriver
from sim.services.schedules.errors import (
    PUT_RULE_INVALID_EXPRESSION,
    ScheduleValidationException,
    create_schedule_invalid_expression,
)
from sim.services.schedules.expressions import (
    Expression,
    parse_rule_expression,
    parse_scheduler_expression,
)
from sim.services.schedules.flexible import FlexibleTimeWindow
from sim.services.schedules.payloads import (
    render_scheduler_input,
    rule_arn,
    rule_target_payload,
    schedule_arn,
    scheduled_event,
    scheduler_context,
)
from sim.services.schedules.rate import RateExpression
from sim.services.schedules.schedule import RuleSchedule, Schedule, SchedulerSchedule

__all__ = [
    "PUT_RULE_INVALID_EXPRESSION",
    "AtExpression",
    "CronExpression",
    "Expression",
    "FlexibleTimeWindow",
    "RateExpression",
    "RuleSchedule",
    "Schedule",
    "ScheduleDriver",
    "ScheduleValidationException",
    "SchedulerSchedule",
    "create_schedule_invalid_expression",
    "parse_rule_expression",
    "parse_scheduler_expression",
    "render_scheduler_input",
    "rule_arn",
    "rule_target_payload",
    "schedule_arn",
    "scheduled_event",
    "scheduler_context",
]
