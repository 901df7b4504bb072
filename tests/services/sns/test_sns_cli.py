"""`sim outbox SCENARIO`: the scenario runs in this process on the embedded backend first (its
own backend: no fixture of this module starts one)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from sim.cli import main

SCENARIO = textwrap.dedent(
    """\
    name: outbox-check
    seed: 1
    clock:
      start: 2021-11-01T09:00:00Z
      duration: 10s
    resources:
      topics:
        - name: alerts
          subscriptions:
            - {protocol: email, endpoint: ops@example.com}
    """
)


def test_sim_outbox_runs_a_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO)
    assert main(["outbox", str(scenario), "--json"]) == 0
    captured = capsys.readouterr()
    assert f"ran {scenario} on the embedded backend" in captured.err
    [email] = json.loads(captured.out)
    assert email["to"] == "ops@example.com"
    assert email["kind"] == "confirmation"
    assert email["time"] == "2021-11-01T09:00:00.000Z"
    assert email["topic_arn"] == "arn:aws:sns:us-east-1:123456789012:alerts"

    assert main(["outbox", str(scenario), "--to", "boss@example.com"]) == 0
    assert capsys.readouterr().out == (
        "no emails to boss@example.com in the outbox (no email subscription was pending "
        "confirmation)\n"
    )


def test_sim_outbox_reports_an_invalid_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "broken.yaml"
    scenario.write_text("name: broken\nclock: {start: 2021-11-01T09:00:00Z}\nnonsense: 1\n")
    assert main(["outbox", str(scenario)]) == 2
    assert "broken.yaml" in capsys.readouterr().err
