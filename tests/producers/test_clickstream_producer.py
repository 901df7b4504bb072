"""The clickstream producer (producers/clickstream.py): determinism, the shape of every action's
event, the action and heartbeat mix, prices, order ids, sessions, poison records, partition
keys, parameter checks, the producer registry and the stand-alone ``main()``."""

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
from producers.clickstream import (
    ACTIONS,
    PRICE_MAX,
    PRICE_MIN,
    PRODUCTS,
    ClickstreamProducer,
    main,
)
from sim.producer_registry import ProducerError, builtin_types, create_producer, producer_class

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "clickstream.yaml"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TICK = timedelta(milliseconds=100)  # the default rate, 10 a second
MANY = 20_000

# The keys of each kind of event, in the producer's order (the module's docstring).
COMMON = ["event_id", "ts", "user_id", "session_id", "action"]
KEYS = {
    "heartbeat": COMMON,
    "view": [*COMMON, "page", "product_id"],
    "click": [*COMMON, "page", "product_id"],
    "add_to_cart": [*COMMON, "page", "product_id", "price"],
    "purchase": [*COMMON, "page", "product_id", "price", "order_id"],
}
TS_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def run(producer: ClickstreamProducer, ticks: int, start: datetime = T0) -> list[Record]:
    """What the driver does: one emit per tick, at start + k × 100 ms."""
    out: list[Record] = []
    for k in range(ticks):
        out.extend(producer.emit(start + k * TICK))
    return out


def events(records: list[Record]) -> list[dict]:
    return [json.loads(r.data) for r in records]


