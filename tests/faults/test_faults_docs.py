"""docs/faults.md: its example scenario is valid and it names every fault kind."""

from __future__ import annotations

import re
from pathlib import Path

from sim.scenario import parse_scenario
from sim.scenario.faults import Fault

DOC = Path(__file__).resolve().parents[2] / "docs" / "faults.md"


def test_the_example_scenario_is_valid():
    [example] = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)
    scenario = parse_scenario(example)
    assert [fault.kind for fault in scenario.faults] == list(Fault.one_of_groups()["fault kind"])


def test_every_kind_is_described():
    text = DOC.read_text()
    for kind in Fault.one_of_groups()["fault kind"]:
        assert f"| `{kind}` |" in text
