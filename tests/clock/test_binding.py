"""Simulated time as seen by code under simulation."""

import threading
import time
from datetime import UTC, datetime

from sim.clock import Clock, ProcessTime, RealtimeClock, TickingTime, iso, to_epoch

START = to_epoch("2021-11-01T00:00:00Z")


def test_datetime_and_time_follow_the_clock_in_every_thread():
    clock = Clock(START)
    seen = []

    def look():
        seen.append((datetime.now(UTC), time.time()))

    with ProcessTime(clock):
        look()
        clock.call_later(90.5, look)
        clock.call_later(91, lambda: threading.Thread(target=look).start())
        clock.run()
        time.sleep(0.05)  # let the thread finish: real sleep, time stays simulated
    assert seen[0] == (datetime(2021, 11, 1, tzinfo=UTC), START)
    assert seen[1][1] == START + 90.5
    assert seen[2][1] == START + 91
    assert time.time() > to_epoch("2025-01-01T00:00:00Z")  # real time again after exit


def test_monotonic_stays_real_under_simulation():
    clock = Clock(START)
    with ProcessTime(clock):
        before = time.monotonic()
        clock.call_later(3600, lambda: None)
        clock.run()
        assert time.monotonic() - before < 60


def test_ticking_time_starts_at_the_given_instant_and_moves():
    with TickingTime(START):
        first = time.time()
        time.sleep(0.02)
        second = time.time()
    assert START <= first < START + 5
    assert second > first


def test_realtime_clock_paces_against_the_wall_clock():
    clock = RealtimeClock(START, speed=20.0)  # 1 simulated second = 50 ms of wall time
    clock.call_later(1.0, lambda: None)
    before = time.monotonic()
    clock.run()
    assert time.monotonic() - before >= 0.045


def test_iso_rounds_to_milliseconds():
    assert iso(START + 1.9996) == "2021-11-01T00:00:02.000Z"
    assert iso(START + 0.5) == "2021-11-01T00:00:00.500Z"
