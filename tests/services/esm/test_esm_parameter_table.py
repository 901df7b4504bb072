"""docs/event-source-mappings.md's parameter table, checked against the code: every row's
scenario key is a field of the trigger models of its sources, with the default and limits the
table gives; the mappings' own validation accepts the limits and refuses one step beyond; and
every parameter of the trigger models has a row."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import PydanticUndefined

from sim.scenario.functions import DynamoDBTrigger, KinesisTrigger, SqsTrigger
from sim.scenario.types import Range, literal_values, marker, unwrap
from sim.services.esm import filtering, limits
from sim.services.esm.dynamodb import DynamoDBMappingConfig
from sim.services.esm.kinesis import KinesisMappingConfig
from sim.services.esm.sqs_config import SqsMappingConfig

DOC = Path(__file__).resolve().parents[3] / "docs" / "event-source-mappings.md"
MODELS = {"K": KinesisTrigger, "D": DynamoDBTrigger, "S": SqsTrigger}
# Fields that are not mapping parameters: the source itself, and the changes during a run.
NOT_PARAMETERS = {"stream", "table", "queue", "starting_position_timestamp", "changes"}


def _rows() -> list[dict[str, str]]:
    text = DOC.read_text()
    table = text.split("<!-- parameter-table -->")[1].split("<!-- /parameter-table -->")[0]
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    header = [cell.strip().lower() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def _code(cell: str) -> str | None:
    match = re.fullmatch(r"`([^`]*)`", cell)
    return match.group(1) if match else None


ROWS = _rows()


def _id(row: dict[str, str]) -> str:
    return f"{row['parameter']}-{row['sources'].replace(' ', '')}"


@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_each_row_is_a_field_of_its_sources_with_that_default(row: dict[str, str]):
    key = _code(row["scenario key"])
    assert key is not None
    for source in row["sources"].split():
        field = MODELS[source].model_fields[key]
        default = row["default"]
        if default == "(required)":
            assert field.default is PydanticUndefined
            continue
        value = field.default_factory() if field.default_factory else field.default
        if default == "(none)":
            assert value in (None, []), (source, key, value)
            continue
        expected = _code(default)
        assert expected is not None, default
        assert _render(value) == expected, (source, key)


@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_each_rows_limits_are_the_models(row: dict[str, str]):
    key = _code(row["scenario key"])
    limits_cell = _code(row["limits"]) if row["limits"] else None
    if limits_cell is None:
        return
    for source in row["sources"].split():
        field = MODELS[source].model_fields[key]
        bare, metadata, _ = unwrap(field.annotation)
        interval = re.fullmatch(r"(?:(-?\d+), )?(-?\d+)\.\.(\d+)", limits_cell)
        if interval is not None:
            also, lo, hi = interval.groups()
            found = marker([*field.metadata, *metadata], Range)
            assert found is not None, (source, key)
            assert (found.lo, found.hi) == (int(lo), int(hi)), (source, key)
            assert found.also == ((int(also),) if also else ()), (source, key)
        elif key == "filters":
            assert int(limits_cell) == limits.FILTERS_MAX_DEFAULT == filtering.MAX_FILTERS
        elif key == "function_response_types":
            inner = bare.__args__[0]
            assert literal_values(inner) == tuple(limits_cell.split())
        elif key == "on_failure":
            assert set(bare.model_fields) == set(limits_cell.split())
        else:
            assert literal_values(field.annotation) == tuple(limits_cell.split()) or (
                source == "D" and key == "starting_position"
            )


def test_every_trigger_parameter_has_a_row():
    documented: dict[str, set[str]] = {source: set() for source in MODELS}
    for row in ROWS:
        for source in row["sources"].split():
            documented[source].add(_code(row["scenario key"]))
    for source, model in MODELS.items():
        assert set(model.model_fields) - NOT_PARAMETERS == documented[source], source


# -- the mappings' own validation agrees with the table ------------------------------------
STREAM_BOUNDS = {
    "batch_size": (1, limits.KINESIS_BATCH_SIZE_MAX),
    "maximum_batching_window": (0, limits.BATCHING_WINDOW_MAX_SECONDS),
    "maximum_retry_attempts": (-1, limits.RETRY_ATTEMPTS_MAX),
    "parallelization_factor": (1, limits.PARALLELIZATION_FACTOR_MAX),
    "tumbling_window": (0, limits.TUMBLING_WINDOW_MAX_SECONDS),
}


@pytest.mark.parametrize("config_class", [KinesisMappingConfig, DynamoDBMappingConfig])
@pytest.mark.parametrize("key", sorted(STREAM_BOUNDS))
def test_stream_mappings_accept_the_limits_and_refuse_beyond(config_class, key: str):
    lo, hi = STREAM_BOUNDS[key]
    for value in (lo, hi):
        config_class(starting_position="LATEST", **{key: value}).validate()
    for value in (lo - 1, hi + 1):
        with pytest.raises(ValueError):
            config_class(starting_position="LATEST", **{key: value}).validate()
    assert _scenario_bounds(KinesisTrigger, key) == (lo, hi)


def test_record_age_accepts_minus_one_and_60_to_a_week_only():
    for value in (-1, 60, 604_800):
        KinesisMappingConfig(maximum_record_age=value).validate()
    for value in (0, 59, 604_801):
        with pytest.raises(ValueError):
            KinesisMappingConfig(maximum_record_age=value).validate()


def test_dynamodb_has_no_at_timestamp():
    with pytest.raises(ValueError, match="StartingPosition"):
        DynamoDBMappingConfig(
            starting_position="AT_TIMESTAMP", starting_position_timestamp=0.0
        ).validate()


def test_sqs_mapping_limits_agree():
    SqsMappingConfig(batch_size=10).validate(fifo=True)
    with pytest.raises(ValueError):
        SqsMappingConfig(batch_size=11, maximum_batching_window=1).validate(fifo=True)
    SqsMappingConfig(batch_size=10_000, maximum_batching_window=1).validate()
    with pytest.raises(ValueError):
        SqsMappingConfig(batch_size=10_001, maximum_batching_window=1).validate()
    with pytest.raises(ValueError):
        SqsMappingConfig(batch_size=11).validate()  # above 10 needs a window
    for bad in (1, 1001):
        with pytest.raises(ValueError):
            SqsMappingConfig(maximum_concurrency=bad).validate()
    assert _scenario_bounds(SqsTrigger, "batch_size") == (1, limits.SQS_BATCH_SIZE_MAX)
    assert _scenario_bounds(SqsTrigger, "maximum_concurrency") == (
        limits.SQS_MAXIMUM_CONCURRENCY_MIN,
        limits.SQS_MAXIMUM_CONCURRENCY_MAX,
    )


def _scenario_bounds(model: Any, key: str) -> tuple[float | None, float | None]:
    field = model.model_fields[key]
    _, metadata, _ = unwrap(field.annotation)
    found = marker([*field.metadata, *metadata], Range)
    return found.lo, found.hi


def _render(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
