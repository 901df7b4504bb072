"""The OpenAQ producer: measurement shape, determinism, rate, model, invalid records, replay."""

from __future__ import annotations

import json
import math
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from producers.base import Record
from producers.openaq import (
    CITY_NAMES,
    INVALID_KINDS,
    LOCATIONS,
    PARAMETERS,
    REQUIRED_FIELDS,
    OpenAQDataError,
    OpenAQProducer,
    load_measurements,
    main,
)
from sim.producer_registry import ProducerError, builtin_types, create_producer, producer_class
from sim.scenario import parse_scenario

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = HERE / "data"
BRUSSELS = ZoneInfo("Europe/Brussels")
T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # a Monday
TICK = timedelta(seconds=60 / 100)  # the default rate, 100 a minute
KEYS = [
    "locationId",
    "location",
    "city",
    "country",
    "parameter",
    "value",
    "unit",
    "date",
    "coordinates",
]
UTC_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
LOCAL_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$")
BY_NAME = {loc.name: loc for loc in LOCATIONS}


def run(producer: OpenAQProducer, ticks: int, start=T0, step=TICK) -> list[Record]:
    """What the driver does: one emit per tick, at start + k × step."""
    out: list[Record] = []
    for k in range(ticks):
        out.extend(producer.emit(start + k * step))
    return out


def parsed(records: list[Record]) -> list[dict]:
    return [json.loads(r.data) for r in records]


