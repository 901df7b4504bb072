"""Clickstream producer: shoppers browsing a web shop, one event per tick (10 a second).

Each event is one JSON document, partition key the user::

    {"event_id": "…", "ts": "2024-03-01T12:00:00.100Z", "user_id": "u007",
     "session_id": "u007-1", "action": "add_to_cart", "page": "/product/p042",
     "product_id": "p042", "price": 19.5}

``action`` is ``view`` (60 %), ``click`` (25 %), ``add_to_cart`` (10 %) or ``purchase`` (5 %);
``add_to_cart`` and ``purchase`` carry ``price`` (euros, two decimals, 5 to 1,200) and a purchase
also its ``order_id``. A share of the events are ``heartbeat`` events from the page (no user
action; ``heartbeat_fraction``, default 5 %): pipelines usually filter them out.

``poison_every`` N (default 0: never) makes every Nth event a *poison* record, unless that
event is a heartbeat: valid JSON whose ``user_id`` is null, which a consumer cannot attribute to
a session. It is what a bad release of
the web front end sends, and what event source mappings' error handling (bisect, partial batch
responses, on-failure destinations) is for.

Deterministic for the seed: the same ``rng`` gives byte-identical events.

Stand-alone, as JSON lines::

    python -m producers.clickstream --seconds 5
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from producers.base import Producer, Record

ACTIONS = ("view", "click", "add_to_cart", "purchase")
ACTION_WEIGHTS = (60, 25, 10, 5)
PRICE_MIN = 5.0
PRICE_MAX = 1200.0
PRODUCTS = 120


class ClickstreamProducer(Producer):
    """Shoppers' events (see the module's docstring). Parameters: ``users`` (default 50),
    ``heartbeat_fraction`` (0..1, default 0.05), ``poison_every`` (0: never)."""

    name: ClassVar[str] = "clickstream"
    default_rate: ClassVar[float] = 10.0

    def __init__(
        self,
        rng: random.Random,
        *,
        users: int = 50,
        heartbeat_fraction: float = 0.05,
        poison_every: int = 0,
    ):
        super().__init__(rng)
        if isinstance(users, bool) or not isinstance(users, int) or users < 1:
            raise ValueError(f"users must be an integer of at least 1, got {users!r}")
        if (
            isinstance(heartbeat_fraction, bool)
            or not isinstance(heartbeat_fraction, int | float)
            or not 0 <= heartbeat_fraction <= 1
        ):
            raise ValueError(
                f"heartbeat_fraction must be a number from 0 to 1, got {heartbeat_fraction!r}"
            )
        if isinstance(poison_every, bool) or not isinstance(poison_every, int) or poison_every < 0:
            raise ValueError(
                f"poison_every must be an integer of at least 0 (0: never), got {poison_every!r}"
            )
        self.users = users
        self.heartbeat_fraction = float(heartbeat_fraction)
        self.poison_every = poison_every
        self.count = 0
        self._sessions: dict[str, int] = {}
        self._orders = 0

    def emit(self, now: datetime) -> list[Record]:
        event = self.event(now)
        key = event["user_id"] or "unknown"
        return [Record(json.dumps(event, separators=(",", ":")).encode(), key)]

    def event(self, now: datetime) -> dict[str, Any]:
        """The next event, at ``now``."""
        rng = self.rng
        self.count += 1
        user = f"u{rng.randrange(self.users):03d}"
        if rng.random() < 0.02 or user not in self._sessions:  # a new visit
            self._sessions[user] = self._sessions.get(user, 0) + 1
        event: dict[str, Any] = {
            "event_id": f"{rng.getrandbits(64):016x}",
            "ts": _stamp(now),
            "user_id": user,
            "session_id": f"{user}-{self._sessions[user]}",
        }
        if rng.random() < self.heartbeat_fraction:
            event["action"] = "heartbeat"
            return event
        action = rng.choices(ACTIONS, ACTION_WEIGHTS)[0]
        product = f"p{rng.randrange(PRODUCTS):03d}"
        event.update(action=action, page=f"/product/{product}", product_id=product)
        if action in ("add_to_cart", "purchase"):
            event["price"] = round(rng.uniform(PRICE_MIN, PRICE_MAX), 2)
        if action == "purchase":
            self._orders += 1
            event["order_id"] = f"o{self._orders:06d}"
        if self.poison_every and self.count % self.poison_every == 0:
            event["user_id"] = None
        return event


def _stamp(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="simulated seconds to emit")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--poison-every", type=int, default=0)
    args = parser.parse_args(argv)
    producer = ClickstreamProducer(
        random.Random(args.seed), users=args.users, poison_every=args.poison_every
    )
    start = datetime.now(UTC)
    ticks = int(args.seconds * ClickstreamProducer.default_rate)
    for tick in range(ticks):
        now = start + timedelta(seconds=tick / ClickstreamProducer.default_rate)
        for record in producer.emit(now):
            sys.stdout.write(record.data.decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
