"""The ledger: every record produced is accounted for.

Producers' drivers report what they emitted and what the target accepted or refused; each active
service reports what it delivered, retried, sent to a failure destination or dropped, with a
reason. At the end the runner adds what is still in flight (stored but not yet consumed), and
:meth:`Ledger.balance` checks that each hop adds up. ``lost`` is whatever does not: it should be 0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Hop:
    """One consumer of one source, e.g. function ``consumer`` reading stream ``input-stream``."""

    source: str
    consumer: str
    available: int = 0  # records that reached the source after the consumer started reading
    delivered: int = 0
    retried: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    to_destination: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    # records an event filter (FilterCriteria) matched to no filter: processed, never delivered
    filtered: int = 0

    @property
    def settled(self) -> int:
        return (
            self.delivered
            + self.filtered
            + sum(self.dropped.values())
            + sum(self.to_destination.values())
            + self.in_flight
        )


@dataclass
class Ledger:
    produced: Counter[str] = field(default_factory=Counter)  # by producer
    accepted: Counter[str] = field(default_factory=Counter)  # by producer
    refused: Counter[tuple[str, str]] = field(default_factory=Counter)  # (producer, reason)
    # by producer: produced, neither accepted nor refused yet when the run ended (waiting for a
    # retry of a refused put)
    pending: Counter[str] = field(default_factory=Counter)
    stored: Counter[str] = field(default_factory=Counter)  # by target, from producers
    hops: dict[tuple[str, str], Hop] = field(default_factory=dict)

    # -- recording ------------------------------------------------------------------------
    def record_produced(self, producer: str, n: int = 1) -> None:
        self.produced[producer] += n

    def record_accepted(self, producer: str, source: str, n: int = 1) -> None:
        self.accepted[producer] += n
        self.stored[source] += n

    def record_refused(self, producer: str, reason: str, n: int = 1) -> None:
        self.refused[(producer, reason)] += n

    def record_pending(self, producer: str, n: int) -> None:
        """``n`` records of ``producer`` still wait for a retry as the run ends."""
        if n:
            self.pending[producer] += n

    def hop(self, source: str, consumer: str) -> Hop:
        key = (source, consumer)
        hop = self.hops.get(key)
        if hop is None:
            hop = self.hops[key] = Hop(source, consumer)
        return hop

    # -- totals ---------------------------------------------------------------------------
    def totals(self) -> dict[str, int]:
        hops = list(self.hops.values())
        dropped = sum(self.refused.values()) + sum(sum(h.dropped.values()) for h in hops)
        return {
            "produced": sum(self.produced.values()),
            "accepted": sum(self.accepted.values()),
            "delivered": sum(h.delivered for h in hops),
            "filtered": sum(h.filtered for h in hops),
            "retried": sum(h.retried for h in hops),
            "dropped": dropped,
            "to_destination": sum(sum(h.to_destination.values()) for h in hops),
            "in_flight": sum(h.in_flight for h in hops),
            "pending": sum(self.pending.values()),
            "lost": sum(gap for _, gap in self.gaps()),
        }

    def gaps(self) -> list[tuple[str, int]]:
        """Every place where records are not accounted for, with how many."""
        gaps = []
        for producer, produced in sorted(self.produced.items()):
            refused = sum(n for (p, _), n in self.refused.items() if p == producer)
            gap = produced - self.accepted[producer] - refused - self.pending[producer]
            if gap:
                gaps.append((f"producer {producer}", gap))
        for (source, consumer), hop in sorted(self.hops.items()):
            gap = hop.available - hop.settled
            if gap:
                gaps.append((f"{source} → {consumer}", gap))
        return gaps

    def drop_reasons(self) -> list[tuple[str, str, int]]:
        """(where, reason, count) for every record dropped or refused."""
        rows = [(f"producer {p}", reason, n) for (p, reason), n in sorted(self.refused.items())]
        for (source, consumer), hop in sorted(self.hops.items()):
            rows += [
                (f"{source} → {consumer}", reason, n) for reason, n in sorted(hop.dropped.items())
            ]
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals(),
            "producers": {
                p: {
                    "produced": n,
                    "accepted": self.accepted[p],
                    "pending": self.pending[p],
                    "refused": {r: c for (q, r), c in sorted(self.refused.items()) if q == p},
                }
                for p, n in sorted(self.produced.items())
            },
            "hops": [
                {
                    "source": h.source,
                    "consumer": h.consumer,
                    "available": h.available,
                    "delivered": h.delivered,
                    "filtered": h.filtered,
                    "retried": h.retried,
                    "dropped": dict(sorted(h.dropped.items())),
                    "to_destination": dict(sorted(h.to_destination.items())),
                    "in_flight": h.in_flight,
                }
                for _, h in sorted(self.hops.items())
            ],
            "gaps": [{"where": w, "records": n} for w, n in self.gaps()],
        }
