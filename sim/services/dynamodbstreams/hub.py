"""Everything DynamoDB Streams of one embedded backend: a service per account and region, the
capture sink moto's writes report to, and the Time to Live sweeper."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sim.ids import derive_rng
from sim.services.dynamodbstreams import capture, limits
from sim.services.dynamodbstreams.backend import Change, DynamoDBStreamsBackend
from sim.services.dynamodbstreams.service import DynamoDBStreamsService
from sim.services.dynamodbstreams.ttl import TtlSweeper


class DynamoDBStreamsHub:
    """DynamoDB Streams for the embedded backend (see the package docstring).

    ``account_id`` is the backend's account (the API serves it); tables of other accounts get
    stores of their own. ``scheduler`` drives the TTL sweeper (``now()``, ``call_at``).
    """

    def __init__(
        self,
        account_id: str,
        *,
        seed: int = 0,
        now: Callable[[], float] | None = None,
        scheduler: Any = None,
        ttl_sweep_interval: float = limits.TTL_SWEEP_INTERVAL_SECONDS,
        shard_rollover: float | None = limits.SHARD_ROLLOVER_SECONDS,
    ) -> None:
        self.account_id = account_id
        self.seed = seed
        self.now: Callable[[], float] = now if now is not None else (lambda: time.time())
        self.shard_rollover = shard_rollover
        self.ttl = TtlSweeper(interval=ttl_sweep_interval, scheduler=scheduler, now=self.now)
        self._services: dict[tuple[str, str], DynamoDBStreamsService] = {}
        self._lock = threading.Lock()

    # -- services -------------------------------------------------------------------------
    def service(self, region: str, account_id: str | None = None) -> DynamoDBStreamsService:
        account = account_id or self.account_id
        key = (account, region)
        service = self._services.get(key)
        if service is None:
            with self._lock:
                service = self._services.get(key)
                if service is None:
                    service = DynamoDBStreamsService(
                        account_id=account,
                        region=region,
                        now=self.now,
                        rng=derive_rng(self.seed, f"dynamodbstreams:{account}:{region}"),
                        rollover=self.shard_rollover,
                        table_exists=lambda name, a=account, r=region: (
                            capture.moto_table(a, r, name) is not None
                        ),
                    )
                    self._services[key] = service
        return service

    def store(self, region: str, account_id: str | None = None) -> DynamoDBStreamsBackend:
        return self.service(region, account_id).backend

    def regions(self) -> list[str]:
        return sorted({region for account, region in self._services if account == self.account_id})

    # -- lifecycle ------------------------------------------------------------------------
    def activate(self) -> None:
        """Capture moto's writes from now on (the backend started)."""
        capture.activate(self)

    def deactivate(self) -> None:
        capture.deactivate(self)
        self.ttl.reset()

    def reset(self, seed: int | None = None) -> None:
        """Forget every stream and TTL table (moto was reset); reseed identifiers."""
        if seed is not None:
            self.seed = seed
        with self._lock:
            self._services.clear()
        self.ttl.reset()

    def set_scheduler(self, scheduler: Any) -> None:
        self.ttl.set_scheduler(scheduler)

    # -- the capture sink -------------------------------------------------------------------
    def stream_enabled(self, table: Any) -> str:
        stream = self.store(table.region_name, table.account_id).open_stream(
            table_name=table.name,
            table_arn=table.table_arn,
            view_type=table.stream_specification["StreamViewType"],
            key_schema=table.schema,
        )
        return stream.label

    def stream_disabled(self, table: Any) -> None:
        if table.latest_stream_label:
            self.store(table.region_name, table.account_id).close_stream(
                f"{table.table_arn}/stream/{table.latest_stream_label}"
            )

    def table_deleted(self, table: Any) -> None:
        """The table's stream closes; its TTL index goes at the next sweep."""
        self.stream_disabled(table)

    def record(self, account_id: str, region: str, change: Change) -> None:
        self.store(region, account_id).write(change)

    def item_written(self, table: Any, item: Any) -> None:
        self.ttl.item_written(table, item)

    def ttl_changed(self, table: Any) -> None:
        self.ttl.ttl_changed(table)
