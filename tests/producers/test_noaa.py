"""The NOAA weather lab producer: determinism, CDO shape, order, plausibility, replay."""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from producers.base import Producer, Record
from producers.noaa import (
    LAB_DATATYPES,
    MAX_STATIONS,
    STATIONS,
    NoaaDataError,
    NoaaProducer,
    load_results,
)

NOW = datetime(2024, 1, 1, tzinfo=UTC)
LAB_DATES = [date(2021, 10, 1) + timedelta(days=i) for i in range(31)]
REGION = {s.id: s.region for s in STATIONS}
ATTRIBUTES = re.compile(r"^[A-Z]?,[A-Z]?,[0-9A-Za-z]?,(\d{4})?$")


def drain(producer: Producer) -> list[Record]:
    out: list[Record] = []
    while not producer.finished:
        batch = producer.emit(NOW)
        assert len(batch) == 1
        out.extend(batch)
    return out


def by_station_day(results):
    days: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for r in results:
        days[(r["date"][:10], r["station"])][r["datatype"]] = r
    return days


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes():
    a = drain(NoaaProducer(random.Random(7)))
    b = drain(NoaaProducer(random.Random(7)))
    assert a == b
    assert [r.data for r in a] == [r.data for r in b]


def test_different_seed_gives_different_values():
    a = NoaaProducer(random.Random(1)).results()
    b = NoaaProducer(random.Random(2)).results()
    assert [(r["date"], r["station"], r["datatype"]) for r in a] == [
        (r["date"], r["station"], r["datatype"]) for r in b
    ]
    assert [r["value"] for r in a] != [r["value"] for r in b]


def test_fewer_stations_or_datatypes_do_not_change_the_others():
    full = NoaaProducer(random.Random(3), stations=MAX_STATIONS).results()
    few = NoaaProducer(random.Random(3), stations=3, datatypes=["TMAX"]).results()
    wanted = {s.id for s in STATIONS[:3]}
    assert few == [r for r in full if r["station"] in wanted and r["datatype"] == "TMAX"]


# --- shape, order, keys ----------------------------------------------------------------------


def test_default_data_set_size():
    producer = NoaaProducer(random.Random(42))
    results = producer.results()
    counts = defaultdict(int)
    for r in results:
        counts[r["datatype"]] += 1
    assert dict(counts) == {"PRCP": 248, "SNOW": 186, "TMIN": 155, "TMAX": 155}
    assert len(results) == 744
    assert len(producer.stations()) == 8
    days = by_station_day(results)
    assert len([k for k, v in days.items() if {"PRCP", "SNOW"} & v.keys()]) == 248
    assert len([k for k, v in days.items() if {"TMIN", "TMAX"} & v.keys()]) == 155


def test_each_result_has_the_cdo_v2_shape():
    producer = NoaaProducer(random.Random(42))
    for record, result in zip(producer.records(), producer.results(), strict=True):
        assert json.loads(record.data) == result
        assert list(result) == ["date", "datatype", "station", "attributes", "value"]
        assert re.fullmatch(r"2021-10-\d\dT00:00:00", result["date"])
        assert result["datatype"] in LAB_DATATYPES
        assert re.fullmatch(r"GHCND:US[1CW][A-Z0-9]{8}", result["station"])
        assert ATTRIBUTES.fullmatch(result["attributes"]), result["attributes"]
        assert isinstance(result["value"], int | float) and not isinstance(result["value"], bool)
        if result["datatype"] in ("TMIN", "TMAX", "SNOW"):
            assert isinstance(result["value"], int)
        # the bytes are json.dumps(result), as putDataInStream.py sent them
        assert record.data == json.dumps(result).encode()
        assert record.partition_key == result["date"][:10]
        assert record.explicit_hash_key is None


def test_dates_in_order_and_all_of_a_date_together():
    results = NoaaProducer(random.Random(42)).results()
    dates = [r["date"][:10] for r in results]
    assert dates == sorted(dates)
    assert sorted(set(dates)) == [d.isoformat() for d in LAB_DATES]  # 1 … 31 inclusive
    for d in set(dates):
        day = [(r["station"], r["datatype"]) for r in results if r["date"][:10] == d]
        assert len(day) == len(set(day)) == 24
        assert [s for s, _ in day] == sorted(s for s, _ in day)  # by station, as CDO sorts


