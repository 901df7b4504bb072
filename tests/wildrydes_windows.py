"""The Wild Rydes summary computed in plain Python, independently of Flink: per unicorn, per
1-minute window of StatusTime (stamped with the window's end), the Distance sum and the
MagicPoints/HealthPoints extremes. Shared by the Flink runner's and the scenario's tests."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta


def stamp(t: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS.mmm``, the lab's StatusTime format."""
    return t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"


def expected_summaries(records: list[dict]) -> dict[tuple[str, str], dict]:
    """``{(Name, window end): summary row}`` for the unicorn records given."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in records:
        t = datetime.strptime(r["StatusTime"], "%Y-%m-%d %H:%M:%S.%f")
        end = t.replace(second=0, microsecond=0) + timedelta(minutes=1)
        groups[(r["Name"], stamp(end))].append(r)
    return {
        key: {
            "Name": key[0],
            "StatusTime": key[1],
            "Distance": math.fsum(r["Distance"] for r in rows),
            "MinMagicPoints": min(r["MagicPoints"] for r in rows),
            "MaxMagicPoints": max(r["MagicPoints"] for r in rows),
            "MinHealthPoints": min(r["HealthPoints"] for r in rows),
            "MaxHealthPoints": max(r["HealthPoints"] for r in rows),
        }
        for key, rows in groups.items()
    }
