"""What each fault did: one counter set per fault, kept in one place for the report.

:class:`FaultEffects` is what :func:`sim.faults.schedule_faults` fills: the injected faults count
their effects into it as they act (invocations failed, timed out or throttled, put requests and
records throttled, table requests throttled, bucket requests refused). At the end of a run
:meth:`FaultEffects.finish` adds what the producers did about the throttled records and gives
the list ``SimulationResult.faults`` holds, each entry with a one-line ``summary`` for the
report's Faults section.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# The counters of each kind, in the order the summary names them.
COUNTERS: dict[str, tuple[str, ...]] = {
    "function_error": ("invocations_failed",),
    "function_timeout": ("invocations_timed_out",),
    "function_throttle": ("invocations_throttled",),
    "stream_throttle": ("put_requests_throttled", "records_throttled", "records_retried"),
    "table_throttle": ("requests_throttled", "items_unprocessed"),
    "bucket_unavailable": ("requests_refused",),
}
# The spec field naming the resource each kind acts on (also how the summary names it).
TARGETS = {
    "function_error": "function",
    "function_timeout": "function",
    "function_throttle": "function",
    "stream_throttle": "stream",
    "table_throttle": "table",
    "bucket_unavailable": "bucket",
}
# What a ``count`` counts, per kind.
COUNTED = {
    "function_error": "invocation",
    "function_timeout": "invocation",
    "function_throttle": "invocation",
    "stream_throttle": "put request",
    "table_throttle": "request",
    "bucket_unavailable": "request",
}
# Settings shown beside the reach, with their defaults (shown only when not the default).
SETTINGS = {
    "probability": 1.0,
    "failure_rate": 1.0,
    "operations": "all",
}


@dataclass
class FaultEffect:
    """One fault of the scenario (``faults[index]``), its reach and what it did so far."""

    index: int
    kind: str
    target: str  # the resource's name
    start: float  # offset from the clock's start, seconds
    end: float | None  # offset, or None: the end of the run (or the count)
    count: int | None
    settings: dict[str, Any] = field(default_factory=dict)
    counters: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, counter: str, n: int = 1) -> None:
        with self._lock:
            self.counters[counter] += n

    @property
    def reach(self) -> str:
        """``0s → 30s``, ``from 10s to the end``, ``first 5 invocations from 0s``."""
        if self.count is not None:
            return f"first {_n(self.count, COUNTED[self.kind])} from {_offset(self.start)}"
        if self.end is None:
            return f"from {_offset(self.start)} to the end"
        return f"{_offset(self.start)} → {_offset(self.end)}"

    @property
    def effect(self) -> str:
        c = self.counters
        if self.kind == "function_error":
            return _n(c["invocations_failed"], "invocation") + " failed"
        if self.kind == "function_timeout":
            return _n(c["invocations_timed_out"], "invocation") + " timed out"
        if self.kind == "function_throttle":
            return _n(c["invocations_throttled"], "invocation") + " throttled"
        if self.kind == "stream_throttle":
            return (
                f"{_n(c['put_requests_throttled'], 'put request')} "
                f"({_n(c['records_throttled'], 'record')}) throttled, "
                f"{_n(c['records_retried'], 'record')} retried by producers"
            )
        if self.kind == "table_throttle":
            text = _n(c["requests_throttled"], "request") + " throttled"
            if c["items_unprocessed"]:
                text += f" ({_n(c['items_unprocessed'], 'batch item')} returned unprocessed)"
            return text
        return _n(c["requests_refused"], "request") + " refused (503 SlowDown)"

    @property
    def summary(self) -> str:
        noun = TARGETS[self.kind]
        shown = ", ".join(f"{k} {v}" for k, v in self.settings.items() if SETTINGS.get(k) != v)
        details = f", {shown}" if shown else ""
        return (
            f"faults[{self.index}] {self.kind} on {noun} {self.target}, {self.reach}{details}: "
            f"{self.effect}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "target": self.target,
            "start": self.start,
            "end": self.end,
            "count": self.count,
            "settings": dict(self.settings),
            "effects": {name: self.counters[name] for name in COUNTERS[self.kind]},
            "summary": self.summary,
        }


class FaultEffects:
    """The effects of a scenario's faults, in the scenario's order."""

    def __init__(self, faults: list[FaultEffect], rng: random.Random) -> None:
        self.faults = faults
        self._seed = rng.getrandbits(64)

    @classmethod
    def for_scenario(cls, scenario: Any, rng: random.Random) -> FaultEffects:
        effects = []
        for index, fault in enumerate(scenario.faults):
            kind, spec = fault.kind, fault.spec
            effects.append(
                FaultEffect(
                    index=index,
                    kind=kind,
                    target=getattr(spec, TARGETS[kind]),
                    start=spec.start,
                    end=spec.end,
                    count=spec.count,
                    settings={k: getattr(spec, k) for k in SETTINGS if hasattr(spec, k)},
                )
            )
        return cls(effects, rng)

    def __getitem__(self, index: int) -> FaultEffect:
        return self.faults[index]

    def __len__(self) -> int:
        return len(self.faults)

    def rng(self, key: int | str) -> random.Random:
        """A random generator of its own for ``faults[key]`` (or a named part): derived from
        the run's fault generator and the key, so one fault's draws do not shift another's."""
        return random.Random(f"{self._seed}:{key}")

    def finish(self, drivers: list[Any] = ()) -> list[dict[str, Any]]:
        """At the end of a run: add what the producers writing to each throttled stream
        retried (``records_retried``: records sent again after a refusal, whatever refused
        them), and return the entries of ``SimulationResult.faults``."""
        retried: Counter[str] = Counter()
        for driver in drivers:
            retried[driver.stream] += getattr(driver, "retried_records", 0)
        for effect in self.faults:
            if effect.kind == "stream_throttle":
                with effect._lock:
                    effect.counters["records_retried"] = retried[effect.target]
        return [effect.to_dict() for effect in self.faults]


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _offset(seconds: float) -> str:
    """``0s``, ``45s``, ``1m30s``, ``2h00m05s``, ``1.5s``."""
    if seconds != int(seconds):
        return f"{seconds:g}s"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"