def test_one_record_per_emit_then_finished():
    producer = NoaaProducer(random.Random(42), stations=1, end_date="2021-10-02")
    assert not producer.finished
    records = drain(producer)
    assert len(records) == 8  # BWI reports 4 datatypes, 2 days
    assert producer.finished
    assert producer.emit(NOW) == []
    assert producer.emit(NOW + timedelta(seconds=5)) == []


def test_name_and_rate():
    assert NoaaProducer.name == "noaa"
    assert NoaaProducer.default_rate > 0


def test_date_range_parameters():
    producer = NoaaProducer(random.Random(0), start_date=date(2021, 10, 30), end_date="2021-11-02")
    dates = sorted({r["date"][:10] for r in producer.results()})
    assert dates == ["2021-10-30", "2021-10-31", "2021-11-01", "2021-11-02"]


# --- plausibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_values_are_plausible_for_october_in_maryland(seed):
    results = NoaaProducer(random.Random(seed), stations=MAX_STATIONS).results()
    days = by_station_day(results)
    for (day, station), values in days.items():
        if "TMIN" in values:
            tmin, tmax = values["TMIN"]["value"], values["TMAX"]["value"]
            assert tmin < tmax, (day, station)
            assert 10 <= tmin <= 70 and 30 <= tmax <= 92, (day, station, tmin, tmax)
        prcp = values["PRCP"]["value"]
        assert 0 <= prcp <= 200
        if prcp == 0 and values["PRCP"]["attributes"].startswith("T"):
            pass  # a trace
        if "SNOW" in values:
            snow = values["SNOW"]["value"]
            assert snow >= 0
            if snow > 0 or values["SNOW"]["attributes"].startswith("T"):
                # only where precipitation fell, and never early in the month
                assert prcp > 0 or values["PRCP"]["attributes"].startswith("T")
                assert day >= "2021-10-10"


def test_climate_differences_and_seasonal_trend():
    means: dict[str, list[float]] = defaultdict(list)
    first_week, last_week = [], []
    for seed in range(10):
        results = NoaaProducer(random.Random(seed)).results()
        for r in results:
            if r["datatype"] == "TMAX":
                means[REGION[r["station"]]].append(r["value"])
                if r["date"] < "2021-10-08":
                    first_week.append(r["value"])
                elif r["date"] >= "2021-10-25":
                    last_week.append(r["value"])

    def avg(xs):
        return sum(xs) / len(xs)

    assert avg(means["mountain"]) < avg(means["valley"]) - 4
    assert avg(means["mountain"]) < avg(means["central"]) - 6
    assert avg(last_week) < avg(first_week) - 6  # October cools


def test_rain_days_are_shared_across_stations():
    results = NoaaProducer(random.Random(42)).results()
    wet_by_day: dict[str, int] = defaultdict(int)
    for r in results:
        if r["datatype"] == "PRCP" and r["value"] > 0:
            wet_by_day[r["date"][:10]] += 1
    # most rain falls on days when most stations get rain
    assert max(wet_by_day.values()) >= 6
    assert 4 <= sum(1 for n in wet_by_day.values() if n >= 5) <= 15
    totals: dict[str, float] = defaultdict(float)
    for r in results:
        if r["datatype"] == "PRCP":
            totals[r["station"]] += r["value"]
    assert all(10 < t < 400 for t in totals.values()), totals


def test_snow_only_at_mountain_stations_for_the_default_seed():
    results = NoaaProducer(random.Random(42), stations=MAX_STATIONS).results()
    for r in results:
        if r["datatype"] == "SNOW" and REGION[r["station"]] != "mountain":
            assert r["value"] == 0 and not r["attributes"].startswith("T")


