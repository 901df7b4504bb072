"""Seeded randomness and identifiers.

One generator per component, derived from the scenario seed and the component's name, so adding
a producer does not change another's records, and a run repeated with the same seed produces the
same request ids, sequence numbers and object names.
"""

from __future__ import annotations

import random
import uuid


def derive_rng(seed: int, name: str) -> random.Random:
    """A generator for component ``name`` under scenario ``seed`` (string seeding is stable)."""
    return random.Random(f"streamlab:{seed}:{name}")


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID string drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def hex_id(rng: random.Random, length: int) -> str:
    return f"{rng.getrandbits(4 * length):0{length}x}"
