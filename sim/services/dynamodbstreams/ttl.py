"""Time to Live on the simulated clock: expired items deleted by a sweeper, as service deletions.

AWS deletes an item once its TTL attribute, a Number of epoch seconds, is less than the current
time ("If the epoch time value stored in the attribute is less than the current time, the item
is marked as expired and subsequently deleted", API_UpdateTimeToLive.html), "typically within a
few days" (TTL.html; "within two days" in the API reference). Items whose attribute is not a
Number are ignored, and so are values more than five years in the past
(time-to-live-ttl-before-you-start.html). A deletion goes to the table's stream as a REMOVE
record whose ``userIdentity`` is ``{"type": "Service", "principalId": "dynamodb.amazonaws.com"}``
(time-to-live-ttl-streams.html).

Simulation choice: the sweeper runs every ``interval`` seconds of simulated time
(:data:`.limits.TTL_SWEEP_INTERVAL_SECONDS`, 60 by default), at multiples of the interval since
the epoch, and deletes every item expired at that instant; only while some table has TTL
enabled, so a clock with nothing else to do still runs dry.

Cost: O(expired) per sweep, not a scan. Each TTL-enabled table has an index, a heap of
``(expiry, key)`` plus the expiry last indexed per key, kept current by the capture hooks
(every ``put_item`` and ``update_item`` of moto's, :mod:`.capture`); it is filled by one scan of
the table when TTL is enabled (or when moto replaced the table object, as a cancelled
transaction does). A sweep pops the entries that are due and re-reads each item before deleting
it, so an item updated since it was indexed is judged on its current value.
"""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections.abc import Callable
from itertools import count
from typing import Any

from sim.services.dynamodbstreams import limits
from sim.services.dynamodbstreams.capture import moto_table, service_deletions

TableKey = tuple[str, str, str]  # account, region, table name


def expiry_of(item: Any, attribute: str) -> float | None:
    """The item's TTL in epoch seconds, or None when TTL ignores it (absent, not a Number)."""
    value = item.attrs.get(attribute)
    if value is None or value.type != "N":
        return None
    try:
        expiry = float(value.value)
    except (TypeError, ValueError):
        return None
    return expiry if math.isfinite(expiry) else None


class _TableIndex:
    """The expiry index of one TTL-enabled table (one moto ``Table`` object)."""

    def __init__(self, table: Any, attribute: str) -> None:
        self.table = table
        self.attribute = attribute
        self._heap: list[tuple[float, int, Any, Any, Any]] = []
        self._indexed: dict[Any, float] = {}  # item key -> expiry of its heap entry
        self._tiebreak = count()
        for item in self._items():
            self.note(item)

    def _items(self) -> Any:
        table = self.table
        if table.range_key_attr:
            for by_range in table.items.values():
                yield from by_range.values()
        else:
            yield from table.items.values()

    def note(self, item: Any) -> None:
        """The item was written: index its expiry (if it has one and it changed)."""
        hash_key, range_key = item.hash_key, item.range_key
        # Raw key values (cheap to hash); a sweep re-reads the item through moto before acting.
        key = (hash_key.value, None if range_key is None else range_key.value)
        expiry = expiry_of(item, self.attribute)
        if expiry is None:
            self._indexed.pop(key, None)
            return
        if self._indexed.get(key) == expiry:
            return
        self._indexed[key] = expiry
        heapq.heappush(self._heap, (expiry, next(self._tiebreak), key, hash_key, range_key))

    def expire(self, now: float) -> int:
        """Delete the items expired at ``now``; the number deleted."""
        heap, indexed, table = self._heap, self._indexed, self.table
        oldest = now - limits.TTL_MAX_AGE_SECONDS
        deleted = 0
        while heap and heap[0][0] < now:
            expiry, _, key, hash_key, range_key = heapq.heappop(heap)
            if indexed.get(key) != expiry:
                continue  # rewritten since: a newer entry stands for it
            del indexed[key]
            item = table.get_item(hash_key, range_key)
            if item is None:
                continue
            current = expiry_of(item, self.attribute)
            if current is None or not oldest <= current < now:
                if current is not None and current >= now:
                    self.note(item)
                continue  # not a Number any more, in the future, or over five years old
            with service_deletions():
                table.delete_item(item.hash_key, item.range_key)
            deleted += 1
        return deleted

    def __len__(self) -> int:
        return len(self._indexed)


