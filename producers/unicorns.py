"""Wild Rydes lab producer: a fleet of unicorns, each reporting its status once a second.

The lab (AWS's "Build a Serverless Real-Time Data Processing App", the Wild Rydes data
processing workshop) runs ``./producer -name Shadowfax`` on Cloud9: a Go program
(``DataProcessing/client/producer.go`` in aws-samples/aws-serverless-workshops) that puts one
record per second on the Kinesis stream ``wildrydes`` with ``PutRecord(PartitionKey=name)``::

    {"Name":"Shadowfax","StatusTime":"2017-06-05 09:17:09.191","Latitude":42.265486935100476,
     "Longitude":-71.97442977859625,"Distance":29.614758101,"MagicPoints":110,"HealthPoints":151}

followed by a newline (the Go producer appended ``"\\n"`` to each record's data, which is what
makes the Firehose objects of the lab's data lake module one JSON document per line). Running
several producers with ``-name Rocinante``, ``-name Bucephalus`` … is the lab's "more than one
unicorn". This producer is the whole fleet: each :meth:`UnicornProducer.emit` returns one record
per unicorn for the current second, so the scenario's ``rate`` stays at its default of one tick
per second and the records per second are the fleet size.

Fields, types and ranges follow the original producer (Kinesis Data Analytics discovered
``Distance DOUBLE, HealthPoints INTEGER, Latitude DOUBLE, Longitude DOUBLE, MagicPoints
INTEGER, Name VARCHAR(16), StatusTime TIMESTAMP``):

``Name``
    the unicorn's name (at most 16 characters, as the discovered ``VARCHAR(16)``).
``StatusTime``
    the record's (simulated) time in UTC, ``YYYY-MM-DD HH:MM:SS.mmm`` (Go's
    ``"2006-01-02 15:04:05.000"``, milliseconds truncated).
``Latitude``, ``Longitude``
    degrees, full float precision.
``Distance``
    metres travelled since the previous record, a float: the haversine distance between the
    previous and the current position (the unicorn's origin before its first record), so
    ``SUM(Distance)`` over a window is the length of the path. Speeds are the original's,
    29 to 31 m/s.
``MagicPoints``, ``HealthPoints``
    integers starting at 150 and moving by −1, 0 or +1 each record with probabilities ¼, ½, ¼
    (the original's ``nextPoints``), kept within 50 … 250 by reflection (the original was
    unbounded; the lab's extra credit alerts on vitals below 100, which long runs reach).

The original flew in a straight line forever from one point in Manhattan. Here each unicorn
starts somewhere within :data:`ORIGIN_SPREAD_M` of the start point (default the original's,
40.749167, −73.985184), heads off in a random direction, wanders (its bearing drifts a few
degrees a second) and turns back, at most :data:`MAX_TURN_RAD_PER_S` a second, whenever it is
more than :data:`ROAM_RADIUS_M` from the start point: paths stay around the start point.

Determinism: each unicorn has its own generator, seeded in fleet order from the ``rng`` given,
so the same seed gives byte-identical records and a larger fleet does not change the first
unicorns' paths. Movement is computed from the time elapsed since the previous call (one second
at the default rate; the first record covers the second before it).

Stand-alone: print JSON lines, or put them on a stream as ``./producer`` did::

    python -m producers.unicorns --count 3 --seconds 5
    python -m producers.unicorns --stream wildrydes --names Shadowfax --realtime [--endpoint-url URL]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from producers.base import Producer, Record

# The original producer's constants (producer.go).
LAB_START = (40.749167, -73.985184)
POINTS_START = 150
MIN_SPEED_M_PER_S = 29.0
MAX_SPEED_M_PER_S = 31.0

POINTS_MIN = 50
POINTS_MAX = 250
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), used for moving and for Distance
ORIGIN_SPREAD_M = 500.0  # a unicorn's first position is within this of the start point
ROAM_RADIUS_M = 3_000.0  # beyond this from the start point a unicorn turns back
HEADING_JITTER_RAD = 0.05  # standard deviation of the bearing's drift per second
MAX_TURN_RAD_PER_S = 0.1  # ~6°/s: a U-turn takes ~30 s (~300 m radius at 30 m/s)
NAME_MAX_CHARS = 16  # Kinesis Data Analytics discovered Name as VARCHAR(16)
MAX_COUNT = 10_000
MAX_LATITUDE = 85.0
DEFAULT_COUNT = 3

# Famous horses first; the lab used Shadowfax, Rocinante and Bucephalus.
NAMES: tuple[str, ...] = (
    "Shadowfax",
    "Rocinante",
    "Bucephalus",
    "Pegasus",
    "Sleipnir",
    "Epona",
    "Black Beauty",
    "Silver",
    "Trigger",
    "Brego",
    "Hidalgo",
    "Seabiscuit",
    "Secretariat",
    "Marengo",
    "Copenhagen",
    "Traveller",
    "Comanche",
    "Incitatus",
    "Arion",
    "Xanthos",
    "Balios",
    "Artax",
    "Falada",
    "Binky",
    "Maximus",
    "Buttercup",
    "Spirit",
    "Tornado",
    "Champion",
    "Phar Lap",
)


def fleet_names(count: int) -> list[str]:
    """The default names of a fleet of ``count``: :data:`NAMES`, then ``Unicorn-0031`` …"""
    names = list(NAMES[:count])
    names += [f"Unicorn-{i:04d}" for i in range(len(names) + 1, count + 1)]
    return names


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def destination(lat: float, lon: float, bearing: float, distance_m: float) -> tuple[float, float]:
    """The point ``distance_m`` from (lat, lon) along ``bearing`` (radians clockwise from north)."""
    p1, l1 = math.radians(lat), math.radians(lon)
    delta = distance_m / EARTH_RADIUS_M
    p2 = math.asin(
        math.sin(p1) * math.cos(delta) + math.cos(p1) * math.sin(delta) * math.cos(bearing)
    )
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(delta) * math.cos(p1),
        math.cos(delta) - math.sin(p1) * math.sin(p2),
    )
    lon2 = (math.degrees(l2) + 540.0) % 360.0 - 180.0
    return math.degrees(p2), lon2


def initial_bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Bearing (radians clockwise from north) from the first point towards the second."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    return math.atan2(
        math.sin(dl) * math.cos(p2),
        math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl),
    )


def _wrap(angle: float) -> float:
    """``angle`` in [-π, π)."""
    return (angle + math.pi) % (2 * math.pi) - math.pi


def status_time(now: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS.mmm`` in UTC, milliseconds truncated (Go's ``.000`` layout)."""
    if now.tzinfo is None:
        raise ValueError(f"UnicornProducer: expected an aware datetime, got {now!r}")
    now = now.astimezone(UTC)
    return now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}"


