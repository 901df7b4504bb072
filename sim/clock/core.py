"""A small discrete-event core in the manner of SimPy.

The :class:`Clock` keeps a heap of ``(time, priority, sequence, action)``; the sequence number
breaks ties, so a run is deterministic. ``step()`` pops one entry and runs it; ``run(until=…)``
stops at a time or when an event fires. Time is a float of **seconds since the Unix epoch**, so
``clock.now`` can stamp records directly.

Two ways to put behaviour on the clock:

* callbacks: ``clock.call_at(t, fn, *args)`` / ``clock.call_later(d, fn, *args)`` return a
  :class:`Timer` that can be cancelled. Cheapest; used by the hot paths (polling, producers).
* processes: ``clock.process(generator)`` runs a generator that yields events
  (``clock.timeout(d)``, another process, ``clock.event()``) and resumes when they fire.

Nothing fails silently: an event that fails with nobody waiting on it, or a callback that raises,
stops ``run()`` with that exception.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator
from itertools import count
from typing import Any

URGENT = 0
NORMAL = 1

_PENDING = object()


class Event:
    """Something that happens at one instant; callbacks run when it is processed."""

    __slots__ = ("clock", "callbacks", "_value", "_ok", "_defused")

    def __init__(self, clock: Clock):
        self.clock = clock
        self.callbacks: list[Callable[[Event], None]] | None = []
        self._value: Any = _PENDING
        self._ok = True
        self._defused = False

    @property
    def triggered(self) -> bool:
        return self._value is not _PENDING

    @property
    def processed(self) -> bool:
        return self.callbacks is None

    @property
    def ok(self) -> bool:
        return self._ok

    @property
    def value(self) -> Any:
        if self._value is _PENDING:
            raise RuntimeError(f"value of {self!r} is not yet available")
        return self._value

    def succeed(self, value: Any = None) -> Event:
        if self._value is not _PENDING:
            raise RuntimeError(f"{self!r} has already been triggered")
        self._ok = True
        self._value = value
        self.clock._schedule(self, NORMAL, 0.0)
        return self

    def fail(self, exception: BaseException) -> Event:
        if self._value is not _PENDING:
            raise RuntimeError(f"{self!r} has already been triggered")
        if not isinstance(exception, BaseException):
            raise TypeError(f"{exception!r} is not an exception")
        self._ok = False
        self._value = exception
        self.clock._schedule(self, NORMAL, 0.0)
        return self

    def _fire(self) -> None:
        callbacks, self.callbacks = self.callbacks, None
        for callback in callbacks or ():
            callback(self)
        if not self._ok and not self._defused:
            raise self._value


class Timeout(Event):
    """An event that succeeds ``delay`` seconds after it is created."""

    __slots__ = ("delay",)

    def __init__(self, clock: Clock, delay: float, value: Any = None):
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        super().__init__(clock)
        self.delay = delay
        self._value = value
        clock._schedule(self, NORMAL, delay)

    def __repr__(self) -> str:
        return f"<Timeout {self.delay}>"


class Process(Event):
    """Runs a generator; the process is itself an event that fires when the generator ends."""

    __slots__ = ("_generator", "_target", "name")

    def __init__(self, clock: Clock, generator: Generator[Event, Any, Any], name: str = ""):
        if not hasattr(generator, "throw"):
            raise ValueError(f"{generator!r} is not a generator")
        super().__init__(clock)
        self._generator = generator
        self._target: Event | None = None
        self.name = name or getattr(generator, "__name__", "process")
        start = Event(clock)
        start.callbacks.append(self._resume)
        start._value = None
        clock._schedule(start, URGENT, 0.0)
        self._target = start

    def __repr__(self) -> str:
        return f"<Process {self.name}>"

    @property
    def is_alive(self) -> bool:
        return self._value is _PENDING

    def interrupt(self, cause: Any = None) -> None:
        """Throw :class:`Interrupt` into the process at the current instant."""
        if not self.is_alive:
            raise RuntimeError(f"{self!r} has terminated and cannot be interrupted")
        interruption = Event(self.clock)
        interruption._ok = False
        interruption._value = Interrupt(cause)
        interruption._defused = True
        interruption.callbacks.append(self._resume)
        self.clock._schedule(interruption, URGENT, 0.0)

    def _resume(self, event: Event) -> None:
        if self._value is not _PENDING:
            return
        if event is not self._target and self._target is not None:
            # woken by an interrupt: stop waiting for the event it was waiting on
            callbacks = self._target.callbacks
            if callbacks is not None and self._resume in callbacks:
                callbacks.remove(self._resume)
        while True:
            try:
                if event._ok:
                    event = self._generator.send(event._value)
                else:
                    event._defused = True
                    event = self._generator.throw(event._value)
            except StopIteration as stop:
                self._target = None
                self._ok = True
                self._value = stop.value
                self.clock._schedule(self, NORMAL, 0.0)
                return
            except BaseException as exc:  # the process failed: whoever waits on it sees it
                self._target = None
                self._ok = False
                self._value = exc
                self.clock._schedule(self, NORMAL, 0.0)
                return
            if not isinstance(event, Event):
                error = TypeError(f"{self!r} yielded {event!r}, which is not an event")
                self._generator.close()
                self._target = None
                self._ok = False
                self._value = error
                self.clock._schedule(self, NORMAL, 0.0)
                return
            if event.callbacks is not None:
                event.callbacks.append(self._resume)
                self._target = event
                return
            # already processed: continue at once with its value


class Interrupt(Exception):
    """Thrown into a process by :meth:`Process.interrupt`."""

    @property
    def cause(self) -> Any:
        return self.args[0]


class Timer:
    """A scheduled callback; ``cancel()`` stops it from running."""

    __slots__ = ("when", "fn", "args", "cancelled")

    def __init__(self, when: float, fn: Callable[..., Any], args: tuple[Any, ...]):
        self.when = when
        self.fn = fn
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def _fire(self) -> None:
        if not self.cancelled:
            self.fn(*self.args)


class StopSimulation(Exception):
    """Raised inside ``run()`` to end it early (see :meth:`Clock.stop`)."""


class Clock:
    """Simulated time as fast as possible. :class:`sim.clock.RealtimeClock` paces it."""

    def __init__(self, start: float = 0.0):
        self._now = float(start)
        self.start_time = float(start)
        self._queue: list[tuple[float, int, int, Any]] = []
        self._sequence = count()
        self._advance_listeners: list[Callable[[float], None]] = []
        self._stop_requested = False

    # -- time -----------------------------------------------------------------------------
    @property
    def now(self) -> float:
        """Seconds since the Unix epoch, simulated."""
        return self._now

    @property
    def elapsed(self) -> float:
        return self._now - self.start_time

    def on_advance(self, listener: Callable[[float], None]) -> None:
        """Call ``listener(now)`` each time simulated time moves forward."""
        self._advance_listeners.append(listener)

    def remove_advance_listener(self, listener: Callable[[float], None]) -> None:
        self._advance_listeners.remove(listener)

    # -- scheduling -----------------------------------------------------------------------
    def _schedule(self, action: Any, priority: int, delay: float) -> None:
        heapq.heappush(self._queue, (self._now + delay, priority, next(self._sequence), action))

    def call_at(self, when: float, fn: Callable[..., Any], *args: Any) -> Timer:
        if when < self._now:
            raise ValueError(f"cannot schedule at {when}, before now ({self._now})")
        timer = Timer(when, fn, args)
        heapq.heappush(self._queue, (when, NORMAL, next(self._sequence), timer))
        return timer

    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> Timer:
        return self.call_at(self._now + delay, fn, *args)

    def event(self) -> Event:
        return Event(self)

    def timeout(self, delay: float, value: Any = None) -> Timeout:
        return Timeout(self, delay, value)

    def process(self, generator: Generator[Event, Any, Any], name: str = "") -> Process:
        return Process(self, generator, name)

    # -- running --------------------------------------------------------------------------
    def peek(self) -> float:
        """Time of the next scheduled action, or ``inf`` when nothing is scheduled."""
        queue = self._queue
        while queue and isinstance(queue[0][3], Timer) and queue[0][3].cancelled:
            heapq.heappop(queue)
        return queue[0][0] if queue else float("inf")

    def _advance_to(self, when: float) -> None:
        self._now = when
        for listener in self._advance_listeners:
            listener(when)

    def step(self) -> None:
        """Run the next scheduled action."""
        when, _, _, action = heapq.heappop(self._queue)
        if when != self._now:
            if isinstance(action, Timer) and action.cancelled:
                return
            self._advance_to(when)
        action._fire()

    def rewind(self, to: float) -> None:
        """Set time back to ``to`` for another pass over the same period.

        A simulation runs the part of a pipeline downstream of a Flink job in a second pass,
        once the job's input is complete (sim/flink/staging.py). What is still queued stays
        queued at its own time; listeners (the process's time) follow.
        """
        if self._queue and self.peek() < self._now:
            raise RuntimeError("cannot rewind: actions are queued before now")
        if to > self._now:
            raise ValueError(f"cannot rewind to {to}, after now ({self._now})")
        self._advance_to(float(to))

    def stop(self) -> None:
        """Ask a running ``run()`` to return after the current action (thread-safe)."""
        self._stop_requested = True

    def run(self, until: float | Event | None = None) -> Any:
        """Run until ``until`` (a time or an event) or until nothing is left to do.

        As in SimPy, ``until`` is exclusive: actions scheduled exactly at that time stay queued
        (a 5-second run at 5 ticks per second makes 25 ticks, not 26).
        """
        self._stop_requested = False
        if isinstance(until, Event):
            stop_event = until
            if stop_event.callbacks is None:
                return stop_event.value
            stop_event.callbacks.append(_stop_on)
            at = float("inf")
        else:
            stop_event = None
            at = float("inf") if until is None else float(until)
            if at < self._now:
                raise ValueError(f"until ({at}) must not be before now ({self._now})")
        try:
            while not self._stop_requested:
                upcoming = self.peek()
                if upcoming >= at or upcoming == float("inf"):
                    break
                self.step()
        except StopSimulation:
            pass
        if stop_event is not None:
            if not stop_event.triggered:
                return None
            if not stop_event.ok:
                raise stop_event.value
            return stop_event.value
        if at != float("inf") and at > self._now and not self._stop_requested:
            self._advance_to(at)
        return None


def _stop_on(event: Event) -> None:
    event._defused = True
    raise StopSimulation()