def test_not_every_station_reports_every_datatype():
    producer = NoaaProducer(random.Random(42))
    reported: dict[str, set[str]] = defaultdict(set)
    for r in producer.results():
        reported[r["station"]].add(r["datatype"])
    assert any(types == {"PRCP"} for types in reported.values())  # CoCoRaHS
    assert any(types == set(LAB_DATATYPES) for types in reported.values())
    for station, types in reported.items():
        if station.startswith("GHCND:US1"):  # CoCoRaHS: no thermometers
            assert not types & {"TMIN", "TMAX"}
            assert producer.stations()[station].endswith(", MD US")


# --- parameters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"colour": "red"}, TypeError, "colour"),
        ({"stations": 0}, ValueError, "between 1 and"),
        ({"stations": MAX_STATIONS + 1}, ValueError, "between 1 and"),
        ({"stations": "8"}, TypeError, "integer"),
        ({"stations": True}, TypeError, "integer"),
        ({"start_date": "October"}, ValueError, "start_date"),
        ({"start_date": "2021-10-05", "end_date": "2021-10-01"}, ValueError, "after"),
        ({"start_date": "2020-01-01", "end_date": "2021-10-01"}, ValueError, "at most"),
        ({"datatypes": []}, ValueError, "empty"),
        ({"datatypes": ["TAVG"]}, ValueError, "TAVG"),
        ({"datatypes": 5}, TypeError, "datatypes"),
        ({"from_file": 5}, TypeError, "from_file"),
    ],
)
def test_bad_parameters_are_rejected(params, error, message):
    with pytest.raises(error, match=message):
        NoaaProducer(random.Random(0), **params)


def test_datatypes_subset_and_comma_string():
    producer = NoaaProducer(random.Random(0), datatypes="tmin, TMAX")
    assert {r["datatype"] for r in producer.results()} == {"TMIN", "TMAX"}


# --- replaying files ---------------------------------------------------------------------------

SAMPLE = [
    {
        "date": "2021-10-02T00:00:00",
        "datatype": "TMAX",
        "station": "GHCND:USW00093721",
        "attributes": ",,W,2400",
        "value": 70,
    },
    {
        "date": "2021-10-01T00:00:00",
        "datatype": "PRCP",
        "station": "GHCND:USW00093721",
        "attributes": ",,W,2400",
        "value": 0.5,
    },
    {
        "date": "2021-10-01T00:00:00",
        "datatype": "AWND",
        "station": "GHCND:USW00093721",
        "attributes": ",,W,",
        "value": 2.1,
    },
    {
        "date": "2021-10-01T00:00:00",
        "datatype": "TMIN",
        "station": "GHCND:USW00093721",
        "attributes": ",,W,2400",
        "value": 51,
    },
]
EXPECTED = [SAMPLE[1], SAMPLE[3], SAMPLE[0]]  # date order, file order within a date, no AWND


def write_response(path, results):
    meta = {"resultset": {"offset": 1, "count": len(results), "limit": 1000}}
    path.write_text(json.dumps({"metadata": meta, "results": results}))


@pytest.mark.parametrize("form", ["response", "list", "jsonl", "jsonl-responses"])
def test_from_file_replays_every_form(tmp_path, form):
    path = tmp_path / f"cdo.{form}"
    if form == "response":
        write_response(path, SAMPLE)
    elif form == "list":
        path.write_text(json.dumps(SAMPLE, indent=2))
    elif form == "jsonl":
        path.write_text("\n".join(json.dumps(r) for r in SAMPLE) + "\n\n")
    else:  # one saved response per line, as one request per day gives
        by_day = [
            [r for r in SAMPLE if r["date"] == d] for d in sorted({r["date"] for r in SAMPLE})
        ]
        path.write_text("\n".join(json.dumps({"metadata": {}, "results": rs}) for rs in by_day))
    producer = NoaaProducer(random.Random(0), from_file=str(path))
    assert producer.results() == EXPECTED
    records = drain(producer)
    assert [r.data for r in records] == [json.dumps(r).encode() for r in EXPECTED]
    assert [r.partition_key for r in records] == ["2021-10-01", "2021-10-01", "2021-10-02"]