def invalid_kind(m: dict) -> str | None:
    """Which of measurement.md's invalid forms ``m`` has (None: valid); at most one."""
    kinds = []
    present = {f for f in ("location", "city", "country", "parameter", "value", "unit") if f in m}
    if "utc" in m.get("date", {}):
        present.add("date.utc")
    if set(REQUIRED_FIELDS) - present:
        kinds.append("missing_field")
    value = m.get("value", 0.0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        kinds.append("value_not_a_number")
    elif value < 0:
        kinds.append("negative_value")
    if m.get("parameter", "pm25") not in PARAMETERS:
        kinds.append("unknown_parameter")
    utc = m.get("date", {}).get("utc", "2026-01-01T00:00:00+00:00")
    try:
        datetime.fromisoformat(utc)
    except ValueError:
        kinds.append("unparseable_date")
    assert len(kinds) <= 1, (kinds, m)
    return kinds[0] if kinds else None


@pytest.fixture(scope="module")
def three_hours() -> tuple[OpenAQProducer, list[Record]]:
    producer = OpenAQProducer(random.Random(42))
    return producer, run(producer, 18_000)


# --- identity --------------------------------------------------------------------------------


def test_name_rate_and_registry():
    assert OpenAQProducer.name == "openaq"
    assert OpenAQProducer.default_rate == 100 / 60
    assert producer_class("openaq") is OpenAQProducer
    assert "openaq" in builtin_types()


def test_cities_and_locations():
    assert len(CITY_NAMES) >= 8
    assert {"Brussels", "Antwerp", "Ghent", "Liège"} <= set(CITY_NAMES)
    per_city = Counter(loc.city for loc in LOCATIONS)
    assert set(per_city) == set(CITY_NAMES)
    assert all(2 <= n <= 4 for n in per_city.values()), per_city
    assert (
        len({loc.id for loc in LOCATIONS}) == len({loc.name for loc in LOCATIONS}) == len(LOCATIONS)
    )
    for loc in LOCATIONS:
        assert loc.name.startswith(f"{loc.city} - ")
        assert 49.5 < loc.latitude < 51.5 and 2.5 < loc.longitude < 6.4, loc  # in Belgium
    assert BY_NAME["Brussels - Molenbeek"].id == 4879  # measurement.md's example


# --- shape -----------------------------------------------------------------------------------


def test_every_field_has_the_measurement_shape(three_hours):
    _, records = three_hours
    for k, record in enumerate(records[:3000]):
        m = json.loads(record.data.decode("utf-8"))
        assert list(m) == KEYS
        loc = BY_NAME[m["location"]]
        assert m["locationId"] == loc.id and type(m["locationId"]) is int
        assert m["city"] == loc.city and m["country"] == "BE"
        assert m["parameter"] in PARAMETERS
        assert type(m["value"]) is float and m["value"] >= 0
        assert round(m["value"], 0 if m["parameter"] == "co" else 1) == m["value"]
        assert m["unit"] == "µg/m³"
        assert list(m["date"]) == ["utc", "local"]
        assert UTC_FORMAT.match(m["date"]["utc"]) and LOCAL_FORMAT.match(m["date"]["local"])
        now = T0 + k * TICK
        assert m["date"]["utc"] == now.replace(microsecond=0).isoformat()
        local = datetime.fromisoformat(m["date"]["local"])
        assert local == now.replace(microsecond=0)
        assert local.utcoffset() == now.astimezone(BRUSSELS).utcoffset()
        assert m["coordinates"] == {"latitude": loc.latitude, "longitude": loc.longitude}
        # compact, UTF-8, not ASCII-escaped; keyed by location
        assert record.data == json.dumps(m, separators=(",", ":"), ensure_ascii=False).encode()
        assert "µg/m³".encode() in record.data and b"\\u" not in record.data
        assert record.partition_key == m["location"]
        assert record.explicit_hash_key is None


def test_liege_is_utf8_in_data_and_key():
    records = run(OpenAQProducer(random.Random(1), cities=["Liège"]), 20)
    assert all("Liège".encode() in r.data and r.partition_key.startswith("Liège") for r in records)


def test_time_is_truncated_to_seconds_and_must_be_aware():
    producer = OpenAQProducer(random.Random(1))
    m = json.loads(producer.emit(datetime(2026, 11, 2, 9, 0, 0, 999_999, tzinfo=UTC))[0].data)
    assert m["date"] == {"utc": "2026-11-02T09:00:00+00:00", "local": "2026-11-02T10:00:00+01:00"}
    with pytest.raises(ValueError, match="aware datetime"):
        producer.emit(datetime(2026, 11, 2, 9, 0))


@pytest.mark.parametrize(
    ("utc", "local"),
    [  # 2026-03-29 01:00 UTC: 02:00 CET → 03:00 CEST; 2026-10-25 01:00 UTC: back to CET
        ("2026-03-29T00:59:59+00:00", "2026-03-29T01:59:59+01:00"),
        ("2026-03-29T01:00:00+00:00", "2026-03-29T03:00:00+02:00"),
        ("2026-10-25T00:59:59+00:00", "2026-10-25T02:59:59+02:00"),
        ("2026-10-25T01:00:00+00:00", "2026-10-25T02:00:00+01:00"),
        ("2026-07-01T12:00:00+00:00", "2026-07-01T14:00:00+02:00"),
    ],
)
def test_local_time_across_dst_changes(utc, local):
    producer = OpenAQProducer(random.Random(1))
    m = json.loads(producer.emit(datetime.fromisoformat(utc))[0].data)
    assert m["date"] == {"utc": utc, "local": local}


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_different():
    a = run(OpenAQProducer(random.Random(7)), 500)
    b = run(OpenAQProducer(random.Random(7)), 500)
    c = run(OpenAQProducer(random.Random(8)), 500)
    assert [r.data for r in a] == [r.data for r in b]
    assert [r.partition_key for r in a] == [r.partition_key for r in b]
    assert [r.data for r in a] != [r.data for r in c]
    assert [json.loads(r.data)["value"] for r in a] != [json.loads(r.data)["value"] for r in c]


# --- rate, coverage, plausibility ------------------------------------------------------------


def test_three_hours_at_the_default_rate(three_hours):
    _, records = three_hours
    assert len(records) == 18_000
    ms = parsed(records)
    assert ms[-1]["date"]["utc"] < (T0 + timedelta(hours=3)).isoformat()
    pairs = Counter((m["location"], m["parameter"]) for m in ms)
    assert len(pairs) == len(LOCATIONS) * len(PARAMETERS)
    assert max(pairs.values()) - min(pairs.values()) <= 1  # round-robin
    per_city_parameter = Counter((m["city"], m["parameter"]) for m in ms)
    assert {c for c, _ in per_city_parameter} == set(CITY_NAMES)
    assert {p for _, p in per_city_parameter} == set(PARAMETERS)


def test_values_are_plausible_and_cities_differ():
    producer = OpenAQProducer(random.Random(3), spike_probability=0)
    ms = parsed(run(producer, 24 * 360, step=timedelta(seconds=10)))  # one day
    values = defaultdict(list)
    for m in ms:
        values[m["parameter"]].append(m["value"])
    expected = {
        "pm25": (5, 35),
        "pm10": (10, 50),
        "no2": (10, 60),
        "o3": (20, 100),
        "so2": (1, 10),
        "co": (200, 600),
    }
    for parameter, (lo, hi) in expected.items():
        vs = sorted(values[parameter])
        median = vs[len(vs) // 2]
        assert lo <= median <= hi, (parameter, median)
        middle = vs[len(vs) // 10 : -len(vs) // 10]  # 80 % of the values in a plausible band
        assert lo / 2.5 <= middle[0] and middle[-1] <= hi * 1.5, (parameter, middle[0], middle[-1])

    def mean(city, parameter):
        xs = [m["value"] for m in ms if m["city"] == city and m["parameter"] == parameter]
        return sum(xs) / len(xs)

    assert mean("Antwerp", "no2") > mean("Bruges", "no2")
    assert mean("Antwerp", "so2") > 1.5 * mean("Namur", "so2")


def test_diurnal_cycle_in_local_time():
    producer = OpenAQProducer(random.Random(5), parameters=["no2", "co", "o3"], spike_probability=0)
    day = datetime(2026, 11, 2, 23, 0, tzinfo=UTC)  # 00:00 local on Tuesday 3 November
    ms = parsed(run(producer, 24 * 360, start=day, step=timedelta(seconds=10)))
    by_hour = defaultdict(list)
    for m in ms:
        local = datetime.fromisoformat(m["date"]["local"])
        by_hour[(m["parameter"], local.hour)].append(m["value"])

    def mean(parameter, hour):
        xs = by_hour[(parameter, hour)]
        assert len(xs) > 100
        return sum(xs) / len(xs)

    assert mean("no2", 8) > 1.5 * mean("no2", 3)
    assert mean("no2", 18) > 1.3 * mean("no2", 3)
    assert mean("co", 8) > 1.3 * mean("co", 3)
    assert mean("o3", 15) > 1.5 * mean("o3", 3)
    assert mean("o3", 15) > mean("o3", 8)


@pytest.mark.parametrize("midnight", ["2026-11-02T23:00:00+00:00", "2026-06-30T22:00:00+00:00"])
def test_morning_rush_peaks_at_eight_local_in_winter_and_summer(midnight):
    """Local hours 06-07 and 09-10 are equally far from 08:00: their no2 means are about equal.
    A peak an hour off (UTC, or a fixed offset) makes one of them ~1.7 times the other."""
    producer = OpenAQProducer(random.Random(6), parameters=["no2"], spike_probability=0)
    start = datetime.fromisoformat(midnight)
    ms = parsed(run(producer, 24 * 360, start=start, step=timedelta(seconds=10)))
    by_hour = defaultdict(list)
    for m in ms:
        by_hour[datetime.fromisoformat(m["date"]["local"]).hour].append(m["value"])
    mean = {h: sum(xs) / len(xs) for h, xs in by_hour.items()}
    assert len(mean) == 24
    assert 0.8 < mean[6] / mean[9] < 1.25, (mean[6], mean[9])
    assert mean[8] > 1.1 * mean[6] and mean[7] > 1.3 * mean[10]


# --- spikes ----------------------------------------------------------------------------------


def test_spikes_at_the_configured_probability():
    n = 6000
    calm = parsed(run(OpenAQProducer(random.Random(9), spike_probability=0), n))
    spiky_producer = OpenAQProducer(random.Random(9), spike_probability=0.05)
    spiky = parsed(run(spiky_producer, n))
    changed = [(a, b) for a, b in zip(calm, spiky, strict=True) if a != b]
    assert 0.035 * n <= len(changed) <= 0.065 * n
    assert spiky_producer.spike_count == len(changed)
    for a, b in changed:  # only the value changed, by a factor of 2 to 5 (before rounding)
        assert {**a, "value": 0} == {**b, "value": 0}
        assert 1.8 <= b["value"] / a["value"] <= 5.5, (a["value"], b["value"])


def test_default_spike_probability(three_hours):
    producer, _ = three_hours
    assert producer.spike_probability == 0.005
    assert 50 <= producer.spike_count <= 135  # 90 expected of 18,000


def test_spike_probability_one_spikes_everything():
    producer = OpenAQProducer(random.Random(2), spike_probability=1)
    run(producer, 100)
    assert producer.spike_count == 100


# --- invalid measurements --------------------------------------------------------------------


def test_invalid_fraction_zero_gives_none(three_hours):
    producer, records = three_hours
    assert [m for m in parsed(records) if invalid_kind(m)] == []
    assert sum(producer.invalid_counts.values()) == 0


def test_invalid_fraction_gives_every_kind_and_leaves_the_rest_alone():
    n = 5000
    valid = parsed(run(OpenAQProducer(random.Random(4)), n))
    producer = OpenAQProducer(random.Random(4), invalid_fraction=0.2)
    records = run(producer, n)
    mixed = parsed(records)
    kinds = Counter()
    missing = Counter()
    for before, after, record in zip(valid, mixed, records, strict=True):
        kind = invalid_kind(after)
        assert record.partition_key == before["location"]  # even when location is missing
        if kind is None:
            assert after == before
            continue
        kinds[kind] += 1
        if kind == "missing_field":
            flat = {**after, **{f"date.{k}": v for k, v in after["date"].items()}}
            gone = [f for f in REQUIRED_FIELDS if f not in flat]
            assert len(gone) == 1
            missing[gone[0]] += 1
    assert set(kinds) == set(INVALID_KINDS)
    assert set(missing) == set(REQUIRED_FIELDS)
    assert 0.17 * n <= sum(kinds.values()) <= 0.23 * n
    assert dict(kinds) == producer.invalid_counts
    assert all(c >= 0.1 * sum(kinds.values()) for c in kinds.values())  # evenly, ~20 % each


def test_invalid_fraction_one_invalidates_everything():
    ms = parsed(run(OpenAQProducer(random.Random(4), invalid_fraction=1), 200))
    assert all(invalid_kind(m) for m in ms)


# --- parameters ------------------------------------------------------------------------------


def test_cities_and_parameters_restrict_and_fold_case_and_accents():
    producer = OpenAQProducer(random.Random(1), cities=["liege", "GHENT"], parameters=["NO2", "o3"])
    ms = parsed(run(producer, 300))
    assert {m["city"] for m in ms} == {"Liège", "Ghent"}
    assert {m["parameter"] for m in ms} == {"no2", "o3"}
    assert producer.cities == ("Liège", "Ghent")


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"colour": "red"}, TypeError, r"unknown parameter\(s\) colour; expected any of cities"),
        ({"cities": "Brussels"}, TypeError, r"cities must be a list of names .* got 'Brussels'"),
        ({"cities": []}, ValueError, r"cities must not be empty; known: Brussels, Antwerp"),
        ({"cities": ["Paris"]}, ValueError, r"unknown city 'Paris' in cities; known: Brussels, "),
        ({"cities": [7]}, TypeError, r"cities must hold names \(strings\), got 7"),
        ({"cities": ["Ghent", "gent"]}, ValueError, r"unknown city 'gent'"),
        ({"cities": ["Ghent", "ghent"]}, ValueError, r"cities names 'Ghent' twice"),
        ({"parameters": ["pm1"]}, ValueError, r"unknown parameter 'pm1' in parameters; known: "),
        ({"parameters": "no2"}, TypeError, r"parameters must be a list of names"),
        ({"spike_probability": -0.1}, ValueError, r"spike_probability must be from 0 to 1, got"),
        ({"spike_probability": 1.5}, ValueError, r"spike_probability must be from 0 to 1, got 1.5"),
        ({"spike_probability": "0.1"}, TypeError, r"spike_probability must be a number .*'0.1'"),
        ({"spike_probability": True}, TypeError, r"spike_probability must be a number"),
        ({"spike_probability": math.nan}, ValueError, r"spike_probability must be from 0 to 1"),
        ({"invalid_fraction": 2}, ValueError, r"invalid_fraction must be from 0 to 1, got 2"),
        ({"invalid_fraction": None}, TypeError, r"invalid_fraction must be a number"),
        ({"from_file": 5}, TypeError, r"from_file must be a path, got 5"),
        (
            {"from_file": str(DATA / "openaq_sample.csv"), "cities": ["Ghent"]},
            ValueError,
            r"cities apply to generated measurements, not with from_file",
        ),
    ],
)
def test_bad_parameters_are_rejected(params, error, message):
    with pytest.raises(error, match=r"^OpenAQProducer: " + message):
        OpenAQProducer(random.Random(0), **params)


