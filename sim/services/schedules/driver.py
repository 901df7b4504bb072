"""Puts a schedule's firings on a clock and calls back at each invocation.

Cheap for long runs: one timer for the next scheduled time is pending at a time; when it goes
off, the driver arms the following one. With a flexible window the invocation is a second
timer at ``scheduled + offset``; as a window may be longer than the period, several invocations
can be pending at once, each independent of the arming of the next fire.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Protocol

from sim.services.schedules.schedule import Schedule


class _Timer(Protocol):
    when: float

    def cancel(self) -> None: ...


class ClockLike(Protocol):
    """What the driver needs of :class:`sim.clock.Clock`."""

    @property
    def now(self) -> float: ...

    def call_at(self, when: float, fn: Callable[..., Any], *args: Any) -> _Timer: ...


class ScheduleDriver:
    """Calls ``fire(scheduled_time, event)`` at each invocation of ``schedule`` on ``clock``.

    Fire times are those in ``[start, end)`` (``end`` None: no end); an invocation that a
    flexible window puts after ``end`` still happens. ``rng`` draws the flexible offsets and the
    events' ids. ``cancel()`` stops everything still pending.
    """

    def __init__(
        self,
        clock: ClockLike,
        schedule: Schedule,
        fire: Callable[[float, Any], None],
        *,
        start: float,
        end: float | None = None,
        rng: random.Random,
    ):
        if start < clock.now:
            raise ValueError(f"start ({start}) is before the clock's now ({clock.now})")
        if end is not None and end < start:
            raise ValueError(f"end ({end}) is before start ({start})")
        self.clock = clock
        self.schedule = schedule
        self._fire = fire
        self.start = start
        self.end = end
        self.rng = rng
        self.invocations = 0
        self.cancelled = False
        self.next_fire: float | None = None
        self._timers: list[_Timer] = []
        self._arm(schedule.first_fire(start))

    def cancel(self) -> None:
        self.cancelled = True
        self.next_fire = None
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    def _arm(self, scheduled: float | None) -> None:
        if scheduled is None or (self.end is not None and scheduled >= self.end):
            self.next_fire = None
            return
        self.next_fire = scheduled
        self._keep(self.clock.call_at(scheduled, self._on_scheduled, scheduled))

    def _keep(self, timer: _Timer) -> None:
        now = self.clock.now
        self._timers = [t for t in self._timers if t.when >= now]
        self._timers.append(timer)

    def _on_scheduled(self, scheduled: float) -> None:
        if self.cancelled:
            return
        invoke_at = self.schedule.invocation_time(scheduled, self.rng)
        # arm the next fire first, so a callback that raises does not end the schedule
        self._arm(self.schedule.next_fire(scheduled))
        if invoke_at <= self.clock.now:
            self._invoke(scheduled)
        else:
            self._keep(self.clock.call_at(invoke_at, self._invoke, scheduled))

    def _invoke(self, scheduled: float) -> None:
        if self.cancelled:
            return
        event = self.schedule.payload(scheduled, self.rng)
        self.invocations += 1
        self._fire(scheduled, event)
