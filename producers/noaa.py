"""NOAA weather lab producer: daily Maryland measurements in the CDO API v2 ``results`` shape.

The lab (``Data-Processing-Pipeline-with-AWS-Kinesis``) fetched, for each day of October 2021,
``/cdo-web/api/v2/data?datasetid=GHCND&locationid=FIPS:24&startdate=D&enddate=D`` from NOAA's
Climate Data Online (CDO) API, kept the datatypes PRCP, SNOW, TMIN and TMAX, and put every
result on the Kinesis stream ``input-stream`` with ``put_record(Data=json.dumps(result),
PartitionKey=date)``. This producer does the same without the network: it generates the results
or replays a saved CDO response.

Each result has exactly the CDO v2 shape::

    {"date": "2021-10-01T00:00:00", "datatype": "PRCP", "station": "GHCND:USW00093721",
     "attributes": ",,W,2400", "value": 0.5}

``attributes`` is GHCND's flag string ``M,Q,S,HHMM``: measurement flag (``T`` = trace),
quality flag (blank = passed all checks), source flag (``W`` = WBAN/ASOS summary of the day,
``7`` = US Cooperative summary transmitted via WxCoder3, ``N`` = CoCoRaHS) and observation time
(``2400`` for airport stations, ``0700`` for the volunteer morning readings).

Units follow the lab's description: PRCP and SNOW in millimetres, TMIN and TMAX in whole degrees
Fahrenheit. (No single CDO request returns that mix: without ``units`` CDO returns GHCND's raw
tenths of mm and tenths of °C, ``units=metric`` gives mm and °C, ``units=standard`` inches and
°F. A replayed file is passed through unchanged.) Precipitation is measured in hundredths of an
inch and converted, so amounts come in steps of 0.254 mm rounded to 0.1 mm, as in real data.

**The values are synthetic.** Station ids and names look like (and partly are) real Maryland
GHCND stations; the measurements are drawn from a small weather model:

* a seasonal normal per climate region (cosine annual cycle; October cools by about 10 °F over
  the month), western Maryland's mountains coldest, the Bay and the coast mildest at night;
* a day-to-day temperature anomaly shared by all stations (weather systems are regional);
* rain systems shared by all stations on the same days (frontal systems wetter in the west,
  coastal storms wetter in the east), cooler and cloudier (smaller diurnal range) where it
  rains, with a cool-down after a front; isolated light showers and traces in between;
* snow only when it is cold enough (in October that means, at most, a trace or a little at a
  mountain station late in the month), otherwise SNOW is 0;
* not every station reports every datatype: CoCoRaHS volunteers (``US1MD…``) report
  precipitation only, some with snowfall; the naval air station reports no snowfall.

The data set depends only on the ``rng`` given (a :class:`random.Random`): the same seed gives
byte-identical records. The whole station table is always simulated, so asking for fewer
stations or datatypes does not change the values of the others.

Stand-alone, as putDataInStream.py ran::

    python -m producers.noaa --stream input-stream [--endpoint-url URL] [--region us-east-1]
        [--seed 42] [--stations 8] [--from-file F] [--rate 10]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from producers.base import Producer, Record

LAB_START_DATE = date(2021, 10, 1)
LAB_END_DATE = date(2021, 10, 31)
LAB_DATATYPES: tuple[str, ...] = ("PRCP", "SNOW", "TMIN", "TMAX")
# The CDO /data endpoint's own order within a date: by station, then datatype.
_DATATYPE_ORDER = {"PRCP": 0, "SNOW": 1, "TMAX": 2, "TMIN": 3}
DEFAULT_STATIONS = 8
MAX_DAYS = 366
MM_PER_HUNDREDTH_INCH = 0.254


class NoaaDataError(ValueError):
    """A replayed file is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Station:
    """A GHCND station as the CDO ``/stations`` endpoint names it, plus its model settings."""

    id: str
    name: str
    region: str  # climate region: central, bay, coastal, valley, mountain
    source: str  # GHCND source flag
    obs_time: str  # GHCND observation time, HHMM
    datatypes: tuple[str, ...]
    hi_offset: float = 0.0  # °F added to the region's normal high
    lo_offset: float = 0.0  # °F added to the region's normal low


