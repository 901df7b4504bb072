"""When a fault acts: a window of simulated time, and at most ``count`` affected requests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Reach:
    """A fault's reach: from ``start`` until ``end`` (epoch seconds, end exclusive), for at most
    ``remaining`` affected requests (None: no limit).

    A fault reads the clock each time it is asked, so a run in passes (Flink stages rewind the
    clock) finds it active again in each pass, while a ``count`` is used once for the whole run.
    When the run ends the clock stands at its end, where no fault is active: the expectations
    and the export read the stored state undisturbed. ``lock`` makes "is it active, then use
    one" atomic for callers on several threads (HTTP requests to the endpoint, the simulation).
    """

    def __init__(
        self, now: Callable[[], float], start: float, end: float, count: int | None
    ) -> None:
        self.now = now
        self.start = start
        self.end = end
        self.remaining = count
        self.lock = threading.Lock()

    @classmethod
    def of(cls, spec: Any, now: Callable[[], float], origin: float, horizon: float) -> Reach:
        """The reach of a fault spec (``start``, ``end``, ``count`` offsets from ``origin``);
        without an end it lasts until ``horizon``, the end of the run."""
        end = horizon if spec.end is None else origin + spec.end
        return cls(now, origin + spec.start, end, spec.count)

    def active(self, at: float | None = None) -> bool:
        """Whether the fault acts at ``at`` (default: now). Call with :attr:`lock` held."""
        when = self.now() if at is None else at
        return self.start <= when < self.end and (self.remaining is None or self.remaining > 0)

    def use(self) -> None:
        """One affected request (call with :attr:`lock` held, after :meth:`active`)."""
        if self.remaining is not None:
            self.remaining -= 1
