"""A scenario whose expectation does not hold fails, showing expected against actual."""

from pathlib import Path

from sim import Simulation

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "noaa-weather.yaml"


def test_a_changed_expectation_fails_with_expected_and_actual(tmp_path):
    text = SCENARIO.read_text().replace("equals: 248", "equals: 249")
    path = tmp_path / "scenarios" / "noaa-wrong.yaml"
    path.parent.mkdir()
    path.write_text(text)
    with Simulation.from_file(path) as simulation:
        result = simulation.run()
    assert not result.passed
    failing = [e for e in result.expectations if not e.passed]
    assert [(e.expected, e.actual) for e in failing] == [(249, 248)]
    assert "249" in result.report() and "✘" in result.report()
