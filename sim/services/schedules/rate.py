"""``rate(value unit)``: a fixed interval.

EventBridge rules (RATE: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html):
"value: A positive number. unit: ... minute | minutes | hour | hours | day | days. If the value
is equal to 1, then the unit must be singular. If the value is greater than 1, the unit must be
plural. For example, rate(1 hours) and rate(5 hour) aren't valid". Recorded against AWS
(LocalStack's validated ``test_put_rule_with_invalid_schedule_rate``): ``rate(10 MINUTES)``,
``rate( 10 minutes )``, ``rate(0 minutes)``, ``rate(-10 minutes)``, ``rate(foo minutes)``,
``rate(10)``, ``rate(10 seconds)`` are refused too, hence lower-case units and exactly one space.

EventBridge Scheduler documents ``minute | minutes | hour | hours | day | days`` in its API
reference, only plural forms in its user guide, and no agreement rule. Its own user guide uses
``rate(1 hour)`` (managing-schedule-flexible-time-windows.html) and Terraform's documented
Scheduler example is ``rate(1 hours)`` (hashicorp/terraform-provider-aws#31471, #31580), so
streamlab accepts either form for Scheduler (``agreement=False``): **unverified** whether AWS's
Scheduler refuses any mismatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sim.services.schedules.errors import ExpressionSyntaxError
from sim.services.schedules.limits import RATE_UNIT_SECONDS

_UNITS = ", ".join(RATE_UNIT_SECONDS)
_WHOLE_NUMBER = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class RateExpression:
    """A parsed ``rate(...)``; ``text`` is the expression as written."""

    text: str
    value: int
    unit: str

    @property
    def seconds(self) -> int:
        """The interval; a day is always 24 hours (Scheduler's documented DST rule)."""
        return self.value * RATE_UNIT_SECONDS[self.unit]


def parse_rate(text: str, body: str, *, agreement: bool) -> RateExpression:
    """Parse the part between ``rate(`` and ``)``; ``agreement`` enforces singular-for-1."""
    if body != body.strip() or "  " in body or re.search(r"[^\S ]", body):
        raise ExpressionSyntaxError(
            "rate() takes a value and a unit separated by one space, with no other spaces: "
            "rate(5 minutes)"
        )
    parts = body.split(" ")
    if len(parts) != 2:
        raise ExpressionSyntaxError(
            f"rate() takes a value and a unit ({_UNITS}), found '{body}': rate(5 minutes)"
        )
    value_text, unit = parts
    if not _WHOLE_NUMBER.match(value_text) or int(value_text) < 1:
        raise ExpressionSyntaxError(
            f"the value must be a positive whole number, found '{value_text}'"
        )
    if unit not in RATE_UNIT_SECONDS:
        hint = " (units are lower case)" if unit.lower() in RATE_UNIT_SECONDS else ""
        raise ExpressionSyntaxError(f"the unit must be one of {_UNITS}, found '{unit}'{hint}")
    value = int(value_text)
    if agreement:
        singular = unit.rstrip("s")
        if value == 1 and unit.endswith("s"):
            raise ExpressionSyntaxError(
                f"the unit must be singular when the value is 1: write rate(1 {singular})"
            )
        if value > 1 and not unit.endswith("s"):
            raise ExpressionSyntaxError(
                "the unit must be plural when the value is greater than 1: "
                f"write rate({value} {unit}s)"
            )
    return RateExpression(text=text, value=value, unit=unit)
