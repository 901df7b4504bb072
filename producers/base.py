"""The small interface between a producer and whoever drives it.

The simulation calls :meth:`Producer.emit` once per tick with the (simulated) current time and
puts whatever comes back onto the producer's target. A stand-alone script calls the same method
in a loop with the wall clock. Producers are deterministic for their ``rng``.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Record:
    """One record for a stream: the bytes, the partition key, optionally an explicit hash key."""

    data: bytes
    partition_key: str
    explicit_hash_key: str | None = None


class Producer(ABC):
    """Base class. Subclasses set ``name``, accept their parameters as keyword arguments and
    implement :meth:`emit`.

    ``default_rate`` is ticks per second when the scenario gives no ``rate``.
    """

    name: ClassVar[str] = "producer"
    default_rate: ClassVar[float] = 1.0

    def __init__(self, rng: random.Random, **params: Any):
        if params:
            unknown = ", ".join(sorted(params))
            raise TypeError(f"{type(self).__name__} takes no parameter(s) {unknown}")
        self.rng = rng

    @abstractmethod
    def emit(self, now: datetime) -> list[Record]:
        """Records to send at ``now`` (an aware UTC datetime); ``[]`` when there is nothing."""

    @property
    def finished(self) -> bool:
        """True once a finite source has emitted everything (endless producers: never)."""
        return False