def stamp(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds, written here independently of the producer."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture(scope="module")
def many() -> list[Record]:
    """20,000 events with the default parameters (33 simulated minutes)."""
    return run(ClickstreamProducer(random.Random(12)), MANY)


# --- identity and registry -------------------------------------------------------------------


def test_name_rate_and_registry():
    assert ClickstreamProducer.name == "clickstream"
    assert ClickstreamProducer.default_rate == 10.0
    assert "clickstream" in builtin_types()
    assert producer_class("clickstream") is ClickstreamProducer


def test_the_scenario_producer_is_built_from_its_params():
    """scenarios/clickstream.yaml's producer, as the runner builds it: type and params."""
    [spec] = yaml.safe_load(SCENARIO.read_text())["producers"]
    assert spec["type"] == "clickstream"
    producer = create_producer(spec["type"], random.Random(0), spec["params"])
    assert isinstance(producer, ClickstreamProducer)
    assert (producer.users, producer.poison_every, producer.heartbeat_fraction) == (40, 400, 0.05)
    users = {json.loads(r.data)["user_id"] for r in run(producer, 2000)}
    assert users - {None} == {f"u{n:03d}" for n in range(40)}


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_different():
    a = run(ClickstreamProducer(random.Random(7), poison_every=9), 3000)
    b = run(ClickstreamProducer(random.Random(7), poison_every=9), 3000)
    c = run(ClickstreamProducer(random.Random(8), poison_every=9), 3000)
    assert a == b  # Record is a frozen dataclass: data, partition key and hash key all equal
    assert b"".join(r.data for r in a) == b"".join(r.data for r in b)
    assert [r.data for r in a] != [r.data for r in c]
    assert [json.loads(r.data)["user_id"] for r in a] != [json.loads(r.data)["user_id"] for r in c]


def test_one_record_per_tick_compact_json_keyed_by_user(many):
    assert len(many) == MANY
    for record in many[:3000]:
        event = json.loads(record.data)
        assert record.data == json.dumps(event, separators=(",", ":")).encode()
        assert record.partition_key == event["user_id"]
        assert record.explicit_hash_key is None


# --- shape -----------------------------------------------------------------------------------


def test_every_action_has_its_shape_and_types(many):
    seen = Counter()
    for k, record in enumerate(many):
        event = json.loads(record.data)
        action = event["action"]
        seen[action] += 1
        assert list(event) == KEYS[action], event
        assert re.fullmatch(r"[0-9a-f]{16}", event["event_id"]), event
        assert event["ts"] == stamp(T0 + k * TICK) and TS_FORMAT.match(event["ts"])
        assert re.fullmatch(r"u\d{3}", event["user_id"]) and int(event["user_id"][1:]) < 50
        user, _, visit = event["session_id"].rpartition("-")
        assert user == event["user_id"] and visit.isdigit() and int(visit) >= 1, event
        if action == "heartbeat":
            continue
        assert re.fullmatch(r"p\d{3}", event["product_id"]) and int(event["product_id"][1:]) < 120
        assert event["page"] == f"/product/{event['product_id']}"
        if "price" in event:
            assert type(event["price"]) is float and round(event["price"], 2) == event["price"]
        if action == "purchase":
            assert re.fullmatch(r"o\d{6}", event["order_id"])
    assert set(seen) == set(KEYS) == {*ACTIONS, "heartbeat"}
    assert len({json.loads(r.data)["event_id"] for r in many}) == MANY  # unique
    assert len({json.loads(r.data).get("product_id") for r in many[:5000]} - {None}) == PRODUCTS


def test_the_time_is_utc_with_milliseconds_truncated():
    producer = ClickstreamProducer(random.Random(1))
    brussels = datetime(2026, 3, 2, 13, 0, 5, 999_999, tzinfo=ZoneInfo("Europe/Brussels"))
    assert producer.event(brussels)["ts"] == "2026-03-02T12:00:05.999Z"
    assert producer.event(datetime(2026, 3, 2, 12, 0, 0, 1_000, tzinfo=UTC))["ts"] == (
        "2026-03-02T12:00:00.001Z"
    )
    assert producer.event(datetime(2026, 3, 2, 12, 0, 0, 999, tzinfo=UTC))["ts"] == (
        "2026-03-02T12:00:00.000Z"
    )


# --- proportions, prices, order ids, sessions ------------------------------------------------


def test_action_and_heartbeat_proportions(many):
    actions = Counter(json.loads(r.data)["action"] for r in many)
    assert 0.04 * MANY <= actions["heartbeat"] <= 0.06 * MANY  # 5 %
    shopping = MANY - actions["heartbeat"]
    expected = {"view": 0.60, "click": 0.25, "add_to_cart": 0.10, "purchase": 0.05}
    for action, share in expected.items():
        assert abs(actions[action] / shopping - share) <= 0.02, (action, actions)


@pytest.mark.parametrize(("fraction", "low", "high"), [(0, 0, 0), (0.3, 0.27, 0.33), (1, 1, 1)])
def test_heartbeat_fraction(fraction, low, high):
    evs = events(run(ClickstreamProducer(random.Random(4), heartbeat_fraction=fraction), 5000))
    share = sum(e["action"] == "heartbeat" for e in evs) / len(evs)
    assert low <= share <= high


def test_prices_are_euros_from_5_to_1200(many):
    prices = [e["price"] for e in events(many) if "price" in e]
    assert len(prices) > 2000
    assert all(PRICE_MIN <= p <= PRICE_MAX for p in prices)
    assert (PRICE_MIN, PRICE_MAX) == (5.0, 1200.0)
    assert min(prices) < 50 and max(prices) > 1150  # spread over the whole range
    assert any(p > 1000 for p in prices) and any(p <= 1000 for p in prices)  # both sides of fraud


def test_order_ids_count_up_from_one(many):
    order_ids = [e["order_id"] for e in events(many) if e["action"] == "purchase"]
    assert order_ids == [f"o{n:06d}" for n in range(1, len(order_ids) + 1)]
    assert all("order_id" not in e for e in events(many) if e["action"] != "purchase")


def test_sessions_count_up_per_user(many):
    visits: dict[str, list[int]] = defaultdict(list)
    for event in events(many):
        visits[event["user_id"]].append(int(event["session_id"].rpartition("-")[2]))
    assert set(visits) == {f"u{n:03d}" for n in range(50)}
    for user, numbers in visits.items():
        assert numbers[0] == 1, user
        assert all(b - a in (0, 1) for a, b in zip(numbers, numbers[1:], strict=False)), user
    new_visits = sum(numbers[-1] - 1 for numbers in visits.values())
    assert 0.01 * MANY <= new_visits <= 0.03 * MANY  # about 2 % of the events start a visit


def test_users_parameter():
    evs = events(run(ClickstreamProducer(random.Random(2), users=3), 500))
    assert {e["user_id"] for e in evs} == {"u000", "u001", "u002"}
    assert {
        e["user_id"] for e in events(run(ClickstreamProducer(random.Random(2), users=1), 50))
    } == {"u000"}


# --- poison records --------------------------------------------------------------------------


@pytest.mark.parametrize("every", [1, 7, 400])
def test_without_heartbeats_exactly_every_nth_event_is_poison(every):
    producer = ClickstreamProducer(random.Random(3), heartbeat_fraction=0, poison_every=every)
    records = run(producer, 2400)
    poison = [n for n, e in enumerate(events(records), start=1) if e["user_id"] is None]
    assert poison == list(range(every, 2401, every))
    for record, event in zip(records, events(records), strict=True):
        assert record.partition_key == (event["user_id"] or "unknown")


def test_poison_every_with_heartbeats_counts_them_and_never_poisons_one():
    """What the producer does with heartbeats in the stream: ``poison_every`` counts every
    event, heartbeats included, and the Nth event is poisoned unless it is a heartbeat (then
    that turn has no poison record). This is not "every Nth non-heartbeat event": see the
    report of tests/producers/test_clickstream_producer.py's author."""
    records = run(ClickstreamProducer(random.Random(12), poison_every=7), MANY)
    evs = events(records)
    poison = [n for n, e in enumerate(evs, start=1) if e["user_id"] is None]
    heartbeat_turns = [n for n in range(7, MANY + 1, 7) if evs[n - 1]["action"] == "heartbeat"]
    assert poison == [n for n in range(7, MANY + 1, 7) if n not in heartbeat_turns]
    assert heartbeat_turns  # 5 % of the turns fall on a heartbeat
    assert all(evs[n - 1]["action"] != "heartbeat" for n in poison)
    assert all(records[n - 1].partition_key == "unknown" for n in poison)


def test_poison_only_nulls_the_user():
    """The same seed with and without poison: the same events except user_id (and the key)."""
    clean = run(ClickstreamProducer(random.Random(5), poison_every=0), 3000)
    mixed = run(ClickstreamProducer(random.Random(5), poison_every=11), 3000)
    changed = 0
    for a, b in zip(events(clean), events(mixed), strict=True):
        if b["user_id"] is None:
            changed += 1
            assert {**a, "user_id": None} == b
            assert b["session_id"].startswith(a["user_id"] + "-")  # the session still names him
        else:
            assert a == b
    assert changed > 200
    assert all(e["user_id"] is not None for e in events(clean))
    assert all(r.partition_key != "unknown" for r in clean)


def test_poison_every_zero_never_poisons(many):
    assert all(json.loads(r.data)["user_id"] is not None for r in many)
    assert ClickstreamProducer(random.Random(0)).poison_every == 0


# --- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"users": 0}, ValueError, "users must be an integer of at least 1, got 0"),
        ({"users": -3}, ValueError, "users must be an integer of at least 1, got -3"),
        ({"users": 2.0}, ValueError, "users must be an integer of at least 1, got 2.0"),
        ({"users": "40"}, ValueError, "users must be an integer of at least 1, got '40'"),
        ({"users": True}, ValueError, "users must be an integer of at least 1, got True"),
        ({"users": None}, ValueError, "users must be an integer of at least 1, got None"),
        (
            {"heartbeat_fraction": -0.1},
            ValueError,
            "heartbeat_fraction must be a number from 0 to 1, got -0.1",
        ),
        (
            {"heartbeat_fraction": 1.5},
            ValueError,
            "heartbeat_fraction must be a number from 0 to 1, got 1.5",
        ),
        (
            {"heartbeat_fraction": "0.1"},
            ValueError,
            "heartbeat_fraction must be a number from 0 to 1, got '0.1'",
        ),
        (
            {"heartbeat_fraction": False},
            ValueError,
            "heartbeat_fraction must be a number from 0 to 1, got False",
        ),
        (
            {"heartbeat_fraction": math.nan},
            ValueError,
            "heartbeat_fraction must be a number from 0 to 1, got nan",
        ),
        (
            {"poison_every": -1},
            ValueError,
            "poison_every must be an integer of at least 0 (0: never), got -1",
        ),
        (
            {"poison_every": 2.5},
            ValueError,
            "poison_every must be an integer of at least 0 (0: never), got 2.5",
        ),
        (
            {"poison_every": True},
            ValueError,
            "poison_every must be an integer of at least 0 (0: never), got True",
        ),
        (
            {"poison_every": "400"},
            ValueError,
            "poison_every must be an integer of at least 0 (0: never), got '400'",
        ),
        (
            {"colour": "red"},
            TypeError,
            "ClickstreamProducer.__init__() got an unexpected keyword argument 'colour'",
        ),
    ],
)
def test_bad_parameters_are_refused(params, error, message):
    with pytest.raises(error) as raised:
        ClickstreamProducer(random.Random(0), **params)
    assert str(raised.value) == message
    with pytest.raises(ProducerError) as wrapped:  # what a scenario's author sees
        create_producer("clickstream", random.Random(0), params)
    assert str(wrapped.value) == f"producer type 'clickstream': {message}"


