"""Helpers for scenario-model tests: a minimal valid head and a way to collect errors."""

from __future__ import annotations

import textwrap

import pytest

from sim.scenario import ScenarioError, parse_scenario

HEAD = """\
name: t
clock:
  start: 2021-11-01T00:00:00Z
  duration: 1h
"""
"""Four lines; a test's own YAML starts on line 5."""


def scenario_errors(text: str, file: str = "x.yaml") -> list[ScenarioError]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file)
    return info.value.errors


def one_error(body: str, *, head: str = HEAD) -> ScenarioError:
    """The single error in ``head`` + dedented ``body``."""
    errors = scenario_errors(head + textwrap.dedent(body))
    assert len(errors) == 1, "\n".join(str(e) for e in errors)
    return errors[0]