def test_registry_wraps_errors_and_resolves_from_file_beside_the_scenario(tmp_path, monkeypatch):
    with pytest.raises(ProducerError, match=r"producer type 'openaq': .*unknown city 'Paris'"):
        create_producer("openaq", random.Random(0), {"cities": ["Paris"]})
    monkeypatch.chdir(tmp_path)  # data/openaq_sample.csv is not in the working directory
    producer = create_producer(
        "openaq",
        random.Random(0),
        {"from_file": "data/openaq_sample.csv"},
        scenario_path=HERE / "a-scenario.yaml",
    )
    assert producer.from_file == DATA / "openaq_sample.csv"


# --- replay ----------------------------------------------------------------------------------

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # winter: local +01:00
SAMPLE_RESULTS = json.loads((DATA / "openaq_sample.json").read_text(encoding="utf-8"))["results"]


def replay(producer: OpenAQProducer, ticks: int = 20_000) -> list[tuple[int, dict]]:
    """(tick, measurement) for each measurement, ticking at 100/min from START."""
    out = []
    for k in range(ticks):
        out += [(k, json.loads(r.data)) for r in producer.emit(START + k * TICK)]
        if producer.finished:
            break
    return out


def check_sample_replay(producer: OpenAQProducer) -> list[dict]:
    assert not producer.finished
    emitted = replay(producer)
    assert producer.finished
    assert producer.emit(START + timedelta(days=1)) == []
    # file times 10:00, 10:00, 11:00, 11:00, 12:00, 12:30 (UTC, 1 July 2021) → START + 0 … 2.5 h,
    # emitted at the first tick at or after: 0.6 s ticks hit every whole hour exactly
    assert [k for k, _ in emitted] == [0, 0, 6000, 6000, 12000, 15000]
    ms = [m for _, m in emitted]
    assert [m["date"]["utc"] for m in ms] == [
        "2026-11-02T09:00:00+00:00",
        "2026-11-02T09:00:00+00:00",
        "2026-11-02T10:00:00+00:00",
        "2026-11-02T10:00:00+00:00",
        "2026-11-02T11:00:00+00:00",
        "2026-11-02T11:30:00+00:00",
    ]
    # July's +02:00 was Brussels time: the shifted instant in Brussels, now +01:00
    assert [m["date"]["local"] for m in ms] == [
        "2026-11-02T10:00:00+01:00",
        "2026-11-02T10:00:00+01:00",
        "2026-11-02T11:00:00+01:00",
        "2026-11-02T11:00:00+01:00",
        "2026-11-02T12:00:00+01:00",
        "2026-11-02T12:30:00+01:00",
    ]
    # values kept; equal times keep the file's order
    assert [(m["location"], m["parameter"], m["value"]) for m in ms] == [
        ("Liège - Sainte-Marguerite", "o3", 76.0),
        ("Brussels - Molenbeek", "pm25", 12.4),
        ("Liège - Sainte-Marguerite", "o3", 84.2),
        ("Brussels - Molenbeek", "pm25", 11.2),
        ("Brussels - Molenbeek", "pm25", 9.8),
        ("Brussels - Molenbeek", "no2", 31.5),
    ]
    return ms


