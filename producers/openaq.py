"""OpenAQ producer: air-quality measurements from Belgian cities in OpenAQ's v2 shape.

The OpenAQ seeds (``openaq-streaming-flink``, ``openaq-batch-mariadb``) fed their pipelines with
``generate-test-data.py <stream> <ingestion frequency per minute>``, "set by default to 100
measurements per minute". This producer generates those measurements on the simulated clock, or
replays a saved OpenAQ file. One tick gives one measurement, so the default rate of 100/60 ticks
per second (:data:`SEED_MEASUREMENTS_PER_MINUTE`) gives 100 a minute, 18,000 in 3 hours.

Each record's data is one measurement as compact UTF-8 JSON, exactly this shape (the shared
``measurement.md``)::

    {"locationId":4879,"location":"Brussels - Molenbeek","city":"Brussels","country":"BE",
     "parameter":"pm25","value":12.4,"unit":"µg/m³",
     "date":{"utc":"2026-11-02T09:00:00+00:00","local":"2026-11-02T10:00:00+01:00"},
     "coordinates":{"latitude":50.8486,"longitude":4.3317}}

and its partition key is the location name. ``date.utc`` is the tick's time ``now`` truncated
to whole seconds; ``date.local`` is the same instant in Europe/Brussels (``zoneinfo``, so +01:00
in winter and +02:00 in summer). ``unit`` is always ``µg/m³`` (the EEA data OpenAQ serves for
Belgium). ``value`` is a float rounded to 1 decimal (``co`` to a whole number).

**Where and what.** :data:`LOCATIONS` holds 27 monitoring locations in ten cities (Brussels,
Antwerp, Ghent, Liège, Charleroi, Namur, Leuven, Bruges, Mons, Mechelen; two to four each),
with fixed coordinates near the real places and stable, synthetic ``locationId`` s (4879 is
``measurement.md``'s example). Every location measures the six :data:`PARAMETERS`. The
(location, parameter) pair of each tick is a **shuffled round-robin**: every cycle measures each
pair once, in an order the ``rng`` shuffles anew each cycle, so all cities and parameters are
covered evenly at any rate.

**The values are synthetic**, drawn from a small model (:data:`MODELS`)::

    value = base × city × site × diurnal(local hour) × swing(time) × noise [× spike]

* ``base``: a Belgian urban-background level per parameter (pm25 11, pm10 19, no2 24, o3 48,
  so2 3, co 300 µg/m³);
* ``city``, ``site``: per-city factors (Antwerp and Brussels busiest; so2 higher in the port and
  steel cities Antwerp, Ghent, Liège, Charleroi) and per-site factors for the station type
  (traffic, urban background, suburban, industrial; o3 is lower where traffic titrates it);
* ``diurnal``: traffic rush hours at 08:00 and 18:00 Europe/Brussels local time raise no2 and
  co most, pm25 and pm10 less; o3 peaks around 15:00 (photochemistry) and dips at the rush
  hours; so2 barely moves. Local time follows DST;
* ``swing``: a slow regional swing (±25 %, a 3.3-day sine with a seed-chosen phase per
  parameter), so consecutive 3-hour windows differ;
* ``noise``: log-normal, σ 0.2 to 0.35 by parameter;
* ``spike``: with probability ``spike_probability`` (default 0.005) the value is multiplied by a
  factor drawn uniformly from 2 to 5 (a local pollution event).

**Invalid measurements.** With ``invalid_fraction`` > 0 (default 0) that share of the
measurements is made invalid in one of the ways of ``measurement.md`` (:data:`INVALID_KINDS`,
chosen uniformly by the ``rng``), so the ingestion Lambda's rejection path gets exercised:
``missing_field`` (one of :data:`REQUIRED_FIELDS` removed), ``negative_value``,
``unknown_parameter`` (a real OpenAQ parameter outside the six, e.g. ``pm1``),
``value_not_a_number`` (a string or null) and ``unparseable_date`` (``date.utc`` that does not
parse). :attr:`OpenAQProducer.invalid_counts` and :attr:`OpenAQProducer.spike_count` count them.

**Determinism.** Everything depends only on the ``rng`` given: the same seed gives byte-identical
records. The order, the values, the spikes and the invalid choices each use their own generator
seeded from it, so changing ``spike_probability`` or ``invalid_fraction`` changes only the
spiked or invalid measurements, never the others.

**Replay** (``from_file``): a JSON list of measurements, an OpenAQ API response
``{"meta": …, "results": […]}``, NDJSON (one measurement per line), or a ``.csv`` file with
OpenAQ's CSV export columns ``location, city, country, utc, local, parameter, value, unit,
latitude, longitude`` (extra columns are ignored, except ``locationId``, which is kept). Each
measurement keeps its values; JSON ones are passed on as they are (extra fields included) and
CSV rows are mapped back into the shape above. Measurements are sorted by ``date.utc`` (stable)
and shifted in time so the earliest falls on the first tick (whole seconds), keeping their
spacing; each is emitted at the first tick at or after its shifted ``date.utc`` (``emit``
returns every measurement due), and :attr:`~OpenAQProducer.finished` turns True after the last.
``date.local`` becomes the shifted instant in Europe/Brussels when the file's was in
Europe/Brussels time; any other offset is kept. A relative path is resolved by sim's producer
registry as for every producer (the working directory, then the scenario file's directory).
Bad files raise :class:`OpenAQDataError` naming the file, the entry or line, and what is wrong.

Stand-alone, printing NDJSON on the wall clock as generate-test-data.py produced it::

    python -m producers.openaq --count 10 [--rate 100] [--seed 42] [--cities Brussels,Ghent]
        [--parameters no2,o3] [--spike-probability P] [--invalid-fraction F] [--from-file F]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from producers.base import Producer, Record

# The seeds' generate-test-data.py: "Ingestion frequency is optional and set by default to 100
# measurements per minute" (openaq-streaming-flink and openaq-batch-mariadb READMEs).
SEED_MEASUREMENTS_PER_MINUTE = 100
BRUSSELS = ZoneInfo("Europe/Brussels")
COUNTRY = "BE"
UNIT = "µg/m³"  # measurement.md: the EEA data OpenAQ serves for Belgium
PARAMETERS: tuple[str, ...] = ("pm25", "pm10", "no2", "o3", "so2", "co")
DEFAULT_SPIKE_PROBABILITY = 0.005
SPIKE_FACTOR_RANGE = (2.0, 5.0)
# measurement.md: the fields whose absence makes a measurement invalid.
REQUIRED_FIELDS: tuple[str, ...] = (
    "location",
    "city",
    "country",
    "parameter",
    "value",
    "unit",
    "date.utc",
)
INVALID_KINDS: tuple[str, ...] = (
    "missing_field",
    "negative_value",
    "unknown_parameter",
    "value_not_a_number",
    "unparseable_date",
)
# Real OpenAQ parameters the pipeline does not know.
UNKNOWN_PARAMETERS: tuple[str, ...] = ("pm1", "bc", "nox", "no")
SWING_AMPLITUDE = 0.25  # the slow regional swing: exp(±0.25) ≈ ±25 %
SWING_PERIOD_SECONDS = 3.3 * 86_400
CSV_COLUMNS: tuple[str, ...] = (
    "location",
    "city",
    "country",
    "utc",
    "local",
    "parameter",
    "value",
    "unit",
    "latitude",
    "longitude",
)


class OpenAQDataError(ValueError):
    """A replayed file is malformed; the message names the file, the entry or line, and what."""


# ---------------------------------------------------------------------------------------------
# Where: cities and monitoring locations


@dataclass(frozen=True, slots=True)
class City:
    """A city and its factors on the base levels (traffic pollutants, o3, so2)."""

    name: str
    traffic: float  # no2, co, pm25, pm10
    ozone: float
    sulphur: float


@dataclass(frozen=True, slots=True)
class Location:
    """A monitoring location as OpenAQ names it, with its station type."""

    id: int
    name: str
    city: str
    latitude: float
    longitude: float
    site: str  # traffic, urban, suburban, industrial


CITIES: tuple[City, ...] = (
    City("Brussels", 1.20, 0.90, 1.0),
    City("Antwerp", 1.25, 0.90, 1.6),  # port and petrochemical industry
    City("Ghent", 1.10, 0.95, 1.4),  # port, steelworks
    City("Liège", 1.10, 0.95, 1.3),  # steel industry along the Meuse
    City("Charleroi", 1.05, 0.95, 1.3),
    City("Namur", 0.90, 1.05, 0.8),
    City("Leuven", 0.95, 1.00, 0.8),
    City("Bruges", 0.85, 1.10, 0.9),  # near the coast
    City("Mons", 0.90, 1.05, 0.8),
    City("Mechelen", 1.00, 1.00, 0.9),
)
CITY_NAMES: tuple[str, ...] = tuple(c.name for c in CITIES)

LOCATIONS: tuple[Location, ...] = (
    Location(4879, "Brussels - Molenbeek", "Brussels", 50.8486, 4.3317, "urban"),
    Location(4880, "Brussels - Ixelles", "Brussels", 50.8266, 4.3811, "traffic"),
    Location(4881, "Brussels - Uccle", "Brussels", 50.7962, 4.3585, "suburban"),
    Location(4882, "Brussels - Haren", "Brussels", 50.8856, 4.3839, "industrial"),
    Location(4901, "Antwerp - Borgerhout", "Antwerp", 51.2107, 4.4316, "traffic"),
    Location(4902, "Antwerp - Linkeroever", "Antwerp", 51.2218, 4.3854, "urban"),
    Location(4903, "Antwerp - Schoten", "Antwerp", 51.2516, 4.4957, "suburban"),
    Location(4904, "Antwerp - Haven", "Antwerp", 51.2620, 4.3420, "industrial"),
    Location(4921, "Ghent - Baudelostraat", "Ghent", 51.0587, 3.7291, "urban"),
    Location(4922, "Ghent - Gustaaf Callierlaan", "Ghent", 51.0433, 3.7340, "traffic"),
    Location(4923, "Ghent - Sint-Kruiswinkel", "Ghent", 51.1465, 3.8193, "industrial"),
    Location(4941, "Liège - Sainte-Marguerite", "Liège", 50.6440, 5.5580, "urban"),
    Location(4942, "Liège - Avroy", "Liège", 50.6366, 5.5667, "traffic"),
    Location(4943, "Liège - Jemeppe", "Liège", 50.6139, 5.4978, "industrial"),
    Location(4961, "Charleroi - Lodelinsart", "Charleroi", 50.4337, 4.4589, "urban"),
    Location(4962, "Charleroi - Ville-Basse", "Charleroi", 50.4098, 4.4446, "traffic"),
    Location(4963, "Charleroi - Marchienne", "Charleroi", 50.4062, 4.3990, "industrial"),
    Location(4981, "Namur - Centre", "Namur", 50.4649, 4.8663, "urban"),
    Location(4982, "Namur - Vedrin", "Namur", 50.5003, 4.8815, "suburban"),
    Location(5001, "Leuven - Tiensevest", "Leuven", 50.8810, 4.7110, "traffic"),
    Location(5002, "Leuven - Kessel-Lo", "Leuven", 50.8880, 4.7260, "suburban"),
    Location(5021, "Bruges - Centrum", "Bruges", 51.2093, 3.2247, "urban"),
    Location(5022, "Bruges - Zeebrugge", "Bruges", 51.3250, 3.2050, "industrial"),
    Location(5041, "Mons - Centre", "Mons", 50.4542, 3.9523, "urban"),
    Location(5042, "Mons - Jemappes", "Mons", 50.4520, 3.8920, "suburban"),
    Location(5061, "Mechelen - Centrum", "Mechelen", 51.0259, 4.4776, "urban"),
    Location(5062, "Mechelen - Ring", "Mechelen", 51.0340, 4.4920, "traffic"),
)

# Station type → factor on (traffic pollutants, o3, so2).
SITE_FACTORS: dict[str, tuple[float, float, float]] = {
    "traffic": (1.30, 0.80, 1.0),
    "urban": (1.00, 1.00, 1.0),
    "suburban": (0.75, 1.15, 0.8),
    "industrial": (1.10, 0.95, 1.8),
}


# ---------------------------------------------------------------------------------------------
# What: the value model


@dataclass(frozen=True, slots=True)
class ParameterModel:
    """How one parameter's value is drawn (levels in µg/m³)."""

    base: float  # urban-background mean level
    group: int  # which city/site factor applies: 0 traffic, 1 o3, 2 so2
    local_weight: float  # exponent on the city and site factors (pm is more regional)
    rush: float  # amplitude of the 08:00/18:00 rush-hour profile
    afternoon: float  # amplitude of the 15:00 photochemical profile
    noise: float  # σ of the log-normal noise
    decimals: int


