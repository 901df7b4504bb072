"""The scenario schema: pydantic models, one per YAML mapping, with ``extra="forbid"``.

Extending the schema: a new resource kind is one ``XSpec`` model plus one ``list[XSpec]`` field
on :class:`Resources`; a new trigger, producer target, fault or expectation kind is one model
plus one field made with :func:`~sim.scenario.types.one_of` on :class:`Trigger`,
:class:`ProducerTarget`, :class:`Fault` or :class:`Expectation`. Fields naming a declared
resource use :func:`~sim.scenario.types.ref`; :mod:`sim.scenario.checks` verifies them, and names
are checked for uniqueness in every list, without further code.

The models live in one module per part of the file (:mod:`~sim.scenario.resources`,
:mod:`~sim.scenario.producers`, :mod:`~sim.scenario.functions`, :mod:`~sim.scenario.faults`,
:mod:`~sim.scenario.expectations`); this module assembles them under :class:`Scenario` and
re-exports them all. :mod:`sim.scenario.validation` turns pydantic's errors into
:class:`~sim.scenario.errors.ScenarioError` s.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from sim.scenario.athena import Athena, AthenaTable
from sim.scenario.base import Spec
from sim.scenario.databases import DatabaseSpec
from sim.scenario.expectations import (
    AthenaCheck,
    CountCheck,
    DuplicatesCheck,
    Expectation,
    InvocationsCheck,
    ItemCheck,
    LedgerName,
    ObjectsCheck,
    QueryCheck,
    StreamCheck,
)
from sim.scenario.faults import Fault, FunctionErrorFault, StreamThrottleFault
from sim.scenario.flink import FlinkJobSpec, FlinkSink, FlinkSource, FlinkStop
from sim.scenario.functions import FunctionSpec, KinesisTrigger, PolicySpec, RoleSpec, Trigger
from sim.scenario.naming import Naming, check_naming
from sim.scenario.producers import ProducerSpec, ProducerTarget
from sim.scenario.resources import (
    BucketSpec,
    IndexSpec,
    KeyAttribute,
    QueueSpec,
    Resources,
    StreamSpec,
    Subscription,
    TableSpec,
    TopicSpec,
)
from sim.scenario.types import AccountId, Duration, Range, Region, ScenarioName, Time, fail

__all__ = [
    "DatabaseSpec",
    "Athena",
    "AthenaCheck",
    "AthenaTable",
    "BucketSpec",
    "Clock",
    "CountCheck",
    "DuplicatesCheck",
    "Expectation",
    "Fault",
    "FlinkJobSpec",
    "FlinkSink",
    "FlinkSource",
    "FlinkStop",
    "FunctionErrorFault",
    "FunctionSpec",
    "IndexSpec",
    "InvocationsCheck",
    "ItemCheck",
    "KeyAttribute",
    "KinesisTrigger",
    "LedgerName",
    "ObjectsCheck",
    "PolicySpec",
    "ProducerSpec",
    "ProducerTarget",
    "QueryCheck",
    "QueueSpec",
    "Resources",
    "RoleSpec",
    "Scenario",
    "Spec",
    "StreamCheck",
    "StreamSpec",
    "StreamThrottleFault",
    "Subscription",
    "TableSpec",
    "TopicSpec",
    "Trigger",
]


# --- clock -----------------------------------------------------------------------------------


class Clock(Spec):
    """When the simulated run starts, how long it lasts and how fast it goes."""

    start: Time = Field(description="Simulated time at which the run starts.")
    duration: Annotated[Duration, Range(gt=0, noun="a duration", unit="seconds")] = Field(
        description="How long the run lasts on the simulated clock."
    )
    speed: Annotated[float, Range(gt=0)] | None = Field(
        None,
        description="Simulated seconds per wall-clock second; null runs as fast as possible.",
    )


# --- scenario --------------------------------------------------------------------------------


class Scenario(Spec):
    """A whole scenario file."""

    name: ScenarioName = Field(description="Scenario name, lowercase with dashes.")
    description: str = Field("", description="What the scenario demonstrates.")
    seed: int = Field(0, description="Seed of every random generator in the run.")
    region: Region = Field("us-east-1", description="AWS Region used in ARNs.")
    account_id: Annotated[AccountId, BeforeValidator(lambda v: str(v) if type(v) is int else v)] = (
        Field("123456789012", description="AWS account id used in ARNs (12 digits).")
    )
    clock: Clock = Field(description="The simulated clock.")
    resources: Resources = Field(default_factory=Resources, description="Resources to create.")
    producers: list[ProducerSpec] = Field(default_factory=list, description="Record producers.")
    functions: list[FunctionSpec] = Field(default_factory=list, description="Lambda functions.")
    flink_jobs: list[FlinkJobSpec] = Field(
        default_factory=list, description="PyFlink jobs between streams (see docs/flink.md)."
    )
    expect: list[Expectation] = Field(
        default_factory=list, description="Checks made when the run ends."
    )
    faults: list[Fault] = Field(default_factory=list, description="Faults injected during the run.")
    databases: list[DatabaseSpec] = Field(
        default_factory=list,
        description="SQL databases (embedded SQLite or MariaDB): initialization scripts and "
        "scheduled events on the simulated clock (docs/databases.md).",
    )
    athena: Athena = Field(
        default_factory=Athena,
        description="Athena tables over the run's S3 objects (`athena` expectations, `sim query`).",
    )
    naming: Naming | None = Field(
        None,
        description="A lab's naming convention to check (`{first: Kyle, last: Maposa}`: "
        "resources named `DEKYLMAP-…`, buckets `dekylemaposa-…`, region eu-west-1).",
    )

    @model_validator(mode="after")
    def _naming(self) -> Scenario:
        check_naming(self)
        return self

    # --- athena --------------------------------------------------------------------------------
    @model_validator(mode="after")
    def _athena_tables(self) -> Scenario:
        """Each `athena` expectation reads the tables of the `athena` section."""
        for index, expectation in enumerate(self.expect):
            if expectation.athena is None:
                continue
            if not self.athena.tables:
                fail(
                    "tables declared in athena.tables for the query to read",
                    found_text="no athena tables",
                    key=("expect", index, "athena"),
                    hint="add athena: {tables: [CREATE EXTERNAL TABLE …]}",
                )
            expectation.athena._tables = self.athena.tables
        return self