def test_from_file_is_independent_of_the_seed(tmp_path):
    path = tmp_path / "cdo.json"
    write_response(path, SAMPLE)
    a = NoaaProducer(random.Random(1), from_file=path).records()
    b = NoaaProducer(random.Random(2), from_file=path).records()
    assert a == b


def test_from_file_filters_datatypes_and_given_dates(tmp_path):
    path = tmp_path / "cdo.json"
    write_response(path, SAMPLE)
    only = NoaaProducer(random.Random(0), from_file=path, datatypes=["AWND", "TMAX"]).results()
    assert [r["datatype"] for r in only] == ["AWND", "TMAX"]
    second = NoaaProducer(random.Random(0), from_file=path, start_date="2021-10-02").results()
    assert second == [SAMPLE[0]]


def test_from_file_empty_cdo_answer(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("{}")  # what CDO returns when nothing matches
    producer = NoaaProducer(random.Random(0), from_file=path)
    assert producer.results() == [] and producer.finished and producer.emit(NOW) == []


def test_from_file_with_stations_is_an_error(tmp_path):
    path = tmp_path / "cdo.json"
    write_response(path, SAMPLE)
    with pytest.raises(ValueError, match="stations"):
        NoaaProducer(random.Random(0), from_file=path, stations=3)


def _bad(index, **change):
    results = [dict(r) for r in SAMPLE]
    for key, value in change.items():
        if value is ...:
            del results[index][key]
        else:
            results[index][key] = value
    return results


@pytest.mark.parametrize(
    ("results", "message"),
    [
        (_bad(2, value=...), r"results\[2\]: missing field 'value'"),
        (_bad(1, value="0.5"), r"results\[1\]: 'value' must be a finite number"),
        (_bad(3, value=True), r"results\[3\]: 'value'"),
        (_bad(0, date="yesterday"), r"results\[0\]: 'date'"),
        (_bad(0, date=20211001), r"results\[0\]: 'date' must be a string"),
        (_bad(1, station=""), r"results\[1\]: 'station'"),
        (_bad(1, datatype=None), r"results\[1\]: 'datatype'"),
        (_bad(3, attributes=7), r"results\[3\]: 'attributes'"),
        ([SAMPLE[0], "PRCP"], r"results\[1\]: expected a CDO result object"),
    ],
)
def test_malformed_response_names_file_and_index(tmp_path, results, message):
    path = tmp_path / "bad.json"
    write_response(path, results)
    with pytest.raises(NoaaDataError, match=re.escape(str(path)) + ": " + message):
        NoaaProducer(random.Random(0), from_file=path)


def test_malformed_list_and_lines_name_file_and_index(tmp_path):
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([SAMPLE[0], {"date": "2021-10-01"}]))
    with pytest.raises(NoaaDataError, match=r"list\.json: entry 1: missing field 'datatype'"):
        load_results(listed)

    lines = tmp_path / "lines.jsonl"
    lines.write_text(json.dumps(SAMPLE[0]) + "\n" + json.dumps(SAMPLE[1]) + "\n{oops\n")
    with pytest.raises(NoaaDataError, match=r"lines\.jsonl: line 3: not valid JSON"):
        load_results(lines)

    lines.write_text(json.dumps(SAMPLE[0]) + "\n" + json.dumps({**SAMPLE[1], "value": None}))
    with pytest.raises(NoaaDataError, match=r"lines\.jsonl: line 2 \(entry 1\): 'value'"):
        load_results(lines)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("{not json", "not valid JSON"),
        ('"text"', "expected a JSON object or list"),
        ('{"metadata": {}}', "expected a CDO response with 'results'"),
        ('{"results": {}}', "'results' must be a list"),
    ],
)
def test_malformed_files(tmp_path, content, message):
    path = tmp_path / "f.json"
    path.write_text(content)
    with pytest.raises(NoaaDataError, match=re.escape(str(path)) + ".*" + re.escape(message)):
        NoaaProducer(random.Random(0), from_file=path)


def test_missing_file(tmp_path):
    with pytest.raises(NoaaDataError, match="nope.json: cannot read"):
        NoaaProducer(random.Random(0), from_file=tmp_path / "nope.json")