@dataclass
class Unicorn:
    """One unicorn's state between records."""

    name: str
    rng: random.Random
    latitude: float
    longitude: float
    bearing: float
    magic_points: int = POINTS_START
    health_points: int = POINTS_START

    def step(self, seconds: float, home: tuple[float, float]) -> float:
        """Move for ``seconds``; returns the haversine distance travelled, in metres."""
        rng = self.rng
        # The same draws every step, whatever happens, so a unicorn's sequence is stable.
        speed = rng.uniform(MIN_SPEED_M_PER_S, MAX_SPEED_M_PER_S)
        jitter = rng.gauss(0.0, HEADING_JITTER_RAD)
        self.magic_points = _next_points(rng, self.magic_points)
        self.health_points = _next_points(rng, self.health_points)
        if seconds <= 0:
            return 0.0
        turn = jitter * math.sqrt(seconds)
        if haversine_m(self.latitude, self.longitude, *home) > ROAM_RADIUS_M:
            towards = _wrap(initial_bearing(self.latitude, self.longitude, *home) - self.bearing)
            limit = MAX_TURN_RAD_PER_S * seconds
            turn += max(-limit, min(limit, towards))
        self.bearing = _wrap(self.bearing + turn)
        previous = (self.latitude, self.longitude)
        self.latitude, self.longitude = destination(*previous, self.bearing, speed * seconds)
        return haversine_m(*previous, self.latitude, self.longitude)


def _next_points(rng: random.Random, points: int) -> int:
    """The original's ``nextPoints``: −1, 0 or +1 (¼, ½, ¼), reflected at the bounds."""
    step = rng.randint(0, 1)
    if rng.getrandbits(1):
        step = -step
    points += step
    if points < POINTS_MIN:
        return POINTS_MIN + (POINTS_MIN - points)
    if points > POINTS_MAX:
        return POINTS_MAX - (points - POINTS_MAX)
    return points


