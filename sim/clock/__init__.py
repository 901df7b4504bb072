"""Simulated time: a discrete-event core, real-time pacing, and the binding to the process."""

from sim.clock.binding import ProcessTime, TickingTime
from sim.clock.core import Clock, Event, Interrupt, Process, Timeout, Timer
from sim.clock.durations import iso, parse_duration, parse_rate, to_datetime, to_epoch
from sim.clock.realtime import RealtimeClock

__all__ = [
    "Clock",
    "Event",
    "Interrupt",
    "Process",
    "ProcessTime",
    "RealtimeClock",
    "TickingTime",
    "Timeout",
    "Timer",
    "iso",
    "parse_duration",
    "parse_rate",
    "to_datetime",
    "to_epoch",
]
