"""Binds simulated time to the process, so code under simulation sees it.

While bound, ``datetime.now()``, ``datetime.utcnow()``, ``time.time()`` and friends return the
clock's time in every thread (time-machine patches them at the C level). ``time.monotonic`` and
``time.perf_counter`` stay real, so timeouts and pacing still measure wall time. This is the one
place that moves process time; nothing else calls time-machine.
"""

from __future__ import annotations

import time_machine

from sim.clock.core import Clock


class ProcessTime:
    """Context manager: process time follows ``clock.now`` until exit."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._traveller: time_machine.travel | None = None
        self._coordinates = None

    def __enter__(self) -> ProcessTime:
        self._traveller = time_machine.travel(self.clock.now, tick=False)
        self._coordinates = self._traveller.start()
        self.clock.on_advance(self._move)
        return self

    def _move(self, now: float) -> None:
        self._coordinates.move_to(now)

    def __exit__(self, *exc: object) -> None:
        self.clock.remove_advance_listener(self._move)
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None


class TickingTime:
    """Process time that starts at ``start`` (epoch seconds) and then runs with the wall clock.

    The endpoint uses it between runs: after a scenario, its state stays at the scenario's end
    time and keeps ageing in real time (iterators expire, retention trims) while users explore.
    """

    def __init__(self, start: float):
        self._traveller = time_machine.travel(start, tick=True)

    def __enter__(self) -> TickingTime:
        self._traveller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._traveller.stop()
