"""Every schedule limit streamlab enforces, as a named constant with its source.

Sources (short names used below):

* CRON: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
  (older copy: awsdocs/amazon-eventbridge-user-guide ``doc_source/eb-create-rule-schedule.md``)
* RATE: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
* TYPES: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
* CREATE: https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
* BOTOCORE: botocore's ``events`` and ``scheduler`` service models (min/max of the shapes).
"""

from __future__ import annotations

# -- cron fields (CRON: "Cron expressions have six required fields") ---------------------------
MINUTE_MIN, MINUTE_MAX = 0, 59
HOUR_MIN, HOUR_MAX = 0, 23
DAY_OF_MONTH_MIN, DAY_OF_MONTH_MAX = 1, 31
MONTH_MIN, MONTH_MAX = 1, 12  # or JAN-DEC
DAY_OF_WEEK_MIN, DAY_OF_WEEK_MAX = 1, 7  # or SUN-SAT; 1 = Sunday
YEAR_MIN, YEAR_MAX = 1970, 2199
# '#': "3#2 would be the second Tuesday of the month" (CRON); a month has at most five of any
# weekday, so the instance is 1..5 (as in Quartz, whose dialect AWS's resembles).
NTH_WEEKDAY_MIN, NTH_WEEKDAY_MAX = 1, 5

# -- rate (RATE: unit minute | minutes | hour | hours | day | days) ---------------------------
RATE_UNIT_SECONDS = {
    "minute": 60,
    "minutes": 60,
    "hour": 3600,
    "hours": 3600,
    "day": 86400,  # TYPES: "days represents a 24-hour duration", whatever DST does to the day
    "days": 86400,
}

# -- request members (BOTOCORE) ---------------------------------------------------------------
# PutRule ScheduleExpression max 256; CreateSchedule ScheduleExpression 1..256.
SCHEDULE_EXPRESSION_MAX_LENGTH = 256
# CreateSchedule ScheduleExpressionTimezone 1..50.
TIMEZONE_MAX_LENGTH = 50
# FlexibleTimeWindow.MaximumWindowInMinutes 1..1440; Mode OFF | FLEXIBLE.
FLEXIBLE_WINDOW_MIN_MINUTES = 1
FLEXIBLE_WINDOW_MAX_MINUTES = 1440
FLEXIBLE_MODES = ("OFF", "FLEXIBLE")
# PutTargets Target.Input max 8192 characters.
RULE_TARGET_INPUT_MAX_LENGTH = 8192

# -- time ------------------------------------------------------------------------------------
# Rules: "the minimum precision for a schedule is one minute" (eb-create-rule-schedule.md).
# Scheduler: "All schedule types on EventBridge Scheduler invoke their targets with 60 second
# precision" (TYPES).
PRECISION_SECONDS = 60
# CreateSchedule: "The StartDate you specify cannot be earlier than 5 minutes ago." (AWS's
# answer as recorded in getmoto/moto#8172.)
START_DATE_MAX_AGE_SECONDS = 5 * 60
# Rules are evaluated in UTC ("All scheduled events use UTC+0 time zone"); Scheduler's default
# ScheduleExpressionTimezone is UTC (TYPES).
DEFAULT_TIMEZONE = "UTC"