MODELS: dict[str, ParameterModel] = {
    "pm25": ParameterModel(11.0, 0, 0.5, 0.35, 0.0, 0.30, 1),
    "pm10": ParameterModel(19.0, 0, 0.6, 0.50, 0.0, 0.30, 1),
    "no2": ParameterModel(24.0, 0, 1.0, 1.00, 0.0, 0.25, 1),
    "o3": ParameterModel(48.0, 1, 1.0, -0.25, 1.2, 0.20, 1),
    "so2": ParameterModel(3.0, 2, 1.0, 0.20, 0.0, 0.35, 1),
    "co": ParameterModel(300.0, 0, 0.8, 0.80, 0.0, 0.20, 0),
}
RUSH_PEAKS = ((8.0, 1.5, 1.0), (18.0, 2.0, 0.8))  # (local hour, width h, height)
AFTERNOON_PEAK = (15.0, 3.0, 1.0)


def _bump(hour: float, peak: float, width: float, height: float) -> float:
    distance = (hour - peak + 12.0) % 24.0 - 12.0  # around the clock
    return height * math.exp(-0.5 * (distance / width) ** 2)


def _daily_mean(profile: Any) -> float:
    return sum(profile(h / 60.0) for h in range(24 * 60)) / (24 * 60)


def rush_profile(hour: float) -> float:
    """Traffic: peaks of 1 at 08:00 and 0.8 at 18:00 local time, ~0 at night."""
    return sum(_bump(hour, *peak) for peak in RUSH_PEAKS)


