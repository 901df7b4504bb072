"""The facade one region's DynamoDB Streams API is served through."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from sim.services.dynamodbstreams import limits, wire
from sim.services.dynamodbstreams.backend import DynamoDBStreamsBackend

_REQUEST_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class DynamoDBStreamsService:
    """streamlab's DynamoDB Streams for ``account_id`` in ``region``.

    :attr:`backend` is the store and its direct read API; :meth:`handle` answers wire requests
    (``X-Amz-Target: DynamoDBStreams_20120810.<Operation>``, AWS JSON 1.0). ``rng`` draws the
    records' event ids and shard-id suffixes (and seeds the request ids' generator).
    """

    def __init__(
        self,
        account_id: str = "123456789012",
        region: str = "us-east-1",
        now: Callable[[], float] | None = None,
        rng: random.Random | None = None,
        *,
        rollover: float | None = limits.SHARD_ROLLOVER_SECONDS,
        table_exists: Callable[[str], bool] | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.rng = rng if rng is not None else random.Random(f"streamlab:ddbstreams:{region}")
        # request ids from their own generator: API calls do not shift the records' event ids
        self._request_rng = random.Random(self.rng.getrandbits(64))
        self.backend = DynamoDBStreamsBackend(
            account_id,
            region,
            now if now is not None else (lambda: time.time()),
            self.rng,
            rollover=rollover,
            table_exists=table_exists,
        )

    def handle(self, target: str, content_type: str, body: bytes) -> tuple[int, dict, bytes]:
        """Answer one request: status, headers and body (see :mod:`.wire`)."""
        with self.backend.lock:  # request ids drawn in request order
            choice = self._request_rng.choice
            request_id = "".join(choice(_REQUEST_ID_ALPHABET) for _ in range(52))
        return wire.handle(self.backend, target, content_type, body, request_id)

    def reset(self) -> None:
        self.backend.reset()
