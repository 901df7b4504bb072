"""The facade the simulator holds: one Firehose of one account in one region."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from sim.ids import uuid4
from sim.services.firehose import wire
from sim.services.firehose.backend import FirehoseBackend, PutObject
from sim.services.firehose.scheduling import Scheduler


class FirehoseService:
    """streamlab's Amazon Data Firehose for ``account_id`` in ``region``.

    ``scheduler`` gives ``now()`` and ``call_at(when, fn)`` (default: wall clock);
    ``put_object(bucket, key, body)`` writes delivered objects; ``kinesis_store()`` returns the
    Kinesis store sources are read from; ``rng`` draws request ids, record ids and object
    names.
    """

    def __init__(
        self,
        account_id: str = "123456789012",
        region: str = "us-east-1",
        *,
        scheduler: Scheduler | None = None,
        rng: random.Random | None = None,
        put_object: PutObject | None = None,
        kinesis_store: Callable[[], Any] | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.rng = rng if rng is not None else random.Random(f"streamlab:firehose:{region}")
        self._request_rng = random.Random(self.rng.getrandbits(64))
        self.backend = FirehoseBackend(
            account_id,
            region,
            scheduler=scheduler,
            rng=self.rng,
            put_object=put_object,
            kinesis_store=kinesis_store,
        )

    def handle(self, target: str, content_type: str, body: bytes) -> tuple[int, dict, bytes]:
        """Answer one request (``X-Amz-Target``, ``Content-Type``, body)."""
        return wire.handle(self.backend, target, content_type, body, uuid4(self._request_rng))

    def invoke(self, operation: str, request: dict) -> Any:
        """Any operation with Python values (blobs as bytes), as the wire would run it."""
        return wire.invoke(self.backend, operation, request)

    def set_scheduler(self, scheduler: Scheduler) -> None:
        self.backend.set_scheduler(scheduler)

    def accounting(self) -> list[dict[str, Any]]:
        return self.backend.accounting()

    def reset(self) -> None:
        """Forget every delivery stream and pending tick (buffered records are discarded)."""
        self.backend.reset()
