"""What drives a Firehose: ``now()`` and ``call_at(when, fn)``, given by whoever runs it.

* :class:`ClockScheduler`: a run's simulated clock (``sim.clock.Clock``); callbacks run on the
  clock's thread, between its other events, so buffers flush at exact simulated instants.
* :class:`WallScheduler`: outside a run (the endpoint between runs, a plain ``EmbeddedBackend``):
  ``time.time`` and a daemon ``threading.Timer`` per pending tick.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol


class Handle(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    def now(self) -> float: ...

    def call_at(self, when: float, fn: Callable[[], Any]) -> Handle: ...


class ClockScheduler:
    def __init__(self, clock: Any) -> None:
        self.clock = clock

    def now(self) -> float:
        return self.clock.now

    def call_at(self, when: float, fn: Callable[[], Any]) -> Handle:
        return self.clock.call_at(max(when, self.clock.now), fn)


class WallScheduler:
    def __init__(self, now: Callable[[], float] | None = None) -> None:
        self._now = now if now is not None else (lambda: time.time())

    def now(self) -> float:
        return self._now()

    def call_at(self, when: float, fn: Callable[[], Any]) -> Handle:
        timer = threading.Timer(max(0.0, when - self._now()), fn)
        timer.daemon = True
        timer.name = "streamlab-firehose"
        timer.start()
        return timer
