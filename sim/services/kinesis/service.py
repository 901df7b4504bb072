"""The facade the simulator holds: one Kinesis of one account in one region."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from sim.ids import uuid4
from sim.services.kinesis import wire
from sim.services.kinesis.backend import KinesisBackend


class KinesisService:
    """streamlab's Kinesis Data Streams for ``account_id`` in ``region``.

    ``now`` gives epoch seconds (default ``time.time``, which time-machine binds to the
    simulated clock); ``rng`` draws request ids. :attr:`backend` is the store and its direct
    read API; :meth:`handle` answers wire requests.
    """

    def __init__(
        self,
        account_id: str = "123456789012",
        region: str = "us-east-1",
        now: Callable[[], float] | None = None,
        rng: random.Random | None = None,
        *,
        shard_limit: int | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.rng = rng if rng is not None else random.Random(f"streamlab:kinesis:{region}")
        self.backend = KinesisBackend(
            account_id, region, now if now is not None else (lambda: time.time()),
            shard_limit=shard_limit,
        )  # fmt: skip

    def handle(self, target: str, content_type: str, body: bytes) -> tuple[int, dict, bytes]:
        """Answer one request: ``X-Amz-Target``, ``Content-Type`` and body in; status,
        headers and body out (see :mod:`sim.services.kinesis.wire`)."""
        return wire.handle(self.backend, target, content_type, body, uuid4(self.rng))

    def reset(self) -> None:
        """Forget every stream (put listeners stay registered)."""
        self.backend.reset()