def test_replay_api_response_json_keeps_everything_but_the_times():
    producer = OpenAQProducer(random.Random(0), from_file=DATA / "openaq_sample.json")
    ms = check_sample_replay(producer)
    originals = {(r["location"], r["parameter"], r["value"]): r for r in SAMPLE_RESULTS}
    for m in ms:
        original = originals[(m["location"], m["parameter"], m["value"])]
        assert list(m) == list(original)  # the file's fields, in the file's order
        assert {**m, "date": None} == {**original, "date": None}


@pytest.mark.parametrize("form", ["list", "ndjson"])
def test_replay_json_list_and_ndjson(tmp_path, form):
    path = tmp_path / f"sample.{form}"
    if form == "list":
        path.write_text(json.dumps(SAMPLE_RESULTS, indent=2, ensure_ascii=False), "utf-8")
    else:
        lines = [json.dumps(r, ensure_ascii=False) for r in SAMPLE_RESULTS]
        path.write_text("\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n", "utf-8")
    check_sample_replay(OpenAQProducer(random.Random(0), from_file=str(path)))


def test_replay_csv_maps_rows_to_the_measurement_shape():
    producer = OpenAQProducer(random.Random(0), from_file=DATA / "openaq_sample.csv")
    emitted = replay(producer)
    assert producer.finished
    assert [k for k, _ in emitted] == [0, 0, 6000, 12000]
    first = emitted[0][1]
    assert first == {
        "locationId": 4879,
        "location": "Brussels - Molenbeek",
        "city": "Brussels",
        "country": "BE",
        "parameter": "pm25",
        "value": 12.4,
        "unit": "µg/m³",
        "date": {"utc": "2026-11-02T09:00:00+00:00", "local": "2026-11-02T10:00:00+01:00"},
        "coordinates": {"latitude": 50.8486, "longitude": 4.3317},
    }
    liege = emitted[1][1]  # utc 10:00:00.000Z in the file; value 76 → 76.0
    assert liege["city"] == "Liège" and liege["value"] == 76.0 and type(liege["value"]) is float
    assert liege["date"]["utc"] == "2026-11-02T09:00:00+00:00"
    assert all(list(m) == KEYS for _, m in emitted)