def test_bounds_are_accepted():
    for params in ({"users": 1}, {"heartbeat_fraction": 0}, {"heartbeat_fraction": 1}):
        ClickstreamProducer(random.Random(0), **params)
    assert ClickstreamProducer(random.Random(0), heartbeat_fraction=1).heartbeat_fraction == 1.0


# --- stand-alone -----------------------------------------------------------------------------


def lines(text: str) -> list[dict]:
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_main_prints_json_lines_for_the_seconds_asked(capsys):
    assert main(["--seconds", "2", "--seed", "3", "--users", "4", "--poison-every", "5"]) == 0
    printed = lines(capsys.readouterr().out)
    assert len(printed) == 20  # 10 a second
    producer = ClickstreamProducer(random.Random(3), users=4, poison_every=5)
    expected = [producer.event(T0 + k * TICK) for k in range(20)]
    # the times are the wall clock's; everything else is the seed's
    assert [{**e, "ts": None} for e in printed] == [{**e, "ts": None} for e in expected]
    times = [datetime.fromisoformat(e["ts"].replace("Z", "+00:00")) for e in printed]
    assert all(TS_FORMAT.match(e["ts"]) for e in printed)
    assert all(
        timedelta(milliseconds=99) <= b - a <= timedelta(milliseconds=101)
        for a, b in zip(times, times[1:], strict=False)
    )
    assert abs(times[0] - datetime.now(UTC)) < timedelta(minutes=1)
    assert any(e["user_id"] is None for e in printed)  # --poison-every was passed on


def test_main_defaults_to_five_seconds(capsys):
    assert main([]) == 0
    printed = lines(capsys.readouterr().out)
    assert len(printed) == 50
    assert all(e["user_id"] is not None for e in printed)  # no poison by default
    assert {e["user_id"] for e in printed} <= {f"u{n:03d}" for n in range(50)}


def test_run_as_a_module():
    done = subprocess.run(
        [sys.executable, "-m", "producers.clickstream", "--seconds", "1", "--seed", "9"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    printed = lines(done.stdout)
    assert len(printed) == 10 and done.stderr == ""
    assert all(list(e) == KEYS[e["action"]] for e in printed)