# The first ``stations`` entries are used; the first eight mix every region and network.
STATIONS: tuple[Station, ...] = (
    Station(
        "GHCND:USW00093721",
        "BALTIMORE WASHINGTON INTERNATIONAL AIRPORT, MD US",
        "central",
        "W",
        "2400",
        LAB_DATATYPES,
        0.5,
        -1.5,
    ),
    Station(
        "GHCND:USW00093720",
        "SALISBURY REGIONAL AIRPORT, MD US",
        "coastal",
        "W",
        "2400",
        LAB_DATATYPES,
    ),
    Station(
        "GHCND:USW00093706",
        "HAGERSTOWN REGIONAL AIRPORT, MD US",
        "valley",
        "W",
        "2400",
        LAB_DATATYPES,
    ),
    Station(
        "GHCND:USC00186620",
        "OAKLAND 1 SE, MD US",
        "mountain",
        "7",
        "0700",
        LAB_DATATYPES,
        -0.5,
        -1.0,
    ),
    Station(
        "GHCND:USW00013721",
        "PATUXENT RIVER NAS, MD US",
        "bay",
        "W",
        "2400",
        ("PRCP", "TMIN", "TMAX"),
    ),
    Station("GHCND:US1MDAA0002", "ANNAPOLIS 2.1 NW, MD US", "bay", "N", "0700", ("PRCP", "SNOW")),
    Station("GHCND:US1MDMG0003", "GAITHERSBURG 1.6 NE, MD US", "central", "N", "0700", ("PRCP",)),
    Station(
        "GHCND:US1MDAL0006", "FROSTBURG 1.2 W, MD US", "mountain", "N", "0700", ("PRCP", "SNOW")
    ),
    Station(
        "GHCND:USW00093784",
        "BALTIMORE INNER HARBOR, MD US",
        "bay",
        "W",
        "2400",
        ("PRCP", "TMIN", "TMAX"),
        1.0,
        3.0,
    ),
    Station(
        "GHCND:USC00187330",
        "ROYAL OAK 2 SSW, MD US",
        "coastal",
        "7",
        "0700",
        LAB_DATATYPES,
        0.0,
        1.0,
    ),
    Station("GHCND:US1MDWR0005", "OCEAN CITY 3.2 W, MD US", "coastal", "N", "0700", ("PRCP",)),
    Station(
        "GHCND:US1MDHW0011", "ELLICOTT CITY 2.0 SW, MD US", "central", "N", "0700", ("PRCP", "SNOW")
    ),
)
MAX_STATIONS = len(STATIONS)

# Normal daily high and low (°F) per region as an annual cosine: mean + amplitude * cos(phase),
# peaking around 20 July. Fitted by eye to Maryland's 1991-2020 normals (BWI: October highs
# ~72 → ~61, lows ~51 → ~40; Garrett County ~10 °F colder).
_PEAK_DAY_OF_YEAR = 201
_NORMALS: dict[str, tuple[float, float, float, float]] = {
    #            mean hi, amp hi, mean lo, amp lo
    "central": (65.5, 22.0, 45.5, 20.5),
    "bay": (65.0, 21.0, 48.5, 20.0),
    "coastal": (66.5, 20.0, 45.5, 19.5),
    "valley": (64.0, 23.0, 43.0, 20.0),
    "mountain": (57.0, 21.5, 36.5, 19.0),
}
# How much of a system's rain each region gets: fronts come from the west, coastal storms
# (nor'easters) from the Atlantic.
_RAIN_FACTOR: dict[str, dict[str, float]] = {
    "frontal": {"mountain": 1.15, "valley": 1.0, "central": 1.0, "bay": 0.9, "coastal": 0.85},
    "coastal": {"mountain": 0.35, "valley": 0.55, "central": 0.9, "bay": 1.2, "coastal": 1.4},
}
_P_SYSTEM = 0.2  # chance a new rain system starts on a dry day
_MAX_SYSTEM_MM = 60.0  # a rain system's areal mean is capped (a strong nor'easter)
_P_SHOWER = 0.03  # isolated measurable shower at one station on a dry day
_P_TRACE = 0.04  # trace at one station on a dry day


# ---------------------------------------------------------------------------------------------
# Parameters


def _parse_date(name: str, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"NoaaProducer: {name} must be a date YYYY-MM-DD, got {value!r}")