def test_replay_csv_without_locationid_or_coordinates(tmp_path):
    path = tmp_path / "v1.CSV"
    path.write_text(
        "location,city,country,utc,local,parameter,value,unit,latitude,longitude,attribution\n"
        "Gent,Gent,BE,2021-07-01T10:00:00.000Z,,no2,-999,µg/m³,,,EEA\n",
        "utf-8",
    )
    (m,) = load_measurements(path)
    assert "locationId" not in m and m["coordinates"] is None
    assert m["value"] == -999.0  # kept: the ingestion Lambda rejects it
    assert m["date"] == {"utc": "2021-07-01T10:00:00.000Z"}  # no local in the file: none added
    record = OpenAQProducer(random.Random(0), from_file=path).emit(START)[0]
    assert json.loads(record.data)["date"] == {"utc": "2026-11-02T09:00:00+00:00"}


def test_replay_keeps_other_offsets_and_naive_local_times(tmp_path):
    path = tmp_path / "mixed.ndjson"
    base = {"location": "London - Marylebone", "parameter": "no2", "value": 40.0}
    path.write_text(
        json.dumps(
            {**base, "date": {"utc": "2021-07-01T10:00:00Z", "local": "2021-07-01T11:00:00+01:00"}}
        )
        + "\n"
        + json.dumps(
            {**base, "date": {"utc": "2021-07-01T10:00:30", "local": "2021-07-01T11:00:30"}}
        )
        + "\n",
        "utf-8",
    )
    producer = OpenAQProducer(random.Random(0), from_file=path)
    records = producer.emit(START) + producer.emit(START + timedelta(minutes=1))
    assert [json.loads(r.data)["date"] for r in records] == [
        {"utc": "2026-11-02T09:00:00+00:00", "local": "2026-11-02T10:00:00+01:00"},
        {"utc": "2026-11-02T09:00:30+00:00", "local": "2026-11-02T10:00:30"},
    ]
    assert [r.partition_key for r in records] == ["London - Marylebone"] * 2