def afternoon_profile(hour: float) -> float:
    """Photochemistry: a peak of 1 at 15:00 local time."""
    return _bump(hour, *AFTERNOON_PEAK)


RUSH_MEAN = _daily_mean(rush_profile)
AFTERNOON_MEAN = _daily_mean(afternoon_profile)


def diurnal_factor(parameter: str, local_hour: float) -> float:
    """The diurnal cycle of ``parameter`` at a (fractional) local hour; its daily mean is 1."""
    model = MODELS[parameter]
    factor = (
        1.0
        + model.rush * (rush_profile(local_hour) - RUSH_MEAN)
        + model.afternoon * (afternoon_profile(local_hour) - AFTERNOON_MEAN)
    )
    return max(factor, 0.1)


# ---------------------------------------------------------------------------------------------
# Formatting


def iso_utc(instant: datetime) -> str:
    """``2026-11-02T09:00:00+00:00``: whole seconds, truncated."""
    return instant.astimezone(UTC).replace(microsecond=0).isoformat()


def iso_local(instant: datetime, zone: Any = BRUSSELS) -> str:
    """The same instant in ``zone`` (default Europe/Brussels), whole seconds, with its offset."""
    return instant.astimezone(zone).replace(microsecond=0).isoformat()


def encode(measurement: dict[str, Any]) -> bytes:
    """A record's data: compact JSON, UTF-8 (``µg/m³`` and ``Liège`` as they are)."""
    return json.dumps(measurement, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _aware_utc(now: datetime) -> datetime:
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise ValueError(f"OpenAQProducer: expected an aware datetime, got {now!r}")
    return now.astimezone(UTC)


# ---------------------------------------------------------------------------------------------
# Parameters


def _fold(name: str) -> str:
    """Case- and accent-insensitive form: ``Liege`` matches ``Liège``."""
    decomposed = unicodedata.normalize("NFKD", name.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _names(
    param: str, singular: str, value: Any, known: Sequence[str], fold: Any
) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise TypeError(
            f"OpenAQProducer: {param} must be a list of names (any of {', '.join(known)}), "
            f"got {value!r}"
        )
    if not value:
        raise ValueError(f"OpenAQProducer: {param} must not be empty; known: {', '.join(known)}")
    by_key = {fold(k): k for k in known}
    chosen: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise TypeError(f"OpenAQProducer: {param} must hold names (strings), got {item!r}")
        name = by_key.get(fold(item))
        if name is None:
            raise ValueError(
                f"OpenAQProducer: unknown {singular} {item!r} in {param}; known: {', '.join(known)}"
            )
        if name in chosen:
            raise ValueError(f"OpenAQProducer: {param} names {name!r} twice")
        chosen.append(name)
    return tuple(chosen)


def _probability(param: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"OpenAQProducer: {param} must be a number from 0 to 1, got {value!r}")
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise ValueError(f"OpenAQProducer: {param} must be from 0 to 1, got {value!r}")
    return float(value)


# ---------------------------------------------------------------------------------------------
# Replaying saved OpenAQ files


@dataclass(frozen=True, slots=True)
class _Saved:
    """One measurement of a file: when it was taken (UTC) and the measurement itself."""

    utc: datetime
    measurement: dict[str, Any]
    local: datetime | None  # the file's date.local, parsed; None when it has none


def _parse_time(text: Any, where: str, field: str) -> datetime:
    if isinstance(text, str):
        try:
            return datetime.fromisoformat(text.strip())
        except ValueError:
            pass
    raise OpenAQDataError(
        f"{where}: {field} must be an ISO 8601 time such as 2026-11-02T09:00:00+00:00, got {text!r}"
    )


def _saved(measurement: dict[str, Any], where: str) -> _Saved:
    """Check what replaying needs (a location to key by, a date.utc to schedule by)."""
    location = measurement.get("location")
    if not isinstance(location, str) or not location.strip():
        raise OpenAQDataError(
            f"{where}: 'location' must be a non-empty string (the partition key), got {location!r}"
            if "location" in measurement
            else f"{where}: missing field 'location' (the partition key)"
        )
    date = measurement.get("date")
    if not isinstance(date, dict):
        raise OpenAQDataError(
            f"{where}: 'date' must be an object with 'utc' (and 'local'), got {date!r}"
            if "date" in measurement
            else f"{where}: missing field 'date'"
        )
    if "utc" not in date:
        raise OpenAQDataError(f"{where}: missing field 'date.utc'")
    utc = _parse_time(date["utc"], where, "'date.utc'")
    utc = utc.replace(tzinfo=UTC) if utc.tzinfo is None else utc.astimezone(UTC)
    local = None
    if date.get("local") is not None:
        local = _parse_time(date["local"], where, "'date.local'")
    return _Saved(utc, measurement, local)


def _from_document(document: Any, where: str) -> list[_Saved]:
    if isinstance(document, dict) and "results" in document:
        results = document["results"]
        if not isinstance(results, list):
            raise OpenAQDataError(f"{where}: 'results' must be a list, got {results!r:.60}")
        label = "results"
    elif isinstance(document, list):
        results, label = document, "entry"
    elif isinstance(document, dict) and "date" in document:
        results, label = [document], "entry"
    else:
        raise OpenAQDataError(
            f"{where}: expected a list of measurements, an OpenAQ API response with "
            f"'results', or one measurement per line; got {type(document).__name__}"
        )
    saved = []
    for index, entry in enumerate(results):
        at = f"{where}: {label}[{index}]" if label == "results" else f"{where}: entry {index}"
        if not isinstance(entry, dict):
            raise OpenAQDataError(
                f"{at}: expected a measurement object, got {type(entry).__name__}"
            )
        saved.append(_saved(entry, at))
    return saved


def _from_json(text: str, path: Path) -> list[_Saved]:
    try:
        return _from_document(json.loads(text), str(path))
    except json.JSONDecodeError as whole:
        lines = text.splitlines()
        first = next((line for line in lines if line.strip()), "")
        try:
            json.loads(first)
        except json.JSONDecodeError:  # not NDJSON either: one broken document
            raise OpenAQDataError(f"{path}: not valid JSON: {whole}") from None
    saved = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        at = f"{path}: line {number}"
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise OpenAQDataError(f"{at}: not valid JSON: {exc.msg} (column {exc.colno})") from None
        if not isinstance(entry, dict):
            raise OpenAQDataError(
                f"{at}: expected one measurement object per line, got {type(entry).__name__}"
            )
        saved.append(_saved(entry, at))
    return saved


def _csv_number(text: str, at: str, column: str) -> float:
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise OpenAQDataError(f"{at}: {column} must be a number, got {text!r}")
    return number


def _from_csv(text: str, path: Path) -> list[_Saved]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    columns = {name.strip().casefold(): i for i, name in enumerate(header)}
    missing = [c for c in CSV_COLUMNS if c not in columns]
    if missing:
        raise OpenAQDataError(
            f"{path}: line 1: the CSV header lacks column(s) {', '.join(missing)}; OpenAQ's "
            f"export has {', '.join(CSV_COLUMNS)}; found {', '.join(header) or 'nothing'}"
        )
    id_column = columns.get("locationid")
    saved = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        at = f"{path}: line {reader.line_num}"
        if len(row) != len(header):
            raise OpenAQDataError(
                f"{at}: expected {len(header)} fields as in the header, found {len(row)}"
            )

        def cell(name: str, row: list[str] = row) -> str:
            return row[columns[name]].strip()

        measurement: dict[str, Any] = {}
        if id_column is not None and row[id_column].strip():
            try:
                measurement["locationId"] = int(row[id_column])
            except ValueError:
                raise OpenAQDataError(
                    f"{at}: locationId must be an integer, got {row[id_column]!r}"
                ) from None
        for name in ("location", "city", "country", "parameter"):
            measurement[name] = cell(name)
        measurement["value"] = _csv_number(cell("value"), at, "value")
        measurement["unit"] = cell("unit")
        date: dict[str, str] = {"utc": cell("utc")}
        if cell("local"):
            date["local"] = cell("local")
        measurement["date"] = date
        latitude, longitude = cell("latitude"), cell("longitude")
        if latitude or longitude:
            measurement["coordinates"] = {
                "latitude": _csv_number(latitude, at, "latitude"),
                "longitude": _csv_number(longitude, at, "longitude"),
            }
        else:  # OpenAQ's own JSON has null coordinates where it has none
            measurement["coordinates"] = None
        saved.append(_saved(measurement, at))
    return saved


def _load(path: Path) -> list[_Saved]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise OpenAQDataError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise OpenAQDataError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    if not text.strip():
        raise OpenAQDataError(f"{path}: file is empty")
    saved = _from_csv(text, path) if path.suffix.lower() == ".csv" else _from_json(text, path)
    if not saved:
        raise OpenAQDataError(f"{path}: the file holds no measurements")
    return sorted(saved, key=lambda s: s.utc)  # stable: equal times keep the file's order


def load_measurements(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The measurements of a saved OpenAQ file, as stored (CSV rows mapped to the JSON shape),
    sorted by ``date.utc``. Raises :class:`OpenAQDataError` when the file is malformed."""
    return [s.measurement for s in _load(Path(path))]


class _Replay:
    """The file's measurements, shifted so the earliest falls on the first tick."""

    def __init__(self, saved: list[_Saved]):
        self._saved = saved
        self._shift: timedelta | None = None
        self._next = 0

    @property
    def finished(self) -> bool:
        return self._next >= len(self._saved)

    def emit(self, now: datetime) -> list[Record]:
        if self._shift is None:
            self._shift = now.replace(microsecond=0) - self._saved[0].utc
        out = []
        while self._next < len(self._saved) and self._saved[self._next].utc + self._shift <= now:
            saved = self._saved[self._next]
            self._next += 1
            measurement = self._shifted(saved, saved.utc + self._shift)
            out.append(Record(encode(measurement), partition_key=saved.measurement["location"]))
        return out

    def _shifted(self, saved: _Saved, utc: datetime) -> dict[str, Any]:
        date = dict(saved.measurement["date"])
        date["utc"] = iso_utc(utc)
        local = saved.local
        if local is not None:  # else the file gave no date.local, and none is made up
            date["local"] = self._shifted_local(local, saved.utc, utc)
        return {**saved.measurement, "date": date}

    def _shifted_local(self, local: datetime, was: datetime, utc: datetime) -> str:
        if local.tzinfo is None:  # no offset given: shift the wall time as it is
            return (local + self._shift).replace(microsecond=0).isoformat()
        if local.utcoffset() == was.astimezone(BRUSSELS).utcoffset():
            return iso_local(utc)  # Belgian time: the shifted instant's, DST and all
        return iso_local(utc, timezone(local.utcoffset()))


# ---------------------------------------------------------------------------------------------
# The producer


class OpenAQProducer(Producer):
    """One OpenAQ measurement per tick from Belgian cities, keyed by location name.

    Parameters (keyword arguments):

    ``cities``
        Cities to measure (default all ten of :data:`CITY_NAMES`; case and accents optional).
    ``parameters``
        Parameters to measure (default all six of :data:`PARAMETERS`).
    ``spike_probability``
        Chance, 0 to 1, that a measurement is a spike multiplied by 2 to 5 (default 0.005).
    ``invalid_fraction``
        Share, 0 to 1, of measurements made invalid in one of :data:`INVALID_KINDS` (default 0).
    ``from_file``
        Replay a saved OpenAQ file (JSON list, API response, NDJSON or CSV) instead; the other
        parameters apply to generated data only.
    """

    name: ClassVar[str] = "openaq"
    default_rate: ClassVar[float] = SEED_MEASUREMENTS_PER_MINUTE / 60
    PARAMS: ClassVar[tuple[str, ...]] = (
        "cities",
        "parameters",
        "spike_probability",
        "invalid_fraction",
        "from_file",
    )

    def __init__(self, rng: random.Random, **params: Any):
        unknown = sorted(set(params) - set(self.PARAMS))
        if unknown:
            raise TypeError(
                f"OpenAQProducer: unknown parameter(s) {', '.join(unknown)}; "
                f"expected any of {', '.join(self.PARAMS)}"
            )
        from_file = params.pop("from_file", None)
        super().__init__(rng)
        self.spike_count = 0
        self.invalid_counts: dict[str, int] = dict.fromkeys(INVALID_KINDS, 0)
        self._replay: _Replay | None = None
        if from_file is not None:
            if params:
                raise ValueError(
                    f"OpenAQProducer: {', '.join(sorted(params))} apply to generated "
                    "measurements, not with from_file"
                )
            if not isinstance(from_file, str | os.PathLike):
                raise TypeError(f"OpenAQProducer: from_file must be a path, got {from_file!r}")
            self.from_file: Path | None = Path(from_file)
            self._replay = _Replay(_load(self.from_file))
            return
        self.from_file = None
        self.cities = _names(
            "cities", "city", params.get("cities", list(CITY_NAMES)), CITY_NAMES, _fold
        )
        self.parameters = _names(
            "parameters",
            "parameter",
            params.get("parameters", list(PARAMETERS)),
            PARAMETERS,
            str.casefold,
        )
        self.spike_probability = _probability(
            "spike_probability", params.get("spike_probability", DEFAULT_SPIKE_PROBABILITY)
        )
        self.invalid_fraction = _probability(
            "invalid_fraction", params.get("invalid_fraction", 0.0)
        )
        self.locations = tuple(loc for loc in LOCATIONS if loc.city in self.cities)
        self._pairs = [(loc, p) for loc in self.locations for p in self.parameters]
        self._cycle: list[tuple[Location, str]] = []
        # Separate generators: changing one setting changes only what it governs.
        self._order = random.Random(rng.getrandbits(64))
        self._values = random.Random(rng.getrandbits(64))
        self._spikes = random.Random(rng.getrandbits(64))
        self._invalid = random.Random(rng.getrandbits(64))
        self._phases = {p: self._values.uniform(0.0, 2 * math.pi) for p in PARAMETERS}
        self._city = {c.name: c for c in CITIES}

    @property
    def finished(self) -> bool:
        return self._replay is not None and self._replay.finished

    def emit(self, now: datetime) -> list[Record]:
        now = _aware_utc(now)
        if self._replay is not None:
            return self._replay.emit(now)
        measurement, location = self._generate(now)
        return [Record(encode(measurement), partition_key=location.name)]

    # -- generating ----------------------------------------------------------------------------
    def measurement(self, now: datetime) -> dict[str, Any]:
        """The next generated measurement, taken at ``now`` (what :meth:`emit` encodes)."""
        if self._replay is not None:
            raise ValueError("OpenAQProducer: measurement() generates; this one replays a file")
        return self._generate(_aware_utc(now))[0]

    def _generate(self, utc: datetime) -> tuple[dict[str, Any], Location]:
        local = utc.astimezone(BRUSSELS)
        if not self._cycle:
            self._cycle = list(self._pairs)
            self._order.shuffle(self._cycle)
        location, parameter = self._cycle.pop()
        value = self._value(location, parameter, utc, local)
        measurement: dict[str, Any] = {
            "locationId": location.id,
            "location": location.name,
            "city": location.city,
            "country": COUNTRY,
            "parameter": parameter,
            "value": value,
            "unit": UNIT,
            "date": {"utc": iso_utc(utc), "local": local.replace(microsecond=0).isoformat()},
            "coordinates": {"latitude": location.latitude, "longitude": location.longitude},
        }
        if self._invalid.random() < self.invalid_fraction:
            self._invalidate(measurement)
        return measurement, location

    def _value(self, location: Location, parameter: str, utc: datetime, local: datetime) -> float:
        model = MODELS[parameter]
        city = self._city[location.city]
        city_factor = (city.traffic, city.ozone, city.sulphur)[model.group]
        site_factor = SITE_FACTORS[location.site][model.group]
        hour = local.hour + local.minute / 60 + local.second / 3600
        swing = math.exp(
            SWING_AMPLITUDE
            * math.sin(
                2 * math.pi * utc.timestamp() / SWING_PERIOD_SECONDS + self._phases[parameter]
            )
        )
        value = (
            model.base
            * (city_factor * site_factor) ** model.local_weight
            * diurnal_factor(parameter, hour)
            * swing
            * math.exp(self._values.gauss(0.0, model.noise))
        )
        if self._spikes.random() < self.spike_probability:
            value *= self._spikes.uniform(*SPIKE_FACTOR_RANGE)
            self.spike_count += 1
        return float(round(value, model.decimals))

    def _invalidate(self, measurement: dict[str, Any]) -> None:
        rng = self._invalid
        kind = rng.choice(INVALID_KINDS)
        self.invalid_counts[kind] += 1
        if kind == "missing_field":
            field = rng.choice(REQUIRED_FIELDS)
            if field == "date.utc":
                del measurement["date"]["utc"]
            else:
                del measurement[field]
        elif kind == "negative_value":
            measurement["value"] = -max(measurement["value"], 0.1)
        elif kind == "unknown_parameter":
            measurement["parameter"] = rng.choice(UNKNOWN_PARAMETERS)
        elif kind == "value_not_a_number":
            measurement["value"] = rng.choice((str(measurement["value"]), "n/a", None))
        else:  # unparseable_date
            utc = measurement["date"]["utc"]
            measurement["date"]["utc"] = rng.choice((utc[:5] + "13" + utc[7:], "not a date"))


# ---------------------------------------------------------------------------------------------
# Stand-alone: NDJSON on stdout, as generate-test-data.py produced measurements


def _list(text: str | None) -> list[str] | None:
    return None if text is None else [item.strip() for item in text.split(",") if item.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m producers.openaq",
        description="OpenAQ measurements from Belgian cities as NDJSON on stdout, on the wall "
        "clock, as the seeds' generate-test-data.py produced them.",
    )
    parser.add_argument("--count", type=int, help="stop after N measurements (default: never)")
    parser.add_argument(
        "--rate",
        type=float,
        default=SEED_MEASUREMENTS_PER_MINUTE,
        help="ticks per minute (default 100, the seeds' default; 0 = as fast as possible)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--cities", help="comma-separated cities (default all ten)")
    parser.add_argument("--parameters", help="comma-separated parameters (default all six)")
    parser.add_argument("--spike-probability", type=float, help="default 0.005")
    parser.add_argument("--invalid-fraction", type=float, help="default 0")
    parser.add_argument("--from-file", help="replay a saved OpenAQ JSON / NDJSON / CSV file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.count is not None and args.count < 0:
        print(f"error: --count must be 0 or more, got {args.count}", file=sys.stderr)
        return 2
    if not (math.isfinite(args.rate) and args.rate >= 0):
        print(f"error: --rate must be 0 or more, got {args.rate}", file=sys.stderr)
        return 2
    params: dict[str, Any] = {
        "cities": _list(args.cities),
        "parameters": _list(args.parameters),
        "spike_probability": args.spike_probability,
        "invalid_fraction": args.invalid_fraction,
        "from_file": args.from_file,
    }
    try:
        producer = OpenAQProducer(
            random.Random(args.seed), **{k: v for k, v in params.items() if v is not None}
        )
    except (TypeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    written, tick, started = 0, 0, time.monotonic()
    try:
        while not producer.finished and (args.count is None or written < args.count):
            if args.rate > 0:
                delay = started + tick * 60 / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            tick += 1
            records = producer.emit(datetime.now(UTC))
            for record in records[: None if args.count is None else args.count - written]:
                sys.stdout.buffer.write(record.data + b"\n")
                written += 1
            sys.stdout.flush()
            if not records and args.rate == 0:
                time.sleep(0.01)  # a replay waiting for its next measurement's time
    except KeyboardInterrupt:
        print(f"interrupted after {written} measurements", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes stdout at exit
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