def _parse_datatypes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items: Iterable[Any] = value.split(",")
    elif isinstance(value, Iterable):
        items = value
    else:
        raise TypeError(f"NoaaProducer: datatypes must be a list of names, got {value!r}")
    names: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"NoaaProducer: datatypes must be non-empty names, got {item!r}")
        name = item.strip().upper()
        if name not in names:
            names.append(name)
    if not names:
        raise ValueError("NoaaProducer: datatypes is empty")
    return tuple(names)


def _parse_stations(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"NoaaProducer: stations must be an integer, got {value!r}")
    if not 1 <= value <= MAX_STATIONS:
        raise ValueError(
            f"NoaaProducer: stations must be between 1 and {MAX_STATIONS}, got {value}"
        )
    return value


# ---------------------------------------------------------------------------------------------
# The weather model


def _normal(region: str, day: date) -> tuple[float, float]:
    mean_hi, amp_hi, mean_lo, amp_lo = _NORMALS[region]
    phase = 2 * math.pi * (day.timetuple().tm_yday - _PEAK_DAY_OF_YEAR) / 365.25
    return mean_hi + amp_hi * math.cos(phase), mean_lo + amp_lo * math.cos(phase)


def _round(x: float) -> int:
    return math.floor(x + 0.5)


def _hundredths(mm: float) -> int:
    """A rain amount as a rain gauge reads it: whole hundredths of an inch."""
    return _round(mm / MM_PER_HUNDREDTH_INCH)


def _mm(hundredths: int) -> float:
    return round(hundredths * MM_PER_HUNDREDTH_INCH, 1)


def _simulate(rng: random.Random, start: date, end: date) -> list[dict[str, Any]]:
    """Every station's four measurements for every day, in CDO order, before any filtering."""
    results: list[dict[str, Any]] = []
    anomaly = rng.gauss(0.0, 3.0)  # °F, shared by all stations
    system_days = 0  # days left in the current rain system
    system: tuple[str, float, float] = ("frontal", 0.0, 0.0)  # kind, intensity mm, coverage
    day = start
    while day <= end:
        # Shared weather of the day.
        anomaly = 0.65 * anomaly + rng.gauss(0.0, 3.5)
        if system_days == 0 and rng.random() < _P_SYSTEM:
            kind = "coastal" if rng.random() < 0.35 else "frontal"
            system_days = 1 if rng.random() < 0.65 else 2
            intensity = min(rng.lognormvariate(math.log(10.0), 0.65), _MAX_SYSTEM_MM)
            system = (kind, intensity, rng.uniform(0.65, 1.0))
        wet = system_days > 0
        kind, intensity, coverage = system

        stamp = f"{day.isoformat()}T00:00:00"
        day_results: list[dict[str, Any]] = []
        for station in STATIONS:
            normal_hi, normal_lo = _normal(station.region, day)
            hi = normal_hi + station.hi_offset + anomaly + rng.gauss(0.0, 1.5)
            lo = normal_lo + station.lo_offset + 0.8 * anomaly + rng.gauss(0.0, 1.5)

            # Precipitation in hundredths of an inch; -1 = trace.
            hundredths = 0
            if wet:
                reach = (
                    coverage
                    if kind == "frontal" or station.region not in ("mountain", "valley")
                    else coverage * 0.7
                )
                if rng.random() < reach:
                    amount = (
                        intensity
                        * _RAIN_FACTOR[kind][station.region]
                        * rng.lognormvariate(0.0, 0.35)
                    )
                    hundredths = _hundredths(amount) or -1
                elif rng.random() < 0.3:
                    hundredths = -1
            else:
                draw = rng.random()
                if draw < _P_SHOWER:
                    hundredths = max(1, _hundredths(rng.uniform(0.25, 3.0)))
                elif draw < _P_SHOWER + _P_TRACE:
                    hundredths = -1
            if hundredths > 0:  # clouds and rain: cooler days, milder nights
                hi -= rng.uniform(3.0, 8.0)
                lo += rng.uniform(1.0, 4.0)

            tmax = _round(hi)
            tmin = min(_round(lo), tmax - 3)
            prcp_mm = _mm(max(hundredths, 0))

            # Snowfall (mm) only when it is cold enough for the precipitation to fall as snow.
            snow_mm, snow_trace = 0, False
            if hundredths != 0 and tmin <= 30 and tmax <= 40:
                if tmax <= 34 and hundredths > 0:
                    snow_mm = _round(prcp_mm * rng.uniform(6.0, 10.0))
                else:
                    snow_trace = True

            flags = f",,{station.source},{station.obs_time}"
            trace_flags = f"T{flags}"
            values: dict[str, tuple[float | int, str]] = {
                "PRCP": (prcp_mm, trace_flags if hundredths < 0 else flags),
                "SNOW": (snow_mm, trace_flags if snow_trace and not snow_mm else flags),
                "TMAX": (tmax, flags),
                "TMIN": (tmin, flags),
            }
            for datatype in sorted(station.datatypes, key=_DATATYPE_ORDER.__getitem__):
                value, attributes = values[datatype]
                day_results.append(
                    {
                        "date": stamp,
                        "datatype": datatype,
                        "station": station.id,
                        "attributes": attributes,
                        "value": value,
                    }
                )

        if wet:
            system_days -= 1
            if system_days == 0:  # the air behind the system is cooler
                anomaly -= rng.uniform(4.0, 9.0) if kind == "frontal" else rng.uniform(2.0, 5.0)
        day_results.sort(key=lambda r: (r["station"], _DATATYPE_ORDER[r["datatype"]]))
        results.extend(day_results)
        day += timedelta(days=1)
    return results