def test_replay_first_tick_with_fractional_seconds_and_seed_independence():
    a = OpenAQProducer(random.Random(1), from_file=DATA / "openaq_sample.json")
    b = OpenAQProducer(random.Random(2), from_file=DATA / "openaq_sample.json")
    first = START + timedelta(milliseconds=400)
    assert a.emit(first) == b.emit(first)
    assert len(a.emit(first + timedelta(minutes=59, seconds=59))) == 0
    assert len(a.emit(first + timedelta(minutes=59, seconds=59, milliseconds=600))) == 2


def test_load_measurements_sorts_and_keeps_the_files_values():
    ms = load_measurements(DATA / "openaq_sample.json")
    assert [m["date"]["utc"][11:16] for m in ms] == [
        "10:00",
        "10:00",
        "11:00",
        "11:00",
        "12:00",
        "12:30",
    ]
    assert ms[0]["date"]["local"] == "2021-07-01T12:00:00+02:00"


# --- bad files -------------------------------------------------------------------------------

GOOD = SAMPLE_RESULTS[0]


def _without(path: str) -> dict:
    m = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    node = m
    for p in parents:
        node = node[p]
    del node[last]
    return m


def _with(**change) -> dict:
    m = json.loads(json.dumps(GOOD))
    for key, value in change.items():
        if key.startswith("date_"):
            m["date"][key[5:]] = value
        else:
            m[key] = value
    return m


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("e.json", "", "file is empty"),
        ("e.json", " \n\n", "file is empty"),
        ("b.json", '[\n  {"location": "x",\n  oops\n]', r"not valid JSON: .*line 3 column 3"),
        ("s.json", '"text"', "expected a list of measurements, an OpenAQ API response"),
        ("m.json", '{"meta": {}}', "expected a list of measurements, an OpenAQ API response"),
        ("r.json", '{"results": {}}', "'results' must be a list, got {}"),
        ("n.json", '{"results": []}', "the file holds no measurements"),
        ("l.json", _dump([GOOD, 5]), r"entry 1: expected a measurement object, got int"),
        (
            "r.json",
            _dump({"results": [GOOD, _without("date.utc")]}),
            r"results\[1\]: missing field 'date.utc'",
        ),
        (
            "r.json",
            _dump({"results": [_with(date_utc="yesterday")]}),
            r"results\[0\]: 'date.utc' must be an ISO 8601 time such as .*, got 'yesterday'",
        ),
        (
            "r.json",
            _dump({"results": [_with(date_utc=1625133600)]}),
            r"results\[0\]: 'date.utc' must be an ISO 8601 time .*got 1625133600",
        ),
        (
            "r.json",
            _dump({"results": [_with(date_local="noon")]}),
            r"results\[0\]: 'date.local' must be an ISO 8601 time .*got 'noon'",
        ),
        ("l.json", _dump([_without("date")]), r"entry 0: missing field 'date'"),
        (
            "l.json",
            _dump([_with(date="2021-07-01")]),
            r"entry 0: 'date' must be an object with 'utc' .*got '2021-07-01'",
        ),
        (
            "l.json",
            _dump([_without("location")]),
            r"entry 0: missing field 'location' \(the partition key\)",
        ),
        (
            "l.json",
            _dump([_with(location="")]),
            r"entry 0: 'location' must be a non-empty string \(the partition key\), got ''",
        ),
        (
            "d.ndjson",
            _dump(GOOD) + "\n" + _dump(GOOD) + "\n{oops\n",
            r"line 3: not valid JSON: .*column 2",
        ),
        (
            "d.ndjson",
            _dump(GOOD) + "\n[1, 2]\n",
            r"line 2: expected one measurement object per line, got list",
        ),
        (
            "d.ndjson",
            _dump(GOOD) + "\n\n" + _dump(_with(date_utc="")) + "\n",
            r"line 3: 'date.utc' must be an ISO 8601 time",
        ),
        (
            "h.csv",
            "location,city,utc,value\nx,y,2021-07-01T10:00:00Z,1\n",
            r"line 1: the CSV header lacks column\(s\) country, local, parameter, unit, latitude, longitude; OpenAQ's export has location, .*; found location, city, utc, value",
        ),
        (
            "f.csv",
            "location,city,country,utc,local,parameter,value,unit,latitude,longitude\nA,B,BE,2021-07-01T10:00:00Z,,no2,1,µg/m³,50,4\nA,B,BE,2021-07-01T11:00:00Z,,no2,1,µg/m³,50\n",
            r"line 3: expected 10 fields as in the header, found 9",
        ),
        (
            "v.csv",
            "location,city,country,utc,local,parameter,value,unit,latitude,longitude\nA,B,BE,2021-07-01T10:00:00Z,,no2,1,µg/m³,50,4\n\nA,B,BE,2021-07-01T11:00:00Z,,no2,high,µg/m³,50,4\n",
            r"line 4: value must be a number, got 'high'",
        ),
        (
            "v.csv",
            "location,city,country,utc,local,parameter,value,unit,latitude,longitude\nA,B,BE,2021-07-01T10:00:00Z,,no2,nan,µg/m³,50,4\n",
            r"line 2: value must be a number, got 'nan'",
        ),
        (
            "c.csv",
            "location,city,country,utc,local,parameter,value,unit,latitude,longitude\nA,B,BE,2021-07-01T10:00:00Z,,no2,1,µg/m³,north,4\n",
            r"line 2: latitude must be a number, got 'north'",
        ),
        (
            "i.csv",
            "locationId,location,city,country,utc,local,parameter,value,unit,latitude,longitude\nabc,A,B,BE,2021-07-01T10:00:00Z,,no2,1,µg/m³,50,4\n",
            r"line 2: locationId must be an integer, got 'abc'",
        ),
        (
            "t.csv",
            "location,city,country,utc,local,parameter,value,unit,latitude,longitude\nA,B,BE,01/07/2021 10:00,,no2,1,µg/m³,50,4\n",
            r"line 2: 'date.utc' must be an ISO 8601 time .*got '01/07/2021 10:00'",
        ),
        (
            "t.csv",
            "location,city,country,utc,local,parameter,value,unit,latitude,longitude\n,B,BE,2021-07-01T10:00:00Z,,no2,1,µg/m³,50,4\n",
            r"line 2: 'location' must be a non-empty string",
        ),
        (
            "n.csv",
            "location,city,country,utc,local,parameter,value,unit,latitude,longitude\n",
            "the file holds no measurements",
        ),
    ],
)
def test_bad_files_name_the_file_the_place_and_the_problem(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, "utf-8")
    with pytest.raises(OpenAQDataError, match="^" + re.escape(str(path)) + ": " + message):
        OpenAQProducer(random.Random(0), from_file=path)


