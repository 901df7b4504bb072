"""The scenario model: load a scenario YAML file into validated objects, or explain what is wrong.

    from sim.scenario import load_scenario
    scenario = load_scenario("scenarios/noaa-weather.yaml")
    scenario.functions[0].triggers[0].kinesis.batch_size

Every problem in a file is reported at once as a :class:`ScenarioError` (a
:class:`ScenarioErrors` when there are several) with file, line, key path, what was expected and
what was found. The schema reference in ``docs/scenario-reference.md`` is generated from the
models: ``python -m sim.scenario.reference > docs/scenario-reference.md``.
"""

from __future__ import annotations

import os

from sim.scenario.checks import cross_check
from sim.scenario.errors import ScenarioError, ScenarioErrors, raise_all
from sim.scenario.loader import LineMap, load_yaml, require_mapping
from sim.scenario.model import *  # noqa: F403 - the model classes are this package's API
from sim.scenario.model import Scenario
from sim.scenario.model import __all__ as _MODEL_NAMES
from sim.scenario.validation import validate_scenario

__all__ = [
    *_MODEL_NAMES,
    "LineMap",
    "ScenarioError",
    "ScenarioErrors",
    "load_scenario",
    "parse_scenario",
]


def parse_scenario(text: str, file: str = "<string>") -> Scenario:
    """The scenario in YAML ``text``; ``file`` names it in error messages.

    Raises :class:`ScenarioError` (:class:`ScenarioErrors` for several problems).
    """
    loaded = load_yaml(text, file)
    data = require_mapping(loaded, file, "scenario")
    scenario, errors = validate_scenario(data, loaded.lines, file)
    errors = [*loaded.problems, *errors]
    if scenario is not None:
        errors += cross_check(scenario, loaded.lines, file)
        from sim.scenario.policy import check_public_bucket_policies, load_policy_files

        policy_errors = load_policy_files(scenario, loaded.lines, file)
        errors += policy_errors
        if not policy_errors:
            errors += check_public_bucket_policies(scenario, loaded.lines, file)
        if scenario.databases:
            from sim.scenario.databases import check_database_scripts

            errors += check_database_scripts(scenario.databases, loaded.lines, file)
        if scenario.athena is not None:
            from sim.scenario.athena import check_athena_files

            errors += check_athena_files(scenario.athena, loaded.lines, file)
    raise_all(errors)
    assert scenario is not None
    return scenario


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """The scenario in the YAML file at ``path`` (UTF-8)."""
    file = os.fspath(path)
    try:
        with open(file, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            file=file,
            message=f"cannot read the file: not UTF-8 text ({exc.reason} at byte {exc.start})",
        ) from None
    except OSError as exc:
        raise ScenarioError(
            file=file, message=f"cannot read the file: {exc.strerror or exc}"
        ) from None
    return parse_scenario(text, file)
