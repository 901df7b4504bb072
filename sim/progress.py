"""A progress line while a scenario runs: simulated time reached, records produced, delivered.

Redrawn at most every 0.2 s of wall time (``time.monotonic``, which simulated time leaves alone)
from a clock listener, on stderr. On a terminal it redraws one line; elsewhere (CI logs) it
prints a line every 10 % of the simulated duration.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from sim.clock import Clock, to_datetime

REDRAW_INTERVAL_SECONDS = 0.2
BAR_WIDTH = 24


class Progress:
    def __init__(
        self,
        clock: Clock,
        end: float,
        counts: Callable[[], tuple[int, int]],
        out: TextIO | None = None,
        enabled: bool = True,
        label: str = "",
    ):
        self.clock = clock
        self.start = clock.now
        self.end = end
        self.counts = counts
        self.out = out or sys.stderr
        self.enabled = enabled
        self.label = label
        self.tty = self.out.isatty()
        self._last_draw = 0.0
        self._last_decile = -1

    def __enter__(self) -> Progress:
        if self.enabled:
            self.clock.on_advance(self._on_advance)
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.enabled:
            return
        self.clock.remove_advance_listener(self._on_advance)
        self.draw(final=True)
        if self.tty:
            self.out.write("\n")
        self.out.flush()

    def _on_advance(self, now: float) -> None:
        wall = time.monotonic()
        if self.tty:
            if wall - self._last_draw >= REDRAW_INTERVAL_SECONDS:
                self._last_draw = wall
                self.draw()
        else:
            decile = int(10 * self.fraction(now))
            if decile > self._last_decile:
                self._last_decile = decile
                self.draw()

    def fraction(self, now: float) -> float:
        span = self.end - self.start
        return 1.0 if span <= 0 else min(1.0, max(0.0, (now - self.start) / span))

    def draw(self, final: bool = False) -> None:
        now = self.clock.now
        fraction = self.fraction(now)
        filled = int(BAR_WIDTH * fraction)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        produced, delivered = self.counts()
        stamp = to_datetime(now).strftime("%Y-%m-%d %H:%M:%S")
        label = f"{self.label} " if self.label else ""
        line = f"{label}[{bar}] {fraction:4.0%}  sim {stamp}Z  produced {produced}  delivered {delivered}"
        if self.tty:
            self.out.write("\r" + line + "\033[K")
        elif not final:
            self.out.write(line + "\n")
        self.out.flush()