def test_unreadable_files(tmp_path):
    with pytest.raises(OpenAQDataError, match=r"nope\.json: cannot read: No such file"):
        OpenAQProducer(random.Random(0), from_file=tmp_path / "nope.json")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("location\nLi\xe8ge\n".encode("latin-1"))
    with pytest.raises(OpenAQDataError, match=r"latin\.csv: not UTF-8 text"):
        OpenAQProducer(random.Random(0), from_file=latin)
    with pytest.raises(ProducerError, match=r"producer type 'openaq': .*nope\.json: cannot read"):
        create_producer("openaq", random.Random(0), {"from_file": str(tmp_path / "nope.json")})


# --- stand-alone -----------------------------------------------------------------------------


def test_module_prints_ndjson_on_the_wall_clock():
    before = datetime.now(UTC).replace(microsecond=0)
    done = subprocess.run(
        [sys.executable, "-m", "producers.openaq", "--count", "10", "--rate", "6000"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    after = datetime.now(UTC)
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode("utf-8").splitlines()
    assert len(lines) == 10
    for line in lines:
        m = json.loads(line)
        assert list(m) == KEYS
        assert before <= datetime.fromisoformat(m["date"]["utc"]) <= after


def test_main_options_and_errors(capsysbinary):
    assert (
        main(["--count", "5", "--rate", "0", "--cities", "Brussels", "--parameters", "no2,o3"]) == 0
    )
    ms = [json.loads(line) for line in capsysbinary.readouterr().out.decode().splitlines()]
    assert len(ms) == 5 and {m["city"] for m in ms} == {"Brussels"}
    assert {m["parameter"] for m in ms} <= {"no2", "o3"}

    assert main(["--count", "2", "--from-file", str(DATA / "openaq_sample.json")]) == 0
    ms = [json.loads(line) for line in capsysbinary.readouterr().out.decode().splitlines()]
    assert [m["value"] for m in ms] == [76.0, 12.4]  # the two measurements of the first tick

    assert main(["--count", "1", "--cities", "Paris"]) == 2
    assert b"unknown city 'Paris'" in capsysbinary.readouterr().err
    assert main(["--count", "1", "--rate", "-1"]) == 2
    assert b"--rate must be 0 or more" in capsysbinary.readouterr().err


# --- the documentation's examples ------------------------------------------------------------


def test_documentation_examples_are_valid(monkeypatch):
    text = (ROOT / "docs" / "openaq-producer.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 2
    scenario = parse_scenario(blocks[0], "docs/openaq-producer.md")
    (spec,) = scenario.producers
    assert spec.type == "openaq" and spec.rate == pytest.approx(OpenAQProducer.default_rate)
    monkeypatch.chdir(ROOT)
    producer = create_producer(spec.type, random.Random(0), spec.params)
    assert json.loads(producer.emit(T0)[0].data)["city"] in {
        "Brussels",
        "Antwerp",
        "Ghent",
        "Liège",
    }
    (replayer,) = yaml.safe_load(blocks[1])["producers"]
    producer = create_producer(replayer["type"], random.Random(0), replayer["params"])
    assert len(producer.emit(T0)) == 2
    (example,) = re.findall(r"```json\n(.*?)\n```", text, flags=re.S)
    assert list(json.loads(example)) == KEYS
    commands = re.findall(r"^python -m producers\.openaq .*?(?=\s+#|$)", text, flags=re.M)
    assert len(commands) == 3
    for command in commands:
        args = command.split()[3:]
        assert (
            main(
                [*args, "--count", "2", "--rate", "0"]
                if "--count" not in args
                else [*args, "--rate", "0"]
            )
            == 0
        )