class TtlSweeper:
    """Deletes expired items of every TTL-enabled table, every ``interval`` simulated seconds.

    ``scheduler`` gives ``now()`` and ``call_at(when, fn)`` (a run's clock, or wall time; see
    :mod:`sim.services.firehose.scheduling`); with none, only :meth:`sweep` deletes.
    ``deleted`` counts the items it deleted, per ``(account, region, table)``.
    """

    def __init__(
        self,
        *,
        interval: float = limits.TTL_SWEEP_INTERVAL_SECONDS,
        scheduler: Any = None,
        now: Callable[[], float] | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError(f"TTL sweep interval must be positive, not {interval}")
        self.interval = interval
        self._now = now if now is not None else (lambda: time.time())
        self._scheduler = scheduler
        self._timer: Any = None
        self._tables: dict[TableKey, _TableIndex] = {}
        self.deleted: dict[TableKey, int] = {}
        self.lock = threading.RLock()

    # -- fed by the capture hooks -------------------------------------------------------------
    def ttl_changed(self, table: Any) -> None:
        """UpdateTimeToLive on ``table``: index it (enabled) or forget it (disabled)."""
        key = (table.account_id, table.region_name, table.name)
        with self.lock:
            if table.ttl.get("TimeToLiveStatus") == "ENABLED" and table.ttl.get("AttributeName"):
                self._tables[key] = _TableIndex(table, table.ttl["AttributeName"])
                self._schedule()
            else:
                self._tables.pop(key, None)

    def item_written(self, table: Any, item: Any) -> None:
        if not self._tables:
            return
        with self.lock:
            index = self._tables.get((table.account_id, table.region_name, table.name))
            if index is not None and index.table is table:
                index.note(item)

    # -- sweeping -----------------------------------------------------------------------------
    @property
    def tables(self) -> list[TableKey]:
        """The TTL-enabled tables being swept."""
        with self.lock:
            return sorted(self._tables)

    def sweep(self, now: float | None = None) -> int:
        """Delete every item expired at ``now`` (default: the scheduler's or process time);
        returns how many were deleted."""
        if now is None:
            now = self._scheduler.now() if self._scheduler is not None else self._now()
        total = 0
        with self.lock:
            for key, index in list(self._tables.items()):
                table = moto_table(*key)
                ttl = table.ttl if table is not None else {}
                if ttl.get("TimeToLiveStatus") != "ENABLED" or not ttl.get("AttributeName"):
                    del self._tables[key]  # the table is gone, or TTL was turned off
                    continue
                if index.table is not table or index.attribute != ttl["AttributeName"]:
                    index = self._tables[key] = _TableIndex(table, ttl["AttributeName"])
                deleted = index.expire(now)
                if deleted:
                    self.deleted[key] = self.deleted.get(key, 0) + deleted
                    total += deleted
        return total

    def set_scheduler(self, scheduler: Any) -> None:
        """Sweep on ``scheduler`` from now on (a pending sweep on the old one is cancelled)."""
        with self.lock:
            self._cancel()
            self._scheduler = scheduler
            self._schedule()

    def set_interval(self, seconds: float) -> None:
        """Sweep every ``seconds`` of simulated time from now on (the next sweep is moved)."""
        if seconds <= 0:
            raise ValueError(f"TTL sweep interval must be positive, not {seconds}")
        with self.lock:
            self.interval = seconds
            self._cancel()
            self._schedule()

    def reset(self) -> None:
        """Forget every table (moto was reset) and the pending sweep."""
        with self.lock:
            self._cancel()
            self._tables.clear()
            self.deleted.clear()

    def _schedule(self) -> None:
        scheduler = self._scheduler
        if self._timer is not None or not self._tables or scheduler is None:
            return
        now = scheduler.now()
        when = (math.floor(now / self.interval) + 1) * self.interval
        self._timer = scheduler.call_at(when, self._tick)

    def _tick(self) -> None:
        with self.lock:
            self._timer = None
            scheduler = self._scheduler
        self.sweep(scheduler.now() if scheduler is not None else None)
        with self.lock:
            self._schedule()

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
