"""docs/scenario-reference.md is exactly what the generator produces from the models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sim.scenario.model import Scenario
from sim.scenario.reference import COMMAND, generate

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "scenario-reference.md"


def test_committed_reference_is_up_to_date():
    expected = generate()
    committed = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert committed == expected, (
        f"{DOC.relative_to(ROOT)} is out of date with the models in sim/scenario/. "
        f"Regenerate it with:\n    {COMMAND}"
    )


def test_reference_module_is_runnable():
    result = subprocess.run(
        [sys.executable, "-m", "sim.scenario.reference"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert result.stdout == generate()


def test_every_field_has_a_description_and_appears_in_the_reference():
    text = generate()
    seen: set[type] = set()
    pending: list[type] = [Scenario]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        assert f"### {model.__name__}\n" in text
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            assert f"| `{name}` |" in text
            for sub in _models_in(field.annotation):
                pending.append(sub)
    assert len(seen) > 20


def _models_in(annotation):
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def test_ranges_and_defaults_are_shown():
    text = generate()
    assert "| `batch_size` | integer, 1 to 10000 | `100` |" in text
    assert "| `maximum_record_age` | integer, `-1` or 60 to 604800 seconds | `-1` |" in text
    assert (
        "| `starting_position` | one of `TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP` | **required** |"
        in text
    )
