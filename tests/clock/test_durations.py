import pytest

from sim.clock import parse_duration, parse_rate, to_epoch


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("90s", 90),
        ("30m", 1800),
        ("3h", 10800),
        ("1h30m", 5400),
        ("1d", 86400),
        (45, 45),
        ("250ms", 0.25),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["ten minutes", "-5s", "5x", True, -3])
def test_bad_durations(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


@pytest.mark.parametrize("text,rate", [("10/s", 10), ("100/min", 100 / 60), (2, 2), ("3600/h", 1)])
def test_rates(text, rate):
    assert parse_rate(text) == pytest.approx(rate)


@pytest.mark.parametrize("bad", ["0/s", "10/fortnight", "fast", False])
def test_bad_rates(bad):
    with pytest.raises(ValueError):
        parse_rate(bad)


def test_naive_times_are_utc():
    assert to_epoch("2021-11-01T00:00:00") == to_epoch("2021-11-01T00:00:00Z") == 1635724800