def _parse_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"UnicornProducer: count must be an integer, got {value!r}")
    if not 1 <= value <= MAX_COUNT:
        raise ValueError(f"UnicornProducer: count must be 1 to {MAX_COUNT}, got {value}")
    return value


def _parse_start(value: Any) -> tuple[float, float]:
    if not isinstance(value, dict) or set(value) != {"lat", "lon"}:
        raise ValueError(f"UnicornProducer: start must be {{lat: …, lon: …}}, got {value!r}")
    lat, lon = value["lat"], value["lon"]
    for key, number in (("lat", lat), ("lon", lon)):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise TypeError(f"UnicornProducer: start.{key} must be a number, got {number!r}")
        if not math.isfinite(number):
            raise ValueError(f"UnicornProducer: start.{key} must be finite, got {number!r}")
    if not -MAX_LATITUDE <= lat <= MAX_LATITUDE:
        raise ValueError(
            f"UnicornProducer: start.lat must be within ±{MAX_LATITUDE:g}°, got {lat!r}"
        )
    if not -180 <= lon <= 180:
        raise ValueError(f"UnicornProducer: start.lon must be within ±180°, got {lon!r}")
    return float(lat), float(lon)


def _parse_names(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise TypeError(f"UnicornProducer: names must be a non-empty list, got {value!r}")
    if len(value) > MAX_COUNT:
        raise ValueError(f"UnicornProducer: at most {MAX_COUNT} names, got {len(value)}")
    seen: set[str] = set()
    for name in value:
        if not isinstance(name, str) or not name.strip():
            raise TypeError(f"UnicornProducer: each name must be a non-empty string, got {name!r}")
        if len(name) > NAME_MAX_CHARS:
            raise ValueError(
                f"UnicornProducer: name {name!r} is longer than {NAME_MAX_CHARS} characters "
                "(the lab's Kinesis Data Analytics schema has Name VARCHAR(16))"
            )
        if name in seen:
            raise ValueError(f"UnicornProducer: name {name!r} is given twice")
        seen.add(name)
    return list(value)


class UnicornProducer(Producer):
    """The Wild Rydes fleet: every call returns one status record per unicorn, keyed by name.

    Parameters (keyword arguments):

    ``count``
        Fleet size, 1 to 10,000 (default 3: Shadowfax, Rocinante, Bucephalus). With ``names``
        it may be omitted; if given it must equal the number of names.
    ``start``
        ``{lat: …, lon: …}``, the point the fleet roams around (default the lab's
        40.749167, −73.985184).
    ``names``
        The unicorns' names, unique, at most 16 characters each (default :data:`NAMES`, then
        ``Unicorn-0031`` …).
    """

    name: ClassVar[str] = "unicorns"
    default_rate: ClassVar[float] = 1.0

    def __init__(self, rng: random.Random, **params: Any):
        count = params.pop("count", None)
        start = params.pop("start", None)
        names = params.pop("names", None)
        super().__init__(rng, **params)  # rejects unknown parameters
        if names is not None:
            names = _parse_names(names)
            if count is not None and _parse_count(count) != len(names):
                raise ValueError(
                    f"UnicornProducer: count {count} differs from the {len(names)} names given"
                )
        else:
            names = fleet_names(_parse_count(count if count is not None else DEFAULT_COUNT))
        self.start = _parse_start(start) if start is not None else LAB_START
        self.unicorns: list[Unicorn] = []
        for name in names:
            own = random.Random(rng.getrandbits(64))
            lat, lon = destination(
                *self.start,
                own.uniform(-math.pi, math.pi),
                ORIGIN_SPREAD_M * math.sqrt(own.random()),  # uniform over the disc
            )
            self.unicorns.append(Unicorn(name, own, lat, lon, own.uniform(-math.pi, math.pi)))
        self._origins = {u.name: (u.latitude, u.longitude) for u in self.unicorns}
        self._last: datetime | None = None

    @property
    def names(self) -> list[str]:
        return [u.name for u in self.unicorns]

    def origins(self) -> dict[str, tuple[float, float]]:
        """Name → (latitude, longitude) before the first record."""
        return dict(self._origins)

    def statuses(self, now: datetime) -> list[dict[str, Any]]:
        """Advance the fleet to ``now`` and return one status per unicorn, in fleet order."""
        stamp = status_time(now)
        seconds = 1.0 if self._last is None else (now - self._last).total_seconds()
        self._last = now
        out = []
        for unicorn in self.unicorns:
            distance = unicorn.step(seconds, self.start)
            out.append(
                {
                    "Name": unicorn.name,
                    "StatusTime": stamp,
                    "Latitude": unicorn.latitude,
                    "Longitude": unicorn.longitude,
                    "Distance": distance,
                    "MagicPoints": unicorn.magic_points,
                    "HealthPoints": unicorn.health_points,
                }
            )
        return out

    def emit(self, now: datetime) -> list[Record]:
        return [
            Record(data=encode(status), partition_key=status["Name"])
            for status in self.statuses(now)
        ]


def encode(status: dict[str, Any]) -> bytes:
    """A record's data as the Go producer put it: compact JSON and a newline."""
    return json.dumps(status, separators=(",", ":")).encode() + b"\n"


# ---------------------------------------------------------------------------------------------
# Stand-alone: print the records, or put them on a stream as ./producer did


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m producers.unicorns",
        description="The Wild Rydes unicorn fleet: one status record per unicorn per second, "
        "printed as JSON lines or put on a Kinesis stream (PartitionKey = Name) as the lab's "
        "./producer did.",
    )
    parser.add_argument("--count", type=int, help=f"fleet size (default {DEFAULT_COUNT})")
    parser.add_argument("--names", help="comma-separated unicorn names (instead of --count)")
    parser.add_argument("--seconds", type=int, help="seconds to simulate (default: until Ctrl-C)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--lat", type=float, default=LAB_START[0], help="start latitude")
    parser.add_argument("--lon", type=float, default=LAB_START[1], help="start longitude")
    parser.add_argument(
        "--start-time",
        help="StatusTime of the first record, ISO 8601 (default: now, UTC, whole seconds)",
    )
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="one tick per wall-clock second, as the lab's producer (default: as fast as possible)",
    )
    parser.add_argument("--stream", help="put the records on this stream (the lab: wildrydes)")
    parser.add_argument("--endpoint-url", help="Kinesis endpoint (LocalStack, streamlab)")
    parser.add_argument("--region", default="us-east-1", help="default us-east-1")
    return parser


