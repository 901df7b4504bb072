"""EventBridge Scheduler's FlexibleTimeWindow.

"Allows you to configure a time window during which EventBridge Scheduler invokes the
schedule" (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_FlexibleTimeWindow.html):
``Mode`` is ``OFF`` or ``FLEXIBLE``; ``MaximumWindowInMinutes`` is 1..1440 (botocore's model)
and is what a FLEXIBLE window needs. With a window, "EventBridge Scheduler invokes the target
within the time window" after the scheduled time
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-flexible-time-windows.html:
"if you configure a 15 minute flexible time window for a schedule that runs every hour, it
invokes the target within 15 minutes after the scheduled time");
streamlab draws the offset uniformly in ``[0, window)`` from the injected generator (AWS does not
say how it spreads invocations: **streamlab choice**).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from sim.services.schedules import limits
from sim.services.schedules.errors import (
    FLEXIBLE_WINDOW_NOT_ALLOWED,
    FLEXIBLE_WINDOW_REQUIRED,
    ScheduleValidationException,
    constraint_message,
)


@dataclass(frozen=True)
class FlexibleTimeWindow:
    """``mode`` OFF or FLEXIBLE; ``maximum_window_minutes`` exactly when FLEXIBLE."""

    mode: str = "OFF"
    maximum_window_minutes: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in limits.FLEXIBLE_MODES:
            raise _invalid(
                constraint_message(
                    self.mode,
                    "flexibleTimeWindow.mode",
                    "Member must satisfy enum value set: [OFF, FLEXIBLE]",
                ),
                f"Mode must be OFF or FLEXIBLE, found {self.mode!r}",
            )
        minutes = self.maximum_window_minutes
        if minutes is None:
            if self.mode == "FLEXIBLE":
                raise _invalid(
                    FLEXIBLE_WINDOW_REQUIRED,
                    "a FLEXIBLE window needs MaximumWindowInMinutes (1 to 1440)",
                )
            return
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise _invalid(  # botocore's client-side ParamValidationError wording
                "Invalid type for parameter FlexibleTimeWindow.MaximumWindowInMinutes, value: "
                f"{minutes!r}, type: {type(minutes)}, valid types: <class 'int'>",
                f"MaximumWindowInMinutes must be a whole number of minutes, found {minutes!r}",
            )
        if minutes < limits.FLEXIBLE_WINDOW_MIN_MINUTES:
            raise _invalid(
                constraint_message(
                    minutes,
                    "flexibleTimeWindow.maximumWindowInMinutes",
                    "Member must have value greater than or equal to "
                    f"{limits.FLEXIBLE_WINDOW_MIN_MINUTES}",
                ),
                f"MaximumWindowInMinutes is {limits.FLEXIBLE_WINDOW_MIN_MINUTES} to "
                f"{limits.FLEXIBLE_WINDOW_MAX_MINUTES}, found {minutes}",
            )
        if minutes > limits.FLEXIBLE_WINDOW_MAX_MINUTES:
            raise _invalid(
                constraint_message(
                    minutes,
                    "flexibleTimeWindow.maximumWindowInMinutes",
                    "Member must have value less than or equal to "
                    f"{limits.FLEXIBLE_WINDOW_MAX_MINUTES}",
                ),
                f"MaximumWindowInMinutes is {limits.FLEXIBLE_WINDOW_MIN_MINUTES} to "
                f"{limits.FLEXIBLE_WINDOW_MAX_MINUTES}, found {minutes}",
            )
        if self.mode == "OFF":
            raise _invalid(
                FLEXIBLE_WINDOW_NOT_ALLOWED,
                "MaximumWindowInMinutes goes with Mode FLEXIBLE; with OFF leave it out",
            )

    @classmethod
    def from_api(cls, value: Mapping[str, object] | None) -> FlexibleTimeWindow:
        """From CreateSchedule's ``{"Mode": ..., "MaximumWindowInMinutes": ...}``."""
        if value is None:
            return cls()
        if "Mode" not in value:
            raise _invalid(
                constraint_message(None, "flexibleTimeWindow.mode", "Member must not be null"),
                "FlexibleTimeWindow needs Mode (OFF or FLEXIBLE)",
            )
        return cls(str(value["Mode"]), value.get("MaximumWindowInMinutes"))  # type: ignore[arg-type]

    @property
    def window_seconds(self) -> float:
        return 0.0 if self.maximum_window_minutes is None else 60.0 * self.maximum_window_minutes

    def offset(self, rng: random.Random) -> float:
        """Seconds after the scheduled time at which the target is invoked: 0 when OFF, else
        uniform in ``[0, window)``."""
        if self.mode == "OFF":
            return 0.0
        return rng.random() * self.window_seconds


def _invalid(message: str, reason: str) -> ScheduleValidationException:
    return ScheduleValidationException(message, reason=reason, parameter="FlexibleTimeWindow")
