"""PyFlink jobs in a simulation: bounded event-time replay on PyFlink's local MiniCluster.

A job (a module in ``flink_jobs/``) builds its pipeline against a source table and a sink table
that the runner registers; :class:`FlinkRunner` binds them to newline-delimited JSON files with
a watermark on the job's event-time column, runs the job, and returns the sink's rows with the
simulated time at which each should be emitted (the window end). See docs/flink.md.

PyFlink is imported only when a runner starts its environment, so importing ``sim.flink`` is
cheap and works without Java.
"""

from sim.flink.errors import FlinkJobError, flink_root_cause
from sim.flink.runner import FlinkRunner, JobSpec, OutputRow, parse_time, sql_timestamp

__all__ = [
    "FlinkJobError",
    "FlinkRunner",
    "JobSpec",
    "OutputRow",
    "flink_root_cause",
    "parse_time",
    "sql_timestamp",
]