def _start_time(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC).replace(microsecond=0)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.seconds is None and not args.realtime:
        print("error: give --seconds N, or --realtime to run until interrupted", file=sys.stderr)
        return 2
    if args.seconds is not None and args.seconds < 0:
        print(f"error: --seconds must be 0 or more, got {args.seconds}", file=sys.stderr)
        return 2
    params: dict[str, Any] = {"start": {"lat": args.lat, "lon": args.lon}}
    if args.count is not None:
        params["count"] = args.count
    if args.names is not None:
        params["names"] = [n.strip() for n in args.names.split(",")]
    try:
        first = _start_time(args.start_time)
        producer = UnicornProducer(random.Random(args.seed), **params)
    except (ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    put = None
    if args.stream:
        import boto3  # only the stream mode needs the SDK
        from botocore.config import Config

        client = boto3.client(
            "kinesis",
            region_name=args.region,
            endpoint_url=args.endpoint_url,
            config=Config(
                retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30
            ),
        )

        def put(record: Record) -> None:
            client.put_record(
                StreamName=args.stream, Data=record.data, PartitionKey=record.partition_key
            )

    from botocore.exceptions import BotoCoreError, ClientError

    sent = 0
    started = time.monotonic()
    tick = 0
    try:
        while args.seconds is None or tick < args.seconds:
            if args.realtime and tick:
                delay = started + tick - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            for record in producer.emit(first + timedelta(seconds=tick)):
                if put is None:
                    sys.stdout.write(record.data.decode())
                else:
                    put(record)
                    sent += 1
            sys.stdout.flush()
            tick += 1
    except ClientError as exc:
        error = exc.response.get("Error", {})
        print(
            f"error: put_record failed after {sent} records: "
            f"{error.get('Code', '?')}: {error.get('Message', exc)}",
            file=sys.stderr,
        )
        return 1
    except BotoCoreError as exc:
        print(f"error: put_record failed after {sent} records: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted after {tick} seconds", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes stdout at exit
        return 0
    if put is not None:
        where = args.endpoint_url or f"AWS {args.region}"
        print(f"done: {sent} records put on {args.stream} at {where}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