def generate_results(
    rng: random.Random,
    *,
    stations: int = DEFAULT_STATIONS,
    start_date: date = LAB_START_DATE,
    end_date: date = LAB_END_DATE,
    datatypes: Sequence[str] = LAB_DATATYPES,
) -> list[dict[str, Any]]:
    """The synthetic CDO results for the first ``stations`` stations, in date order."""
    unknown = [d for d in datatypes if d not in LAB_DATATYPES]
    if unknown:
        raise ValueError(
            f"NoaaProducer: cannot generate datatype(s) {', '.join(unknown)}; "
            f"the generator knows {', '.join(LAB_DATATYPES)} (replay a file for "
            "others)"
        )
    chosen = {s.id for s in STATIONS[:stations]}
    wanted = set(datatypes)
    return [
        r
        for r in _simulate(rng, start_date, end_date)
        if r["station"] in chosen and r["datatype"] in wanted
    ]


# ---------------------------------------------------------------------------------------------
# Replaying saved CDO responses


def _check_result(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise NoaaDataError(f"{where}: expected a CDO result object, got {type(entry).__name__}")
    for key in ("date", "datatype", "station", "value"):
        if key not in entry:
            raise NoaaDataError(f"{where}: missing field {key!r}")
    if not isinstance(entry["date"], str):
        raise NoaaDataError(f"{where}: 'date' must be a string, got {entry['date']!r}")
    try:
        datetime.fromisoformat(entry["date"])
    except ValueError:
        raise NoaaDataError(
            f"{where}: 'date' must look like 2021-10-01T00:00:00, got {entry['date']!r}"
        ) from None
    for key in ("datatype", "station"):
        if not isinstance(entry[key], str) or not entry[key]:
            raise NoaaDataError(f"{where}: {key!r} must be a non-empty string, got {entry[key]!r}")
    value = entry["value"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise NoaaDataError(f"{where}: 'value' must be a finite number, got {value!r}")
    if "attributes" in entry and not isinstance(entry["attributes"], str):
        raise NoaaDataError(f"{where}: 'attributes' must be a string, got {entry['attributes']!r}")
    return entry


def _results_of(document: Any, where: str) -> list[dict[str, Any]]:
    """The results in one parsed JSON document: a CDO response, a list of results, or a result."""
    if isinstance(document, list):
        return [_check_result(e, f"{where}entry {i}") for i, e in enumerate(document)]
    if isinstance(document, dict):
        if "results" in document:
            results = document["results"]
            if not isinstance(results, list):
                raise NoaaDataError(f"{where}'results' must be a list")
            return [_check_result(e, f"{where}results[{i}]") for i, e in enumerate(results)]
        if not document:  # CDO answers {} when a query matches nothing
            return []
        if "datatype" in document:
            return [_check_result(document, f"{where}entry 0")]
        raise NoaaDataError(
            f"{where}expected a CDO response with 'results', a list of results "
            "or one result per line"
        )
    raise NoaaDataError(f"{where}expected a JSON object or list, got {type(document).__name__}")


def load_results(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Results from a saved CDO response ``{"metadata": …, "results": […]}``, a JSON list of
    results, or a JSON-lines file (one result, or one saved response, per line).

    Raises :class:`NoaaDataError` naming the file and the entry (and line) when malformed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NoaaDataError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise NoaaDataError(f"{path}: not UTF-8 text: {exc}") from None
    if not text.strip():
        raise NoaaDataError(f"{path}: file is empty")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as whole_error:
        results: list[dict[str, Any]] = []
        lines = text.splitlines()
        if sum(1 for line in lines if line.strip()) < 2:
            raise NoaaDataError(f"{path}: not valid JSON: {whole_error}") from None
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                parsed = json.loads(line)
            except json.JSONDecodeError as exc:
                raise NoaaDataError(f"{path}: line {number}: not valid JSON: {exc}") from None
            if isinstance(parsed, dict) and "results" not in parsed and parsed:
                results.append(
                    _check_result(parsed, f"{path}: line {number} (entry {len(results)})")
                )
            else:
                results.extend(_results_of(parsed, f"{path}: line {number}: "))
        return results
    return _results_of(document, f"{path}: ")


# ---------------------------------------------------------------------------------------------
# The producer


class NoaaProducer(Producer):
    """Emits the lab's weather results one per tick, in date order, keyed by date.

    Parameters (keyword arguments):

    ``stations``
        How many stations to simulate, 1 to 12 (default 8). Not with ``from_file``.
    ``start_date``, ``end_date``
        Inclusive date range, ``YYYY-MM-DD`` (default the lab's 2021-10-01 … 2021-10-31). With
        ``from_file`` they filter the file's results only when given.
    ``from_file``
        Path of a saved CDO response, a JSON list of results or a JSON-lines file: its results
        are replayed (sorted by date, otherwise in file order) instead of generated.
    ``datatypes``
        Datatypes to keep (default PRCP, SNOW, TMIN, TMAX); a file's other datatypes are
        skipped, as the lab's getData.py did.
    """

    name: ClassVar[str] = "noaa"
    default_rate: ClassVar[float] = 10.0

    def __init__(self, rng: random.Random, **params: Any):
        stations = params.pop("stations", None)
        start = params.pop("start_date", None)
        end = params.pop("end_date", None)
        from_file = params.pop("from_file", None)
        datatypes = _parse_datatypes(params.pop("datatypes", LAB_DATATYPES))
        super().__init__(rng, **params)  # rejects unknown parameters

        start_date = _parse_date("start_date", start) if start is not None else None
        end_date = _parse_date("end_date", end) if end is not None else None
        if start_date and end_date and start_date > end_date:
            raise ValueError(f"NoaaProducer: start_date {start_date} is after end_date {end_date}")

        if from_file is not None:
            if stations is not None:
                raise ValueError(
                    "NoaaProducer: stations applies to generated data, not with from_file"
                )
            if not isinstance(from_file, str | os.PathLike):
                raise TypeError(f"NoaaProducer: from_file must be a path, got {from_file!r}")
            self.from_file: Path | None = Path(from_file)
            wanted = set(datatypes)
            results = [
                r
                for r in load_results(from_file)
                if r["datatype"] in wanted
                and (start_date is None or start_date <= _day(r))
                and (end_date is None or _day(r) <= end_date)
            ]
            results.sort(key=_day)  # stable: a date's results keep the file's order
            self.station_count = len({r["station"] for r in results})
        else:
            self.from_file = None
            self.station_count = _parse_stations(
                stations if stations is not None else DEFAULT_STATIONS
            )
            start_date = start_date or LAB_START_DATE
            end_date = end_date or LAB_END_DATE
            if start_date > end_date:
                raise ValueError(
                    f"NoaaProducer: start_date {start_date} is after end_date {end_date}"
                )
            if (end_date - start_date).days + 1 > MAX_DAYS:
                raise ValueError(
                    f"NoaaProducer: at most {MAX_DAYS} days, got {start_date} … {end_date}"
                )
            results = generate_results(
                rng,
                stations=self.station_count,
                start_date=start_date,
                end_date=end_date,
                datatypes=datatypes,
            )
        self.datatypes = datatypes
        self._results = results
        self._records = [
            Record(data=json.dumps(r).encode(), partition_key=r["date"][:10]) for r in results
        ]
        self._next = 0

    def results(self) -> list[dict[str, Any]]:
        """Every result this producer emits, in emit order (a copy)."""
        return [dict(r) for r in self._results]

    def records(self) -> list[Record]:
        """Every record this producer emits, in emit order."""
        return list(self._records)

    def stations(self) -> dict[str, str]:
        """Station id → name for the generated stations (``{}`` when replaying a file)."""
        if self.from_file is not None:
            return {}
        return {s.id: s.name for s in STATIONS[: self.station_count]}

    def emit(self, now: datetime) -> list[Record]:
        if self._next >= len(self._records):
            return []
        record = self._records[self._next]
        self._next += 1
        return [record]

    @property
    def finished(self) -> bool:
        return self._next >= len(self._records)


def _day(result: dict[str, Any]) -> date:
    return datetime.fromisoformat(result["date"]).date()


# ---------------------------------------------------------------------------------------------
# Stand-alone: put the records on a stream, as putDataInStream.py did


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m producers.noaa",
        description="Put the NOAA weather lab's records on a Kinesis stream, one put_record "
        "per result, as the lab's putDataInStream.py did.",
    )
    parser.add_argument("--stream", required=True, help="stream name (the lab: input-stream)")
    parser.add_argument(
        "--endpoint-url", help="Kinesis endpoint (LocalStack, streamlab); default AWS"
    )
    parser.add_argument("--region", default="us-east-1", help="default us-east-1")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--stations",
        type=int,
        help=f"stations to simulate, 1-{MAX_STATIONS} (default {DEFAULT_STATIONS})",
    )
    parser.add_argument("--from-file", help="replay a saved CDO response / JSON list / JSON lines")
    parser.add_argument("--start-date", help="first date, YYYY-MM-DD (default 2021-10-01)")
    parser.add_argument("--end-date", help="last date, YYYY-MM-DD (default 2021-10-31)")
    parser.add_argument("--datatypes", help="comma-separated (default PRCP,SNOW,TMIN,TMAX)")
    parser.add_argument(
        "--rate",
        type=float,
        default=NoaaProducer.default_rate,
        help="records per second (default 10; 0 = as fast as possible)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.rate < 0 or not math.isfinite(args.rate):
        print(f"error: --rate must be 0 or more, got {args.rate}", file=sys.stderr)
        return 2
    params: dict[str, Any] = {}
    for key in ("stations", "from_file", "start_date", "end_date", "datatypes"):
        if getattr(args, key) is not None:
            params[key] = getattr(args, key)
    try:
        producer = NoaaProducer(random.Random(args.seed), **params)
    except (ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    import boto3  # only the stand-alone mode needs the SDK
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

    client = boto3.client(
        "kinesis",
        region_name=args.region,
        endpoint_url=args.endpoint_url,
        config=Config(
            retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=30
        ),
    )
    where = args.endpoint_url or f"AWS {args.region}"
    results = producer.results()
    total = len(results)
    sent = 0
    started = time.monotonic()
    try:
        while not producer.finished:
            for record in producer.emit(datetime.now(UTC)):
                request: dict[str, Any] = {
                    "StreamName": args.stream,
                    "Data": record.data,
                    "PartitionKey": record.partition_key,
                }
                if record.explicit_hash_key is not None:
                    request["ExplicitHashKey"] = record.explicit_hash_key
                response = client.put_record(**request)
                result = results[sent]
                sent += 1
                if not args.quiet:
                    print(
                        f"[{sent}/{total}] {record.partition_key} {result['datatype']} "
                        f"{result['station']} -> {response['ShardId']} "
                        f"seq {response['SequenceNumber']}",
                        flush=True,
                    )
            if args.rate > 0:
                delay = started + sent / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "?"), error.get("Message", str(exc))
        if code == "ResourceNotFoundException":
            print(
                f"error: stream {args.stream!r} does not exist at {where} "
                f"({code}: {message}); create it first, e.g. aws kinesis create-stream "
                f"--stream-name {args.stream} --stream-mode-details StreamMode=ON_DEMAND",
                file=sys.stderr,
            )
        else:
            print(
                f"error: put_record failed after {sent} of {total} records: {code}: {message}",
                file=sys.stderr,
            )
        return 1
    except EndpointConnectionError as exc:
        print(f"error: cannot reach the Kinesis endpoint {where}: {exc}", file=sys.stderr)
        return 1
    except BotoCoreError as exc:  # no credentials, timeouts, …
        print(f"error: put_record failed after {sent} of {total} records: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted after {sent} of {total} records", file=sys.stderr)
        return 130
    elapsed = time.monotonic() - started
    print(f"done: {sent} records put on {args.stream} at {where} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
