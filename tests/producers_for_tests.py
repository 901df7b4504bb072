"""A tiny producer for runner tests: JSON records {"n": i} with random partition keys."""

import json

from producers.base import Producer, Record


class CountingProducer(Producer):
    name = "counting"

    def __init__(self, rng, **params):
        super().__init__(rng, **params)
        self.n = 0

    def emit(self, now):
        self.n += 1
        key = f"k{self.rng.randrange(1000)}"
        return [Record(json.dumps({"n": self.n, "at": now.isoformat()}).encode(), key)]
