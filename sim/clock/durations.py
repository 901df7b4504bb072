"""Parsing of durations (``90s``, ``30m``, ``3h``, ``1d``, ``1h30m``) and rates (``10/s``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*)+$")
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_RATE_UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
}
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*([a-z]+)\s*$")


def parse_duration(value: str | int | float) -> float:
    """Seconds in ``value``: a number of seconds, or text such as ``30m`` or ``1h30m``."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 30s, 15m or 3h, found {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"a duration cannot be negative, found {value}")
        return float(value)
    if not _DURATION.match(value):
        raise ValueError(f"expected a duration such as 30s, 15m or 3h, found {value!r}")
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(value))


def parse_rate(value: str | int | float) -> float:
    """Events per second in ``value``: a number per second, or text such as ``100/min``."""
    if isinstance(value, bool):
        raise ValueError(f"expected a rate such as 10/s or 100/min, found {value!r}")
    if isinstance(value, int | float):
        rate = float(value)
    else:
        match = _RATE.match(value)
        if not match or match.group(2) not in _RATE_UNITS:
            raise ValueError(f"expected a rate such as 10/s or 100/min, found {value!r}")
        rate = float(match.group(1)) / _RATE_UNITS[match.group(2)]
    if rate <= 0:
        raise ValueError(f"a rate must be positive, found {value!r}")
    return rate


def to_epoch(value: datetime | str | int | float) -> float:
    """Epoch seconds from a datetime, an ISO-8601 string (naive means UTC) or a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        value = datetime.fromisoformat(text)
    if not isinstance(value, datetime):
        raise ValueError(f"expected a time such as 2021-11-01T00:00:00Z, found {value!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def to_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def iso(epoch: float) -> str:
    """``2021-11-01T00:00:00.000Z``: AWS's ISO-8601 with milliseconds."""
    seconds, millis = divmod(round(epoch * 1000), 1000)
    return to_datetime(seconds).strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis:03d}Z"
