"""The error a bad schedule raises: AWS's API answer plus the precise reason.

AWS answers every malformed expression with one terse text that never says what is wrong
("Parameter ScheduleExpression is not valid."), so :class:`ScheduleValidationException` carries
both: ``message`` is exactly what AWS's API answers (what a boto3 caller would see), ``reason``
is what streamlab found wrong, for a scenario's validation error.

Messages, with their sources (``[RECORDED]`` = recorded from AWS by a third party;
``[UNCONFIRMED]`` = AWS's exact text was not found, the wording is streamlab's):

* PutRule, any bad ScheduleExpression: ``Parameter ScheduleExpression is not valid.``
  [RECORDED] LocalStack's AWS-validated snapshots
  ``tests/aws/services/events/test_events_schedule.snapshot.json`` (recorded 2024-05 and
  2025-01, ``rate(1 minutes)``, ``rate(10 MINUTES)``, ``cron(0 1 * * * *)``, ``cron(71 8 1 * ? *)``
  ...); CloudTrail record quoted in buildkite/buildkite-agent-scaler#100 (``rate(3 minute)``).
* CreateSchedule, any bad ScheduleExpression: ``Invalid Schedule Expression <expression>.``
  [RECORDED] LocalStack's AWS-validated snapshot ``tests/aws/services/scheduler/
  test_scheduler.snapshot.json`` (recorded 2025-01-26: ``rate(10 seconds)``, ``cron()``,
  ``at(2021-12-31T23:59:59Z)`` ...).
* CreateSchedule StartDate too early: ``The StartDate you specify cannot be earlier than 5
  minutes ago.`` [RECORDED] as an AWS answer in getmoto/moto#8172.
* Member constraints (FlexibleTimeWindow mode and range, expression length): AWS's generic
  ``1 validation error detected: Value '<v>' at '<path>' failed to satisfy constraint: ...``
  wording with the limits of botocore's scheduler/events models. [UNCONFIRMED] for these two
  services (it is the wording of AWS's shared validation layer, as Firehose and Kinesis answer).
* ScheduleExpressionTimezone unknown, FLEXIBLE without MaximumWindowInMinutes (and OFF with
  one), EndDate not after StartDate, a target Input that is not JSON: [UNCONFIRMED] (see the
  constants below).
"""

from __future__ import annotations

from sim.errors import ValidationException

PUT_RULE_INVALID_EXPRESSION = "Parameter ScheduleExpression is not valid."

# [UNCONFIRMED] AWS's texts for these were not found; streamlab's wording.
INVALID_TIMEZONE = "Invalid ScheduleExpressionTimezone {timezone}."
FLEXIBLE_WINDOW_REQUIRED = (
    "MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE."
)
FLEXIBLE_WINDOW_NOT_ALLOWED = (
    "MaximumWindowInMinutes is not allowed when FlexibleTimeWindow Mode is OFF."
)
END_BEFORE_START = "The EndDate you specify must be later than the StartDate."
INPUT_NOT_JSON = "Input must be well-formed JSON for a Lambda target."

START_DATE_TOO_EARLY = "The StartDate you specify cannot be earlier than 5 minutes ago."


def create_schedule_invalid_expression(expression: str) -> str:
    """CreateSchedule's answer to a bad expression (it repeats the expression as written)."""
    return f"Invalid Schedule Expression {expression}."


def constraint_message(value: object, path: str, constraint: str) -> str:
    """AWS's generic member-constraint wording (see the module docstring)."""
    return (
        f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy "
        f"constraint: {constraint}"
    )


class ScheduleValidationException(ValidationException):
    """A schedule AWS would refuse: ``message`` is AWS's answer, ``reason`` says why.

    ``parameter`` names the request member at fault (``ScheduleExpression``,
    ``ScheduleExpressionTimezone``, ``FlexibleTimeWindow``, ``StartDate``, ``EndDate``,
    ``Input``), ``value`` is what was given.
    """

    def __init__(self, message: str, *, reason: str, parameter: str, value: object = None):
        super().__init__(message)
        self.reason = reason
        self.parameter = parameter
        self.value = value

    def __str__(self) -> str:
        return f"{self.code}: {self.message} ({self.parameter}: {self.reason})"


class ExpressionSyntaxError(ValueError):
    """Raised by the expression parsers; the service front ends turn it into AWS's answer."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
