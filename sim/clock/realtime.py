"""Real time × speed: the same clock, pacing each step against the wall clock.

Like SimPy's ``rt.py``, this only overrides :meth:`step`. ``speed=1`` is wall-clock time;
``speed=60`` runs an hour of simulated time in a minute. Pacing uses ``time.monotonic``, which
time-machine leaves alone, so it keeps working while simulated time is bound to the process.
"""

from __future__ import annotations

import time

from time_machine import escape_hatch

from sim.clock.core import Clock


def wall_time() -> float:
    """The real epoch time, even while simulated time is bound to the process."""
    return escape_hatch.time.time() if escape_hatch.is_travelling() else time.time()


class RealtimeClock(Clock):
    def __init__(self, start: float = 0.0, speed: float = 1.0):
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        super().__init__(start)
        self.speed = speed
        self._wall_origin: float | None = None
        self._sim_origin = self._now
        self._epoch_origin = wall_time()

    def sync(self) -> None:
        """Restart pacing from here (call after a pause, e.g. before ``run``)."""
        self._wall_origin = time.monotonic()
        self._sim_origin = self._now
        self._epoch_origin = wall_time()

    def from_wall(self, epoch: float) -> float:
        """The clock's time at a wall-clock instant (epoch seconds), e.g. a timestamp an
        external backend stamped: the clock runs ``speed`` times as fast as the wall clock."""
        return self._sim_origin + (epoch - self._epoch_origin) * self.speed

    def to_wall(self, instant: float) -> float:
        """The wall-clock instant (epoch seconds) of the clock's time ``instant``."""
        return self._epoch_origin + (instant - self._sim_origin) / self.speed

    def rewind(self, to: float) -> None:
        raise RuntimeError("a real-time clock cannot go back: staged runs need simulated time")

    def step(self) -> None:
        if self._wall_origin is None:
            self.sync()
        target = self.peek()
        if target != float("inf"):
            wall_due = self._wall_origin + (target - self._sim_origin) / self.speed
            delay = wall_due - time.monotonic()
            while delay > 0 and not self._stop_requested:
                time.sleep(min(delay, 0.2))
                delay = wall_due - time.monotonic()
            if self._stop_requested:
                return
        super().step()
