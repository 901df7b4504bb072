"""The ``flink_jobs:`` section: PyFlink jobs the run binds to its streams.

    flink_jobs:
      - name: wildrydes-summary
        job: flink_jobs.wildrydes_summary        # a module following flink_jobs' contract
        source: {stream: wildrydes}
        sink: {stream: wildrydes-summary, partition_key: Name}
        stop: {at: 10m30s, drain: true}          # optional

A job reads one stream and writes one stream or one DynamoDB table. In a simulation the part of
the pipeline after a job runs once the job's input is known: :func:`stages` numbers each stream
by how many jobs lie before it (:mod:`sim.scenario.checks` states what that order rules out).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from sim.scenario.base import Spec
from sim.scenario.types import (
    Name,
    Offset,
    Range,
    StreamName,
    TableName,
    Text,
    one_of,
    ref,
)

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
JobModule = Annotated[
    str, Text(rf"{_IDENT}(\.{_IDENT})*", "a job module such as flink_jobs.wildrydes_summary")
]


class FlinkSource(Spec):
    """What the job reads: a Kinesis stream, from its start (the job starts with the run)."""

    stream: StreamName = ref("streams", "Stream to read (declared in resources.streams).")


class FlinkSink(Spec):
    """Where the job's rows go: exactly one of a stream or a table."""

    stream: StreamName | None = one_of(
        "sink",
        "Kinesis stream to put rows on, as JSON (declared in resources.streams).",
        ref="streams",
    )
    table: TableName | None = one_of(
        "sink",
        "DynamoDB table to write rows to as items (declared in resources.tables).",
        ref="tables",
    )
    partition_key: str | None = Field(
        None,
        description="Stream sinks: the column whose value is each record's partition key; "
        "null: a random key per record (the Kinesis sink's default partitioner).",
    )

    @property
    def kind(self) -> str:
        """``"stream"`` or ``"table"``."""
        return self.chosen("sink")

    @property
    def name(self) -> str:
        return getattr(self, self.kind)


class FlinkStop(Spec):
    """Stopping the job during the run, as `flink stop [--drain]` does."""

    at: Offset = Field(description="When the job stops, after the clock's start.")
    drain: bool = Field(
        True,
        description="Emit the final watermark first (`--drain`): every window still open "
        "fires at that time. Without it, open windows stay in the job's savepoint.",
    )


class FlinkJobSpec(Spec):
    """A PyFlink job: the runner binds its source and sink (see docs/flink.md)."""

    name: Name = Field(description="Job name (in reports and errors).")
    job: JobModule = Field(
        description="The job's module: `build(t_env, source_table, sink_table)` and its "
        "schema constants."
    )
    source: FlinkSource = Field(description="`{stream: NAME}`.")
    sink: FlinkSink = Field(description="`{stream: NAME}` or `{table: NAME}`.")
    watermark_delay: Annotated[float, Range(0, noun="a number", unit="seconds")] | None = Field(
        None, description="Overrides the job's WATERMARK_DELAY (seconds of out-of-orderness)."
    )
    stop: FlinkStop | None = Field(
        None, description="Stop the job during the run; null: it runs to the end."
    )


# --- staging --------------------------------------------------------------------------------


def stages(scenario: Any) -> dict[str, int]:
    """Each stream's stage: 0 unless a Flink job writes it, then one more than the job's input.

    Raises ``ValueError`` (``a cycle: j → k → j``) when jobs feed each other in a cycle.
    """
    writer = {job.sink.stream: job for job in scenario.flink_jobs if job.sink.stream is not None}
    result: dict[str, int] = {}

    def stage(stream: str, path: tuple[str, ...]) -> int:
        if stream in result:
            return result[stream]
        job = writer.get(stream)
        if job is None:
            value = 0
        else:
            if job.name in path:
                cycle = " → ".join((*path[path.index(job.name) :], job.name))
                raise ValueError(f"a cycle: {cycle}")
            value = stage(job.source.stream, (*path, job.name)) + 1
        result[stream] = value
        return value

    for spec in scenario.resources.streams:
        stage(spec.name, ())
    return result
